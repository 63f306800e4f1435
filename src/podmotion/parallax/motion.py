"""The depth move: how far each frame shifts a point of each depth, riding on the camera's tour.

The flat camera (``podmotion.camera``) gives each frame a window over the
picture. The parallax adds what a real camera's move adds: a point of depth q
(its nearness less the reference plane's, ``layers``) is seen at

    u + q * (shift + spread * (u - window centre))

in picture pixels. ``shift`` follows the window's place in the tour's range
(the camera moves right: near things slide left against far ones) and
``spread`` its zoom (the camera goes in: near things grow faster than far
ones, a dolly). Both are bounded, whatever the scene's length: they come from
where the window is, not from how far it has gone, and the tour never leaves
its room, so an hour-long scene keeps moving through depth without drifting
off the picture.

- **The pace** (``pace_widths_per_s``): the nearest and farthest points (5th
  and 95th percentile) part at this speed on average, in output widths a
  second, so a viewer sees depth move in every scene, short or long.
- **The cap** (``max_shift_share``): no point of depth 1 is shifted further
  than this share of the window's width by the window's place, nor its corner
  by the zoom.
- **Margins** (``margins_px``): the tour keeps this far inside the picture on
  each side, by the depth at that side, so no layer ever needs a pixel from
  past the picture's edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RANGE_FLOOR = 0.05  # a tour that moves less than this (window widths, half-range) along an axis drives it less
SHIFT_WEIGHT = 1 / math.sqrt(2)  # the shift's share per axis, so the shift's length stays under the cap


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


def _normalised(path: np.ndarray) -> tuple[np.ndarray, float]:
    """Each frame's place in the tour's range, per axis (x, y, log zoom), in [-1, 1] where the tour uses its
    range, less where it moves under ``RANGE_FLOOR``; and the mean window width."""
    width = float(path[:, 2].mean())
    places = []
    for values, unit in ((path[:, 0] / width, 1.0), (path[:, 1] / width, 1.0), (np.log(path[:, 2]), 1.0)):
        middle = (values.max() + values.min()) / 2
        half = max((values.max() - values.min()) / 2, RANGE_FLOOR * unit)
        places.append((values - middle) / half)
    return np.stack(places, axis=1), width


def plan(path: np.ndarray, fps: float, aspect: float, spread: float, pace_widths_per_s: float,
         max_shift_share: float) -> DepthMove:  # fmt: skip
    """The depth move along ``path`` ((n, 3): window centre x, y and width, picture pixels) for a picture whose
    depth spreads ``spread``; see the module."""
    n = len(path)
    if n < 2 or spread <= 0 or max_shift_share <= 0:
        return DepthMove(np.zeros((n, 2)), np.zeros(n), 0.0, 0.0, "no move" if n >= 2 else "")
    places, width = _normalised(path)
    unit_shift = -SHIFT_WEIGHT * width * places[:, :2]  # per unit of amplitude, picture pixels
    unit_spread = -places[:, 2] * (1.0 / corner(aspect))  # per unit of amplitude: the corner moves 1 width
    step = np.hypot(*np.diff(unit_shift, axis=0).T) / width + np.abs(np.diff(unit_spread)) * corner(aspect)
    rate = float(step.mean()) * fps  # widths a second a point of depth 1 moves, per unit of amplitude
    if rate <= 1e-12:
        return DepthMove(np.zeros((n, 2)), np.zeros(n), 0.0, 0.0, "the camera does not move")
    amplitude = min(max_shift_share, pace_widths_per_s / (rate * spread))
    return DepthMove(unit_shift * amplitude, unit_spread * amplitude, amplitude, rate * amplitude * spread)


def margins_px(edge_depth: tuple[float, float, float, float], window_w_px: float, aspect: float,
               max_shift_share: float) -> tuple[float, float, float, float]:  # fmt: skip
    """How far (left, top, right, bottom) the tour keeps inside the picture, for the largest |depth| at each side
    (``edge_depth``) and a window at most ``window_w_px`` wide, so that no shift reaches past the edge."""
    along_x = SHIFT_WEIGHT + 0.5 / corner(aspect)  # a point's x shift at the cap, in window widths
    along_y = SHIFT_WEIGHT + 0.5 / aspect / corner(aspect)
    left, top, right, bottom = edge_depth
    reach = max_shift_share * window_w_px * 1.05
    return (left * along_x * reach, top * along_y * reach, right * along_x * reach, bottom * along_y * reach)


def edge_depth(depth: np.ndarray, share: float = 0.15) -> tuple[float, float, float, float]:
    """The largest |depth| (relative to the reference) in a strip ``share`` of the picture wide on each side."""
    h, w = depth.shape
    sx, sy = max(1, round(w * share)), max(1, round(h * share))
    strips = (depth[:, :sx], depth[:sy, :], depth[:, w - sx :], depth[h - sy :, :])
    return tuple(float(np.abs(s).max()) for s in strips)  # type: ignore[return-value]
