"""The slides detector's passes in order: ``scan`` (a video file) and ``analyse`` (grids already made).

Input: the video file and its frame rate. Output: ``SlideScan``: the cut frames, holds, kinds, live regions and
what was decoded. ``python -m podmotion.slides VIDEO`` prints the cuts.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import PodmotionError
from ..media import open_media
from .compare import Compare, MIN_STEP, noise_step, still_pairs
from .decoder import Decoder, resolve_gaps
from .footage import find_footage, footage_reach
from .grids import Signatures
from .holds import holds_of, scenes_of
from .live import LIVE_MIN_SPAN_S, find_live_mask, grown, live_scenes_of, text_cells, ticking_cells
from .packets import decode_windows, read_packets, reorder_depth, standing_out
from .result import SlideScan


SETTLE_S = 0.2  # a picture must hold this long to be a hold
PROBE_S = 1.0  # decoded exactly at the start, to learn the live cells
FULL_DECODE_SHARE = 0.3  # decode everything when more than this share of packets stand out ...
SPARSE_MAX_COST = 0.7  # ... or when sparse decoding would decode more than this share of the frames anyway


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
    dec = Decoder(path, packets, sigs)
    events = standing_out(packets, fps, width * height)
    reorder = reorder_depth(packets)
    windows = decode_windows(events, reorder, n)
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
            min_scene_len_s: float = 0.6, settle_s: float = SETTLE_S, decoder: Decoder | None = None) -> SlideScan:  # fmt: skip
    """Live cells, noise step, holds and cuts from the recorded signatures.

    With a ``decoder`` (sparse mode) the gaps where two recorded frames disagree
    are decoded first; without one every frame must already be recorded.
    """
    n = len(events)
    settle_frames = max(2, int(round(settle_s * fps)))
    quiet = still_pairs(sigs, events, reorder, [])
    live = find_live_mask(sigs, quiet, MIN_STEP, fps)
    step = noise_step(sigs, quiet, live, threshold)
    if decoder is not None:
        resolve_gaps(decoder, Compare(sigs, live, step), reorder)
    # Everything that changes is decoded now: learn the live cells from the whole episode, not its start.
    # At the episode's own noise step: a keyframe's or a dissolve's compression noise is not a live region.
    pairs = still_pairs(sigs, events, reorder, [], near_events=True)
    live = live | find_live_mask(sigs, pairs, step, fps, LIVE_MIN_SPAN_S)
    made: list[Compare] = []

    def compare(mask: np.ndarray) -> Compare:  # one per mask and step: each finds its holds once
        if not (made and made[-1].same_as(mask, step)):
            made.append(Compare(sigs, mask, step))
        return made[-1]

    text = text_cells(compare(live), n, settle_frames, fps)
    footage = find_footage(compare(live | text), n, settle_frames, fps)
    if footage:  # live cells and noise again, from the still spans alone, then footage with them
        quiet = still_pairs(sigs, events, reorder, footage)
        step = noise_step(sigs, quiet, find_live_mask(sigs, quiet, MIN_STEP, fps), threshold) if quiet else step
        pairs = still_pairs(sigs, events, reorder, footage, near_events=True)
        live = find_live_mask(sigs, quiet, MIN_STEP, fps) | find_live_mask(sigs, pairs, step, fps, LIVE_MIN_SPAN_S)
        text = text_cells(compare(live), n, settle_frames, fps)
        footage = find_footage(compare(live | text), n, settle_frames, fps)
    live = live | text
    ticking = ticking_cells(compare(live), settle_frames, fps)
    if ticking.any():  # a timer or clock that ticks once a second: live too
        live = live | ticking
        text = text & ~grown(ticking)  # a timer's digits change alone and often too: a clock, not subtitles
    cmp_ = compare(live)
    holds = holds_of(cmp_, n, settle_frames)
    min_len = max(1, int(round(min_scene_len_s * fps))) if min_scene_len_s else 0
    cuts, scene_holds, kinds = scenes_of(cmp_, holds, footage, n, min_len, fps)
    return SlideScan(
        cut_frames=cuts, holds=scene_holds, n_frames=n, frame_times_s=np.arange(n) / fps, live_mask=live,
        grid_cell_px=sigs.cell_px, exact_frames=sorted(sigs.exact), step=step, decoded_frames=sigs.decoded,
        mode="full", stats={"events": int(events.sum()), "live_cells": int(live.sum()), "footage_spans": footage},
        kinds=kinds, text_mask=text, live_scenes=live_scenes_of(sigs, live, step, [0, *cuts, n], kinds),
        reach=footage_reach(cmp_, [0, *cuts, n], kinds),
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """``python -m podmotion.slides VIDEO``: print the cut frames the slides detector finds."""
    import argparse
    import json
    import time

    from ..media import probe

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

