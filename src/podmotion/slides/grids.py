"""The luma grids every comparison works on.

Input: decoded frames. Output: ``Signatures``: each frame's luma averaged over cells of about 1/160 of the
frame's longer side (8-bit), kept in a scratch file read back with ``pread`` (``_Grids``), so an hour's grids
never sit in memory.
"""

from __future__ import annotations

from collections.abc import MutableMapping
import os
import tempfile

import numpy as np


CELLS_ON_LONG_SIDE = 160
MIN_CELL_PX = 4  # smaller cells see compression noise (a keyframe's new quantisation) as change
EIGHT_BIT_LUMA_FIRST = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "gray"}


class _Grids(MutableMapping):
    """Luma grids by frame index, kept 8-bit in an unnamed scratch file, not in memory, and handed out as int16,
    so that differences between them don't wrap.

    An hour of 1080p decoded whole makes 1.5 GB of grids. Each is written once (``pwrite``) at its slot and
    read back with ``pread`` when compared: the job's memory holds only the frame-to-slot index. What was written
    stays in the page cache while there is room, which the kernel reclaims as it needs (the padder's scratch
    frames, ``podmotion.pad.RawFrames``, work the same way). The file is in the system's temporary folder
    (``TMPDIR``), and is gone when the detection ends, killed or not.
    """

    def __init__(self):
        self._slot: dict[int, int] = {}
        self._file = None
        self._shape: tuple[int, ...] = ()
        self._nbytes = 0
        self._slots_used = 0

    def __setitem__(self, index: int, grid: np.ndarray) -> None:
        grid = np.ascontiguousarray(np.asarray(grid).astype(np.uint8))
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="podmotion-grids-")
            self._shape, self._nbytes = grid.shape, grid.nbytes
        elif grid.shape != self._shape:
            raise ValueError(f"a grid of {grid.shape}, expected {self._shape}")
        slot = self._slot.get(index)
        if slot is None:  # a frame recorded again (decoded exactly) keeps its slot
            slot = self._slot[index] = self._slots_used
            self._slots_used += 1
        os.pwrite(self._file.fileno(), grid.data, slot * self._nbytes)

    def __getitem__(self, index: int) -> np.ndarray:
        data = os.pread(self._file.fileno(), self._nbytes, self._slot[index] * self._nbytes)
        return np.frombuffer(data, np.uint8).reshape(self._shape).astype(np.int16)

    def __delitem__(self, index: int) -> None:
        del self._slot[index]

    def __contains__(self, index: object) -> bool:
        return index in self._slot

    def __iter__(self):
        return iter(self._slot)

    def __len__(self) -> int:
        return len(self._slot)


class Signatures:
    """Coarse luma grids of decoded frames, keyed by display-order frame index."""

    def __init__(self, width: int, height: int):
        cell = max(max(width, height) / CELLS_ON_LONG_SIDE, MIN_CELL_PX)
        self.grid = (max(8, round(width / max(cell, 1))), max(8, round(height / max(cell, 1))))
        self.cell_px = (width / self.grid[0], height / self.grid[1])
        self.by_frame: MutableMapping[int, np.ndarray] = _Grids()
        self.exact: set[int] = set()
        self.decoded = 0

    def of(self, frame) -> np.ndarray:
        """The grid of a decoded frame's luma plane (8 bits; deeper formats are converted first)."""
        if frame.format.name not in EIGHT_BIT_LUMA_FIRST:  # 10-bit HEVC, RGB, ...: two bytes a sample, or no luma
            frame = frame.reformat(format="gray")
        plane = frame.planes[0]
        return self.of_luma(np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width])

    def of_luma(self, luma: np.ndarray) -> np.ndarray:
        """The grid of a luma image (any size: it is averaged down to the grid)."""
        import cv2

        if luma.shape[1] >= 4 * self.grid[0]:  # halve first: the same cell means, in half the time
            luma = cv2.resize(luma, (luma.shape[1] // 2, luma.shape[0] // 2), interpolation=cv2.INTER_AREA)
        return cv2.resize(luma, self.grid, interpolation=cv2.INTER_AREA).astype(np.int16)

    def add(self, index: int, frame, exact: bool) -> None:
        self.decoded += 1
        if exact or index not in self.exact:
            self.by_frame[index] = self.of(frame)
        if exact:
            self.exact.add(index)
