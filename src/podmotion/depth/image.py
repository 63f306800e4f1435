"""The user's own depth image, read and checked; and a depth map written as a 16-bit PNG.

A depth image is a grayscale PNG, 8- or 16-bit, bright = near, with the still's
aspect ratio (within 2 %). An RGB or RGBA one is read as its luminance (alpha
dropped). Values are divided by 255 or 65535 by bit depth, so a map is float32
in [0, 1], near = 1, as the model's maps are. Every way a depth image can be
wrong is one ``PodmotionError`` line naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ..atomic import atomic_output
from ..errors import PodmotionError

ASPECT_TOLERANCE = 0.02  # a depth image's width/height may differ from the still's by this fraction
FULL_SCALE = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}
GET = "save it as an 8- or 16-bit grayscale PNG, bright = near"


def read_depth_image(path: str | os.PathLike, width: int, height: int) -> np.ndarray:
    """The depth image at ``path`` as float32 ``height`` x ``width`` in [0, 1], near = 1."""
    depth = _read(path)
    height_px, width_px = depth.shape
    if abs((width_px / height_px) / (width / height) - 1.0) > ASPECT_TOLERANCE:
        raise PodmotionError(path, f"is {width_px}x{height_px}, the still is {width}x{height}: "
                             "a depth image has the still's aspect ratio")  # fmt: skip
    if (width_px, height_px) != (width, height):
        shrinking = width < width_px or height < height_px
        depth = cv2.resize(depth, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    return np.clip(depth, 0.0, 1.0).astype(np.float32)


def depth_image_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with a configured depth image (missing, unreadable, wrong bit depth), as one line; or None.

    It can't check the aspect ratio: that needs the still, which ``read_depth_image`` gets.
    """
    try:
        _read(path)
    except PodmotionError as exc:
        return str(exc)
    return None


def write_depth_png(path: str | os.PathLike, depth: np.ndarray) -> None:
    """Write a depth map (float in [0, 1], near = 1) as a 16-bit grayscale PNG, atomically."""
    depth = np.asarray(depth)
    if depth.ndim != 2:
        raise ValueError(f"a depth map is HxW, not {depth.shape}")
    if not np.isfinite(depth).all():
        raise ValueError("a depth map must be finite")
    levels = np.round(np.clip(depth.astype(np.float64), 0.0, 1.0) * 65535.0).astype(np.uint16)
    with atomic_output(path) as tmp:
        try:
            written = cv2.imwrite(str(tmp), levels)
        except cv2.error as exc:
            raise PodmotionError(path, f"could not write the depth PNG ({' '.join(str(exc).split())[:200]})") from exc
        if not written:
            raise PodmotionError(path, "could not write the depth PNG: check the folder exists and is writable")


def _read(path: str | os.PathLike) -> np.ndarray:
    """The depth image at ``path`` at its own size, float32 in [0, 1]; every problem one ``PodmotionError``."""
    file = Path(path)
    if not file.exists():
        raise PodmotionError(path, "depth image not found")
    if not file.is_file():
        raise PodmotionError(path, f"is a folder, not a depth image; {GET}")
    try:
        image = cv2.imread(str(file), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise PodmotionError(path, f"not an image that can be read; {GET}")
    if image.dtype not in FULL_SCALE:
        raise PodmotionError(path, f"holds {image.dtype} values, not an 8- or 16-bit image; {GET}")
    if image.ndim == 3:
        channels = image.shape[2]
        if channels == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
        else:
            image = image[:, :, 0]
    return image.astype(np.float32) / np.float32(FULL_SCALE[image.dtype])
