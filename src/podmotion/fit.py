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
