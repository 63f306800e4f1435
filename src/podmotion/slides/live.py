"""Step 4 of the slides detector: live cells, the parts of the frame that move within scenes.

Input: ``Signatures`` and pairs of frames of one hold. Output: the live mask (an audiogram, a progress bar, a
clock, a host's camera box), the cells that are burned-in subtitles (``text_cells``) or a ticking timer
(``ticking_cells``), each live patch's box and kind (``live_boxes``, ``live_kinds``) and the scenes it moves in.
"""

from __future__ import annotations

import math

import numpy as np

from .. import segments
from .compare import Compare
from .grids import Signatures
from .holds import holds_of
from .result import SlideScan


LIVE_MIN_CHANGES = 4  # a live cell changes in at least this many decoded pairs ...
LIVE_WINDOW_S = 2.0  # ... and in half of them or more, within some stretch this long ...
LIVE_MIN_PAIRS = 8  # ... that holds at least this many pairs, its changes spread over this long at least:
LIVE_MIN_SPAN_S = 0.6
LIVE_BACK_AND_FORTH = 2.0  # on the whole episode, a live patch's cells also travel twice as far as they end up
TEXT_MIN_CHANGES = 6  # a subtitle line: changes at least this often between holds ...
TEXT_MAX_PERIOD_S = 2.0  # ... at most this far apart (median) ...
TEXT_MAX_HEIGHT = 0.22  # ... is at most this share of the frame high (two lines) ...
TEXT_MAX_AREA = 0.12  # ... and of its area ...
TEXT_ALONE_SHARE = 0.6  # ... and changes with nothing else at least this share of the times
TICK_MIN_CHANGES = 4  # a timer's patch: changes at least this often between holds ...
TICK_MAX_PERIOD_S = 2.0  # ... at most this far apart ...
TICK_MAX_AREA = 0.05  # ... and covers at most this share of the frame


