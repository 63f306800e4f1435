"""Fit a frame to the output resolution: ``cover`` (fill and crop) or ``contain`` (letterbox)."""

from __future__ import annotations

import numpy as np

FITS = ("cover", "contain")


def _resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return rgb
    shrinking = width * height < w * h
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def fit_frame(rgb: np.ndarray, width: int, height: int, fit: str) -> np.ndarray:
    """Return ``rgb`` resized to exactly ``width``×``height``, keeping its aspect ratio."""
    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return rgb
    if fit == "cover":
        scale = max(width / w, height / h)
    elif fit == "contain":
        scale = min(width / w, height / h)
    else:
        raise ValueError(f"unknown fit {fit!r}; allowed: {', '.join(FITS)}")
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    scaled = _resize(rgb, new_w, new_h)
    if fit == "cover":
        x0, y0 = (new_w - width) // 2, (new_h - height) // 2
        return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    x0, y0 = (width - new_w) // 2, (height - new_h) // 2
    canvas[y0 : y0 + new_h, x0 : x0 + new_w] = scaled[:height, :width]
    return canvas


def fit_box(box, src_w: int, src_h: int, width: int, height: int, fit: str) -> tuple[int, int, int, int]:
    """Where ``box`` ([x, y, w, h] in a ``src_w``×``src_h`` picture; None: all of it) lands in the frame
    ``fit_frame`` makes, rounded inwards and clipped to the frame (and, for ``contain``, to the picture)."""
    import math

    scale = max(width / src_w, height / src_h) if fit == "cover" else min(width / src_w, height / src_h)
    new_w, new_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    if fit == "cover":
        x0, y0 = -((new_w - width) // 2), -((new_h - height) // 2)
    else:
        x0, y0 = (width - new_w) // 2, (height - new_h) // 2
    bx, by, bw, bh = box if box is not None else (0, 0, src_w, src_h)
    sx, sy = new_w / src_w, new_h / src_h
    left, top = max(0, x0, math.ceil(x0 + bx * sx - 1e-9)), max(0, y0, math.ceil(y0 + by * sy - 1e-9))
    right = min(width, x0 + new_w, math.floor(x0 + (bx + bw) * sx + 1e-9))
    bottom = min(height, y0 + new_h, math.floor(y0 + (by + bh) * sy + 1e-9))
    return left, top, max(0, right - left), max(0, bottom - top)
