"""The depth move: how far each frame shifts a point of each depth, riding on the camera's tour.

The flat camera (``podmotion.camera``) gives each frame a window over the
picture. The parallax adds what a real camera's move adds: a point of depth q
(its nearness less the reference plane's, ``layers``) is seen at

    u + q * (shift + spread * (u - window centre))

in picture pixels.

- **The orbit** (``shift``): the camera circles its subject slowly, always
  the same way, on an ellipse twice as wide as tall (sideways parallax, a
  shear no pan-and-zoom can make, reads best): near things circle against far
  ones. A real camera that kept translating would push near things out of the
  frame; an orbit keeps them in it for an hour. It starts and stops with the
  tour's ramps, from the scene's seed.
- **The dolly** (``spread``): as the tour's window zooms in, near things grow
  faster than far ones, by where the window's zoom is in its range; at most
  half the pace, the orbit making the rest.
- **The pace** (``pace_widths_per_s``): the nearest and farthest points (5th
  and 95th percentile) part at this speed on average, in output widths a
  second, in a scene of any length. The orbit turns once in ``MIN_ORBIT_S`` at
  most: a picture with little depth parts slower, not faster.
- **The cap** (``max_shift_share``): the orbit's width, as a share of the
  window's; the dolly moves a corner of depth 1 as far at most.
- **Margins** (``margins_px``): the tour keeps this far inside the picture on
  each side, by the depth at that side, so no layer ever needs a pixel from
  past the picture's edge.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from ..camera import RAMP_S, eased

MAX_MARGIN_SHARE = 0.08  # the margins take at most this share of the picture's width (or height) a side
RANGE_FLOOR = 0.05  # a tour whose log zoom moves less than this (half-range) drives the dolly less
ORBIT_FLATTEN = 0.5  # the orbit's height, as a share of its width
MIN_ORBIT_S = 12.0  # the orbit turns once in this long at the fastest
SHIFT_WEIGHT = 1.0  # the orbit's half-width, as a share of the cap


@dataclass(frozen=True)
class DepthMove:
    shift_px: np.ndarray  # (n, 2): each frame's shift of a point of depth 1, picture pixels
    spread: np.ndarray  # (n,): each frame's spread for depth 1 (share of the offset from the window's centre)
    amplitude: float  # the cap's share the move uses (0: flat)
    pace_widths_per_s: float  # how fast the nearest and farthest points part, on average
    reason: str = ""

    def describe(self) -> dict:
        return {"amplitude": round(self.amplitude, 5), "pace_widths_per_s": round(self.pace_widths_per_s, 5),
                **({"reason": self.reason} if self.reason else {})}  # fmt: skip


def corner(aspect: float) -> float:
    """A window corner's distance from its centre, in window widths."""
    return 0.5 * math.hypot(1.0, 1.0 / aspect)


def _zoom_place(path: np.ndarray) -> np.ndarray:
    """Each frame's zoom in the tour's range, in [-1, 1] (-1: the widest), less where it moves under
    ``RANGE_FLOOR``."""
    log_width = np.log(path[:, 2])
    middle = (log_width.max() + log_width.min()) / 2
    half = max((log_width.max() - log_width.min()) / 2, RANGE_FLOOR)
    return -(log_width - middle) / half


def _ellipse_speed() -> float:
    """The orbit's mean speed per unit angle, in its half-widths."""
    angle = np.linspace(0, 2 * math.pi, 721)
    return float(np.mean(np.hypot(np.sin(angle), ORBIT_FLATTEN * np.cos(angle))))


