"""The one place that builds and runs ffmpeg command lines.

Commands are argument lists handed to ``subprocess`` directly: no shell is
involved, so no path or user string is ever interpreted by one.

The binary is the one the imageio-ffmpeg wheel ships, pinned with the
project, so a result never depends on what happens to be on PATH. Set
``PODMOTION_FFMPEG`` to a path, or to ``ffmpeg`` for the one on PATH, to run
another; it is accepted only if it reports at least ``MIN_VERSION``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .colour import Colour
from .errors import PodmotionError

log = logging.getLogger(__name__)

# -display_rotation (6.0) and the sample-exact AAC/ALAC lengths the tests measure need at least this.
MIN_VERSION = (6, 1)
ENV_VAR = "PODMOTION_FFMPEG"


def ffmpeg_version(exe: str) -> tuple[int, int] | None:
    """(major, minor) from ``exe -version``; None for a build without a release number (a git snapshot)."""
    try:
        out = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PodmotionError(exe, f"cannot run this ffmpeg ({exc.strerror or exc}); unset {ENV_VAR} to use the pinned one") from None
    first = out.splitlines()[0] if out else ""
    if not first.startswith("ffmpeg version"):
        raise PodmotionError(exe, f"is not an ffmpeg binary (it printed {first[:60]!r}); unset {ENV_VAR} to use the pinned one")
    m = re.match(r"ffmpeg version n?(\d+)\.(\d+)", first)
    return (int(m.group(1)), int(m.group(2))) if m else None


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to run: the pinned one, or ``PODMOTION_FFMPEG`` if it is recent enough."""
    forced = os.environ.get(ENV_VAR)
    if not forced:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        log.debug("ffmpeg: %s (pinned, from imageio-ffmpeg)", exe)
        return exe
    exe = shutil.which(forced) or forced
    version = ffmpeg_version(exe)
    if version is not None and version < MIN_VERSION:
        need = ".".join(map(str, MIN_VERSION))
        raise PodmotionError(exe, f"ffmpeg {version[0]}.{version[1]} is too old: podmotion needs {need} or newer "
                                  f"(unset {ENV_VAR} to use the pinned one)")  # fmt: skip
    log.info("ffmpeg: %s (version %s, from %s)", exe, "unknown" if version is None else "%d.%d" % version, ENV_VAR)
    return exe


def _last_error_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if not ln.startswith(("Conversion failed", "Exiting normally")):
            return ln
    return "ffmpeg failed"


