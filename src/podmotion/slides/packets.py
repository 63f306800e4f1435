"""Step 1 of the slides detector: the compressed stream's packets, and where to decode.

Input: the video file. Output: ``Packets`` (each frame's packet size, key flag and decode order, in display
order), the frames whose packets stand out (``standing_out``), the decoder's reorder depth and the windows
around each standing-out frame that are decoded exactly (``windows``).
"""

from __future__ import annotations

from dataclasses import dataclass
import math
import os

import numpy as np

from ..errors import PodmotionError
from ..media import open_media


EVENT_FACTOR = 3.0  # a packet this many times the rolling median stands out


@dataclass
class Packets:
    """Per display-order frame: packet size, keyframe flag and decode order."""

    pts: np.ndarray  # presentation timestamps, sorted
    size_bytes: np.ndarray
    is_key: np.ndarray
    decode_pos: np.ndarray  # each frame's position in decode order


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


def reorder_depth(packets: Packets) -> int:
    """How far a frame's packet can sit from its display position (B-frames)."""
    display = np.arange(len(packets.decode_pos))
    order = np.argsort(packets.decode_pos)
    return int(np.abs(display[order] - np.arange(len(order))).max(initial=0)) + 1


def decode_windows(events: np.ndarray, reorder: int, n: int) -> list[tuple[int, int]]:
    """Frame ranges to decode around standing-out packets, merged where they touch."""
    out: list[list[int]] = []
    for i in np.flatnonzero(events):
        first, last = int(max(0, i - reorder - 1)), int(min(n - 1, i + 1))
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return [(a, b) for a, b in out]
