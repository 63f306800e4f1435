"""Pad one clip to its scene's exact frame count, at the output size and rate.

The clip is decoded once, at its own size, and kept in a raw scratch file,
read back a frame at a time (``RawFrames``): the job's memory is a few frames
and the encoder's, whatever the clip's length. Each segment of the padding plan is
encoded once, and repeats are joined by stream copy; the encode cost is at
most about two periods of the clip, whatever the scene's length.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from itertools import islice
from fractions import Fraction
from pathlib import Path

import numpy as np

from .atomic import atomic_output
from .drift import Drift
from .framing import find_framing
from .errors import PodmotionError
from .ffmpeg import EncoderSettings, concat_copy, encode_frames
from .fit import fit_box, fit_frame
from .interpolate import played_positions, resample
from .media import iter_frames_with_time, open_media
from .pad_plan import PaddingPlan, Segment, plan_padding
from .timeline import resample_indices


class RawFrames:
    """Frames of one size in a raw RGB scratch file, read back one at a time with ``pread``.

    Not a memory map: pages of a mapped file that have been touched count in the job's resident memory
    (what the scheduler's ``mem_mb`` is held against) until the map is dropped; pages only read into the
    page cache do not, and the kernel frees them under pressure.
    """

    def __init__(self, path: Path, n_frames: int, height: int, width: int):
        self.path, self.n_frames, self.shape = path, n_frames, (height, width, 3)
        self.frame_bytes = height * width * 3
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.n_frames

    def __getitem__(self, index: int) -> np.ndarray:
        if not -self.n_frames <= index < self.n_frames:
            raise IndexError(f"frame {index} of {self.n_frames}")
        data = os.pread(self._fd, self.frame_bytes, (index % self.n_frames) * self.frame_bytes)
        if len(data) != self.frame_bytes:
            raise PodmotionError(self.path, f"frame {index} is cut short")
        return np.frombuffer(data, np.uint8).reshape(self.shape)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class _Fitted:
    """``RawFrames`` fitted to the output size as they are read (the last one kept: segments read in order)."""

    def __init__(self, raw: RawFrames, width: int, height: int, fit: str):
        self.raw, self.size, self.fit = raw, (width, height), fit
        self._last: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, index: int) -> np.ndarray:
        if self._last is None or self._last[0] != index:
            self._last = (index, fit_frame(self.raw[index], *self.size, self.fit))
        return self._last[1]

    def close(self) -> None:
        self.raw.close()


def _decoded_frames(clip_path: Path, scratch: Path) -> RawFrames:
    """Decode every clip frame, at the clip's own size, to a scratch file; return them (``RawFrames``)."""
    raw = scratch / "clip.rgb"
    count, shape = 0, None
    with raw.open("wb") as fh:
        for _, rgb in iter_frames_with_time(clip_path):
            shape = shape or rgb.shape
            if rgb.shape != shape:
                raise PodmotionError(clip_path, f"frame {count} is {rgb.shape[1]}x{rgb.shape[0]}, not "
                                                f"{shape[1]}x{shape[0]} as the first")  # fmt: skip
            fh.write(np.ascontiguousarray(rgb).tobytes())
            count += 1
    if not count:
        raise PodmotionError(clip_path, "clip has no frames")
    return RawFrames(raw, count, shape[0], shape[1])


def _clip_index(clip_path: Path) -> tuple[tuple[int, int], int, Fraction | None]:
    """The clip's size, frame count and average rate, from its index (nothing decoded)."""
    with open_media(clip_path) as container:
        video = container.streams.video[0]
        rate = video.average_rate
        return (video.codec_context.width, video.codec_context.height), video.frames, Fraction(rate) if rate else None


def _spill(frames, raw: Path, n: int, height: int, width: int) -> RawFrames:
    """Write ``n`` frames to ``raw``; return them (a long scene's frames need not fit in memory)."""
    count = 0
    with raw.open("wb") as fh:
        for count, rgb in enumerate(frames, 1):
            fh.write(np.ascontiguousarray(rgb).tobytes())
    if count != n:
        raise PodmotionError(raw, f"{count} frames played where {n} were planned")
    return RawFrames(raw, n, height, width)


def pad_scene(
    clip_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    n_frames: int,
    width: int,
    height: int,
    fps: Fraction,
    clip_fps: Fraction,
    strategy: str,
    fit: str,
    encoder: EncoderSettings,
    interpolate: str = "flow",
    drift_zoom: float | None = None,
    seed: int = 0,
    art_box: list[int] | None = None,
    clip_encoder: EncoderSettings | None = None,
) -> dict:
    """Write ``out_path``: the clip fitted, played at ``fps`` and padded to ``n_frames``.

    ``clip_fps`` is the rate the backend made the clip at (its sidecar says so).

    A clip at another rate (SVD's 6 fps) is played at ``fps`` by ``interpolate``:
    ``flow`` (motion-compensated), ``blend`` or ``repeat`` (see podmotion.interpolate).

    ``drift_zoom`` (None: no drift): the padded frames drift (``podmotion.drift``) inside ``art_box``
    (in the clip's pixels; None: the whole clip), the move chosen by ``seed``. Every frame is then
    encoded, and nothing is repeated by stream copy.

    ``clip_encoder``: what the clip was encoded with, where the backend made it scene-long and final
    (``Backend.scene_long``). A clip made with the output's encoder that already has the scene's frames at the
    output's size and rate, and does not drift, is passed on as it is: no second encode.
    """
    clip_path, out_path = Path(clip_path), Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if not drift_zoom:
        size, count, rate = _clip_index(clip_path)
        at_output_rate = abs(Fraction(clip_fps) / Fraction(fps) - 1) < Fraction(1, 500)
        whole = {"clip_frames": n_frames, "clip_fps": str(fps), "scene_frames": n_frames, "segments": 1,
                 "drift": None, "strategy": strategy, "interpolate": "none (clip at the output rate)"}  # fmt: skip
        if clip_encoder == encoder and size == (width, height) and count == n_frames and rate == Fraction(fps):
            with atomic_output(out_path) as tmp_out:  # made as the output is: passed on, no second encode
                shutil.copyfile(clip_path, tmp_out)
            return {**whole, "encoded_frames": 0,
                    "passed_on": "the clip is the scene's frames, encoded as the output is"}  # fmt: skip
        if at_output_rate and count >= n_frames > 1:
            # The scene's frames at the output's rate (a scene-long clip another size): streamed, fitted and
            # encoded frame by frame, never held whole.
            with atomic_output(out_path) as tmp_out:
                pictures = (fit_frame(rgb, width, height, fit) for _, rgb in iter_frames_with_time(clip_path))
                encode_frames(islice(pictures, n_frames), tmp_out, width=width, height=height, fps=fps,
                              encoder=encoder)  # fmt: skip
            return {**whole, "encoded_frames": n_frames,
                    "streamed": "the clip has the scene's frames at the output rate"}  # fmt: skip
    # Scratch (raw frames, segments) goes to $TMPDIR (Snakemake's resources.tmpdir), not results/.
    with tempfile.TemporaryDirectory(prefix=f"podmotion-pad-{out_path.stem}-") as tmp:
        scratch = Path(tmp)
        raw = _decoded_frames(clip_path, scratch)
        n_clip, (clip_h, clip_w) = len(raw), raw.shape[:2]
        if n_clip == 1 or abs(clip_fps / fps - 1) < Fraction(1, 500):
            clip_fps = Fraction(fps)  # made at the output rate: no resampling, no rounding slips
        timeline = resample_indices(n_clip, clip_fps, fps)
        if interpolate != "repeat" and clip_fps != fps and n_clip > 1:
            n_played = len(played_positions(n_clip, clip_fps, fps))
            # Interpolated at the clip's own size (a model's clip is smaller than the output: less to hold and to
            # compute, and no more to see), then fitted.
            played = (fit_frame(rgb, width, height, fit) for rgb in resample(raw, clip_fps, fps, interpolate))
            frames = _spill(played, scratch / "played.rgb", n_played, height, width)
            raw.close()
            timeline = list(range(n_played))  # already one picture per output frame, the last one not held
        else:
            frames = _Fitted(raw, width, height, fit)
        plan = plan_padding(len(timeline), n_frames, strategy, min_period_frames=encoder.keyint_frames)
        drift = None
        if drift_zoom:
            box = fit_box(art_box, clip_w, clip_h, width, height, fit)
            x, y, w, h = (int(v) for v in box)
            first = frames[timeline[0]]  # the art's text and faces, kept whole by the drift as by Ken Burns
            framing = find_framing(np.ascontiguousarray(first[y : y + h, x : x + w])) if min(w, h) >= 16 else None
            drift = Drift.plan(box, n_frames, seed, float(drift_zoom), float(fps), framing=framing)
        if drift is not None:  # every frame differs: one segment, nothing repeated by stream copy
            plan = PaddingPlan((Segment(tuple(plan.expand())),))
        parts: list[Path] = []
        for i, segment in enumerate(plan.segments):
            seg_path = scratch / f"segment_{i:02d}.mp4"
            pictures = (frames[timeline[j]] for j in segment.frames)
            encode_frames(drift.apply(pictures) if drift is not None else pictures, seg_path, width=width,
                          height=height, fps=fps, encoder=encoder)  # fmt: skip
            parts.extend([seg_path] * segment.repeats)
        with atomic_output(out_path) as tmp_out:
            if len(parts) == 1:
                shutil.move(parts[0], tmp_out)
            else:
                concat_copy(parts, tmp_out, list_path=scratch / "parts.ffconcat", fps=fps)
        frames.close()
    return {
        "clip_frames": n_clip,
        "clip_fps": str(clip_fps),
        "scene_frames": n_frames,
        "encoded_frames": plan.encoded_frames,
        "segments": len(plan.segments),
        "drift": drift.describe() if drift is not None else None,
        "strategy": strategy,
        "interpolate": interpolate if clip_fps != fps and n_clip > 1 else "none (clip at the output rate)",
    }