def plan(path: np.ndarray, fps: float, aspect: float, spread: float, pace_widths_per_s: float,
         max_shift_share: float, seed: int = 0, ramp_s: float = RAMP_S) -> DepthMove:  # fmt: skip
    """The depth move along ``path`` ((n, 3): window centre x, y and width, picture pixels) for a picture whose
    depth spreads ``spread``; see the module."""
    n = len(path)
    if n < 2 or spread <= 0 or max_shift_share <= 0 or pace_widths_per_s <= 0:
        return DepthMove(np.zeros((n, 2)), np.zeros(n), 0.0, 0.0, "no move" if n >= 2 else "")
    width = float(path[:, 2].mean())
    amplitude = max_shift_share
    duration_s = (n - 1) / fps
    ramp = min(ramp_s, duration_s / 4)
    # The dolly follows the tour's zoom, up to half the pace; the orbit makes the rest.
    spread_k = amplitude / corner(aspect) * _zoom_place(path)  # zooming in: near things grow faster
    dolly = float(np.abs(np.diff(spread_k)).mean()) * corner(aspect) * fps * spread
    if dolly > pace_widths_per_s / 2:
        spread_k *= pace_widths_per_s / 2 / dolly
        dolly = pace_widths_per_s / 2
    omega = min((pace_widths_per_s - dolly) / (amplitude * SHIFT_WEIGHT * _ellipse_speed() * spread),
                2 * math.pi / MIN_ORBIT_S)  # fmt: skip
    rng = random.Random(seed ^ 0x5EED)
    turning = 1 if rng.random() < 0.5 else -1
    angle = rng.uniform(0, 2 * math.pi) + turning * omega * (duration_s - ramp) * eased(n, ramp * fps)
    shift = -amplitude * SHIFT_WEIGHT * width * np.column_stack([np.cos(angle), ORBIT_FLATTEN * np.sin(angle)])
    steps = np.hypot(*np.diff(shift, axis=0).T) / width + np.abs(np.diff(spread_k)) * corner(aspect)
    pace = float(steps.mean()) * fps * spread
    return DepthMove(shift, spread_k, amplitude, pace)


def margins_px(edge_depth: tuple[float, float, float, float], window_w_px: float, aspect: float,
               max_shift_share: float) -> tuple[float, float, float, float]:  # fmt: skip
    """How far (left, top, right, bottom) the tour keeps inside the picture, for the largest |depth| at each side
    (``edge_depth``) and a window at most ``window_w_px`` wide, so that no shift reaches past the edge."""
    along_x = SHIFT_WEIGHT + 0.5 / corner(aspect)  # a point's x shift at the cap, in window widths
    along_y = SHIFT_WEIGHT * ORBIT_FLATTEN + 0.5 / aspect / corner(aspect)
    left, top, right, bottom = edge_depth
    reach = max_shift_share * window_w_px * 1.05
    return (left * along_x * reach, top * along_y * reach, right * along_x * reach, bottom * along_y * reach)


def fitting_cap(edge_depth: tuple[float, float, float, float], window_w_px: float, aspect: float,
                max_shift_share: float, room_px: tuple[float, float, float, float]) -> float:  # fmt: skip
    """The largest cap, up to ``max_shift_share``, whose margins fit in ``room_px`` (left, top, right, bottom):
    the room each side leaves outside what must stay whole (a title near the edge), and never more than
    ``MAX_MARGIN_SHARE`` of the picture, so the depth move never cuts a title nor enlarges the picture much."""
    per_cap = margins_px(edge_depth, window_w_px, aspect, 1.0)
    cap = max_shift_share
    for need, room in zip(per_cap, room_px):
        if need * max_shift_share > 0.5:  # a side whose layers shift under half a pixel needs no margin
            cap = min(cap, max(room, 0.0) / need)
    return max(cap, 0.0)


def grown(box: tuple[int, int, int, int], depth: float, window_w_px: float, aspect: float,
          max_shift_share: float) -> tuple[int, int, int, int]:
    """A text box grown by as far as its depth (relative to the reference) can shift it: what the camera's
    window must hold for it to stay whole."""
    left, top, _, _ = margins_px((abs(depth),) * 4, window_w_px, aspect, max_shift_share)
    x, y, w, h = box
    gx, gy = int(np.ceil(left)), int(np.ceil(top))
    return (x - gx, y - gy, w + 2 * gx, h + 2 * gy)


def edge_depth(depth: np.ndarray, share: float = 0.15) -> tuple[float, float, float, float]:
    """The largest |depth| (relative to the reference) in a strip ``share`` of the picture wide on each side."""
    h, w = depth.shape
    sx, sy = max(1, round(w * share)), max(1, round(h * share))
    strips = (depth[:, :sx], depth[:sy, :], depth[:, w - sx :], depth[h - sy :, :])
    return tuple(float(np.abs(s).max()) for s in strips)  # type: ignore[return-value]
