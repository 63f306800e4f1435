"""Scene detection made for still-image video: the ``slides`` detector.

A podcast video holds each picture for seconds, so almost every frame repeats
the one before it. This detector reads the compressed stream to find where
something may change, and decodes only there:

1. **Packets.** Demuxing (no decoding) gives every frame's packet size. A
   repeated picture costs a few bytes; a new picture, caption or chart costs
   many more than the episode's usual packet around it (a rolling median, so a
   waveform that moves all the time raises the baseline instead of firing).
2. **Keyframes** are decoded on their own (the decoder skips the rest).
3. **Windows** around each packet that stands out are decoded exactly. For
   H.264 the decoder is handed the GOP's keyframe, the I and P packets up to
   the window (the references it needs) and the window's own packets; the
   B-frames in between are skipped. A short stretch at the start is decoded
   exactly, to learn what moves within scenes.
4. **Live cells** (an audiogram, a progress bar, a clock) are the cells of a
   coarse grid that change between frames whose packets are ordinary. They
   are left out of every comparison below.
5. **Gaps.** Between two decoded frames the picture is taken as unchanged
   only when the two agree; where they don't and no window explains it, that
   stretch is decoded exactly, frame by frame. A change is never inferred
   from packet sizes alone.
6. **Footage.** Spans where a large part of the picture keeps changing and
   never holds (an intro, a clip, an outro) are footage (the rule is
   ``podmotion.segments``'). Each is a scene of its own, cut at its first and
   last frame; nothing inside it is a hold. Live cells and the noise step are
   learnt from the still spans alone: footage would make the whole frame live.
7. **Holds and cuts.** A hold is a run of frames that agree with each other
   for at least ``settle_s``. Between two holds that differ there is one cut:
   at the first frame nearer the new picture than the old one (a hard cut's
   first frame, a dissolve's middle), or, for a transition that passes far
   from both pictures (a fade through black), at its middle.

Frames are compared on the luma plane averaged over cells of about 1/160 of
the frame's longer side (at least ``MIN_CELL_PX`` pixels). Two pictures differ when at least ``MIN_CELLS``
cells outside the live region differ by more than a threshold that follows
the episode's own compression noise (``NOISE_FACTOR`` times the typical
difference between two frames of one hold, never below ``MIN_STEP``).
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import MutableMapping
from dataclasses import dataclass, field

import numpy as np

from . import segments
from .errors import PodmotionError
from .media import open_media

log = logging.getLogger(__name__)

CELLS_ON_LONG_SIDE = 160
MIN_CELL_PX = 4  # smaller cells see compression noise (a keyframe's new quantisation) as change
EIGHT_BIT_LUMA_FIRST = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "gray"}
MIN_CELLS = 3  # cells that must differ: one or two noisy cells are not a change
MIN_STEP = 5.0  # grey levels: the smallest difference that can count
NOISE_FACTOR = 4.0
EVENT_FACTOR = 3.0  # a packet this many times the rolling median stands out
SETTLE_S = 0.2  # a picture must hold this long to be a hold
PROBE_S = 1.0  # decoded exactly at the start, to learn the live cells
FULL_DECODE_SHARE = 0.3  # decode everything when more than this share of packets stand out ...
SPARSE_MAX_COST = 0.7  # ... or when sparse decoding would decode more than this share of the frames anyway
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
HARD_CUT_SHARE = 0.6  # one frame-to-frame step that makes this share of the change between two holds is the cut
TICK_MIN_CHANGES = 4  # a timer's patch: changes at least this often between holds ...
TICK_MAX_PERIOD_S = 2.0  # ... at most this far apart ...
TICK_MAX_AREA = 0.05  # ... and covers at most this share of the frame


@dataclass
class Packets:
    """Per display-order frame: packet size, keyframe flag and decode order."""

    pts: np.ndarray  # presentation timestamps, sorted
    size_bytes: np.ndarray
    is_key: np.ndarray
    decode_pos: np.ndarray  # each frame's position in decode order


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


def read_packets(path: str | os.PathLike) -> Packets:
    """Demux the first video stream: sizes and key flags in display order."""
    rows = []
    with open_media(path) as container:
        video = container.streams.video[0]
        for pos, packet in enumerate(container.demux(video)):
            if packet.size and packet.pts is not None:
                rows.append((packet.pts, packet.size, packet.is_keyframe, pos))
    if not rows:
        raise PodmotionError(path, "video stream has no frames")
    rows.sort()
    pts, size, key, pos = (np.array(c) for c in zip(*rows))
    return Packets(pts, size.astype(np.int64), key.astype(bool), pos)


def standing_out(packets: Packets, fps: float, frame_area_px: int) -> np.ndarray:
    """Frames whose packet is much larger than the episode's usual packet around it.

    The usual packet is the median of the non-key packets in blocks of about two
    seconds, taken from the block and its two neighbours.
    """
    sizes = packets.size_bytes.astype(float)
    sizes[packets.is_key] = np.nan
    block = max(8, int(round(2 * fps)))
    n_blocks = math.ceil(sizes.size / block)
    padded = np.full(n_blocks * block, np.nan)
    padded[: sizes.size] = sizes
    blocks = padded.reshape(n_blocks, block)
    medians = np.empty(n_blocks)
    for k in range(n_blocks):
        neighbours = blocks[max(0, k - 1) : k + 2]
        finite = neighbours[np.isfinite(neighbours)]
        medians[k] = np.median(finite) if finite.size else 0.0
    baseline = np.repeat(medians, block)[: sizes.size]
    floor_bytes = max(24.0, 1e-4 * frame_area_px)
    return (packets.size_bytes > EVENT_FACTOR * baseline + floor_bytes) & ~packets.is_key


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


class _Decoder:
    """Decoding passes over one video, each recording signatures by frame index."""

    def __init__(self, path, packets: Packets, sigs: Signatures):
        self.path, self.packets, self.sigs = path, packets, sigs
        self.index_of_pts = {int(p): i for i, p in enumerate(packets.pts)}
        self.keys = np.flatnonzero(packets.is_key)
        # Decode positions of I and P packets: none shows before a packet decoded earlier.
        display_in_decode_order = np.argsort(packets.decode_pos)
        running_max = np.maximum.accumulate(display_in_decode_order)
        is_anchor = display_in_decode_order >= running_max
        self.anchor_positions = np.flatnonzero(is_anchor)

    def _open(self):
        container = open_media(self.path)
        video = container.streams.video[0]
        video.thread_type = "FRAME"  # slice threads only add overhead on these short runs
        return container, video

    def _record(self, frames, exact: bool) -> None:
        for frame in frames:
            i = self.index_of_pts.get(frame.pts)
            if i is not None:
                self.sigs.add(i, frame, exact)

    def keyframes(self) -> None:
        """Decode every keyframe, handing the decoder nothing else."""
        container, video = self._open()
        with container:
            video.codec_context.skip_frame = "NONKEY"
            self._run(container, video, exact=True, only_keys=True)

    def everything(self) -> None:
        container, video = self._open()
        with container:
            self._run(container, video, exact=True)

    def _run(self, container, video, exact: bool, only_keys: bool = False) -> None:
        import av

        try:
            for packet in container.demux(video):
                if packet.size and (packet.is_keyframe or not only_keys):
                    self._record(video.codec_context.decode(packet), exact)
            self._record(video.codec_context.decode(None), exact)
        except av.error.FFmpegError as exc:
            raise PodmotionError(self.path, f"video cannot be decoded ({exc.strerror or exc})") from None

    def key_before(self, index: int) -> int:
        k = np.searchsorted(self.keys, index, side="right") - 1
        return int(self.keys[max(k, 0)])

    def exact_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Decode the frames of each range exactly: every packet from its keyframe, one pass per GOP."""
        positions = self.packets.decode_pos
        groups: dict[int, list[tuple[int, int]]] = {}
        for first, last in ranges:
            groups.setdefault(self.key_before(first), []).append((first, last))
        for key, group in groups.items():
            end_pos = max(int(positions[first : last + 1].max()) for first, last in group)
            self._pass(key, set(range(int(positions[key]), end_pos + 1)), exact=True,
                       wanted=[(key, last) for _first, last in group])  # fmt: skip

    def windows(self, ranges: list[tuple[int, int]]) -> None:
        """Decode the frames of each range exactly, feeding the decoder only what they need.

        One pass per GOP: its keyframe, every forward-predicted (I or P) packet up
        to the last range, and all packets of each range from the P-frame before
        it. B-frames outside the ranges are skipped: no P-frame refers to them.
        """
        for key, fed, group in self._window_feeds(ranges):
            self._pass(key, fed, exact=True, wanted=group)

    def window_cost(self, ranges: list[tuple[int, int]]) -> int:
        """How many packets ``windows(ranges)`` would hand the decoder."""
        return sum(len(fed) for _key, fed, _group in self._window_feeds(ranges))

    def _window_feeds(self, ranges: list[tuple[int, int]]) -> list[tuple[int, set[int], list[tuple[int, int]]]]:
        positions = self.packets.decode_pos
        groups: dict[int, list[tuple[int, int]]] = {}
        for first, last in ranges:
            groups.setdefault(self.key_before(first), []).append((first, last))
        feeds = []
        for key, group in groups.items():
            key_pos = int(positions[key])
            end_pos = max(int(positions[first : last + 1].max()) for first, last in group)
            fed = {p for p in self.anchor_positions if key_pos <= p <= end_pos}
            for first, last in group:
                span = positions[first : last + 1]
                start = self.anchor_at_or_before(int(span.min()), key_pos)
                fed.update(range(start, int(span.max()) + 1))
            feeds.append((key, fed, group))
        return feeds

    def anchor_at_or_before(self, pos: int, floor: int) -> int:
        k = np.searchsorted(self.anchor_positions, pos, side="right") - 1
        return max(floor, int(self.anchor_positions[max(k, 0)]))

    def _pass(self, key: int, fed: set[int], exact, wanted: list[tuple[int, int]]) -> None:
        """Seek to ``key`` and decode the packets at the decode positions in ``fed``."""
        import av

        positions = self.packets.decode_pos
        last_pos = max(fed)
        key_pos = int(positions[key])
        inside = np.zeros(self.packets.pts.size, bool)
        for first, last in wanted:
            inside[first : last + 1] = True
        container, video = self._open()

        def record(frames):
            for frame in frames:
                i = self.index_of_pts.get(frame.pts)
                if i is not None and inside[i]:
                    self.sigs.add(i, frame, exact is True or i == exact)
                else:
                    self.sigs.decoded += 1  # decoded to reach the ones wanted: it counts all the same

        with container:
            container.seek(int(self.packets.pts[key]), stream=video, backward=True, any_frame=False)
            try:
                for packet in container.demux(video):
                    i = self.index_of_pts.get(packet.pts) if packet.size else None
                    if i is None:
                        continue
                    pos = int(positions[i])
                    if pos > last_pos:
                        break
                    if pos >= key_pos and pos in fed:
                        record(video.codec_context.decode(packet))
                record(video.codec_context.decode(None))
            except av.error.FFmpegError as exc:
                raise PodmotionError(self.path, f"video cannot be decoded ({exc.strerror or exc})") from None


