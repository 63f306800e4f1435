"""Steps 2, 3 and 5 of the slides detector: decoding keyframes, windows, and the gaps where two decoded frames
disagree.

Input: the video file, its ``Packets`` and ``Signatures`` to fill. Output: the grids of every frame decoded
(``Decoder``), and every gap between disagreeing frames decoded exactly (``resolve_gaps``).
"""

from __future__ import annotations

import numpy as np

from ..errors import PodmotionError
from ..media import open_media
from .compare import Compare
from .grids import Signatures
from .packets import Packets


class Decoder:
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


def _disagreeing_gaps(sigs: Signatures, cmp_: Compare) -> list[tuple[int, int]]:
    frames = sorted(sigs.by_frame)
    return [(a, b) for a, b in zip(frames, frames[1:])
            if b > a + 1 and not cmp_.same(sigs.by_frame[a], sigs.by_frame[b])]  # fmt: skip


def resolve_gaps(dec: Decoder, cmp_: Compare, reorder: int) -> None:
    """Make sure no change hides between two recorded frames that disagree.

    First the frames just before the later one are decoded (a change right at a
    keyframe needs no more); whatever still disagrees is decoded exactly.
    """
    tails = [(max(a + 1, b - 2 * reorder - 2), b - 1) for a, b in _disagreeing_gaps(dec.sigs, cmp_)]
    if tails:
        dec.windows(tails)
    dec.exact_ranges(_disagreeing_gaps(dec.sigs, cmp_))
