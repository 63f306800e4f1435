"""Footage scenes: the source's own frames, passed through.

A footage scene (``podmotion.segments``: an intro, a clip, an outro) is not
animated, laid out or padded. Its output frames are the source's frames at
those instants, decoded and encoded once at the output's settings, so that
they join the padded still scenes by stream copy. The cost is that scene's
own frames' encode, nothing more.

Output frame F of the episode shows at ``F / fps`` from the source's start;
it shows the source frame on screen at that instant: the last one whose time
is at most that (the first frame, before the source's first). At the
source's own rate that is source frame ``F`` less the lead, exactly.

The frames go to the encoder as the decoder gives them (yuv420p, no RGB
round trip, no colour matrix applied), turned upright and scaled only where
the output asks for it, so the luma is the source's but for one encode, at
``output.crf`` less ``FOOTAGE_CRF_OFFSET``.

Why not copy the source's packets: the episode is one H.264 track joined by
stream copy, so every part must come out of the same encoder settings
(profile, level, closed GOPs starting on an IDR, the same parameter sets).
A source encoded elsewhere (x264 at its defaults: open GOPs, keyframes at its
own scene cuts, its own level) shares none of that, and its keyframes rarely
fall on a scene's first frame, so copying would need a re-encode of the head
of each scene anyway and a second parameter set mid-track, which not every
player follows. One encode per footage frame is exact and as cheap.
"""

from __future__ import annotations

import json
import logging
import os
import time
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from .atomic import atomic_output
from .colour import frame_planes
from .errors import PodmotionError
from .ffmpeg import EncoderSettings, encode_yuv420p
from .media import SourceInfo, open_media

log = logging.getLogger(__name__)

TIME_SLACK_S = 1e-4  # a source frame this close after an output frame's time is on screen at it
# Footage is encoded this much finer than output.crf: it was compressed once already, and a second
# generation at the same crf softens camera texture. The real city clip, re-encoded at preset veryfast,
# worst frame's luma PSNR to the source: crf 18, 38.2 dB; crf 14, 41.4 (39.4 at 29.97 fps, its frames
# repeated); crf 12, 43.0 (tests/test_footage_workflow.py asks 40). Stills are spared it: they are made
# anew from one picture.
FOOTAGE_CRF_OFFSET = 6