def _kth_largest(diff: np.ndarray, k: int) -> float:
    flat = diff.ravel()
    if flat.size < k:
        return float(flat.max(initial=0))
    return float(np.partition(flat, flat.size - k)[flat.size - k])


class _Compare:
    """Masked comparisons between recorded frames (unrecorded frames repeat the one before)."""

    def __init__(self, sigs: Signatures, live: np.ndarray, step: float):
        self.sigs, self.keep, self.step = sigs, ~live, step
        self.frames = sorted(sigs.by_frame)
        self.held: dict[tuple[int, int], list[tuple[int, int]]] = {}  # _holds, once per (frames, settle)

    def changed(self, a: int, b: int) -> np.ndarray:
        """The cells outside the live mask that differ between frames ``a`` and ``b`` by more than the step."""
        return (np.abs(self.at(b) - self.at(a)) > self.step) & self.keep

    def same_as(self, live: np.ndarray, step: float) -> bool:
        """Whether this compares with the same mask and step (and so finds the same holds)."""
        return step == self.step and np.array_equal(~live, self.keep) and len(self.frames) == len(self.sigs.by_frame)

    def at(self, index: int) -> np.ndarray:
        k = np.searchsorted(self.frames, index, side="right") - 1
        return self.sigs.by_frame[self.frames[max(k, 0)]]

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return _kth_largest(np.abs(a - b)[self.keep], MIN_CELLS)

    def same(self, a: np.ndarray, b: np.ndarray) -> bool:
        return self.distance(a, b) <= self.step


