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
    """The still with ``art`` (the box's size) blended in at ``box``.

    Where ``alpha`` is 1 (all but the feathered edge) the art is copied as it is, which is what the blend
    gives there; only the edge strips are blended, in float32.
    """
    x, y, w, h = box
    out = still.copy()
    inside = _inner_rect(alpha)
    if inside is None:
        _blend(out, still, art, (x, y, w, h), alpha, (0, 0, w, h))
        return out
    ix, iy, iw, ih = inside
    out[y + iy : y + iy + ih, x + ix : x + ix + iw] = art[iy : iy + ih, ix : ix + iw]
    for strip in ((0, 0, w, iy), (0, iy + ih, w, h - iy - ih), (0, iy, ix, ih), (ix + iw, iy, w - ix - iw, ih)):
        if strip[2] > 0 and strip[3] > 0:
            _blend(out, still, art, (x, y, w, h), alpha, strip)
    return out


def _inner_rect(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    """The rectangle (x, y, w, h) inside the box where ``alpha`` is 1, or None. ``alpha`` is ``edge_alpha``'s, a
    product of a ramp down the rows and one across the columns: its middle row and column say where."""
    h, w = alpha.shape[:2]
    rows = np.flatnonzero(alpha[:, w // 2, 0] == 1.0)
    cols = np.flatnonzero(alpha[h // 2, :, 0] == 1.0)
    if not len(rows) or not len(cols):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def _blend(out: np.ndarray, still: np.ndarray, art: np.ndarray, box: Box, alpha: np.ndarray, part: Box) -> None:
    """``out`` at ``part`` of ``box`` (in box pixels): the art over the still, weighed by ``alpha``."""
    x, y = box[:2]
    px, py, pw, ph = part
    region = still[y + py : y + py + ph, x + px : x + px + pw]
    out[y + py : y + py + ph, x + px : x + px + pw] = mix(region, art[py : py + ph, px : px + pw],
                                                          alpha[py : py + ph, px : px + pw])  # fmt: skip


def mix(back: np.ndarray, front: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """back + weight * (front - back) + 0.5, truncated to uint8: one float array, worked in place."""
    below = back.astype(np.float32)
    blend = front.astype(np.float32)
    blend -= below
    blend *= weight
    blend += below
    blend += 0.5
    return blend.astype(np.uint8)


def is_whole(box: Box | None, width: int, height: int) -> bool:
    return box is None or tuple(box) == (0, 0, width, height)
