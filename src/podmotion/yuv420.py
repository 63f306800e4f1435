"""Frames as the encoder takes them: Y'CbCr 4:2:0 planes (the episode's colour), moved and pasted as planes.

The camera's hot loop renders here. A picture is turned into planes once a scene
(``Planes.from_rgb``: luma at full size, the two chroma planes at half size,
each chroma sample the mean of its 2x2 luma pixels); each frame is then a
window of those planes resampled onto the frame's own grid (``Canvas.draw``):
luma bicubic, chroma bilinear at a quarter of the pixels. The window is
placed by the same pixel-centre geometry as ``camera.render``'s, so a plane
frame and an RGB frame show the same move. A canvas holds one frame buffer,
filled with the still's planes once: a frame rewrites only its art box, blends
the box's feathered edge onto the still, and is handed to the encoder as it is.
No RGB frame, no per-frame colour conversion, half the bytes through the pipe.

Chroma samples sit at the centre of their 2x2 luma pixels (what a 2x2 mean
makes). A box at an odd offset covers chroma samples in part: their weight is
the share of the box's (feathered) weight in the sample's four pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .colour import Colour
from .compose import Box, mix


OVERSAMPLE = 2  # a moved picture's planes are drawn from copies this many times their size (``Picture``)


@dataclass(frozen=True)
class Planes:
    """One picture as 4:2:0 planes: ``y`` (h x w), ``u`` and ``v`` (ceil(h/2) x ceil(w/2)), uint8."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray, colour: Colour | None = None) -> Planes:
        """By ``colour``'s matrix and range (default BT.709, limited); each chroma sample the mean of its 2x2
        pixels (an odd edge repeated)."""
        return cls(*(colour or Colour()).to_planes(rgb))

    @property
    def size(self) -> tuple[int, int]:
        return self.y.shape[1], self.y.shape[0]

    def to_rgb(self, colour: Colour | None = None) -> np.ndarray:
        """Back to RGB: for looking at a frame, not for the hot loop."""
        return (colour or Colour()).to_rgb(self.y, self.u, self.v)


@dataclass(frozen=True)
class Picture:
    """A picture made ready to be moved: its planes resampled once (bicubic) to ``OVERSAMPLE`` times their
    size, so each frame's bilinear sampling of them is as sharp and steady as a bicubic one of the planes,
    at a sixth of its cost. ``densities``: each plane's pixels per picture pixel."""

    planes: tuple[np.ndarray, np.ndarray, np.ndarray]
    densities: tuple[float, float, float]
    size: tuple[int, int]

    @classmethod
    def from_rgb(cls, rgb: np.ndarray, colour: Colour | None = None) -> Picture:
        import cv2

        planes = Planes.from_rgb(rgb, colour)
        up = lambda p: cv2.resize(p, (p.shape[1] * OVERSAMPLE, p.shape[0] * OVERSAMPLE),  # noqa: E731
                                  interpolation=cv2.INTER_CUBIC)  # fmt: skip
        chroma = OVERSAMPLE / 2.0
        return cls((up(planes.y), up(planes.u), up(planes.v)), (float(OVERSAMPLE), chroma, chroma), planes.size)


def _ramp(n: int, feather: int) -> np.ndarray:
    """``compose.edge_alpha``'s ramp: 1 inside, falling to 0 over ``feather`` pixels at both ends."""
    i = np.arange(n, dtype=np.float32)
    return np.clip(np.minimum(i + 1, n - i) / (feather + 1), 0.0, 1.0)


def _chroma_ramp(start: int, ramp: np.ndarray) -> tuple[int, np.ndarray]:
    """The chroma samples a luma span from ``start`` covers, and each one's weight: the mean of its two luma
    pixels' (0 outside the span)."""
    first, end = start // 2, (start + len(ramp) + 1) // 2
    full = np.zeros(2 * (end - first), dtype=np.float32)
    full[start - 2 * first : start - 2 * first + len(ramp)] = ramp
    return first, full.reshape(-1, 2).mean(axis=1)


def _inner(ramp: np.ndarray) -> tuple[int, int]:
    """Where a ramp is 1: (first, count), or (0, 0)."""
    ones = np.flatnonzero(ramp == 1.0)
    return (int(ones[0]), int(ones[-1] - ones[0] + 1)) if len(ones) else (0, 0)


@dataclass(frozen=True)
class _Part:
    """One plane's share of the box: where it starts on the plane, its size, and its weights (rows, columns)."""

    x: int
    y: int
    rows: np.ndarray
    cols: np.ndarray

    @property
    def width(self) -> int:
        return len(self.cols)

    @property
    def height(self) -> int:
        return len(self.rows)