def _live_mask(sigs: Signatures, pairs: list[tuple[int, int]], step: float, fps: float,
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


def _text_cells(cmp_: "_Compare", n: int, settle_frames: int, fps: float) -> np.ndarray:
    """Cells of a line that changes like burned-in subtitles: often, irregularly, on its own.

    Subtitles change every 0.2 to 2 s, word by word or line by line, each
    reading long enough to look like a new picture. A patch is such a line
    when, at the boundaries between holds, it changes at least
    ``TEXT_MIN_CHANGES`` times, at most ``TEXT_MAX_PERIOD_S`` apart (median),
    at most ``TEXT_MAX_HEIGHT`` of the frame high and ``TEXT_MAX_AREA`` of it in
    all, and changes alone (nothing else outside the live mask changes with
    it) at least ``TEXT_ALONE_SHARE`` of those times, and not on a beat of a
    second or so (that is a clock, ``_ticking_cells``). Slides change rarely and
    with their art; a caption that changes with each slide is not alone, and
    one that changes alone does it once a slide, seconds apart.
    """
    import cv2

    shape = cmp_.keep.shape
    text = np.zeros(shape, bool)
    holds = _holds(cmp_, n, settle_frames)
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


def _ticking_cells(cmp_: _Compare, settle_frames: int, fps: float) -> np.ndarray:
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
    holds = _holds(cmp_, cmp_.frames[-1] + 1 if cmp_.frames else 0, settle_frames)
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


def _noise_step(sigs: Signatures, quiet_pairs: list[tuple[int, int]], live: np.ndarray, threshold: float | None) -> float:
    """The grey-level step that counts as a change: fixed by the user, or from the episode's noise."""
    if threshold is not None:
        return float(threshold)
    keep = ~live
    noise = [_kth_largest(np.abs(sigs.by_frame[a] - sigs.by_frame[b])[keep], MIN_CELLS) for a, b in quiet_pairs]
    typical = float(np.median(noise)) if noise else 0.0
    return max(MIN_STEP, NOISE_FACTOR * typical)


def scan(path: str | os.PathLike, fps: float, *, threshold: float | None = None, min_scene_len_s: float = 0.6,
         settle_s: float = SETTLE_S, full_decode: bool = False) -> SlideScan:  # fmt: skip
    """Find the cuts of a still-image video (see the module docstring)."""
    packets = read_packets(path)
    n = len(packets.pts)
    with open_media(path) as container:
        stream = container.streams.video[0]
        cc = stream.codec_context
        width, height, codec = cc.width, cc.height, cc.name
        times_s = (packets.pts - packets.pts[0]).astype(np.float64) * float(stream.time_base)
    import av.logging

    av.logging.set_libav_level(av.logging.FATAL)  # skipped B-frames make the decoder complain, harmlessly
    sigs = Signatures(width, height)
    dec = _Decoder(path, packets, sigs)
    events = standing_out(packets, fps, width * height)
    reorder = _reorder_depth(packets)
    windows = _windows(events, reorder, n)
    probe_last = min(n - 1, max(8, int(round(PROBE_S * fps))))
    sparse = (not full_decode and codec == "h264" and len(dec.keys) > 0 and events.mean() <= FULL_DECODE_SHARE
              and len(dec.keys) + probe_last + dec.window_cost(windows) <= SPARSE_MAX_COST * n)  # fmt: skip
    if sparse:
        dec.keyframes()
        dec.exact_ranges([(0, probe_last)])
        dec.windows(windows)
    else:
        dec.everything()
    result = analyse(sigs, events, reorder, fps, threshold=threshold, min_scene_len_s=min_scene_len_s,
                     settle_s=settle_s, decoder=dec if sparse else None)  # fmt: skip
    result.frame_times_s, result.mode = times_s, "sparse" if sparse else "full"
    result.stats["keyframes"] = len(dec.keys)
    return result


def analyse(sigs: Signatures, events: np.ndarray, reorder: int, fps: float, *, threshold: float | None = None,
            min_scene_len_s: float = 0.6, settle_s: float = SETTLE_S, decoder: _Decoder | None = None) -> SlideScan:  # fmt: skip
    """Live cells, noise step, holds and cuts from the recorded signatures.

    With a ``decoder`` (sparse mode) the gaps where two recorded frames disagree
    are decoded first; without one every frame must already be recorded.
    """
    n = len(events)
    settle_frames = max(2, int(round(settle_s * fps)))
    quiet = _still_pairs(sigs, events, reorder, [])
    live = _live_mask(sigs, quiet, MIN_STEP, fps)
    step = _noise_step(sigs, quiet, live, threshold)
    if decoder is not None:
        _resolve_gaps(decoder, _Compare(sigs, live, step), reorder)
    # Everything that changes is decoded now: learn the live cells from the whole episode, not its start.
    # At the episode's own noise step: a keyframe's or a dissolve's compression noise is not a live region.
    pairs = _still_pairs(sigs, events, reorder, [], near_events=True)
    live = live | _live_mask(sigs, pairs, step, fps, LIVE_MIN_SPAN_S)
    made: list[_Compare] = []

    def compare(mask: np.ndarray) -> _Compare:  # one per mask and step: each finds its holds once
        if not (made and made[-1].same_as(mask, step)):
            made.append(_Compare(sigs, mask, step))
        return made[-1]

    text = _text_cells(compare(live), n, settle_frames, fps)
    footage = _footage(compare(live | text), n, settle_frames, fps)
    if footage:  # live cells and noise again, from the still spans alone, then footage with them
        quiet = _still_pairs(sigs, events, reorder, footage)
        step = _noise_step(sigs, quiet, _live_mask(sigs, quiet, MIN_STEP, fps), threshold) if quiet else step
        pairs = _still_pairs(sigs, events, reorder, footage, near_events=True)
        live = _live_mask(sigs, quiet, MIN_STEP, fps) | _live_mask(sigs, pairs, step, fps, LIVE_MIN_SPAN_S)
        text = _text_cells(compare(live), n, settle_frames, fps)
        footage = _footage(compare(live | text), n, settle_frames, fps)
    live = live | text
    ticking = _ticking_cells(compare(live), settle_frames, fps)
    if ticking.any():  # a timer or clock that ticks once a second: live too
        live = live | ticking
        text = text & ~_grown(ticking)  # a timer's digits change alone and often too: a clock, not subtitles
    cmp_ = compare(live)
    holds = _holds(cmp_, n, settle_frames)
    min_len = max(1, int(round(min_scene_len_s * fps))) if min_scene_len_s else 0
    cuts, scene_holds, kinds = _scenes(cmp_, holds, footage, n, min_len, fps)
    return SlideScan(
        cut_frames=cuts, holds=scene_holds, n_frames=n, frame_times_s=np.arange(n) / fps, live_mask=live,
        grid_cell_px=sigs.cell_px, exact_frames=sorted(sigs.exact), step=step, decoded_frames=sigs.decoded,
        mode="full", stats={"events": int(events.sum()), "live_cells": int(live.sum()), "footage_spans": footage},
        kinds=kinds, text_mask=text, live_scenes=_live_scenes(sigs, live, step, [0, *cuts, n], kinds),
        reach=_footage_reach(cmp_, [0, *cuts, n], kinds),
    )  # fmt: skip


def _footage_reach(cmp_: "_Compare", edges: list[int], kinds: list[str]) -> dict[int, tuple[int, int, int, int]]:
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


def _grown(mask: np.ndarray, cells: int = 2) -> np.ndarray:
    """``mask`` grown by ``cells`` in every direction."""
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * cells + 1, 2 * cells + 1), np.uint8)).astype(bool)


