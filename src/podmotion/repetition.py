"""Visible repetition in a scene's frames, measured: twins, turn-backs, seams and joins.

These are the figures ``benchmarks/repetition.py`` prints and the tests assert:

- ``repeated_share``: the share of frames with a near-identical twin (luma
  PSNR above ``TWIN_PSNR_DB``) at least ``min_gap_s`` away in the same scene.
  A ping-pong or a loop repeats every frame; one continuous move repeats none.
- ``camera_track`` and ``track_reversals``: the camera's path measured in the
  pixels (a similarity transform between neighbouring frames, from tracked
  corners), and how often it turns back.
- ``step_ratio``: the difference across given frame boundaries (a loop's seam,
  the join between two generated segments) against the median difference
  between neighbouring frames. Near 1: the join looks like any other step.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np

TWIN_PSNR_DB = 45.0
THUMB = (48, 27)  # the thumbnail that rules out most pairs before a full-size comparison


def luma(frame: np.ndarray) -> np.ndarray:
    """BT.709 luma of an RGB frame (a 2-D frame is taken as luma already), float32 on 0-255."""
    f = frame.astype(np.float32)
    if f.ndim == 2:
        return f
    return 0.2126 * f[..., 0] + 0.7152 * f[..., 1] + 0.0722 * f[..., 2]


def _mse_limit(psnr_db: float) -> float:
    return 255.0**2 / 10 ** (psnr_db / 10)


def repeated_share(frames: Sequence[np.ndarray], fps: Fraction | float, min_gap_s: float = 1.0,
                   psnr_db: float = TWIN_PSNR_DB) -> float:  # fmt: skip
    """The share of ``frames`` (one scene at the output size: RGB, or luma planes) with a twin ``min_gap_s``
    or more away.

    Each frame's block means (a thumbnail) bound its mean squared error from below, so only the pairs
    whose thumbnails are close enough are compared at full size (luma made per comparison: an hour's
    frames need not be held as floats).
    """
    import cv2

    n = len(frames)
    gap = max(1, int(np.ceil(min_gap_s * float(fps))))
    if n <= gap:
        return 0.0
    limit = _mse_limit(psnr_db)
    thumbs = np.stack([cv2.resize(luma(f), THUMB, interpolation=cv2.INTER_AREA).ravel() for f in frames])
    thumbs = thumbs.astype(np.float64)
    sq = (thumbs**2).sum(axis=1)
    d = (sq[:, None] + sq[None, :] - 2 * thumbs @ thumbs.T) / thumbs.shape[1]
    has_twin = np.zeros(n, dtype=bool)
    for i in range(n):
        if has_twin[i]:
            continue
        for j in np.flatnonzero(d[i] < limit * 1.0001):
            if abs(int(j) - i) >= gap and float(np.mean((luma(frames[i]) - luma(frames[j])) ** 2)) < limit:
                has_twin[i] = has_twin[j] = True
                break
    return float(has_twin.mean())


def camera_track(frames: Sequence[np.ndarray], box: Sequence[int] | None = None) -> np.ndarray:
    """Per step between neighbouring frames: (dx, dy, log scale), the camera's motion inside ``box``
    ([x, y, w, h]; None: the whole frame), from corners tracked by pyramidal Lucas-Kanade and a robust
    similarity fit. A step with too few corners to fit is (0, 0, 0)."""
    import cv2

    x, y, w, h = box if box is not None else (0, 0, frames[0].shape[1], frames[0].shape[0])
    grays = [cv2.cvtColor(np.ascontiguousarray(f[y : y + h, x : x + w]), cv2.COLOR_RGB2GRAY) for f in frames]
    steps = np.zeros((max(0, len(grays) - 1), 3))
    for k, (a, b) in enumerate(zip(grays, grays[1:])):
        corners = cv2.goodFeaturesToTrack(a, maxCorners=300, qualityLevel=0.01, minDistance=6)
        if corners is None or len(corners) < 8:
            continue
        moved, ok, _ = cv2.calcOpticalFlowPyrLK(a, b, corners, None, winSize=(21, 21), maxLevel=3)
        good = ok.ravel() == 1
        if good.sum() < 8:
            continue
        matrix, _ = cv2.estimateAffinePartial2D(corners[good], moved[good], method=cv2.RANSAC,
                                                ransacReprojThreshold=1.0)  # fmt: skip
        if matrix is None:
            continue
        scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
        # The motion of the box's centre, so a zoom about it is not read as a pan.
        cx, cy = w / 2, h / 2
        steps[k] = (matrix[0, 0] * cx + matrix[0, 1] * cy + matrix[0, 2] - cx,
                    matrix[1, 0] * cx + matrix[1, 1] * cy + matrix[1, 2] - cy, np.log(scale))  # fmt: skip
    return steps


def track_reversals(steps: np.ndarray, fps: Fraction | float, window_s: float = 0.5,
                    min_speed: tuple[float, float, float] = (0.05, 0.05, 2e-4)) -> int:  # fmt: skip
    """Direction reversals of a measured camera track: sign changes of each component's velocity
    (averaged over ``window_s``), counting only stretches moving at least ``min_speed`` per frame
    (px, px, log scale), so a still camera's noise is no reversal. The most of any component."""
    if len(steps) < 2:
        return 0
    width = max(1, int(round(window_s * float(fps))))
    kernel = np.ones(width) / width
    most = 0
    for column, floor in zip(steps.T, min_speed):
        velocity = np.convolve(column, kernel, mode="valid")
        signs = np.sign(velocity[np.abs(velocity) >= floor])
        most = max(most, int(np.count_nonzero(signs[1:] != signs[:-1])) if len(signs) > 1 else 0)
    return most