class Canvas:
    """One frame buffer of ``size`` (even), the still's planes around ``box``, where each frame's art goes.

    ``feather``: the box's soft edge in pixels (0: a hard edge, the art copied whole). ``still`` None: the art
    fills the frame (``box`` is the whole frame)."""

    def __init__(self, size: tuple[int, int], box: Box, still: Planes | None = None, feather: int = 0):
        width, height = size
        if width % 2 or height % 2:
            raise ValueError(f"a 4:2:0 frame has an even size, not {width}x{height}")
        x, y, w, h = box
        if still is None and (tuple(box) != (0, 0, width, height) or feather):
            raise ValueError("without a still the art fills the frame, with no soft edge")
        self.size, self.box, self.still = (width, height), (x, y, w, h), still
        self.buffer = np.zeros(width * height * 3 // 2, dtype=np.uint8)
        luma = self.buffer[: width * height].reshape(height, width)
        cw, ch = width // 2, height // 2
        self.planes = Planes(luma, self.buffer[width * height :][: cw * ch].reshape(ch, cw),
                             self.buffer[width * height + cw * ch :].reshape(ch, cw))  # fmt: skip
        if still is not None:
            if still.size != (width, height):
                raise ValueError(f"the still is {still.size[0]}x{still.size[1]}, the frame {width}x{height}")
            for plane, own in zip(self._plane_list(self.planes), self._plane_list(still)):
                plane[...] = own
        rows = _ramp(h, feather) if feather else np.ones(h, np.float32)
        cols = _ramp(w, feather) if feather else np.ones(w, np.float32)
        cy, crows = _chroma_ramp(y, rows)
        cx, ccols = _chroma_ramp(x, cols)
        self.luma_part, self.chroma_part = _Part(x, y, rows, cols), _Part(cx, cy, crows, ccols)

    @staticmethod
    def _plane_list(planes: Planes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return planes.y, planes.u, planes.v

    @property
    def data(self) -> memoryview:
        """The frame as the encoder reads raw yuv420p: Y, then Cb, then Cr. Valid until the next ``draw``."""
        return memoryview(self.buffer)

    def draw(self, picture: Picture, cx: float, cy: float, win_w: float) -> memoryview:
        """The window of ``picture`` centred on (cx, cy) (its pixels), ``win_w`` wide, at the box.

        The geometry is ``camera.render``'s: the window's left edge maps to the box's left edge, scale
        box width / ``win_w``; outside the picture, its edge is mirrored."""
        import cv2

        x, y, w, h = self.box
        scale = w / win_w  # frame pixels a picture pixel
        left, top = cx - win_w / 2, cy - (win_w * h / w) / 2
        still = (None,) * 3 if self.still is None else self._plane_list(self.still)
        for index, (plane, own, below) in enumerate(zip(self._plane_list(self.planes), picture.planes, still)):
            part, frame_density = (self.luma_part, 1.0) if index == 0 else (self.chroma_part, 0.5)
            density = picture.densities[index]
            # Frame plane pixel i (centre i + 0.5 in its plane) is at frame position (i + 0.5) / frame_density,
            # shows picture position left + (that - x) / scale, which is own's pixel (that * density - 0.5).
            slope = density / (frame_density * scale)
            offset_x = density * (left + ((part.x + 0.5) / frame_density - x) / scale) - 0.5
            offset_y = density * (top + ((part.y + 0.5) / frame_density - y) / scale) - 0.5
            matrix = np.array([[slope, 0.0, offset_x], [0.0, slope, offset_y]])
            art = cv2.warpAffine(own, matrix, (part.width, part.height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_REFLECT101)  # fmt: skip
            self._put(plane, below, art, part)
        return self.data

    def put(self, arts: tuple[np.ndarray, np.ndarray, np.ndarray]) -> memoryview:
        """A frame's art already drawn on the box's planes (luma: the box's size; chroma: ``chroma_part``'s),
        laid at the box as ``draw`` lays its own."""
        still = (None,) * 3 if self.still is None else self._plane_list(self.still)
        for index, (plane, below, art) in enumerate(zip(self._plane_list(self.planes), still, arts)):
            self._put(plane, below, art, self.luma_part if index == 0 else self.chroma_part)
        return self.data

    @staticmethod
    def _put(plane: np.ndarray, still: np.ndarray | None, art: np.ndarray, part: _Part) -> None:
        """``art`` onto ``plane`` at ``part``: copied where its weight is 1, blended with the still elsewhere."""
        (iy, ih), (ix, iw) = _inner(part.rows), _inner(part.cols)
        region = plane[part.y : part.y + part.height, part.x : part.x + part.width]
        region[iy : iy + ih, ix : ix + iw] = art[iy : iy + ih, ix : ix + iw]
        if still is None:
            return
        below = still[part.y : part.y + part.height, part.x : part.x + part.width]
        h, w = art.shape
        strips = ((0, iy, 0, w), (iy + ih, h - iy - ih, 0, w), (iy, ih, 0, ix), (iy, ih, ix + iw, w - ix - iw))
        for sy, sh, sx, sw in strips:
            if sh > 0 and sw > 0:
                weight = part.rows[sy : sy + sh, None] * part.cols[None, sx : sx + sw]
                region[sy : sy + sh, sx : sx + sw] = mix(below[sy : sy + sh, sx : sx + sw],
                                                         art[sy : sy + sh, sx : sx + sw], weight)  # fmt: skip
