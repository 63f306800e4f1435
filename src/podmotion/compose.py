"""Put an animated art region back into its scene's still.

Only the art moves: the backend animates the crop of the art box, and every
frame of its clip is pasted back into the still at that box. The paste fades
in over a few pixels inside the box edge, onto the still's own picture of the
art, so no edge shows; everything outside the box is the still, unchanged.
"""

from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in still pixels


def feather_px(box: Box) -> int:
    """Width of the soft edge: 2% of the box's shorter side, at least 2 px."""
    return max(2, round(0.02 * min(box[2], box[3])))


def edge_alpha(width: int, height: int, feather: int) -> np.ndarray:
    """Per-pixel weight of the animated picture: 1 inside, falling to 0 at the box edge."""
    def ramp(n: int) -> np.ndarray:
        i = np.arange(n, dtype=np.float32)
        return np.clip(np.minimum(i + 1, n - i) / (feather + 1), 0.0, 1.0)

    return (ramp(height)[:, None] * ramp(width)[None, :])[..., None]


def crop(still: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    return np.ascontiguousarray(still[y : y + h, x : x + w])


def paste(still: np.ndarray, art: np.ndarray, box: Box, alpha: np.ndarray) -> np.ndarray:
    """The still with ``art`` (the box's size) blended in at ``box``."""
    x, y, w, h = box
    out = still.copy()
    region = still[y : y + h, x : x + w].astype(np.float32)
    blend = art.astype(np.float32)  # region + alpha * (art - region) + 0.5, in place: one float frame, not five
    blend -= region
    blend *= alpha
    blend += region
    blend += 0.5
    out[y : y + h, x : x + w] = blend.astype(np.uint8)
    return out


def is_whole(box: Box | None, width: int, height: int) -> bool:
    return box is None or tuple(box) == (0, 0, width, height)
