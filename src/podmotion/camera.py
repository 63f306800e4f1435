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
    keep = framing.keep if framing is not None else None
    room = Room(image_w, image_h, aspect, move.zoom, keep)
    rng = random.Random(seed)
    subjects = [((b[0] + b[2] / 2), (b[1] + b[3] / 2), max(b[2], b[3] * aspect) * 1.4)
                for b in (framing.subjects if framing is not None else ())]  # fmt: skip
    duration_s = max(n_frames - 1, 1) / fps
    ramp_s = min(move.ramp_s, duration_s / 4)
    ramp_frames = ramp_s * fps
    share = (1 - min(0.5, ramp_frames / max(n_frames - 1, 1)))  # of the scene spent at full speed
    cap = move.max_speed_widths_per_s if move.max_speed_widths_per_s is not None else math.inf

    span = _room_span(room, aspect)
    first = _start(room, subjects, rng, move.pan)
    second = _next(room, subjects, rng, move.pan, [first], aspect, span)
    pace = min(move.pace_widths_per_s, cap)
    speed = min(cap, max(pace, leg_length(first, second, aspect) / (duration_s * share)))
    tight, reason = False, ""
    if span < speed * LEG_MIN_S:  # a leg would be over too soon: slow down, never cut
        slow = span / LEG_MIN_S
        if slow < min(speed, MIN_PACE):
            tight = True
            what = "text and faces" if framing is not None and framing.faces else "text"
            reason = (f"the {what} to keep whole leave the window room to move {span:.4f} widths: "
                      f"{slow:.5f} widths a second, under the pace floor {MIN_PACE}")  # fmt: skip
        speed = min(speed, slow)
    distance = speed * duration_s * share
    framings = [first, second]
    if n_frames < 2 or distance <= 1e-9:
        path = np.repeat(first[None, :], max(n_frames, 0), axis=0)
        still = distance <= 1e-9 and n_frames > 1
        return Tour(path, np.array(framings[:1]), 0.0, tight or still, reason or ("no room to move" if still else ""))
    while True:
        dense, travelled = _spline(np.array(framings), aspect)
        if travelled[-1] >= distance:
            break
        for _ in range(max(1, int((distance - travelled[-1]) / max(span / 2, 1e-6)) + 1)):
            framings.append(_next(room, subjects, rng, move.pan, framings, aspect, span))
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


def _room_span(room: Room, aspect: float) -> float:
    """About the longest straight move the room allows, in output widths."""
    corners = [room.window(w, fx, fy) for w in (room.w_min, room.w_max) for fx in (0, 1) for fy in (0, 1)]
    return max(leg_length(a, b, aspect) for a in corners for b in corners)


def _start(room: Room, subjects, rng: random.Random, pan: float) -> np.ndarray:
    """Where the tour starts: on its subject (a zoom out follows) or wide (a zoom in), by the seed."""
    if rng.random() < 0.5:
        return _framing(room, subjects, rng, pan, "subject")
    return _framing(room, subjects, rng, pan, "start-wide")


def _framing(room: Room, subjects, rng: random.Random, pan: float, kind: str) -> np.ndarray:
    """A framing of ``kind``: on a subject (tight, its centre drawn near the subject's), wide (near the whole
    picture), or between. Every one lies inside the room, off its walls, floor and apex by a random share: framings
    on a wall would lay the path flat on it, where it must cross itself, and each crossing repeats a frame."""
    lo, hi = 0.5 - pan / 2, 0.5 + pan / 2
    top = math.log(room.w_max / room.w_min)
    if kind == "start-wide":  # the whole picture, where a zoom in starts
        return room.window(room.w_max, 0.5, 0.5)
    if kind == "subject":
        if subjects:
            cx, cy, size = subjects[rng.randrange(len(subjects))]
            floor = min(max(math.log(max(size, room.w_min) / room.w_min) / top, 0.0), 0.9) if top > 0 else 0.0
            w = room.w_min * math.exp((floor + rng.uniform(0.03, 0.25) * (1 - floor)) * top)
            (x0, x1), (y0, y1) = room.ranges(w)
            aim = lambda t, a, b: (t - a) / (b - a) if b > a else 0.5  # noqa: E731
            fx = min(max(aim(cx, x0, x1) + rng.uniform(-0.2, 0.2), lo), hi)
            fy = min(max(aim(cy, y0, y1) + rng.uniform(-0.2, 0.2), lo), hi)
            return room.window(w, fx + rng.uniform(-0.05, 0.05) * pan, fy + rng.uniform(-0.05, 0.05) * pan)
        w = room.w_min * math.exp(rng.uniform(0.03, 0.25) * top)  # nothing stands out: tight, anywhere
    elif kind == "wide":  # near the whole picture, not at it: the windows there are all alike, and would repeat
        w = room.w_max * math.exp(-rng.uniform(0.15, 0.4) * top)
    else:
        w = room.w_min * math.exp(rng.uniform(0.1, 0.85) * top)
    return room.window(w, rng.uniform(lo, hi), rng.uniform(lo, hi))


def _next(room: Room, subjects, rng: random.Random, pan: float, seen: list, aspect: float, span: float) -> np.ndarray:
    """The tour's next framing: among framings drawn ``CANDIDATES`` at a time, those a fair leg away (a quarter of
    the room's span) that turn at most about 80 degrees from the way the camera came; of them, the one farthest
    from every framing seen before. Where none turns so little (at the room's edge, after a zoom out), the one
    that turns least; the spline then rounds the turn over the whole leg."""
    here = seen[-1]
    came = _unit(here - seen[-2], here[2]) if len(seen) > 1 else None
    far, far_leg = None, -1.0
    gentlest, gentlest_turn = None, -math.inf
    for _ in range(8):
        good = []
        for _ in range(CANDIDATES):
            kind = rng.choices(("subject", "wide", "between"), (0.45, 0.25, 0.3))[0]
            candidate = _framing(room, subjects, rng, pan, kind)
            leg = leg_length(here, candidate, aspect)
            if leg > far_leg:
                far, far_leg = candidate, leg
            if leg < 0.25 * span:
                continue
            turn = float(np.dot(came, _unit(candidate - here, here[2]))) if came is not None else 1.0
            if turn > 0.2:
                good.append((_novelty(candidate, seen, aspect), candidate))
            elif turn > gentlest_turn:
                gentlest, gentlest_turn = candidate, turn
        if good:
            return max(good, key=lambda g: g[0])[1]
    return gentlest if gentlest is not None else far


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