def _live_scenes(sigs: Signatures, live: np.ndarray, step: float, edges: list[int], kinds: list[str]) -> list[list[int]]:
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


def _patches_of_at_least(mask: np.ndarray, cells: int) -> np.ndarray:
    """``mask`` without its patches of fewer than ``cells`` cells (specks of noise)."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    big = np.zeros(n, bool)
    big[1:] = stats[1:, 4] >= cells
    return big[labels]


def _patches(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The connected patches of a cell mask, as (x, y, width, height) in cells."""
    import cv2

    n_patches, _, boxes, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return [tuple(int(v) for v in b[:4]) for b in boxes[1:n_patches]]


def _still_pairs(sigs: Signatures, events: np.ndarray, reorder: int, footage: list[tuple[int, int]],
                 near_events: bool = False) -> list[tuple[int, int]]:  # fmt: skip
    """Consecutive decoded frames that show a still: outside ``footage``, and not changing like footage
    (the whole-frame motion of a clip says nothing of a slide's live regions or its noise). Only the quiet
    ones (``_quiet_pairs``: no standing-out packet near them) unless ``near_events``: subtitles that change
    word by word make a standing-out packet every few frames, and a live region is told from a slide change
    by how often it changes (``_live_mask``), not by its packets."""
    inside = np.zeros(len(events), bool)
    for a, b in footage:
        inside[a:b] = True
    if near_events:
        frames = sorted(sigs.by_frame)
        candidates = [(a, b) for a, b in zip(frames, frames[1:]) if b == a + 1]
    else:
        candidates = _quiet_pairs(sigs, events, reorder)
    pairs = []
    for a, b in candidates:
        if inside[a] or inside[b]:
            continue
        changed = np.abs(sigs.by_frame[a] - sigs.by_frame[b]) > MIN_STEP
        if segments.largest_patch_share(changed) < segments.FOOTAGE_MIN_AREA:
            pairs.append((a, b))
    return pairs


