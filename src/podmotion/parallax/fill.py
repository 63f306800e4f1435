"""What a near layer covered, filled in from the background around it, so that a move uncovering it shows texture.

Where a near layer moves off what was behind it, the picture holds nothing: the
fill makes it up once per scene. Each covered pixel takes the visible pixel
*mirrored across* the nearest visible one (the pixel as far beyond the edge as
it is inside): the background's own texture, continued into the hole at every
scale it has, with its statistics (mean, contrast, grain) kept. Smearing the
edge's colour inward (diffusion, OpenCV's inpainting) would show as a streak.

A mirror that lands in the hole again, or off the picture, is left for the next
pass, which measures from the pixels filled so far; a pixel still empty after
``MAX_PASSES`` takes its nearest filled pixel.
"""

from __future__ import annotations

import numpy as np

MAX_PASSES = 6


def nearest_known(hole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel, the (row, column) of the nearest pixel outside ``hole`` (itself, outside it)."""
    import cv2

    _, labels = cv2.distanceTransformWithLabels(hole.astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)  # fmt: skip
    # DIST_LABEL_PIXEL numbers the known (zero) pixels in raster order, from 1.
    rows, cols = np.nonzero(~hole)
    index = labels.astype(np.int64) - 1
    return rows[index], cols[index]


def mirror_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``image`` with the pixels under ``hole`` (bool, HxW) made from the texture around them (see the module)."""
    out = image.copy()
    todo = hole.astype(bool).copy()
    if not todo.any():
        return out
    if todo.all():
        raise ValueError("nothing to fill from: the hole covers the whole picture")
    height, width = todo.shape
    for _ in range(MAX_PASSES):
        ys, xs = np.nonzero(todo)
        if len(ys) == 0:
            return out
        near_y, near_x = nearest_known(todo)
        py, px = near_y[ys, xs], near_x[ys, xs]
        sy, sx = 2 * py - ys, 2 * px - xs
        inside = (sy >= 0) & (sy < height) & (sx >= 0) & (sx < width)
        ok = inside.copy()
        ok[inside] = ~todo[sy[inside], sx[inside]]
        if not ok.any():
            break
        out[ys[ok], xs[ok]] = out[sy[ok], sx[ok]]
        todo[ys[ok], xs[ok]] = False
    ys, xs = np.nonzero(todo)
    if len(ys):
        near_y, near_x = nearest_known(todo)
        out[ys, xs] = out[near_y[ys, xs], near_x[ys, xs]]
    return out


def smooth_fill(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``values`` (float32 HxW) where ``known``, and a smooth surface between them elsewhere (pull-push: each
    coarser level the known values' mean, the unknown pixels taking the coarser level's, blurred). For depth,
    which is smooth, not for colour."""
    import cv2

    values = values.astype(np.float32)
    weight = known.astype(np.float32)
    if weight.min() > 0:
        return values.copy()
    if weight.max() == 0:
        return np.zeros_like(values)
    levels = [(values * weight, weight)]
    while min(levels[-1][1].shape) > 2:
        v, w = levels[-1]
        levels.append((cv2.pyrDown(v), cv2.pyrDown(w)))
    v, w = levels[-1]
    estimate = np.full_like(v, float((v.sum()) / max(w.sum(), 1e-9)))
    for v, w in reversed(levels):
        up = cv2.resize(estimate, (v.shape[1], v.shape[0]), interpolation=cv2.INTER_LINEAR)
        mean = v / np.maximum(w, 1e-9)
        share = np.clip(w * 4, 0, 1)  # a level's own mean where it has enough known weight
        estimate = share * mean + (1 - share) * up
    return np.where(known, values, estimate).astype(np.float32)
