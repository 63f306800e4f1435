"""What a provider is sent: the art crop, cut to the nearest ratio the provider allows, as a data URI.

A provider makes clips in a few fixed shapes. The art is cropped (``cover``) to
the allowed ratio nearest its own, scaled to that shape's size, and encoded as
JPEG (PNG where the art is tiny), within the provider's byte limit. The clip
that comes back is fitted to the art box again, as the padder fits any clip.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from ..fit import fit_frame


@dataclass(frozen=True)
class Shape:
    """One allowed output shape: its name in the provider's API (``"1280:720"``, ``"16:9"``) and its pixels."""

    name: str
    width: int
    height: int

    @property
    def ratio(self) -> float:
        return self.width / self.height


def nearest_shape(width: int, height: int, shapes: tuple[Shape, ...]) -> Shape:
    """The shape whose ratio is nearest ``width / height``, measured in log ratio (so 2:1 and 1:2 are as far
    from 1:1)."""
    target = math.log(width / height)
    return min(shapes, key=lambda s: abs(math.log(s.ratio) - target))


def image_for(rgb: np.ndarray, shape: Shape, max_side_px: int | None = None,
              image_ratios: tuple[float, float] | None = None) -> np.ndarray:  # fmt: skip
    """The art cropped to ``shape``'s ratio and scaled to its size (or within ``max_side_px`` on its longer
    side, ratio kept); where the provider takes images only within ``image_ratios`` (Runway: 0.5 to 2, though
    it makes 1584:672), the ratio is brought within them (the provider crops the rest itself)."""
    width, height = shape.width, shape.height
    if image_ratios:
        lo, hi = image_ratios
        if width / height > hi:
            width = int(height * hi)
        elif width / height < lo:
            height = int(width / lo)
    if max_side_px and max(width, height) > max_side_px:
        scale = max_side_px / max(width, height)
        width, height = max(2, round(width * scale)), max(2, round(height * scale))
    return fit_frame(rgb, width, height, "cover")


def data_uri(rgb: np.ndarray, max_bytes: int) -> str:
    """``rgb`` as a ``data:image/jpeg;base64,...`` URI no longer than ``max_bytes`` (the quality steps down
    until it fits)."""
    import cv2

    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    for quality in (95, 90, 85, 75, 60, 45):
        ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
        uri = "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
        if ok and len(uri) <= max_bytes:
            return uri
    raise ValueError(f"the image does not fit in {max_bytes} bytes as a data URI, even at JPEG quality 45")
