"""Play a clip at the output rate: repeat, blend or motion-compensate its frames.

A generated clip runs at its own rate (SVD: 6 or 7 fps); the output runs at 25
or 30. Output frame j is at time ``j / out_fps``, which falls at position
``p = j * clip_fps / out_fps`` in the clip, between frames ``i = floor(p)`` and
``i + 1``, a fraction ``a = p - i`` of the way.

- ``repeat`` shows frame ``i`` (each clip frame 4 to 5 times in a row: judder),
  for as long as the clip lasts, the last frame too (``timeline.resample_indices``);
- ``blend`` mixes frames ``i`` and ``i + 1`` by ``a`` (soft, and a moving edge
  shows twice);
- ``flow`` moves both frames along the optical flow between them (OpenCV's
  DIS, no weights to download) to where the motion is at ``a``, and mixes
  them there: ``(1 - a) * I0(x - a * F01(x)) + a * I1(x - (1 - a) * F10(x))``.

``blend`` and ``flow`` play the clip from its first frame to its last, each
shown once (``played_positions``): the last frame is not held for its own
1/clip_fps, so a ping-pong turns round without a stall. The padder fills the
scene either way, so scene lengths and cuts are exact in every mode. A clip
already at the output rate is passed through untouched.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Iterator

import numpy as np

from .timeline import resample_indices

MODES = ("flow", "blend", "repeat")


def positions(n_clip_frames: int, clip_fps: Fraction, out_fps: Fraction) -> list[tuple[int, float]]:
    """(clip frame i, fraction a towards frame i + 1) for each output frame; the count is resample_indices'."""
    return _spots(n_clip_frames, clip_fps, out_fps, len(resample_indices(n_clip_frames, clip_fps, out_fps)))


def played_positions(n_clip_frames: int, clip_fps: Fraction, out_fps: Fraction) -> list[tuple[int, float]]:
    """Like ``positions``, but from the first clip frame to the last and no further (no held last frame)."""
    ratio = Fraction(clip_fps) / Fraction(out_fps)
    return _spots(n_clip_frames, clip_fps, out_fps, math.floor((n_clip_frames - 1) / ratio) + 1)


def _spots(n_clip_frames: int, clip_fps: Fraction, out_fps: Fraction, n_out: int) -> list[tuple[int, float]]:
    ratio = Fraction(clip_fps) / Fraction(out_fps)
    out = []
    for j in range(n_out):
        p = j * ratio
        i = min(n_clip_frames - 1, math.floor(p))
        out.append((i, float(p - i) if i < n_clip_frames - 1 else 0.0))
    return out


class _Flows:
    """Dense flow both ways between neighbouring clip frames, computed once per pair."""

    def __init__(self, frames):
        import cv2

        self.frames = frames
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        self.cached: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._grey: dict[int, np.ndarray] = {}

    def grey(self, i: int) -> np.ndarray:
        import cv2

        if i not in self._grey:
            self._grey = {k: v for k, v in self._grey.items() if k >= i - 1}  # only the neighbours are needed
            self._grey[i] = cv2.cvtColor(np.asarray(self.frames[i]), cv2.COLOR_RGB2GRAY)
        return self._grey[i]

    def pair(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i not in self.cached:
            self.cached = {}  # output frames come in order: one pair at a time
            g0, g1 = self.grey(i), self.grey(i + 1)
            self.cached[i] = (self.dis.calc(g0, g1, None), self.dis.calc(g1, g0, None))
        return self.cached[i]


def _warp(img: np.ndarray, flow: np.ndarray, scale: float, grid: np.ndarray) -> np.ndarray:
    """``img`` sampled at ``x - scale * flow(x)`` (backward warp; borders repeat)."""
    import cv2

    maps = grid - scale * flow
    return cv2.remap(img, maps[..., 0], maps[..., 1], interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def resample(frames, clip_fps: Fraction, out_fps: Fraction, mode: str) -> Iterator[np.ndarray]:
    """The clip's frames at ``out_fps`` (see the module docstring); ``frames`` is indexable, RGB uint8."""
    if mode not in MODES:
        raise ValueError(f"interpolate must be one of {', '.join(MODES)}, not {mode!r}")
    n = len(frames)
    same_rate = Fraction(clip_fps) == Fraction(out_fps)
    flows = _Flows(frames) if mode == "flow" and n > 1 and not same_rate else None
    grid = None
    spots = positions(n, clip_fps, out_fps) if mode == "repeat" or same_rate else played_positions(n, clip_fps, out_fps)
    for i, a in spots:
        if a == 0.0 or mode == "repeat" or same_rate:
            yield np.asarray(frames[i])
            continue
        f0, f1 = np.asarray(frames[i]).astype(np.float32), np.asarray(frames[i + 1]).astype(np.float32)
        if mode == "blend":
            yield np.rint(f0 * (1 - a) + f1 * a).astype(np.uint8)
            continue
        if grid is None:
            h, w = f0.shape[:2]
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            grid = np.dstack([xs, ys])
        f01, f10 = flows.pair(i)
        moved0 = _warp(f0, f01, a, grid)
        moved1 = _warp(f1, f10, 1 - a, grid)
        del f0, f1
        moved0 *= 1 - a  # in place: (1 - a) * moved0 + a * moved1, rounded and clipped, no whole-frame temporaries
        moved1 *= a
        moved0 += moved1
        del moved1
        yield np.clip(np.rint(moved0, out=moved0), 0, 255, out=moved0).astype(np.uint8)