def step_ratio(frames: Sequence[np.ndarray], boundaries: Sequence[int]) -> dict:
    """The mean absolute luma difference across each boundary (between frames ``b - 1`` and ``b``)
    against the median difference between neighbouring frames: ``{"median", "joins", "worst_ratio"}``."""
    steps = np.array([float(np.abs(luma(b) - luma(a)).mean()) for a, b in zip(frames, frames[1:])])
    median = float(np.median(steps)) if len(steps) else 0.0
    joins = [float(steps[b - 1]) for b in boundaries if 0 < b < len(frames)]
    worst = max(joins) / median if joins and median > 0 else None
    return {"median": round(median, 4), "joins": [round(j, 4) for j in joins],
            "worst_ratio": round(worst, 3) if worst is not None else None}  # fmt: skip


def path_twins(path: np.ndarray, out_w: int, out_h: int, fps: Fraction | float, render_frame, min_gap_s: float = 1.0,
               tolerance_px: float = 0.5, psnr_db: float = TWIN_PSNR_DB) -> float:  # fmt: skip
    """``repeated_share`` for a camera path of any length (an hour: 90,000 frames), without comparing every pair.

    Two frames can only be twins where their windows nearly match. Pairs ``min_gap_s`` or more apart whose
    windows put every pixel within ``tolerance_px`` of where the other puts it (found through a grid on the
    windows' centres and sizes) are rendered (``render_frame(index)`` gives the frame) and compared; a window
    that moves the picture by more than a pixel makes a frame far under 45 dB from the other on any picture
    with edges.
    """
    n = len(path)
    gap = max(1, int(np.ceil(min_gap_s * float(fps))))
    if n <= gap:
        return 0.0
    scale = out_w / float(np.median(path[:, 2]))
    half_diag = 0.5 * math.hypot(1, out_h / out_w)
    coords = np.stack([path[:, 0] * scale, path[:, 1] * scale, np.log(path[:, 2]) * out_w * half_diag], axis=1)
    cells = np.floor(coords / tolerance_px).astype(np.int64)
    grid: dict[tuple[int, int, int], list[int]] = {}
    for i, cell in enumerate(map(tuple, cells.tolist())):
        grid.setdefault(cell, []).append(i)
    pairs = []
    offsets = [(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)]
    for i, (x, y, z) in enumerate(cells.tolist()):
        for dx, dy, dz in offsets:
            pairs += [(i, j) for j in grid.get((x + dx, y + dy, z + dz), ()) if j - i >= gap]
    if not pairs:
        return 0.0
    first, second = np.array(pairs).T
    close = _shift_px(path[first], path[second], out_w, out_h) <= tolerance_px
    limit = _mse_limit(psnr_db)
    has_twin = np.zeros(n, dtype=bool)
    cache: dict[int, np.ndarray] = {}

    def frame_luma(i: int) -> np.ndarray:
        if i not in cache:
            if len(cache) >= 64:  # an hour's candidates must not all be held
                cache.pop(next(iter(cache)))
            cache[i] = luma(render_frame(i))
        return cache[i]

    for i, j in zip(first[close].tolist(), second[close].tolist()):
        if not (has_twin[i] and has_twin[j]) and float(np.mean((frame_luma(i) - frame_luma(j)) ** 2)) < limit:
            has_twin[i] = has_twin[j] = True
    return float(has_twin.mean())


def _shift_px(a: np.ndarray, b: np.ndarray, out_w: int, out_h: int) -> np.ndarray:
    """How far (output pixels) the picture point under each corner of the output in window ``a`` (rows of centre
    x, centre y, width) lands from that corner in window ``b``: the most over the four corners."""
    most = np.zeros(len(a))
    for px in (-out_w / 2, out_w / 2):
        for py in (-out_h / 2, out_h / 2):
            x = a[:, 0] + px * a[:, 2] / out_w  # the picture point under this corner in a
            y = a[:, 1] + py * a[:, 2] / out_w
            most = np.maximum(most, np.hypot((x - b[:, 0]) * out_w / b[:, 2] - px, (y - b[:, 1]) * out_w / b[:, 2] - py))
    return most
