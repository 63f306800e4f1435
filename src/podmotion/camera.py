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
- **The tour** (``_Planner``): the camera orbits the room, always turning
  the same way: tight on the picture's subject (its biggest face, else its
  salient region), out toward the whole picture, in again, while it advances
  steadily across the room's narrow axis over the whole scene, so each lap
  runs beside the one before and no frame comes back. The path is a cubic
  B-spline with the orbit's framings as control points: smooth, and inside the
  room, since each of its points mixes four framings. It never holds still and
  never turns back on itself.
- **The pace** (``pace_widths_per_s``): the fastest-moving pixel of the output
  (a corner, in a zoom) travels this share of the frame's width per second,
  all the scene long, whatever its length. A short scene goes faster, to
  cross the room at least once as a classic Ken Burns move does, up to the cap
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
from dataclasses import dataclass

import numpy as np

RAMP_S = 1.0  # the speed ramps up (and down) over this long; a move shorter than two ramps is a plain ease
DEFAULT_MAX_SPEED = 0.02  # frame widths per second, for the fastest-moving pixel
DEFAULT_PACE = 0.008  # the tour's speed, in the same unit
MIN_PACE = 0.0025  # under this a viewer sees no motion: only a tight picture goes slower, and says so
LEG_MIN_S = 6.0  # one leg of the tour (framing to framing) lasts at least this long
SAMPLES_PER_LEG = 48  # the spline is measured this finely
ORBIT_STEP = 0.2  # of a turn between framings: five a lap
ORBIT_SHARE = 0.8  # the orbit's reach along the room's wider axis, as a share of the room's half-range there
ORBIT_ROUND = 1.5  # the orbit is at most this much longer one way than the other (in output widths)
ORBIT_ZOOM = (0.05, 0.92)  # its zoom, from tight to near-whole, as shares of the log-zoom the room allows
ORBIT_BREATH = 0.5  # the orbit's smallest size, as a share of its largest


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
    return float(corner_speeds(path, out_w, out_h).max()) * fps if len(path) > 1 else 0.0