def _footage(cmp_: "_Compare", n: int, settle_frames: int, fps: float) -> list[tuple[int, int]]:
    """The footage spans (``podmotion.segments``), [start, end) in frames."""

    lag = max(1, round(segments.MOTION_LAG_S * fps))

    def area_of(a: int, b: int) -> float:  # within the stretch, not the change into it; every frame in it
        return segments.moving_area([cmp_.at(t) for t in range(a, b)], cmp_.keep, cmp_.step, lag)

    spans = segments.footage_spans(_holds(cmp_, n, settle_frames), n, fps, area_of)
    spans = [(_snap_to_cut(cmp_, a, settle_frames, n), _snap_to_cut(cmp_, b, settle_frames, n)) for a, b in spans]
    return [piece for a, b in spans for piece in _split_at_drift_edges(cmp_, a, b, fps)]


def _split_at_drift_edges(cmp_: "_Compare", start: int, end: int, fps: float) -> list[tuple[int, int]]:
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


def _snap_to_cut(cmp_: "_Compare", frame: int, reach: int, n: int) -> int:
    """``frame``, or the hard cut within ``reach`` frames of it: the frame-to-frame step that changes the
    most of the frame, where it changes a ``FOOTAGE_MIN_AREA`` share or more and at least three times as
    much as any other step there. A picture that drifts on its own (a producer's slow zoom) never holds
    exactly, so where its span starts or ends is only known to within a hold; the cut beside it is exact."""
    if frame <= 0 or frame >= n:
        return frame
    steps = []
    for t in range(max(1, frame - reach), min(n, frame + reach + 1)):
        changed = cmp_.changed(t - 1, t)
        steps.append((float(changed.mean()), segments.largest_patch_share(changed), t))
    steps.sort(reverse=True)
    (share, area, t), runner_up = steps[0], steps[1][0] if len(steps) > 1 else 0.0
    return t if area >= segments.FOOTAGE_MIN_AREA and share >= 3 * runner_up else frame