def find_live_mask(sigs: Signatures, pairs: list[tuple[int, int]], step: float, fps: float,
               min_span_s: float = 0.0) -> np.ndarray:  # fmt: skip
    """Cells that move within scenes.

    The episode's decoded frame pairs are taken in windows of about
    ``LIVE_WINDOW_S`` (each overlapping the next by half). In a window with at
    least ``LIVE_MIN_PAIRS`` pairs, the cells that changed are grouped into
    patches; a patch is live when some of its cells change in at least half
    of the window's pairs, in ``LIVE_MIN_CHANGES`` at least, spread over
    ``min_span_s`` or more (on the whole episode, ``LIVE_MIN_SPAN_S``: not
    the few frames of a dissolve, decoded on their own; and there its cells
    must move back and forth, ``LIVE_BACK_AND_FORTH``, where a dissolve goes
    one way only): a waveform's
    bars, a progress bar's front, a clock, a host's camera box. So a region
    that moves only from the middle of the episode, or only in some scenes,
    is found wherever its frames were decoded; a caption that changes once,
    or dissolves over a few frames, is not. The live cells of every window
    are grouped again; each patch is widened to its bounding box and one cell
    more, and a thin strip is taken along its whole row or column, the path a
    progress bar will cover. A patch as large as footage
    (``segments.FOOTAGE_MIN_AREA``) is not live.
    """
    import cv2

    shape = (sigs.grid[1], sigs.grid[0])
    half_frames = max(1, round(LIVE_WINDOW_S * fps / 2))
    min_span_frames = min_span_s * fps
    groups: dict[int, list[tuple[int, int, np.ndarray]]] = {}
    for a, b in sorted(pairs):
        groups.setdefault(a // half_frames, []).append((a, b, np.abs(sigs.by_frame[a] - sigs.by_frame[b])))
    live_cells = np.zeros(shape, bool)
    for g in sorted(groups):  # window: this half and the next; an hour's pairs are never all in memory
        window = groups[g] + groups.get(g + 1, [])
        groups.pop(g - 1, None)
        if len(window) < LIVE_MIN_PAIRS:
            continue
        raw = np.any([d > step for _, _, d in window], axis=0)
        seen = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        n_patches, labels, boxes, _ = cv2.connectedComponentsWithStats(seen, connectivity=8)
        hits, first, last = np.zeros(n_patches, int), np.full(n_patches, np.inf), np.full(n_patches, -np.inf)
        travel = np.zeros(n_patches)  # grey levels the patch's cells moved, pair by pair
        for frame, _, d in window:
            touched = np.unique(labels[d > step])
            hits[touched] += 1
            first[touched] = np.minimum(first[touched], frame)
            last[touched] = frame
            travel += np.bincount(labels.ravel(), weights=d.ravel(), minlength=n_patches)
        hits[0] = 0  # the background: no patch
        small = boxes[:, 2].astype(np.int64) * boxes[:, 3] < segments.FOOTAGE_MIN_AREA * raw.size  # larger: footage
        ok = (hits >= LIVE_MIN_CHANGES) & (2 * hits >= len(window)) & small
        if min_span_s:  # the whole episode: pairs decoded only around changes, a dissolve's among them
            lasting = last - first >= min_span_frames
            net = np.bincount(labels.ravel(), minlength=n_patches,
                              weights=np.abs(sigs.by_frame[window[-1][1]] - sigs.by_frame[window[0][0]]).ravel())  # fmt: skip
            ok &= lasting & (travel >= LIVE_BACK_AND_FORTH * np.maximum(net, 1.0))  # a dissolve goes one way
        for k in np.flatnonzero(ok):
            live_cells |= raw & (labels == k)
    seen = cv2.morphologyEx(live_cells.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n_patches, labels, _, _ = cv2.connectedComponentsWithStats(seen, connectivity=8)
    live = np.zeros(shape, np.uint8)
    for k in range(1, n_patches):
        # The patch's extent is that of the cells that changed, not of the closing that joined them.
        x, y, w, h = cv2.boundingRect(((labels == k) & live_cells).astype(np.uint8))
        if w * h == 0 or w * h >= segments.FOOTAGE_MIN_AREA * live.size:  # as large as footage: not a live region
            continue
        if h <= max(2, shape[0] // 25) and w >= 2 * h:  # a thin horizontal strip
            x, w = 0, shape[1]
        elif w <= max(2, shape[1] // 25) and h >= 2 * w:  # a thin vertical strip
            y, h = 0, shape[0]
        live[y : y + h, x : x + w] = 1
    return cv2.dilate(live, np.ones((3, 3), np.uint8)).astype(bool)


def text_cells(cmp_: "Compare", n: int, settle_frames: int, fps: float) -> np.ndarray:
    """Cells of a line that changes like burned-in subtitles: often, irregularly, on its own.

    Subtitles change every 0.2 to 2 s, word by word or line by line, each
    reading long enough to look like a new picture. A patch is such a line
    when, at the boundaries between holds, it changes at least
    ``TEXT_MIN_CHANGES`` times, at most ``TEXT_MAX_PERIOD_S`` apart (median),
    at most ``TEXT_MAX_HEIGHT`` of the frame high and ``TEXT_MAX_AREA`` of it in
    all, and changes alone (nothing else outside the live mask changes with
    it) at least ``TEXT_ALONE_SHARE`` of those times, and not on a beat of a
    second or so (that is a clock, ``ticking_cells``). Slides change rarely and
    with their art; a caption that changes with each slide is not alone, and
    one that changes alone does it once a slide, seconds apart.
    """
    import cv2

    shape = cmp_.keep.shape
    text = np.zeros(shape, bool)
    holds = holds_of(cmp_, n, settle_frames)
    if len(holds) < TEXT_MIN_CHANGES + 1:
        return text
    boundaries = [(b0, cmp_.changed(a1 - 1, b0)) for (_a0, a1), (b0, _b1) in zip(holds, holds[1:])]
    small = [changed for _, changed in boundaries if segments.largest_patch_share(changed) < segments.FOOTAGE_MIN_AREA]
    if not small:  # every boundary changes a large part of the frame: slide changes, no line of its own
        return text
    union = np.any(small, axis=0).astype(np.uint8)  # a slide change's new picture is no subtitle line
    line_px = max(3, shape[1] // 40) | 1  # words apart by a space are one line
    union = cv2.morphologyEx(union, cv2.MORPH_CLOSE, np.ones((3, line_px), np.uint8))
    n_patches, labels, boxes, _ = cv2.connectedComponentsWithStats(union, connectivity=8)
    for k in range(1, n_patches):
        x, y, w, h = boxes[k][:4]
        if h > TEXT_MAX_HEIGHT * shape[0] or w * h > TEXT_MAX_AREA * union.size:
            continue
        patch = labels == k
        near = cv2.dilate(patch.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        times = [t for t, changed in boundaries if (changed & patch).any()]
        alone = [t for t, changed in boundaries if (changed & patch).any() and not (changed & ~near).any()]
        gaps = np.diff(times)
        if len(times) < TEXT_MIN_CHANGES or np.median(gaps) > TEXT_MAX_PERIOD_S * fps:
            continue
        beat = float(np.median(gaps))
        if beat >= 0.8 * fps and np.mean(np.abs(gaps - beat) <= 2) >= 0.6:  # a second's beat: a clock (ticking)
            continue
        if len(alone) >= TEXT_ALONE_SHARE * len(times):
            text[max(0, y - 1) : y + h + 1, max(0, x - 1) : x + w + 1] = True
    return text


def ticking_cells(cmp_: Compare, settle_frames: int, fps: float) -> np.ndarray:
    """Cells that change between holds like a clock: small, often and on a beat.

    A timer showing mm:ss, or a clock's seconds, holds each reading for a
    second: long enough to look like a new picture. A patch is ticking when it
    changes at ``TICK_MIN_CHANGES`` or more hold boundaries, at most
    ``TICK_MAX_PERIOD_S`` apart (median), most of them on the same beat
    (within two frames of the median interval), and covers at most
    ``TICK_MAX_AREA`` of the frame. Slides, even slides of fixed length, change
    far less often than that; a caption that changes with them is irregular.
    A small patch beside a ticking one that changes only when it ticks (the
    minutes beside the seconds) is ticking too.
    """
    import cv2

    shape = cmp_.keep.shape
    ticking = np.zeros(shape, bool)
    holds = holds_of(cmp_, cmp_.frames[-1] + 1 if cmp_.frames else 0, settle_frames)
    if len(holds) < TICK_MIN_CHANGES + 1:
        return ticking
    boundaries = [(b0, cmp_.changed(a1 - 1, b0)) for (_a0, a1), (b0, _b1) in zip(holds, holds[1:])]
    union = np.any([changed for _, changed in boundaries], axis=0).astype(np.uint8)
    union = cv2.morphologyEx(union, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n_patches, labels, boxes, _ = cv2.connectedComponentsWithStats(union, connectivity=8)
    small = [k for k in range(1, n_patches) if boxes[k][2] * boxes[k][3] <= TICK_MAX_AREA * union.size]
    changes = {k: np.array([t for t, changed in boundaries if (changed & (labels == k)).any()]) for k in small}
    clocks = []
    for k in small:
        gaps = np.diff(changes[k])
        if gaps.size + 1 < TICK_MIN_CHANGES:
            continue
        beat = float(np.median(gaps))
        if beat <= TICK_MAX_PERIOD_S * fps and np.mean(np.abs(gaps - beat) <= 2) >= 0.6:
            clocks.append(k)
    # A clock's slower digits (tens of seconds, minutes) change rarely, but only when its faster ones do, and
    # beside them: beside a ticking patch and on its beat, or beside a patch already live (it moves every frame).
    n_live, _, live_boxes_, _ = cv2.connectedComponentsWithStats((~cmp_.keep).astype(np.uint8), connectivity=8)
    anchors = [(tuple(boxes[c][:4]), changes[c]) for c in clocks]
    anchors += [(tuple(live_boxes_[j][:4]), None) for j in range(1, n_live)
                if live_boxes_[j][2] * live_boxes_[j][3] <= TICK_MAX_AREA * union.size]  # fmt: skip
    for k in small:
        if k in clocks or not changes[k].size:
            continue
        x, y, w, h = boxes[k][:4]
        for (ax, ay, aw, ah), beat_frames in anchors:
            beside = y < ay + ah and ay < y + h and min(abs(x - ax - aw), abs(ax - x - w)) <= 2 * ah
            on_beat = beat_frames is None or all(np.abs(beat_frames - t).min() <= 1 for t in changes[k])
            if beside and on_beat:
                clocks.append(k)
                break
    for k in clocks:
        x, y, w, h = boxes[k][:4]
        ticking[max(0, y - 1) : y + h + 1, max(0, x - 1) : x + w + 1] = True
    return ticking


def grown(mask: np.ndarray, cells: int = 2) -> np.ndarray:
    """``mask`` grown by ``cells`` in every direction."""
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * cells + 1, 2 * cells + 1), np.uint8)).astype(bool)


def live_scenes_of(sigs: Signatures, live: np.ndarray, step: float, edges: list[int], kinds: list[str]) -> list[list[int]]:
    """Per live patch (``_patches`` order), the still scenes (numbered from 1) in which it moves: some of its
    cells change between two decoded frames of the scene. A camera box shown in some scenes only, or subtitles
    that start a minute in, are live there and nowhere else."""
    frames = sorted(sigs.by_frame)
    patches = _patches(live)
    out: list[list[int]] = [[] for _ in patches]
    for number, (start, end, kind) in enumerate(zip(edges, edges[1:], kinds), start=1):
        if kind != "still":
            continue
        lo, hi = np.searchsorted(frames, [start, end])
        moved = np.zeros(live.shape, bool)
        for a, b in zip(frames[lo:hi], frames[lo + 1 : hi]):
            moved |= np.abs(sigs.by_frame[b] - sigs.by_frame[a]) > step
        for k, (x, y, w, h) in enumerate(patches):
            if moved[y : y + h, x : x + w].any():
                out[k].append(number)
    return out


def _patches(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The connected patches of a cell mask, as (x, y, width, height) in cells."""
    import cv2

    n_patches, _, boxes, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return [tuple(int(v) for v in b[:4]) for b in boxes[1:n_patches]]


def live_boxes(scan_: SlideScan) -> list[tuple[int, int, int, int]]:
    """The live patches as (x, y, width, height) boxes in coded pixels."""
    cell_w, cell_h = scan_.grid_cell_px
    return [(int(x * cell_w), int(y * cell_h), int(math.ceil(w * cell_w)), int(math.ceil(h * cell_h)))
            for x, y, w, h in _patches(scan_.live_mask)]  # fmt: skip


def live_kinds(scan_: SlideScan) -> list[str]:
    """Per live patch (``live_boxes``' order): ``text`` for burned-in subtitles, ``motion`` for the rest (a
    waveform, a progress bar, a clock, a host's camera box)."""
    text = scan_.text_mask if scan_.text_mask is not None else np.zeros_like(scan_.live_mask)
    return ["text" if text[y : y + h, x : x + w].mean() > 0.5 else "motion" for x, y, w, h in _patches(scan_.live_mask)]