def corner_speeds(path: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """Per step of ``path``: how far the fastest output pixel moves, in output widths (``peak_speed`` per step)."""
    if len(path) < 2:
        return np.zeros(0)
    mid = (path[1:] + path[:-1]) / 2
    step = np.diff(path, axis=0)
    vx, vy, vw = step[:, 0] / mid[:, 2], step[:, 1] / mid[:, 2], step[:, 2] / mid[:, 2]
    half_h = 0.5 * out_h / out_w
    return np.max([np.hypot(vx + sx * vw, vy + sy * vw) for sx in (-0.5, 0.5) for sy in (-half_h, half_h)], axis=0)


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
    duration_s = max(n_frames - 1, 1) / fps
    planner = _Planner(room, subjects, random.Random(seed), move.pan, aspect, out_w)
    ramp_s = min(move.ramp_s, duration_s / 4)
    ramp_frames = ramp_s * fps
    share = (1 - min(0.5, ramp_frames / max(n_frames - 1, 1)))  # of the scene spent at full speed
    cap = move.max_speed_widths_per_s if move.max_speed_widths_per_s is not None else math.inf

    first, second = planner.framing(0, 0.0), planner.framing(1, 0.0)
    pace = min(move.pace_widths_per_s, cap)
    # A short scene crosses the room once at least, as a classic Ken Burns move does, up to the cap.
    speed = min(cap, max(pace, max(leg_length(first, second, aspect), planner.span) / (duration_s * share)))
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
    planner.plan_laps(distance)
    first = planner.framing(0, 0.0)
    framings = [first, planner.framing(1, leg_length(first, second, aspect) / distance)]
    straight = leg_length(first, framings[1], aspect)  # the legs' straight lengths; the spline runs shorter
    rounding = 1.0
    while True:
        dense, travelled = _spline(np.array(framings), aspect)
        if travelled[-1] >= distance:
            if len(framings) >= 4:  # two framings more: the scene ends before the spline's clamped end, which
                for _ in range(2):  # bends toward its last framing and could cross the lap before
                    framings.append(planner.framing(len(framings), straight * rounding / distance))
                dense, travelled = _spline(np.array(framings), aspect)
            break
        if len(framings) > 8 and travelled[-1] < 1e-9:  # the orbit has no size: nowhere to go
            path = np.repeat(first[None, :], n_frames, axis=0)
            return Tour(path, first[None, :], 0.0, True, reason or "no room to move")
        rounding = min(1.0, max(0.5, travelled[-1] / straight)) if straight > 0 else 1.0  # spline / straight
        for _ in range(min(16, max(1, int((distance - travelled[-1]) / max(planner.span / 4, 1e-6)) + 1))):
            pick = planner.framing(len(framings), straight * rounding / distance)  # when the tour will be there
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
    """Chooses the tour's framings, one after another: an orbit of the room, turning one way, its laps on a lattice.

    Three coordinates place a window in the room: its zoom (between the tightest and near-whole), and its
    centre along the room's two axes, each as a share of the room's range there.

    - **The orbit.** In the plane of zoom and the room's wider axis, the framings go round an ellipse,
      ``ORBIT_STEP`` of a turn apart, always the same way: tight on the subject (the orbit is centred on it
      along that axis), then out toward the whole picture, then in again on the other side. The path never
      turns back, and one lap never crosses itself.
    - **The lattice.** Lap after lap, the orbit grows from ``ORBIT_BREATH`` of its size to its whole (or
      shrinks), a step a lap, then steps along the room's narrower axis and shrinks back, and so on, the
      passes spread evenly over the scene (``plan_laps``). Each lap runs beside the last, a step away in
      size or along the narrow axis, never over it: no frame comes back, in a scene of a minute or an hour.
    """

    def __init__(self, room: Room, subjects, rng: random.Random, pan: float, aspect: float, out_w: int):
        self.room, self.aspect = room, aspect
        self.lo, self.hi = 0.5 - pan / 2, 0.5 + pan / 2
        self.top = math.log(room.w_max / room.w_min)
        widths = np.linspace(room.w_min, room.w_max, 9)
        bands = [np.mean([room.ranges(w)[axis][1] - room.ranges(w)[axis][0] for w in widths]) for axis in (0, 1)]
        self.sweep_axis = int(np.argmin(bands))
        self.sweep_up = rng.random() < 0.5
        self.span = _room_span(room, aspect)
        # The orbit's radii, along the free axis (a share of its range) and in zoom (of the log-zoom allowed), no
        # rounder than ORBIT_ROUND in output widths: a long thin orbit would turn sharply at its ends.
        free = 1 - self.sweep_axis
        free_widths = bands[free] / ((room.w_min + room.w_max) / 2)  # the free axis's range, in window widths
        zoom_widths = self.top * 0.5 * math.hypot(1, 1 / aspect)  # the log-zoom allowed, in widths at a corner
        along_w = (self.hi - self.lo) / 2 * ORBIT_SHARE * free_widths
        zoom_w = (ORBIT_ZOOM[1] - ORBIT_ZOOM[0]) / 2 * zoom_widths
        if min(along_w, zoom_w) > 0.2 * max(along_w, zoom_w):  # where both have room: no long thin orbit
            along_w, zoom_w = min(along_w, ORBIT_ROUND * zoom_w), min(zoom_w, ORBIT_ROUND * along_w)
        self.radius = (along_w / free_widths if free_widths > 0 else 0.0, zoom_w / zoom_widths if zoom_widths > 0 else 0.0)
        centre = 0.5
        if subjects:  # the orbit's tight side is on the biggest subject, as near as the room allows
            cx, cy, size = subjects[0]
            w = room.w_min * math.exp(ORBIT_ZOOM[0] * self.top)
            lo_hi = room.ranges(w)[1 - self.sweep_axis]
            target = (cx, cy)[1 - self.sweep_axis]
            centre = (target - lo_hi[0]) / (lo_hi[1] - lo_hi[0]) if lo_hi[1] > lo_hi[0] else 0.5
        self.centre = min(max(centre, self.lo + self.radius[0]), self.hi - self.radius[0])
        self.turning = 1 if rng.random() < 0.5 else -1
        self.outward = rng.random() < 0.5
        self.sweeps, self.laps = 1, 1.0
        # In output pixels (at the tightest zoom): the narrow axis's usable range, and the orbit's radius.
        self.band_px = (self.hi - self.lo) * bands[self.sweep_axis] * out_w / room.w_min
        self.radius_px = min(along_w, zoom_w) * out_w
        self.angle = -math.pi / 2 if rng.random() < 0.5 else math.pi / 2  # tight on the subject, or wide

    def plan_laps(self, distance: float) -> None:
        """Lay the laps of a tour ``distance`` long (output widths) on a lattice: ``sweeps`` passes along the
        narrow axis, each of ``steps`` laps whose size grows (or shrinks, every other pass) a step a lap."""
        lap = sum(leg_length(self.framing(k, 0.0, 1.0), self.framing(k + 1, 0.0, 1.0), self.aspect)
                  for k in range(round(1 / ORBIT_STEP)))  # fmt: skip
        laps = distance / max(lap * (1 + ORBIT_BREATH) / 2, 1e-9)
        across = max(self.band_px, 1e-9) / max(self.radius_px * (1 - ORBIT_BREATH), 1e-9)  # narrow axis / size range
        self.laps = laps
        self.sweeps = max(1, min(round(laps / 2), round(math.sqrt(laps * across))))

    def place(self, time_share: float) -> tuple[float, float]:
        """(the narrow axis's share of its range, the orbit's size) at ``time_share`` (0-1) of the scene. The size
        grows over one pass and shrinks over the next; where it turns, between passes, the narrow axis steps to
        its next level over half a lap, so the laps just before and after the turn, alike in size, lie a level
        apart."""
        t = max(time_share, 0.0) * self.sweeps  # past the end (the estimate ran over): the size goes on turning
        width = min(0.9, 0.5 * self.sweeps / max(self.laps, 1e-9))  # half a lap, in passes
        along = sum(_smoothstep((t - k) / width + 0.5) for k in range(1, self.sweeps)) / self.sweeps
        if self.sweeps == 1:
            along = min(t, 1.0)
        level = math.floor(t)
        within = t - level
        grow = within if level % 2 == 0 else 1 - within
        if not self.outward:
            grow = 1 - grow
        along = along if self.sweep_up else 1 - along
        return self.lo + (self.hi - self.lo) * along, ORBIT_BREATH + (1 - ORBIT_BREATH) * grow

    def framing(self, k: int, time_share: float, size: float | None = None) -> np.ndarray:
        """The ``k``-th framing of the orbit, at its place at ``time_share`` of the scene (``size``: the orbit's
        size, instead of the place's)."""
        narrow, grown = self.place(time_share)
        size = grown if size is None else size
        angle = self.angle + self.turning * 2 * math.pi * k * ORBIT_STEP
        along = self.centre + self.radius[0] * size * math.cos(angle)
        zoom = (ORBIT_ZOOM[1] + ORBIT_ZOOM[0]) / 2 + self.radius[1] * size * math.sin(angle)
        shares = [0.0, 0.0]
        shares[1 - self.sweep_axis], shares[self.sweep_axis] = along, narrow
        return self.room.window(self.room.w_min * math.exp(zoom * self.top), *shares)


def _smoothstep(x: float) -> float:
    """0 below 0, 1 above 1, and an eased step between."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def _room_span(room: Room, aspect: float) -> float:
    """About the longest straight move the room allows, in output widths."""
    corners = [room.window(w, fx, fy) for w in (room.w_min, room.w_max) for fx in (0, 1) for fy in (0, 1)]
    return max(leg_length(a, b, aspect) for a in corners for b in corners)


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