def _scenes(cmp_: "_Compare", holds: list[tuple[int, int]], footage: list[tuple[int, int]], n: int,
            min_len_frames: int, fps: float) -> tuple[list[int], list[tuple[int, int]], list[str]]:  # fmt: skip
    """Cuts, each scene's hold (a footage scene: its span) and kind.

    Each footage span is a scene, cut at its first and last frame. The still
    spans between are cut by their holds (``_cuts``); one with no hold at all
    (a fade into a clip) joins the footage beside it. A scene whose picture
    drifts from its start to its end (a producer's zoom) is footage too.
    """
    pieces: list[list] = []  # [kind, start, end]
    at = 0
    for a, b in footage:
        if a > at:
            pieces.append(["still", at, a])
        pieces.append(["footage", a, b])
        at = b
    if at < n:
        pieces.append(["still", at, n])
    inside = {id(p): [(max(h0, p[1]), min(h1, p[2])) for h0, h1 in holds if min(h1, p[2]) > max(h0, p[1])]
              for p in pieces}  # fmt: skip
    merged: list[list] = []
    joins_next = False
    for piece in pieces:  # a still piece without a hold joins the footage before it (or after it)
        if piece[0] == "still" and not inside[id(piece)] and len(pieces) > 1:
            if merged and merged[-1][0] == "footage":
                merged[-1][2] = piece[2]
                continue
            piece[0], joins_next = "footage", True
            merged.append(piece)
            continue
        if joins_next and piece[0] == "footage":
            merged[-1][2] = piece[2]
        else:
            merged.append(piece)  # footage spans side by side stay apart: split at a drifting slide's cut
        joins_next = False
    # A clip's last shot or frame held for less than a scene's shortest length after it is the clip's (passing
    # a few more source frames through is never wrong); so is a first frame held before it, where the clip only
    # starts moving there, without a cut from another picture.
    for k, (kind, start, end) in enumerate(merged):
        if kind != "still":
            continue
        found = sorted((max(a, start), min(b, end)) for a, b in holds if min(b, end) > max(a, start))
        if len(found) < 2:
            continue
        after_clip = k > 0 and merged[k - 1][0] == "footage"
        if after_clip and found[0][1] - start < min_len_frames:
            merged[k - 1][2] = merged[k][1] = start = _cut_between(cmp_, found[0][1], found[1][0])
        before_clip = k + 1 < len(merged) and merged[k + 1][0] == "footage" and not _is_hard_cut(cmp_, end)
        if before_clip and end - found[-1][0] < min_len_frames:
            merged[k + 1][1] = merged[k][2] = _cut_between(cmp_, found[-2][1], found[-1][0])
    cuts, scene_holds, kinds = [], [], []
    for kind, start, end in merged:
        if start > 0:
            cuts.append(start)
        if kind == "footage":
            scene_holds.append((start, end))
            kinds.append("footage")
            continue
        found = [h for h in holds if min(h[1], end) > max(h[0], start)]
        got_cuts, got_holds = _cuts(cmp_, [(max(a, start), min(b, end)) for a, b in found], end, min_len_frames,
                                    start=start)  # fmt: skip
        if not found:
            got_holds = [(start, end)]
        got_kinds = ["footage" if _drifts(cmp_, a, b) else "still" for a, b in got_holds]
        # A drifting picture that goes on past a gap between its holds is one scene, and so is its tail (or
        # head) too short to be a slide: where no hard cut parts them.
        spans = [(a, b) for a, b in zip([start, *got_cuts], [*got_cuts, end])]
        k = 0
        while k + 1 < len(got_kinds):
            pair = got_kinds[k : k + 2]
            short = min(spans[k][1] - spans[k][0], spans[k + 1][1] - spans[k + 1][0]) < segments.FOOTAGE_MIN_S * fps
            if "footage" in pair and (pair[0] == pair[1] or short) and not _is_hard_cut(cmp_, got_cuts[k]):
                del got_cuts[k]
                got_kinds[k : k + 2] = ["footage"]
                got_holds[k : k + 2] = [(got_holds[k][0], got_holds[k + 1][1])]
                spans[k : k + 2] = [(spans[k][0], spans[k + 1][1])]
            else:
                k += 1
        cuts += got_cuts
        scene_holds += got_holds
        kinds += got_kinds
    return cuts, scene_holds, kinds


