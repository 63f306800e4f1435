"""The camera: a window toured over a picture, at a pace a viewer sees, that never cuts what must stay whole.

Two owners use it: the ``kenburns`` backend (the window over the still, the
whole scene long) and the padder's drift (``podmotion.drift``: a smaller tour
over an animated clip's art, so a looped or ping-ponged clip never shows the
same frame twice).

- **The window** keeps the output's aspect ratio and always stays inside the
  picture. It always contains ``keep`` (``podmotion.framing``: every line of
  text and every face, with a margin), so no title and no face is ever cut.
  The windows that do both (the *room*) are a convex set in (centre x, centre
  y, width): any mix of windows in it is in it too.
- **The tour.** The camera visits framings chosen from the picture: the
  subjects (faces, else the salient region) as tight as the room allows, the
  whole picture, and framings in between, each new one away from those seen
  before and turning at most gently from the way the camera came. The path is
  a cubic B-spline with the framings as its control points: smooth, and inside
  the room, since each of its points mixes four framings. It never holds
  still and never turns back on itself.
- **The pace** (``pace_widths_per_s``): the fastest-moving pixel of the output
  (a corner, in a zoom) travels this share of the frame's width per second,
  all the scene long, whatever its length. A short scene whose first move
  (from one framing to the next) needs more goes faster, up to the cap
  (``max_speed_widths_per_s``: rostrum moves in documentaries cross a tenth to
  a fifth of the frame in five to ten seconds, about 2 % of the width a
  second); a long one tours at the pace. The speed ramps up over ``RAMP_S``
  at the start and down at the end, so nothing jolts at a cut.
- **Tight pictures.** Where text or faces leave the window little room (a title
  from edge to edge), one leg of the tour would take under ``LEG_MIN_S`` at the
  pace: the camera slows so that it takes that long, below the pace's floor
  if it must, and the tour says so (``Tour.tight``). It never cuts to move.
- **Sub-pixel**: each frame is one affine warp with a floating-point matrix
  (``render``), so the camera moves by fractions of a pixel between frames.

Everything comes from the seed: a rerun gives the same frames.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

RAMP_S = 1.0  # the speed ramps up (and down) over this long; a move shorter than two ramps is a plain ease
DEFAULT_MAX_SPEED = 0.02  # frame widths per second, for the fastest-moving pixel
DEFAULT_PACE = 0.008  # the tour's speed, in the same unit
MIN_PACE = 0.0025  # under this a viewer sees no motion: only a tight picture goes slower, and says so
LEG_MIN_S = 6.0  # one leg of the tour (framing to framing) lasts at least this long
SAMPLES_PER_LEG = 48  # the spline is measured this finely
CANDIDATES = 10  # framings drawn for each step of the tour; the best is taken
CROSSING_PX = 0.3  # a leg keeps this far (a grid cell, and its neighbours) from recent legs, in output pixels
CROSSING_LEGS = 4  # how many legs back that holds


def eased(n_frames: int, ramp_frames: float) -> np.ndarray:
    """Progress 0 → 1 over ``n_frames``, the speed ramping (raised cosine) over ``ramp_frames`` at each end.

    Monotonic: the path never turns back. ``ramp_frames`` at or above half the move gives a plain
    ease-in-out (speed up over the first half, down over the second).
    """
    if n_frames < 2:
        return np.zeros(max(n_frames, 0))
    t = np.arange(n_frames, dtype=np.float64) / (n_frames - 1)
    r = min(0.5, max(ramp_frames / (n_frames - 1), 1e-9))
    head = t / 2 - r / (2 * math.pi) * np.sin(math.pi * np.minimum(t, r) / r)
    tail_t = 1 - t
    tail = tail_t / 2 - r / (2 * math.pi) * np.sin(math.pi * np.minimum(tail_t, r) / r)
    total = 1 - r
    progress = np.where(t < r, head, np.where(t > 1 - r, total - tail, r / 2 + (t - r)))
    return np.clip(progress / total, 0.0, 1.0)


def peak_speed(path: np.ndarray, out_w: int, out_h: int, fps: float) -> float:
    """The fastest any output pixel moves along ``path`` ((x, y, width) rows), in frame widths per second.

    A pixel at offset p from the output's centre (p in output widths) moves at ċ/w + p·ẇ/w
    (c the centre, w the window's width, both in picture pixels): the corners are the fastest.
    """
    if len(path) < 2:
        return 0.0
    mid = (path[1:] + path[:-1]) / 2
    step = np.diff(path, axis=0) * fps
    vx, vy, vw = step[:, 0] / mid[:, 2], step[:, 1] / mid[:, 2], step[:, 2] / mid[:, 2]
    fastest = 0.0
    for sx in (-0.5, 0.5):
        for sy in (-0.5 * out_h / out_w, 0.5 * out_h / out_w):
            fastest = max(fastest, float(np.hypot(vx + sx * vw, vy + sy * vw).max()))
    return fastest


def render(image: np.ndarray, cx: float, cy: float, win_w: float, out_w: int, out_h: int) -> np.ndarray:
    """Sample the window centred on (cx, cy), ``win_w`` pixels wide, into out_w×out_h (bicubic, 1/32 px)."""
    import cv2

    scale = out_w / win_w
    left, top = cx - win_w / 2, cy - (win_w * out_h / out_w) / 2
    # Pixel centres: output x + 0.5 = (image u + 0.5 - left) * scale
    matrix = np.array(
        [[scale, 0.0, 0.5 * scale - 0.5 - scale * left], [0.0, scale, 0.5 * scale - 0.5 - scale * top]],
        dtype=np.float64,
    )
    return cv2.warpAffine(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)


def reversals(values: np.ndarray, min_step: float) -> int:
    """How often a path's coordinate turns back: sign changes of its steps, ignoring steps under ``min_step``."""
    steps = np.diff(np.asarray(values, dtype=np.float64))
    signs = np.sign(steps[np.abs(steps) >= min_step])
    return int(np.count_nonzero(signs[1:] != signs[:-1])) if len(signs) > 1 else 0


def corner_speeds(path: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """Per step of ``path``: how far the fastest output pixel moves, in output widths (``peak_speed`` per step)."""
    if len(path) < 2:
        return np.zeros(0)
    mid = (path[1:] + path[:-1]) / 2
    step = np.diff(path, axis=0)
    vx, vy, vw = step[:, 0] / mid[:, 2], step[:, 1] / mid[:, 2], step[:, 2] / mid[:, 2]
    half_h = 0.5 * out_h / out_w
    return np.max([np.hypot(vx + sx * vw, vy + sy * vw) for sx in (-0.5, 0.5) for sy in (-half_h, half_h)], axis=0)


@dataclass(frozen=True)
class Move:
    """A tour's shape: ``zoom`` at its tightest (1.0: none), ``pan`` (0–1, the share of the room the window's
    centre may use), the speed cap and the pace in frame widths per second (cap None: uncapped), and the ramp."""

    zoom: float
    pan: float
    max_speed_widths_per_s: float | None = DEFAULT_MAX_SPEED
    ramp_s: float = RAMP_S
    pace_widths_per_s: float = DEFAULT_PACE


class Room:
    """The windows (centre x, centre y, width) that fit the picture, keep its ``keep`` box whole and zoom at
    most ``zoom``: a convex set."""

    def __init__(self, image_w: float, image_h: float, aspect: float, zoom: float, keep=None):
        self.image_w, self.image_h, self.aspect, self.keep = float(image_w), float(image_h), aspect, keep
        self.w_max = min(self.image_w, self.image_h * aspect)  # the largest window that fits ("cover")
        need = max(keep[2] - keep[0], (keep[3] - keep[1]) * aspect) if keep else 0.0
        self.w_min = min(self.w_max, max(self.w_max / max(zoom, 1.0), need))

    def ranges(self, w: float) -> tuple[tuple[float, float], tuple[float, float]]:
        """The window centre's (x range, y range) at width ``w``."""
        h = w / self.aspect
        x = [w / 2, self.image_w - w / 2]
        y = [h / 2, self.image_h - h / 2]
        if self.keep:
            kx0, ky0, kx1, ky1 = self.keep
            x = [max(x[0], kx1 - w / 2), min(x[1], kx0 + w / 2)]
            y = [max(y[0], ky1 - h / 2), min(y[1], ky0 + h / 2)]
        fix = lambda r, lo, hi: (r[0], r[1]) if r[0] <= r[1] else ((min(max((r[0] + r[1]) / 2, lo), hi),) * 2)  # noqa: E731
        return fix(x, w / 2, self.image_w - w / 2), fix(y, h / 2, self.image_h - h / 2)

    def window(self, w: float, fx: float, fy: float) -> np.ndarray:
        """The window of width ``w`` at fractions (fx, fy) of its centre's ranges (0.5, 0.5: the middle)."""
        w = min(max(w, self.w_min), self.w_max)
        (x0, x1), (y0, y1) = self.ranges(w)
        return np.array([x0 + fx * (x1 - x0), y0 + fy * (y1 - y0), w])


def leg_length(a: np.ndarray, b: np.ndarray, aspect: float) -> float:
    """How far the fastest pixel travels from window ``a`` to ``b`` on a straight line, in output widths (an upper
    bound: the centre's shift plus the corners' share of the zoom)."""
    w = (a[2] + b[2]) / 2
    return math.hypot(b[0] - a[0], b[1] - a[1]) / w + 0.5 * math.hypot(1, 1 / aspect) * abs(b[2] - a[2]) / w


@dataclass(frozen=True)
class Tour:
    """A scene's camera path, frame by frame, and what shaped it."""

    path: np.ndarray  # (n_frames, 3): centre x, centre y, width, in picture pixels
    framings: np.ndarray  # (k, 3): the framings it passes by, in order
    pace_widths_per_s: float  # the speed between the ramps
    tight: bool = False  # the room held the pace under MIN_PACE
    reason: str = ""
    extra: dict = field(default_factory=dict)

    def describe(self, out_w: int, out_h: int, fps: float, listed: int = 12) -> dict:
        """For the sidecar: the framings as [x, y, width, height] boxes (the first ``listed``), the pace, and
        whether the picture was tight and why."""
        boxes = [[round(cx - w / 2, 1), round(cy - w * out_h / out_w / 2, 1), round(w, 1), round(w * out_h / out_w, 1)]
                 for cx, cy, w in self.framings[:listed]]  # fmt: skip
        widths = self.path[:, 2]
        return {"framings": boxes, "framings_count": len(self.framings),
                "pace_widths_per_s": round(self.pace_widths_per_s, 5),
                "peak_speed_widths_per_s": round(peak_speed(self.path, out_w, out_h, fps), 5),
                "zoom": round(float(widths.max() / widths.min()), 4), "tight": self.tight,
                **({"reason": self.reason} if self.reason else {})}  # fmt: skip


def plan_tour(image_w: int, image_h: int, out_w: int, out_h: int, n_frames: int, seed: int, move: Move, fps: float,
              framing=None) -> Tour:  # fmt: skip
    """The camera's tour of the picture for a scene of ``n_frames``; see the module docstring.

    ``framing`` (``podmotion.framing.Framing``, or None): what the windows keep whole and where they go.
    """
    aspect = out_w / out_h
    room = Room(image_w, image_h, aspect, move.zoom, framing.keep if framing is not None else None)
    subjects = [((b[0] + b[2] / 2), (b[1] + b[3] / 2), max(b[2], b[3] * aspect) * 1.4)
                for b in (framing.subjects if framing is not None else ())]  # fmt: skip
    planner = _Planner(room, subjects, random.Random(seed), move.pan, aspect, out_w / room.w_min,
                       0.5 * math.hypot(out_w, out_h))  # fmt: skip
    duration_s = max(n_frames - 1, 1) / fps
    ramp_s = min(move.ramp_s, duration_s / 4)
    ramp_frames = ramp_s * fps
    share = (1 - min(0.5, ramp_frames / max(n_frames - 1, 1)))  # of the scene spent at full speed
    cap = move.max_speed_widths_per_s if move.max_speed_widths_per_s is not None else math.inf

    first = planner.start()
    second = planner.next([first], 0.0)[0]
    pace = min(move.pace_widths_per_s, cap)
    speed = min(cap, max(pace, leg_length(first, second, aspect) / (duration_s * share)))
    tight, reason = False, ""
    leg_s = min(LEG_MIN_S, duration_s * share)  # a scene shorter than a leg is one leg
    if planner.span < speed * leg_s:  # a leg would be over too soon: slow down, never cut
        slow = planner.span / leg_s
        if slow < min(speed, MIN_PACE):
            tight = True
            what = "text and faces" if framing is not None and framing.faces else "text"
            reason = (f"the {what} to keep whole leave the window room to move {planner.span:.4f} widths: "
                      f"{slow:.5f} widths a second, under the pace floor {MIN_PACE}")  # fmt: skip
        speed = min(speed, slow)
    distance = speed * duration_s * share
    if n_frames < 2 or distance <= 1e-9:
        path = np.repeat(first[None, :], max(n_frames, 0), axis=0)
        still = distance <= 1e-9 and n_frames > 1
        return Tour(path, first[None, :], 0.0, tight or still, reason or ("no room to move" if still else ""))
    framings = [first]
    second = planner.next(framings, leg_length(first, second, aspect) / distance)[0]  # on the sweep's course
    planner.crossings.add(framings, second)
    framings.append(second)
    straight = leg_length(first, second, aspect)  # the legs' straight lengths; the spline runs shorter
    while True:
        dense, travelled = _spline(np.array(framings), aspect)
        if travelled[-1] >= distance:
            break
        rounding = min(1.0, max(0.5, travelled[-1] / straight)) if straight > 0 else 1.0  # spline / straight
        for _ in range(min(16, max(1, int((distance - travelled[-1]) / max(planner.span / 2, 1e-6)) + 1))):
            options = planner.next(framings, straight * rounding / distance)  # when the tour will be there
            pick = min(options, key=lambda c: planner.crossings.hits(framings, c))  # the first that crosses least
            planner.crossings.add(framings, pick)
            straight += leg_length(framings[-1], pick, aspect)
            framings.append(pick)
    progress = eased(n_frames, ramp_frames)
    for _ in range(8):  # the spline is measured between samples: the frames keep to the cap exactly
        u = np.interp(distance * progress, travelled, np.linspace(0, len(dense) - 1, len(dense)))
        path = _spline_at(np.array(framings), u / SAMPLES_PER_LEG)
        fastest = peak_speed(path, out_w, out_h, fps)
        if fastest <= cap:
            break
        distance *= cap / fastest * 0.995
    return Tour(path, np.array(framings), speed, tight, reason)


def camera_path(image_w: int, image_h: int, out_w: int, out_h: int, n_frames: int, seed: int, move: Move,
                fps: float, framing=None) -> np.ndarray:  # fmt: skip
    """Per frame: (centre_x, centre_y, window_width) of the window, in picture pixels, ``(n_frames, 3)``."""
    return plan_tour(image_w, image_h, out_w, out_h, n_frames, seed, move, fps, framing).path


class _Planner:
    """Chooses the tour's framings, one after another.

    **The sweep.** Along the room's narrower axis (x or y, as a share of the room's range there), the framings
    advance steadily from one side to the other over the whole scene, as the scene's time does; the tour roams
    freely along the other axis and in zoom. Two frames far apart in time then differ along the sweep even
    where the tour passes the same place again, so the scene never shows a frame twice; and a new leg is kept
    from crossing the last few legs (``_Crossings``), for the frames close in time.
    """

    def __init__(self, room: Room, subjects, rng: random.Random, pan: float, aspect: float, scale: float,
                 half_diag_px: float):  # fmt: skip
        self.room, self.subjects, self.rng, self.pan, self.aspect = room, subjects, rng, pan, aspect
        self.lo, self.hi = 0.5 - pan / 2, 0.5 + pan / 2
        self.top = math.log(room.w_max / room.w_min)
        bands = [np.mean([r[1] - r[0] for r in (room.ranges(w)[axis] for w in np.linspace(room.w_min, room.w_max, 9))])
                 for axis in (0, 1)]  # fmt: skip
        self.sweep_axis = int(np.argmin(bands))
        self.sweep_up = rng.random() < 0.5
        self.span = _room_span(room, aspect)
        self.crossings = _Crossings(scale, half_diag_px, 1 - self.sweep_axis)

    def sweep(self, time_share: float) -> float:
        """The sweep axis's share of its range at ``time_share`` (0-1) of the scene."""
        t = min(max(time_share, 0.0), 1.0)
        return self.lo + (self.hi - self.lo) * (t if self.sweep_up else 1 - t)

    def start(self) -> np.ndarray:
        """Where the tour starts: on its subject (a zoom out follows) or wide (a zoom in), by the seed."""
        if self.rng.random() < 0.5:
            return self.framing("subject", 0.0)
        return self.room.window(self.room.w_max, 0.5, 0.5)  # the whole picture, where a zoom in starts

    def framing(self, kind: str, time_share: float) -> np.ndarray:
        """A framing of ``kind``: on a subject (tight, its centre drawn near the subject's), wide (near the whole
        picture), or between; on the sweep's course at ``time_share``. Every one lies inside the room, off its
        walls, floor and apex by a random share: framings on a wall would lay the path flat on it, where it
        must cross itself, and each crossing would repeat a frame."""
        room, rng, lo, hi, top = self.room, self.rng, self.lo, self.hi, self.top
        free = [rng.uniform(lo, hi), rng.uniform(lo, hi)]
        if kind == "subject" and self.subjects:
            cx, cy, size = self.subjects[rng.randrange(len(self.subjects))]
            floor = min(max(math.log(max(size, room.w_min) / room.w_min) / top, 0.0), 0.9) if top > 0 else 0.0
            w = room.w_min * math.exp((floor + rng.uniform(0.03, 0.25) * (1 - floor)) * top)
            (x0, x1), (y0, y1) = room.ranges(w)
            aim = lambda t, a, b: (t - a) / (b - a) if b > a else 0.5  # noqa: E731
            free = [min(max(aim(cx, x0, x1) + rng.uniform(-0.2, 0.2), lo), hi),
                    min(max(aim(cy, y0, y1) + rng.uniform(-0.2, 0.2), lo), hi)]  # fmt: skip
        elif kind == "subject":  # nothing stands out: tight, anywhere
            w = room.w_min * math.exp(rng.uniform(0.03, 0.25) * top)
        elif kind == "wide":  # near the whole picture, not at it: the windows there are all alike, and would repeat
            w = room.w_max * math.exp(-rng.uniform(0.15, 0.4) * top)
        else:
            w = room.w_min * math.exp(rng.uniform(0.1, 0.85) * top)
        free[self.sweep_axis] = self.sweep(time_share)
        return room.window(w, *free)

    def next(self, seen: list, time_share: float) -> list[np.ndarray]:
        """The tour's next framing, best first (the caller takes the first whose leg crosses no recent one): among
        framings drawn ``CANDIDATES`` at a time, those a fair leg away (a quarter of the room's span) that turn at
        most about 80 degrees from the way the camera came; of them, the one farthest from every framing seen
        before. Where none turns so little (at the room's edge, after a zoom out), the ones that turn least; the
        spline then rounds the turn over the whole leg."""
        here, aspect, span = seen[-1], self.aspect, self.span
        came = _unit(here - seen[-2], here[2]) if len(seen) > 1 else None
        far, far_leg = None, -1.0
        gentle = []
        for _ in range(8):
            good = []
            for _ in range(CANDIDATES):
                kind = self.rng.choices(("subject", "wide", "between"), (0.45, 0.25, 0.3))[0]
                candidate = self.framing(kind, time_share)
                leg = leg_length(here, candidate, aspect)
                if leg > far_leg:
                    far, far_leg = candidate, leg
                if leg < 0.25 * span:
                    continue
                turn = float(np.dot(came, _unit(candidate - here, here[2]))) if came is not None else 1.0
                if turn > 0.2:
                    good.append((_novelty(candidate, seen, aspect), candidate))
                else:
                    gentle.append((turn, candidate))
            if good:
                return [c for _, c in sorted(good, key=lambda g: -g[0])]
        return [c for _, c in sorted(gentle, key=lambda g: -g[0])[:3]] or [far]


def _room_span(room: Room, aspect: float) -> float:
    """About the longest straight move the room allows, in output widths."""
    corners = [room.window(w, fx, fy) for w in (room.w_min, room.w_max) for fx in (0, 1) for fy in (0, 1)]
    return max(leg_length(a, b, aspect) for a in corners for b in corners)


class _Crossings:
    """Where the last legs went, in output pixels along the tour's free axis and the zoom's reach at the corners,
    so a new leg can be kept from passing within ``CROSSING_PX`` of them: with the sweep, a window that close
    to one of a few legs ago could be the same frame again. Each leg is recorded two legs late, since a leg
    always meets its neighbours, and forgotten after ``CROSSING_LEGS``: older legs are far along the sweep."""

    def __init__(self, scale: float, half_diag_px: float, axis: int):
        self.scale, self.half_diag_px, self.axis = scale, half_diag_px, axis
        self.legs: list[set[tuple[int, int]]] = []

    def _segment(self, framings: list, candidate: np.ndarray) -> set[tuple[int, int]]:
        """The cells of the spline's samples between the framings that ``candidate`` completes (the spline is
        clamped: its first framing counts three times)."""
        controls = np.stack([*([framings[0]] * 2 + list(framings))[-3:], candidate])
        rough = self._px(controls)
        samples = int(np.ceil(np.abs(np.diff(rough, axis=0)).sum(axis=0).max() / (CROSSING_PX / 2))) + 2
        t = np.linspace(0, 1, samples)[:, None]  # closer than half a cell: no cell skipped
        weights = np.concatenate([t**3, t**2, t, np.ones_like(t)], axis=1) @ _BASIS
        return set(map(tuple, np.floor(self._px(weights @ controls) / CROSSING_PX).astype(np.int64).tolist()))

    def _px(self, points: np.ndarray) -> np.ndarray:
        return np.stack([points[:, self.axis] * self.scale, np.log(points[:, 2]) * self.half_diag_px], axis=1)

    def hits(self, framings: list, candidate: np.ndarray) -> int:
        """How many of the leg's cells pass next to a recent leg's (0: it crosses none)."""
        recent = self.legs[:-2]
        if not recent:
            return 0
        cells = self._segment(framings, candidate)
        near = {(x + a, y + b) for x, y in cells for a in (-1, 0, 1) for b in (-1, 0, 1)}
        return sum(len(near & leg) for leg in recent)

    def add(self, framings: list, candidate: np.ndarray) -> None:
        self.legs.append(self._segment(framings, candidate))
        del self.legs[: -CROSSING_LEGS - 2]


def _novelty(candidate: np.ndarray, seen: list, aspect: float) -> float:
    """How far ``candidate`` is from the nearest framing seen so far (``leg_length``'s measure)."""
    past = np.asarray(seen)
    w = (past[:, 2] + candidate[2]) / 2
    return float((np.hypot(past[:, 0] - candidate[0], past[:, 1] - candidate[1]) / w
                  + 0.5 * math.hypot(1, 1 / aspect) * np.abs(past[:, 2] - candidate[2]) / w).min())  # fmt: skip


def _unit(step: np.ndarray, w: float) -> np.ndarray:
    v = np.array([step[0] / w, step[1] / w, step[2] / w])
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


_BASIS = np.array([[-1, 3, -3, 1], [3, -6, 3, 0], [-3, 0, 3, 0], [1, 4, 1, 0]], dtype=np.float64) / 6


def _spline_at(framings: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The clamped uniform cubic B-spline with ``framings`` as control points, at ``u`` (0 at the first framing,
    len - 1 at the last)."""
    points = np.concatenate([framings[:1], framings[:1], framings, framings[-1:], framings[-1:]])
    segments = len(points) - 3
    u = np.clip(np.asarray(u, dtype=np.float64) * (segments / max(len(framings) - 1, 1)), 0, segments - 1e-9)
    i = np.floor(u).astype(int)
    t = (u - i)[:, None]
    weights = np.concatenate([t**3, t**2, t, np.ones_like(t)], axis=1) @ _BASIS
    return np.einsum("nk,nkd->nd", weights, np.stack([points[i + k] for k in range(4)], axis=1))


def _spline(framings: np.ndarray, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """The spline sampled ``SAMPLES_PER_LEG`` times a leg, and the fastest pixel's distance travelled to each
    sample, in output widths."""
    u = np.linspace(0, len(framings) - 1, (len(framings) - 1) * SAMPLES_PER_LEG + 1)
    dense = _spline_at(framings, u)
    steps = corner_speeds(dense, 1.0, 1.0 / aspect)
    return dense, np.concatenate([[0.0], np.cumsum(steps)])