def upright_filters(source: SourceInfo, width: int, height: int, fit: str) -> list[str]:
    """ffmpeg filters from the decoded picture to the output: upright, square pixels, fitted to ``width`` x ``height``
    (``cover`` crops, ``contain`` letterboxes), with nothing done that isn't needed."""
    turn = {0: [], 90: ["transpose=clock"], 180: ["hflip", "vflip"], 270: ["transpose=cclock"]}[source.rotation_deg]
    shown = (source.height, source.width) if source.rotation_deg % 180 else (source.width, source.height)
    filters = list(turn)
    display = (source.display_width, source.display_height)
    if shown != display:  # non-square pixels made square
        filters.append(f"scale={display[0]}:{display[1]}")
    if display != (width, height):
        if display[0] * height == display[1] * width:
            filters.append(f"scale={width}:{height}")
        elif fit == "cover":
            filters += [f"scale={width}:{height}:force_original_aspect_ratio=increase", f"crop={width}:{height}"]
        else:
            filters += [f"scale={width}:{height}:force_original_aspect_ratio=decrease",
                        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2"]  # fmt: skip
    # The decoded values go on as they are: the raw frames are said to be in the output's colour, which is the
    # source's reading (podmotion.colour), so ffmpeg converts nothing, as a stream copy would not.
    return [*filters, "setsar=1"]


def _yuv420p(frame) -> bytes:
    """The frame's own Y'CbCr values as raw yuv420p, cropped to even sides: 4:4:4 chroma averaged 2x2, deeper
    samples rounded to 8 bits; a frame that is not Y'CbCr converted by FFmpeg."""
    import cv2

    w, h = frame.width - frame.width % 2, frame.height - frame.height % 2
    planes = frame_planes(frame)
    if planes is None:
        return frame.reformat(width=w, height=h, format="yuv420p").to_ndarray(format="yuv420p").tobytes()
    y, u, v = planes
    if u.shape == y.shape:  # 4:4:4
        u, v = (cv2.resize(c[:h, :w], (w // 2, h // 2), interpolation=cv2.INTER_AREA) for c in (u, v))
    return b"".join(np.ascontiguousarray(p).tobytes() for p in (y[:h, :w], u[: h // 2, : w // 2], v[: h // 2, : w // 2]))


def _source_frames(path: str | os.PathLike, source: SourceInfo, first_frame: int, n_frames: int,
                   fps: Fraction) -> Iterator[bytes]:  # fmt: skip
    """The yuv420p picture of each output frame, decoded from the keyframe before the first."""
    import av

    first_s = float(Fraction(first_frame) / fps)
    with open_media(path) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        tb = video.time_base
        origin_pts = next((f.pts or 0 for f in container.decode(video)), None)
        if origin_pts is None:
            raise PodmotionError(path, "video stream has no frames")
        lead_s = source.video_start_s
        target_pts = origin_pts + int(max(0.0, first_s - lead_s - 1.0) / tb)
        container.seek(target_pts, stream=video, backward=True, any_frame=False)
        current, current_bytes = None, None
        i = 0
        try:
            for frame in container.decode(video):
                t = lead_s + float((frame.pts - origin_pts) * tb) if frame.pts is not None else lead_s
                while i < n_frames and t > float(Fraction(first_frame + i) / fps) + TIME_SLACK_S:
                    if current is None:  # before the source's first frame: the first frame shows
                        current, current_bytes = frame, _yuv420p(frame)
                    yield current_bytes
                    i += 1
                if i >= n_frames:
                    return
                current, current_bytes = frame, _yuv420p(frame)
        except av.error.FFmpegError as exc:
            raise PodmotionError(path, f"video cannot be decoded ({exc.strerror or exc})") from None
        if current is None:
            raise PodmotionError(path, f"no frame at or after {first_s:.3f} s to pass through")
        while i < n_frames:  # the source's last frame stays up until the scene's end
            yield current_bytes
            i += 1


def pass_through(source_path: str | os.PathLike, out_path: str | os.PathLike, *, source: SourceInfo,
                 first_frame: int, n_frames: int, width: int, height: int, fps: Fraction, fit: str,
                 encoder: EncoderSettings) -> dict:  # fmt: skip
    """Write ``out_path``: output frames ``first_frame`` .. ``first_frame + n_frames - 1`` of the episode, as the
    source shows them, encoded at the output's settings. Returns what was done, for the sidecar."""
    if n_frames < 1:
        raise PodmotionError(out_path, "a footage scene needs at least one output frame")
    started = time.perf_counter()
    coded = (source.width - source.width % 2, source.height - source.height % 2)
    filters = upright_filters(source, width, height, fit)
    with atomic_output(out_path) as tmp:
        written = encode_yuv420p(_source_frames(source_path, source, first_frame, n_frames, fps), tmp,
                                 coded_width=coded[0], coded_height=coded[1], fps=fps, filters=filters,
                                 encoder=encoder)  # fmt: skip
    if written != n_frames:
        raise PodmotionError(out_path, f"{written} frames written where the scene owns {n_frames}")
    seconds = round(time.perf_counter() - started, 3)
    log.info("%s: %d source frames passed through from %s (output frames %d-%d), %.1f s", out_path, n_frames,
             Path(source_path).name, first_frame, first_frame + n_frames - 1, seconds)  # fmt: skip
    return {"first_frame": first_frame, "frames": n_frames, "fps": str(fps), "filters": filters,
            "encoded_frames": n_frames, "seconds": seconds}  # fmt: skip


def write_sidecar(path: str | os.PathLike, result: dict) -> None:
    """The scene's sidecar, as an animated clip's says what made it: ``backend`` and ``kind`` footage, the
    seconds the pass-through took, and its ``result``."""
    data = {"backend": "footage", "kind": "footage", "seed": None, "seconds": result["seconds"], "result": result}
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