def _drifts(cmp_: "_Compare", start: int, end: int) -> bool:
    """Whether a scene's picture moves on its own (``segments.drifts``): its held picture at ``end`` against
    at ``start``."""
    changed = cmp_.changed(start, end - 1)
    if not segments.drifts(segments.spread_share(changed)):
        return False
    # Gradually: a scene that holds one picture and then another (a short one joined to it) does not drift.
    lo, hi = np.searchsorted(cmp_.frames, [start + 1, end])
    return not any(_is_hard_cut(cmp_, t) for t in cmp_.frames[lo:hi])


def _is_hard_cut(cmp_: "_Compare", frame: int, reach: int = 5) -> bool:
    """Whether the step into ``frame`` from the frame before is a cut: it changes a ``FOOTAGE_MIN_AREA``
    share of the frame, and three times as many cells as the steps within ``reach`` frames of it (a camera's
    motion changes much of the frame at every step)."""
    def cells(t: int) -> np.ndarray:
        return cmp_.changed(t - 1, t)

    changed = cells(frame)
    if segments.largest_patch_share(changed) < segments.FOOTAGE_MIN_AREA:
        return False
    around = [float(cells(t).mean()) for t in range(max(1, frame - reach), frame + reach + 1) if t != frame]
    return float(changed.mean()) >= 3 * float(np.median(around))


def _reorder_depth(packets: Packets) -> int:
    """How far a frame's packet can sit from its display position (B-frames)."""
    display = np.arange(len(packets.decode_pos))
    order = np.argsort(packets.decode_pos)
    return int(np.abs(display[order] - np.arange(len(order))).max(initial=0)) + 1


def _windows(events: np.ndarray, reorder: int, n: int) -> list[tuple[int, int]]:
    """Frame ranges to decode around standing-out packets, merged where they touch."""
    out: list[list[int]] = []
    for i in np.flatnonzero(events):
        first, last = int(max(0, i - reorder - 1)), int(min(n - 1, i + 1))
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return [(a, b) for a, b in out]


def _quiet_pairs(sigs: Signatures, events: np.ndarray, reorder: int) -> list[tuple[int, int]]:
    """Consecutive decoded frames with no standing-out packet near them."""
    near = np.convolve(events.astype(int), np.ones(2 * reorder + 3, int), mode="same") > 0
    frames = sorted(sigs.by_frame)
    return [(a, b) for a, b in zip(frames, frames[1:]) if b == a + 1 and not near[a] and not near[b]]


def _disagreeing_gaps(sigs: Signatures, cmp_: _Compare) -> list[tuple[int, int]]:
    frames = sorted(sigs.by_frame)
    return [(a, b) for a, b in zip(frames, frames[1:])
            if b > a + 1 and not cmp_.same(sigs.by_frame[a], sigs.by_frame[b])]  # fmt: skip


def _resolve_gaps(dec: _Decoder, cmp_: _Compare, reorder: int) -> None:
    """Make sure no change hides between two recorded frames that disagree.

    First the frames just before the later one are decoded (a change right at a
    keyframe needs no more); whatever still disagrees is decoded exactly.
    """
    tails = [(max(a + 1, b - 2 * reorder - 2), b - 1) for a, b in _disagreeing_gaps(dec.sigs, cmp_)]
    if tails:
        dec.windows(tails)
    dec.exact_ranges(_disagreeing_gaps(dec.sigs, cmp_))


def _holds(cmp_: _Compare, n: int, settle_frames: int) -> list[tuple[int, int]]:
    """Runs of frames that agree with their run's first frame and last at least ``settle_frames``."""
    if (n, settle_frames) not in cmp_.held:
        cmp_.held[(n, settle_frames)] = _find_holds(cmp_, n, settle_frames)
    return list(cmp_.held[(n, settle_frames)])


def _find_holds(cmp_: _Compare, n: int, settle_frames: int) -> list[tuple[int, int]]:
    points = cmp_.frames + [n]
    holds: list[tuple[int, int]] = []
    start = None
    anchor = None
    for i, t in enumerate(points[:-1]):
        sig = cmp_.sigs.by_frame[t]
        if anchor is not None and cmp_.same(anchor, sig):
            continue
        if start is not None and t - start >= settle_frames:
            holds.append((start, t))
        start, anchor = t, sig
    if start is not None and n - start >= settle_frames:
        holds.append((start, n))
    # A hold began at a frame still moving: trim it to where it agrees with its end.
    return [_settled(cmp_, a, b) for a, b in holds]


def _settled(cmp_: _Compare, start: int, end: int) -> tuple[int, int]:
    last = cmp_.at(end - 1)
    frames = [t for t in cmp_.frames if start <= t < end]
    for t in frames:
        if cmp_.same(cmp_.sigs.by_frame[t], last):
            return t, end
    return start, end


