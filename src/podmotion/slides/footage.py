"""Step 6 of the slides detector: footage, the spans that keep moving and never hold.

Input: a ``Compare`` over the episode's grids. Output: the footage spans (an intro, a clip, an outro), cut at
their own first and last frames, and where in the frame each footage scene moves (``footage_reach``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import segments
from .compare import Compare
from .holds import holds_of, snap_to_cut
from .result import SlideScan


def footage_reach(cmp_: "Compare", edges: list[int], kinds: list[str]) -> dict[int, tuple[int, int, int, int]]:
    """Per footage scene (numbered from 1), the box in cells that its picture moves in: the bounding box of
    the cells that change in a tenth of its frame-to-frame steps or more, and of those (in patches of three or
    more) that differ from its start to its end: a slow zoom (outside live regions). A producer's zoom moves in the art
    slot, a clip in the whole frame; a footage scene treated as a still is animated there."""
    import cv2

    out = {}
    for number, (start, end, kind) in enumerate(zip(edges, edges[1:], kinds), start=1):
        if kind != "footage":
            continue
        counts = np.zeros(cmp_.keep.shape, np.int32)
        for t in range(start + 1, end):
            counts += cmp_.changed(t - 1, t)
        often = counts >= max(2, 0.1 * (end - start - 1))  # not a keyframe's one-off requantisation
        moved = often | _patches_of_at_least(cmp_.changed(start, end - 1), 3)
        x, y, w, h = cv2.boundingRect(moved.astype(np.uint8))
        out[number] = (x, y, w, h) if w and h else (0, 0, moved.shape[1], moved.shape[0])
    return out


def _patches_of_at_least(mask: np.ndarray, cells: int) -> np.ndarray:
    """``mask`` without its patches of fewer than ``cells`` cells (specks of noise)."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    big = np.zeros(n, bool)
    big[1:] = stats[1:, 4] >= cells
    return big[labels]


def find_footage(cmp_: "Compare", n: int, settle_frames: int, fps: float) -> list[tuple[int, int]]:
    """The footage spans (``podmotion.segments``), [start, end) in frames."""

    lag = max(1, round(segments.MOTION_LAG_S * fps))

    def area_of(a: int, b: int) -> float:  # within the stretch, not the change into it; every frame in it
        return segments.moving_area([cmp_.at(t) for t in range(a, b)], cmp_.keep, cmp_.step, lag)

    spans = segments.footage_spans(holds_of(cmp_, n, settle_frames), n, fps, area_of)
    spans = [(snap_to_cut(cmp_, a, settle_frames, n), snap_to_cut(cmp_, b, settle_frames, n)) for a, b in spans]
    return [piece for a, b in spans for piece in _split_at_drift_edges(cmp_, a, b, fps)]


def _split_at_drift_edges(cmp_: "Compare", start: int, end: int, fps: float) -> list[tuple[int, int]]:
    """A footage span split at each hard cut that has a slowly drifting picture on one side (a producer's
    zoom on a slide: ``segments.drifting``) and lasts a second or more on both: the change from such a slide
    to the next, or to a clip, is a cut. Shot cuts between clips' shots stay inside their span."""
    min_frames = segments.FOOTAGE_MIN_S * fps
    shares = [float(cmp_.changed(t - 1, t).mean()) for t in range(start + 1, end)]
    reach = max(2, round(0.2 * fps))
    hard = []  # steps that change far more than the steps around them: cuts, not a camera's motion
    for i, share in enumerate(shares):
        around = shares[max(0, i - reach) : i] + shares[i + 1 : i + 1 + reach]
        if share >= segments.FOOTAGE_MIN_AREA and around and share >= 3 * float(np.median(around)):
            hard.append(start + 1 + i)
    edges = [start, *hard, end]
    pieces = [start]
    for k, cut in enumerate(hard):
        before, after = (pieces[-1], cut), (cut, edges[k + 2])
        if min(before[1] - before[0], after[1] - after[0]) < min_frames:
            continue
        for a, b in (before, after):
            steps = shares[a - start : b - start - 1]  # the steps inside, not the cut
            reach = cmp_.changed(a, b - 1)
            if segments.drifting(steps, segments.spread_share(reach)):
                pieces.append(cut)
                break
    return [(a, b) for a, b in zip(pieces, [*pieces[1:], end])]


def footage_reach_boxes(scan_: SlideScan) -> dict[int, tuple[int, int, int, int]]:
    """``SlideScan.reach`` in coded pixels: per footage scene, the box its picture moves in."""
    cell_w, cell_h = scan_.grid_cell_px
    return {scene: (int(x * cell_w), int(y * cell_h), int(math.ceil(w * cell_w)), int(math.ceil(h * cell_h)))
            for scene, (x, y, w, h) in scan_.reach.items()}  # fmt: skip
