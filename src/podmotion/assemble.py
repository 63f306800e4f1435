"""Join the padded scenes and put the source's audio back."""

from __future__ import annotations

import logging
import os
import tempfile
from fractions import Fraction
from pathlib import Path

from .atomic import atomic_output
from .errors import PodmotionError
from .ffmpeg import concat_copy, mux_audio
from .media import MP4_COPYABLE_AUDIO, SourceInfo, probe

log = logging.getLogger(__name__)


JOINED_PARTS = ("video",)  # results/NAME/NAME_video.mp4: temporary, before the mux


def leftover_parts(final_path: str | os.PathLike, name: str) -> list[Path]:
    """The joined (and live-region) videos left beside a finished episode, which are older than it.

    Snakemake removes these temporary files itself, but not always when the
    run fails elsewhere (--keep-going). One newer than the finished episode is
    kept: it belongs to a run that is remaking the episode.
    """
    final = Path(final_path)
    if not final.is_file():
        return []
    parts = (final.with_name(f"{name}_{part}.mp4") for part in JOINED_PARTS)
    return [p for p in parts if p.is_file() and p.stat().st_mtime <= final.stat().st_mtime]


def concat_scenes(parts: list[str | os.PathLike], out_path: str | os.PathLike, fps: Fraction) -> None:
    """Join padded scene clips, in order, by stream copy."""
    if not parts:
        raise PodmotionError(out_path, "no scenes to join")
    out_path = Path(out_path)
    with atomic_output(out_path) as tmp, tempfile.TemporaryDirectory(prefix="podmotion-concat-") as scratch:
        concat_copy(parts, tmp, list_path=Path(scratch) / "scenes.ffconcat", fps=fps)