def _cuts(cmp_: _Compare, holds: list[tuple[int, int]], n: int, min_len_frames: int, start: int = 0):
    """One cut between each two holds that differ (see ``_cut_between``), in frames ``start`` to ``n``."""
    if not holds:
        return [], [(start, n)]
    merged = [holds[0]]
    for a, b in holds[1:]:
        if cmp_.same(cmp_.at(merged[-1][1] - 1), cmp_.at(a)):
            merged[-1] = (merged[-1][0], b)  # the same picture came back: a flash, not a cut
        else:
            merged.append((a, b))
    cuts, scene_holds = [], [merged[0]]
    for (a0, a1), (b0, b1) in zip(merged, merged[1:]):
        cut = _cut_between(cmp_, a1, b0)
        if cuts and cut - cuts[-1] < min_len_frames or not cuts and min_len_frames and cut - start < min_len_frames:
            scene_holds[-1] = (scene_holds[-1][0], b1)  # too short after the last cut: one scene
            continue
        cuts.append(cut)
        scene_holds.append((b0, b1))
    return cuts, scene_holds


def _cut_between(cmp_: _Compare, a1: int, b0: int) -> int:
    """The cut between a hold that ends at ``a1`` and one that starts at ``b0``.

    Over the cells the two pictures differ in, the first frame nearer the new
    picture than the old: a hard cut's first frame (even when the encoder
    sharpens the new picture over the next frames), a dissolve's middle. A
    transition that passes far from both pictures (a fade through black) is
    cut at its middle. Where one frame-to-frame step makes most of the change
    (``HARD_CUT_SHARE``), that step is the cut.
    """
    old, new = cmp_.at(a1 - 1), cmp_.at(b0)
    changed = (np.abs(old - new) > cmp_.step) & cmp_.keep
    if b0 <= a1 or not changed.any():
        return b0
    span = float(np.abs(old - new)[changed].mean())
    # A picture that drifts on its own (a producer's zoom) holds only roughly: one step that makes most of the
    # change between the two holds is the hard cut, wherever the holds were found to end and start.
    steps = [(float(np.abs(cmp_.at(t) - cmp_.at(t - 1))[changed].mean()), t) for t in range(a1, b0 + 1)]
    jump, at_frame = max(steps)
    if jump >= HARD_CUT_SHARE * span:
        return at_frame
    first_nearer, through = b0, False
    for t in range(a1, b0):
        sig = cmp_.at(t)
        to_old, to_new = float(np.abs(sig - old)[changed].mean()), float(np.abs(sig - new)[changed].mean())
        through |= to_old + to_new > 1.5 * span
        if to_new < to_old and first_nearer == b0:
            first_nearer = t
    return a1 + (b0 - a1) // 2 if through else first_nearer


def live_boxes(scan_: SlideScan) -> list[tuple[int, int, int, int]]:
    """The live patches as (x, y, width, height) boxes in coded pixels."""
    cell_w, cell_h = scan_.grid_cell_px
    return [(int(x * cell_w), int(y * cell_h), int(math.ceil(w * cell_w)), int(math.ceil(h * cell_h)))
            for x, y, w, h in _patches(scan_.live_mask)]  # fmt: skip


def footage_reach_boxes(scan_: SlideScan) -> dict[int, tuple[int, int, int, int]]:
    """``SlideScan.reach`` in coded pixels: per footage scene, the box its picture moves in."""
    cell_w, cell_h = scan_.grid_cell_px
    return {scene: (int(x * cell_w), int(y * cell_h), int(math.ceil(w * cell_w)), int(math.ceil(h * cell_h)))
            for scene, (x, y, w, h) in scan_.reach.items()}  # fmt: skip


def live_kinds(scan_: SlideScan) -> list[str]:
    """Per live patch (``live_boxes``' order): ``text`` for burned-in subtitles, ``motion`` for the rest (a
    waveform, a progress bar, a clock, a host's camera box)."""
    text = scan_.text_mask if scan_.text_mask is not None else np.zeros_like(scan_.live_mask)
    return ["text" if text[y : y + h, x : x + w].mean() > 0.5 else "motion" for x, y, w, h in _patches(scan_.live_mask)]


def main(argv: list[str] | None = None) -> int:
    """``python -m podmotion.slides VIDEO``: print the cut frames the slides detector finds."""
    import argparse
    import json
    import time

    from .media import probe

    ap = argparse.ArgumentParser(description="Find the cuts of a still-image video with the slides detector.")
    ap.add_argument("video")
    ap.add_argument("--min-scene-len-s", type=float, default=0.6)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        info = probe(args.video)
        result = scan(args.video, float(info.fps_fraction), min_scene_len_s=args.min_scene_len_s)
    except PodmotionError as exc:
        print(exc)
        return 1
    print(json.dumps({"cut_frames": result.cut_frames, "frames": result.n_frames, "decoded_frames": result.decoded_frames,
                      "mode": result.mode, "seconds": round(time.perf_counter() - started, 3)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
