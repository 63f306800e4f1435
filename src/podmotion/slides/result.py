"""What the slides detector finds: ``SlideScan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SlideScan:
    """What the detector found, in source frames (display order, end exclusive)."""

    cut_frames: list[int]
    holds: list[tuple[int, int]]  # per scene: the frames that show its picture settled (a footage scene: all of it)
    n_frames: int
    frame_times_s: np.ndarray  # each frame's time from the first frame
    live_mask: np.ndarray  # bool grid, True where the picture moves within scenes
    grid_cell_px: tuple[float, float]  # (width, height) of one grid cell in coded pixels
    exact_frames: list[int]  # frames decoded exactly (safe to take a still from)
    step: float  # the grey-level threshold used
    decoded_frames: int  # frames the decoder produced, all passes together (references included)
    mode: str  # "sparse" or "full"
    stats: dict = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)  # per scene: "still" or "footage" (podmotion.segments)
    text_mask: np.ndarray | None = None  # the live cells that are burned-in subtitles (a subset of live_mask)
    live_scenes: list[list[int]] = field(default_factory=list)  # per live patch (live_boxes' order): its scenes
    reach: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)  # footage scene -> where it moves

    def __post_init__(self):
        if not self.kinds:
            self.kinds = ["still"] * (len(self.cut_frames) + 1)