def live_boxes_at_output(boxes_display: list, source: SourceInfo, width: int, height: int) -> list | None:
    """Live boxes (source display pixels) at the output's size, on even pixels; None when the
    output has another aspect ratio than the source (the boxes would not line up)."""
    sx, sy = width / source.display_width, height / source.display_height
    if abs(sx / sy - 1) > 0.01:
        return None
    out = []
    for x, y, w, h in boxes_display:
        x0, y0 = 2 * int(x * sx / 2), 2 * int(y * sy / 2)
        x1, y1 = min(width, 2 * -(-int((x + w) * sx) // 2)), min(height, 2 * -(-int((y + h) * sy) // 2))
        if x1 > x0 and y1 > y0:
            out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def keep_live(padded_path: str | os.PathLike, source_path: str | os.PathLike, out_path: str | os.PathLike, *,
              boxes: list, first_frame: int, n_frames: int, width: int, height: int, fps: Fraction,
              encoder) -> None:  # fmt: skip
    """One still scene's padded clip with the live regions (waveform, progress bar, subtitles, a camera box)
    taken from the source, frame by frame: the scene owns output frames ``first_frame`` on, ``n_frames`` of
    them. Its only encode beyond the padding; footage scenes never come here."""
    from .ffmpeg import overlay_regions
    from .media import count_frames

    if not boxes:
        raise PodmotionError(padded_path, "no live regions to take from the source")
    with atomic_output(out_path) as tmp:
        overlay_regions(padded_path, source_path, tmp, boxes=boxes, width=width, height=height, fps=fps,
                        encoder=encoder, source_start_s=float(Fraction(first_frame) / fps), n_frames=n_frames)  # fmt: skip
        written = count_frames(tmp)
        if written != n_frames:
            raise PodmotionError(out_path, f"{written} frames where the scene owns {n_frames}")
    log.info("%s: %d live region(s) taken from %s frame by frame, output frames %d-%d: %s", out_path, len(boxes),
             source_path, first_frame, first_frame + n_frames - 1, boxes)  # fmt: skip


def mux(video_path: str | os.PathLike, source: SourceInfo, out_path: str | os.PathLike, frame_rate,
        chapters: list | None = None) -> str:  # fmt: skip
    """Write the final file (MP4, or MKV when ``out_path`` ends in ``.mkv``): the video as it is,
    the source's audio copied packet for packet when the container can hold it, otherwise
    encoded once to AAC, and its subtitles where the container can carry them (a warning names
    each one it can't); ``chapters`` (``podmotion.chapters.Chapter``), timed at ``frame_rate``.
    Returns what was done with the audio.

    The result must last as long as the source to within one frame at ``frame_rate``.
    """
    from .ffmpeg import subtitle_plan

    container = "mkv" if Path(out_path).suffix.lower() == ".mkv" else "mp4"
    if not source.has_audio:
        how = "none (the source has no audio)"
    elif container == "mkv" or source.audio_codec in MP4_COPYABLE_AUDIO:
        how = f"copied ({source.audio_codec})"
    else:
        how = f"encoded to AAC ({source.audio_codec} cannot go in MP4 as it is)"
    subtitles, lost = subtitle_plan(source.subtitle_codecs, source.attachments, container)
    for problem in lost:
        log.warning("%s: %s", source.path, problem)
    carry = {"subtitles": subtitles, "subtitle_codecs": source.subtitle_codecs, "attachments": bool(source.attachments),
             "container": container, "start_s": source.start_s}  # fmt: skip
    with atomic_output(out_path) as tmp, tempfile.TemporaryDirectory(prefix="podmotion-mux-") as scratch:
        if chapters:
            from .chapters import ffmetadata

            carry["chapters"] = Path(scratch) / "chapters.ffmeta"
            carry["chapters"].write_text(ffmetadata(chapters, Fraction(frame_rate)), encoding="utf-8")
        try:
            mux_audio(video_path, source.path, tmp, copy_audio=how.startswith("copied"), has_audio=source.has_audio,
                      **carry)  # fmt: skip
        except PodmotionError as exc:
            if not how.startswith("copied"):
                raise
            log.warning("audio copy failed (%s); encoding to AAC instead", exc.problem)
            how = f"encoded to AAC (copying {source.audio_codec} failed)"
            mux_audio(video_path, source.path, tmp, copy_audio=False, has_audio=True, **carry)
        result = probe(tmp)
        drift_s = result.duration_s - source.duration_s
        if abs(drift_s) > 1 / float(frame_rate):
            raise PodmotionError(out_path, f"duration {result.duration_s:.3f} s differs from the source's "
                                 f"{source.duration_s:.3f} s by more than one frame")  # fmt: skip
    kept = f"; {len(subtitles)} subtitle stream(s) kept" if subtitles else ""
    log.info("%s: audio %s; duration %.3f s (source %.3f s, %+.1f ms)%s", out_path, how, result.duration_s,
             source.duration_s, drift_s * 1000, kept)  # fmt: skip
    return how


def combine_scene(padded_path: str | os.PathLike, scenes_dir: str | os.PathLike, scene: int,
                  out_path: str | os.PathLike, fps: Fraction) -> float:  # fmt: skip
    """One topic scene's padded clip with its own narration (cut from the joined PCM, encoded to AAC).

    Returns the difference between the clip's and the narration's length, in seconds; more than
    one frame is an error.
    """
    from . import narration
    from .media import count_frames
    from .scene_folder import SceneFolder

    folder = SceneFolder(scenes_dir)
    span = (folder.narration() or {}).get(scene)
    if span is None:
        raise PodmotionError(scenes_dir, f"no narration for scene {scene} (only a topic's scene folder has it)")
    a, b = span.start_sample, span.end_sample
    audio_s = float(span.duration_s)
    video_s = count_frames(padded_path) / float(fps)
    drift_s = video_s - audio_s
    if abs(drift_s) > 1 / float(fps):
        raise PodmotionError(padded_path, f"lasts {video_s:.3f} s but its narration {audio_s:.3f} s")
    with atomic_output(out_path) as tmp, tempfile.TemporaryDirectory(prefix="podmotion-combine-") as scratch:
        wav = Path(scratch) / "narration.wav"
        narration.write_wav(narration.read_wav_span(folder.narration_pcm, a, b), wav)
        mux_audio(padded_path, wav, tmp, copy_audio=False, has_audio=True)
    log.info("%s: %.3f s of video, %.3f s of narration (%+.1f ms)", out_path, video_s, audio_s, drift_s * 1000)
    return drift_s