def run(args: Sequence[str], *, about: str | os.PathLike, stdin: bytes | Iterable[bytes] | None = None,
        stdout: bool = False) -> str:  # fmt: skip
    """Run ffmpeg with ``args``; return its stderr (or, with ``stdout``, what it wrote there), or
    raise naming ``about``.

    ``stdin``: bytes, or an iterable of byte chunks streamed to ffmpeg as they
    come (so a long clip's frames never sit in memory together). If ffmpeg stops
    reading early, the rest of the stream is not consumed and its error is raised.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *map(str, args)]
    if stdin is None or isinstance(stdin, bytes):
        proc = subprocess.run(cmd, input=stdin, capture_output=True)
        returncode, stderr = proc.returncode, proc.stderr.decode("utf-8", "replace")
        written = proc.stdout.decode("utf-8", "replace")
    else:
        with tempfile.TemporaryFile() as err:  # a file, not a pipe: ffmpeg never blocks on a full stderr
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
            try:
                for chunk in stdin:
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # ffmpeg exited: its stderr says why
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
                returncode = proc.wait()
            err.seek(0)
            stderr, written = err.read().decode("utf-8", "replace"), ""
    if returncode != 0:
        raise PodmotionError(about, _failure(returncode, stderr))
    return written if stdout else stderr


def _failure(returncode: int, stderr: str) -> str:
    """What went wrong, for the user: a full disk or a size limit says what to do."""
    import errno
    import signal

    from .errors import OS_ADVICE

    if returncode == -signal.SIGXFSZ or "File too large" in stderr:
        return OS_ADVICE[errno.EFBIG]
    if "No space left on device" in stderr:
        return OS_ADVICE[errno.ENOSPC]
    if "Read-only file system" in stderr:
        return OS_ADVICE[errno.EROFS]
    if "Permission denied" in stderr:
        return OS_ADVICE[errno.EACCES]
    return f"ffmpeg failed: {_last_error_line(stderr)}"


# x264's frame threads, the same for every encode: its output depends on their number, so tying it to the
# cores Snakemake gives a job would make a clip made by `--cores 1` (or a resumed run) differ from the same
# clip made by `--cores 8`. Two, as many as an encoding rule's threads; each more holds frames too.
X264_THREADS = 2
# The frames x264 looks ahead for its rate control, at most: the faster preset's. What a 1080p encode holds is
# mostly these frames (with medium's 40 and 4 threads, 610 MB; with 30 and 2 threads, 500 MB; with 20, 430 MB),
# and every encoding job's declared memory (podmotion.memory) counts on it. Faster presets keep their own,
# shorter one. 20 against 30, crf 18, medium: the demo's first 20 s came out 5.5 % smaller at an SSIM of 0.9966
# against 0.9968.
MAX_LOOKAHEAD_FRAMES = 20
PRESET_LOOKAHEAD_FRAMES = {"ultrafast": 0, "superfast": 0, "veryfast": 10, "faster": 20, "fast": 30, "medium": 40,
                           "slow": 50, "slower": 60, "veryslow": 60, "placebo": 60}  # fmt: skip
CLIP_KEYINT_FRAMES = 250  # x264's own default: one IDR per 250 frames in a backend's clip


@dataclass(frozen=True)
class EncoderSettings:
    """H.264 settings shared by every segment of one episode.

    Segments are joined by stream copy, so they must come out of identical
    encoder settings: same profile, level, pixel format and GOP structure.
    Every segment starts on an IDR frame and GOPs are closed, and carries its
    parameter sets in band (``repeat-headers``): a footage scene, encoded at a
    finer crf (``podmotion.footage``), has its own initial quantiser in its
    PPS, which the decoder takes from its first frame. (x264's ``stitchable``,
    or ``zones`` at one crf, would keep the PPS the same, but both make the
    threaded encoder's output vary from run to run.) The episode's
    come from its ``output`` config (``episode.output_settings``: crf, preset,
    and the keyframe interval in frames); there are no defaults here.
    """

    crf: int
    preset: str
    keyint_frames: int
    level: str = "5.1"  # the H.264 level written in the stream: see h264_level
    # How the frames' Y'CbCr values are read (podmotion.colour): the source's reading, written as it says it.
    # Every encode of an episode has the same, so its parts join by stream copy and a player reads them alike.
    colour: Colour = field(default_factory=Colour)

    def __post_init__(self):
        if isinstance(self.colour, dict):  # as a job's params carry it
            object.__setattr__(self, "colour", Colour(**self.colour))

    @classmethod
    def clip(cls, crf: int, level: str, colour: Colour | dict | None = None) -> "EncoderSettings":
        """A backend's clip, for the episode's ``crf``, ``level`` and ``colour``: the padder decodes it once,
        start to end, and encodes it again, so it is near-lossless (crf - 6) and fast, and its keyframes matter
        not. Its colour is always said, so that it is read back as it was written, whatever its size."""
        colour = Colour(**colour) if isinstance(colour, dict) else (colour or Colour())
        return cls(max(0, crf - 6), "veryfast", CLIP_KEYINT_FRAMES, level, dataclasses.replace(colour, said=True))

    def video_args(self) -> list[str]:
        x264_params = (
            f"keyint={self.keyint_frames}:min-keyint={self.keyint_frames}"
            ":scenecut=0:open-gop=0:repeat-headers=1"
        )
        if PRESET_LOOKAHEAD_FRAMES.get(self.preset, MAX_LOOKAHEAD_FRAMES) > MAX_LOOKAHEAD_FRAMES:
            x264_params += f":rc-lookahead={MAX_LOOKAHEAD_FRAMES}"
        return [
            "-c:v", "libx264",
            "-preset", self.preset,
            "-crf", str(self.crf),
            "-profile:v", "high",
            "-level:v", self.level,
            "-pix_fmt", "yuv420p",
            "-x264-params", x264_params,
            *self.colour.tags(),
            "-threads", str(X264_THREADS),
        ]  # fmt: skip


# H.264 levels (ITU-T H.264 Table A-1): level, largest frame in macroblocks, macroblocks per second.
H264_LEVELS = [("3.0", 1620, 40500), ("3.1", 3600, 108000), ("3.2", 5120, 216000), ("4.0", 8192, 245760),
               ("4.2", 8704, 522240), ("5.0", 22080, 589824), ("5.1", 36864, 983040), ("5.2", 36864, 2073600),
               ("6.0", 139264, 4177920), ("6.1", 139264, 8355840), ("6.2", 139264, 16711680)]  # fmt: skip


def h264_level(width: int, height: int, fps: Fraction | float) -> str:
    """The lowest H.264 level (3.0 at least) whose limits hold ``width`` x ``height`` at ``fps``.

    Players check the level a stream declares; one too low for its size can be
    refused or played wrong. Beyond level 6.2 no H.264 player is obliged to play it.
    """
    mbs_w, mbs_h = -(-int(width) // 16), -(-int(height) // 16)
    frame_mbs = mbs_w * mbs_h
    for level, max_frame_mbs, max_mbs_per_s in H264_LEVELS:
        # A side may not exceed sqrt(8 x the largest frame) macroblocks either.
        fits_side = max(mbs_w, mbs_h) ** 2 <= 8 * max_frame_mbs
        if frame_mbs <= max_frame_mbs and fits_side and frame_mbs * float(fps) <= max_mbs_per_s:
            return level
    raise PodmotionError(None, f"output {width}x{height} at {float(fps):g} fps is beyond H.264 level 6.2: "
                               "set output.width/height or output.max_long_side_px lower")  # fmt: skip


def fps_arg(fps: Fraction) -> str:
    return f"{fps.numerator}/{fps.denominator}"


def encode_frames(
    frames: Iterable[np.ndarray],
    out_path: str | os.PathLike,
    *,
    width: int,
    height: int,
    fps: Fraction,
    encoder: EncoderSettings,
) -> int:
    """Encode RGB frames (H×W×3 uint8) to an H.264 MP4; return the frame count.

    Each frame becomes Y'CbCr here, by the encoder's colour (its matrix and range, in floating point: FFmpeg's
    own conversion rounds a level or two away), and is streamed to ffmpeg's stdin, so memory stays at one frame.
    """

    def planes():
        for count, frame in enumerate(frames):
            if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
                raise ValueError(f"frame {count} is {frame.shape} {frame.dtype}, expected {(height, width, 3)} uint8")
            yield b"".join(plane.tobytes() for plane in encoder.colour.to_planes(frame))

    return encode_yuv420p(planes(), out_path, coded_width=width, coded_height=height, fps=fps, filters=(),
                          encoder=encoder)  # fmt: skip


def encode_yuv420p(frames: Iterable[bytes], out_path: str | os.PathLike, *, coded_width: int, coded_height: int,
                   fps: Fraction, filters: Sequence[str], encoder: EncoderSettings) -> int:  # fmt: skip
    """Encode raw yuv420p frames (``coded_width`` x ``coded_height``, as decoded) to an H.264 MP4 through
    ``filters`` (rotation, scaling); return the frame count.

    The frames are Y'CbCr as the encoder's colour reads them, and are said to be so: FFmpeg passes the values
    on as they are. (Raw frames left unsaid, FFmpeg takes them for BT.601 and converts them to a BT.709 output.)
    """
    count = 0
    chroma_w, chroma_h = (coded_width + 1) // 2, (coded_height + 1) // 2
    frame_bytes = coded_width * coded_height + 2 * chroma_w * chroma_h

    def chunks():
        nonlocal count
        for data in frames:
            if len(data) != frame_bytes:
                raise ValueError(f"frame {count} has {len(data)} bytes, expected {frame_bytes}")
            yield data
            count += 1

    run(["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{coded_width}x{coded_height}",
         *encoder.colour.tags(), "-r", fps_arg(fps), "-i", "-", "-an",
         *(["-vf", ",".join(filters)] if filters else []), *encoder.video_args(), "-r", fps_arg(fps), "-f", "mp4",
         out_path], about=out_path, stdin=chunks())  # fmt: skip
    return count


AAC_ARGS = ("-c:a", "aac", "-b:a", "192k")  # every audio podmotion encodes: once, at 192 kb/s


def decode_audio(in_path: str | os.PathLike, wav_path: str | os.PathLike, *, rate_hz: int, channels: int) -> None:
    """The first audio stream as 16-bit PCM WAV at ``rate_hz``. The ffmpeg program honours edit
    lists and gapless tags, so an AAC's or an mp3's encoder padding is trimmed."""
    run(["-loglevel", "error", "-i", Path(in_path).resolve(), "-map", "0:a:0", "-ac", str(channels), "-ar",
         str(rate_hz), "-c:a", "pcm_s16le", "-f", "wav", wav_path], about=in_path)  # fmt: skip


def encode_aac(wav_path: str | os.PathLike, out_path: str | os.PathLike) -> None:
    """Audio alone, encoded once to AAC in an MP4 (M4A) file."""
    run(["-loglevel", "error", "-i", Path(wav_path).resolve(), *AAC_ARGS, "-f", "mp4", Path(out_path).resolve()],
        about=out_path)  # fmt: skip


def audio_packet_md5(path: str | os.PathLike) -> str:
    """MD5 of the first audio stream's packets, stream-copied (the file must have audio)."""
    try:
        out = run(["-v", "error", "-i", Path(path).resolve(), "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"],
                  about=path, stdout=True)  # fmt: skip
    except PodmotionError as exc:
        raise PodmotionError(path, f"cannot read audio packets ({exc.problem})") from None
    return out.strip()


def encode_preview(in_path: str | os.PathLike, out_path: str | os.PathLike, *, long_side_px: int,
                   audio: bool, max_s: float | None = None) -> None:  # fmt: skip
    """A small H.264/AAC copy for a web page: the longer side at most ``long_side_px`` (even),
    every frame kept, quality traded for size, the audio (if asked for) mono 64 kb/s; only the first
    ``max_s`` seconds where given (the rest is not decoded)."""
    scale = (f"scale='if(gte(iw,ih),min({long_side_px},iw),-2)':'if(gte(iw,ih),-2,min({long_side_px},ih))',"
             "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1")  # fmt: skip
    limit = ["-t", f"{max_s:.3f}"] if max_s else []
    args = ["-loglevel", "error", *limit, "-i", Path(in_path).resolve(), "-map", "0:v:0", "-vf", scale,
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-pix_fmt", "yuv420p", "-profile:v", "main"]  # fmt: skip
    if audio:
        args += ["-map", "0:a:0?", "-c:a", "aac", "-b:a", "64k", "-ac", "1"]
    else:
        args += ["-an"]
    run([*args, "-movflags", "+faststart", "-f", "mp4", out_path], about=out_path)


def _quote(path: Path) -> str:
    # ffconcat quoting: wrap in single quotes, a quote itself becomes '\''
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def concat_copy(parts: Sequence[str | os.PathLike], out_path: str | os.PathLike, *, list_path: str | os.PathLike,
                fps: Fraction) -> None:  # fmt: skip
    """Join MP4 segments by stream copy (no re-encode) with the concat demuxer.

    A segment may appear several times: that is how a period is repeated.
    Each entry's duration is stated as frames/fps, so every segment starts
    exactly on the frame grid whatever the muxer guessed for its last frame.
    """
    from .media import count_frames

    frames = {p: count_frames(p) for p in {os.fspath(p) for p in parts}}
    lines = ["ffconcat version 1.0"]
    for part in parts:
        duration_s = Fraction(frames[os.fspath(part)]) / Fraction(fps)
        lines += [f"file {_quote(Path(part))}", f"duration {float(duration_s):.9f}"]
    Path(list_path).write_text("\n".join(lines) + "\n")
    run(
        ["-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list_path,
         "-map", "0:v:0", "-c", "copy", "-f", "mp4", out_path],
        about=out_path,
    )  # fmt: skip


TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}  # MP4 takes these as mov_text


def subtitle_plan(codecs: Sequence[str], attachments: int, container: str) -> tuple[list[int], list[str]]:
    """Which subtitle streams go into the output (indices among the source's), and a warning per loss.

    MP4 carries text subtitles (as mov_text) and nothing else; MKV carries
    every subtitle stream and the attachments (an ASS track's fonts).
    """
    if container == "mkv":
        return list(range(len(codecs))), []
    kept = [i for i, codec in enumerate(codecs) if codec in TEXT_SUBTITLES]
    lost = [f"subtitle stream {i} ({codec}) cannot go into MP4: left out (output.container: mkv keeps it)"
            for i, codec in enumerate(codecs) if codec not in TEXT_SUBTITLES]  # fmt: skip
    if attachments:
        lost.append(f"{attachments} attachment(s) (fonts) cannot go into MP4: left out (output.container: mkv keeps "
                    "them)")  # fmt: skip
    return kept, lost


def mux_audio(
    video_path: str | os.PathLike,
    audio_source: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    copy_audio: bool,
    has_audio: bool,
    subtitles: Sequence[int] = (),
    subtitle_codecs: Sequence[str] = (),
    attachments: bool = False,
    container: str = "mp4",
    start_s: float = 0.0,
    chapters: str | os.PathLike | None = None,
) -> None:
    """Put the source's audio (and subtitles) next to the finished video; ``+faststart`` MP4 or MKV.

    ``copy_audio`` copies the audio packets as they are; otherwise the audio is
    encoded once to AAC. ``subtitles``: the source's subtitle streams to carry
    (see ``subtitle_plan``; ``subtitle_codecs`` are all the source's), at their
    own times; ``attachments`` (MKV only). ``start_s``: where the source's
    timeline starts on its clock; the output starts there too. ``chapters``: an
    FFMETADATA file whose chapters replace any the source has.
    """
    args = ["-loglevel", "error", "-i", Path(video_path).resolve(), "-i", Path(audio_source).resolve()]
    if chapters is not None:
        args += ["-f", "ffmetadata", "-i", Path(chapters).resolve(), "-map_chapters", "2"]
    args += ["-map", "0:v:0"]
    if has_audio:
        args += ["-map", "1:a"]
    for index in subtitles:
        args += ["-map", f"1:s:{index}"]
    if attachments and container == "mkv":
        args += ["-map", "1:t"]
    args += ["-c:v", "copy"]
    if has_audio:
        args += ["-c:a", "copy"] if copy_audio else list(AAC_ARGS)
    for k, index in enumerate(subtitles):  # MP4 takes text as mov_text; MKV takes all but mov_text as it is
        codec = (subtitle_codecs[index] if index < len(subtitle_codecs) else "") if subtitle_codecs else ""
        args += [f"-c:s:{k}", "mov_text" if container == "mp4" else "srt" if codec == "mov_text" else "copy"]
    if start_s > 0:  # the source's timeline starts late on its clock (a TS cut, a late video): so does this
        args += ["-output_ts_offset", f"{start_s:.6f}"]
    if container == "mkv":
        args += ["-map_metadata", "1", "-f", "matroska", out_path]
    else:
        args += ["-map_metadata", "1", "-movflags", "+faststart", "-f", "mp4", out_path]
    run(args, about=out_path)


def overlay_regions(video_path: str | os.PathLike, source_path: str | os.PathLike, out_path: str | os.PathLike, *,
                    boxes: Sequence[tuple[int, int, int, int]], width: int, height: int, fps: Fraction,
                    encoder: EncoderSettings, source_start_s: float = 0.0, n_frames: int | None = None) -> None:  # fmt: skip
    """Re-encode ``video_path`` with each box taken from the source, frame by frame.

    The source, from ``source_start_s`` on (seconds from its start: where
    ``video_path`` begins in it), is scaled to the video's size (square
    pixels, upright) and put on the video's frame grid; at every frame each
    box shows the source's own picture at that instant. Boxes are (x, y,
    width, height) at the video's size. ``n_frames``: the video's frames.
    """
    # The source's values are the output's (its colour is the source's reading), and so are the video's: both
    # labelled so, nothing converts them, and the output says what the episode's other parts say.
    same = encoder.colour.setparams()
    chains = [f"[1:v]{same},scale={width}:{height},setsar=1,fps={fps_arg(fps)},split={len(boxes)}"
              + "".join(f"[s{k}]" for k in range(len(boxes))), f"[0:v]{same}[v]"]  # fmt: skip
    last = "v"
    for k, (x, y, w, h) in enumerate(boxes):
        chains.append(f"[s{k}]crop={w}:{h}:{x}:{y}[c{k}]")
        chains.append(f"[{last}][c{k}]overlay={x}:{y}:eof_action=repeat[o{k}]")
        last = f"o{k}"
    # A quarter frame early: the source frame at exactly the start is kept, whatever the rounding of its time.
    seek = ["-ss", f"{max(0.0, source_start_s - 0.25 / float(fps)):.6f}"] if source_start_s > 0 else []
    run(
        ["-loglevel", "error", "-i", Path(video_path).resolve(), *seek, "-i", Path(source_path).resolve(),
         "-filter_complex", ";".join(chains), "-map", f"[{last}]", "-an", *encoder.video_args(),
         *(["-frames:v", str(n_frames)] if n_frames else []), "-r", fps_arg(fps), "-f", "mp4", out_path],
        about=out_path,
    )  # fmt: skip
