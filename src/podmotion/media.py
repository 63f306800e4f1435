"""Probing media files and moving frames in and out of them (PyAV).

Times are in seconds (``*_s``), rates are exact ``Fraction`` frames per second.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Container, Iterator, Sequence

import numpy as np

from .colour import Colour, frame_rgb
from .errors import PodmotionError
from .ffmpeg import fps_arg

log = logging.getLogger(__name__)
TRUNCATION_SLACK_S = 0.1  # a stream that ends this much (and a frame) before the container says is cut short

# Audio codecs the MP4 muxer takes as they are; anything else is encoded to AAC.
MP4_COPYABLE_AUDIO = {"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac", "mp2"}


@dataclass(frozen=True)
class SourceInfo:
    """What podmotion needs to know about an input video."""

    path: str
    width: int  # coded size, before aspect ratio and rotation
    height: int
    sample_aspect_ratio: str  # "num/den"
    rotation_deg: int  # clockwise display rotation: 0, 90, 180 or 270
    display_width: int  # what a player shows, rounded to even numbers
    display_height: int
    fps: str  # constant rate to output at, "num/den"
    is_vfr: bool
    duration_s: float  # from the source's start to the end of its longest stream
    has_audio: bool
    audio_codec: str | None
    video_start_s: float = 0.0  # when the first frame shows, from the source's start (audio can lead)
    declared_duration_s: float | None = None  # what the container claims, when its streams end before that
    start_s: float = 0.0  # where the timeline starts on the container's clock (its earliest stream); kept in the output
    subtitle_codecs: list[str] = field(default_factory=list)  # one per subtitle stream, in order
    attachments: int = 0  # attached files (fonts for ASS subtitles), MKV only
    colour: dict | None = None  # how a player reads its Y'CbCr (podmotion.colour.Colour); None: BT.709, said

    @property
    def colour_reading(self) -> Colour:
        """The source's ``Colour``: its tags, or what a player guesses for them (a folder written before it was
        kept: BT.709, limited range, as every output was then)."""
        return Colour(**self.colour) if self.colour else Colour()

    @property
    def fps_fraction(self) -> Fraction:
        return Fraction(self.fps)

    def to_json(self, path: str | os.PathLike) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "SourceInfo":
        return cls(**json.loads(Path(path).read_text()))


def open_media(path: str | os.PathLike):
    import av

    if not Path(path).exists():
        raise PodmotionError(path, "file not found")
    try:
        return av.open(str(Path(path).resolve()))  # absolute: "ep:1.mp4" is a file, not a protocol
    except av.error.FFmpegError as exc:
        raise PodmotionError(path, f"not a readable media file ({exc.strerror or exc})") from None


def even(value: float) -> int:
    """Nearest even integer >= 2 (H.264 4:2:0 needs even sizes)."""
    return max(2, int(round(value / 2.0)) * 2)


def display_size(width: int, height: int, sar: Fraction, rotation_deg: int) -> tuple[int, int]:
    """Size a player shows: sample aspect ratio applied, then rotation."""
    shown_w, shown_h = even(width * sar), even(height)
    if rotation_deg % 180 == 90:
        shown_w, shown_h = shown_h, shown_w
    return shown_w, shown_h


STANDARD_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60), Fraction(120), Fraction(15),
                  Fraction(12), Fraction(10)]  # fmt: skip


def constant_rate(frame_times_s: list[float], declared: Fraction | None, tick_s: float = 0.0) -> tuple[Fraction, bool]:
    """The constant rate to output at, and whether the source is variable-rate.

    ``frame_times_s`` is a sample of presentation times, in order; ``tick_s``
    the container's timestamp unit (1 ms in MKV and WebM, where 29.97 fps
    spacings read 33 or 34 ms). When more than 5% of the spacings differ from
    the usual one by more than 2% and more than a tick and a half, the source
    is variable-rate and the output runs at the sample's average rate. A
    dropped frame here and there does not make a source variable-rate.

    A constant-rate source runs at its declared rate when that is a whole or
    NTSC (N/1001) rate the timestamps agree with, else at the standard rate
    nearest what they measure (24000/1001, 25, 30000/1001, ...), else at its
    declared rate or what the timestamps measure.
    """
    gaps = [b - a for a, b in zip(frame_times_s, frame_times_s[1:]) if b > a]
    if not gaps:
        return (Fraction(declared) if declared else Fraction(25)), False
    median = sorted(gaps)[len(gaps) // 2]
    tolerance = max(0.02 * median, 1.5 * tick_s)
    is_vfr = sum(abs(g - median) > tolerance for g in gaps) > 0.05 * len(gaps)
    average = (frame_times_s[-1] - frame_times_s[0]) / len(gaps)
    if is_vfr:
        return Fraction(1 / average).limit_denominator(1001), True
    # Over the whole sample, rounding to ticks cancels out: the measured rate is good to about a tick per sample.
    close = max(0.001, 2 * tick_s / max(frame_times_s[-1] - frame_times_s[0], 1e-9))

    def error(rate: Fraction) -> float:
        return abs(float(rate) * average - 1)

    declared = Fraction(declared).limit_denominator(1001) if declared else None
    if declared and declared.denominator in (1, 1001) and error(declared) <= close:
        return declared, False
    standard = min(STANDARD_RATES, key=error)
    if error(standard) <= close:
        return standard, False
    if declared and error(declared) <= close:
        return declared, False
    return Fraction(1 / (median if not tick_s else average)).limit_denominator(1001), False


def probe(path: str | os.PathLike) -> SourceInfo:
    """Probe a video file; raise ``PodmotionError`` naming it when it is unusable."""
    import av

    with open_media(path) as container:
        video = next((s for s in container.streams if s.type == "video"), None)
        if video is None:
            raise PodmotionError(path, "no video stream")
        audio = next((s for s in container.streams if s.type == "audio"), None)
        cc = video.codec_context
        width, height = cc.width, cc.height
        sar = Fraction(video.sample_aspect_ratio) if video.sample_aspect_ratio else Fraction(1)
        rotation_deg = 0
        first_pts_s = None
        colour = None
        try:
            for frame in container.decode(video):
                rotation_deg = rotation_of(frame)
                colour = Colour.of_frame(frame)
                width, height = frame.width, frame.height
                first_pts_s = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                break
            else:
                raise PodmotionError(path, "video stream has no decodable frames")
        except av.error.FFmpegError as exc:
            raise PodmotionError(path, f"video stream cannot be decoded ({exc.strerror or exc})") from None
        declared = video.average_rate or video.guessed_rate
        indices = [st.index for st in (video, audio) if st is not None]
        with open_media(path) as again:  # one pass over the packets: the rate sample and the real stream ends
            sample_times_s, real_ends_s = _demux(again, video.index, indices, 600)
        fps, is_vfr = constant_rate(sample_times_s, Fraction(declared) if declared else None,
                                    float(video.time_base) if video.time_base else 0.0)  # fmt: skip
        # The timeline starts where the source starts (ffmpeg's input start: the
        # earliest stream), which is before the first frame when audio leads video.
        origin_s = container.start_time / 1_000_000 if container.start_time is not None else first_pts_s
        origin_s = min(origin_s, first_pts_s)
        declared_ends_s = {}
        for stream in (video, audio):
            if stream is not None and stream.duration is not None and stream.time_base:
                start = stream.start_time or 0
                declared_ends_s[stream.index] = float((start + stream.duration) * stream.time_base)
        if not declared_ends_s and container.duration:
            declared_ends_s[video.index] = container.duration / 1_000_000 + origin_s
        if not declared_ends_s:
            raise PodmotionError(path, "duration unknown")
        declared_s = max(declared_ends_s.values()) - origin_s
        frame_s = 1 / float(fps)
        ends_s = [min(end, real_ends_s[i]) if end - real_ends_s.get(i, end) > TRUNCATION_SLACK_S + frame_s else end
                  for i, end in declared_ends_s.items()]  # fmt: skip
        duration_s = max(ends_s) - origin_s
        if duration_s < declared_s - 1e-9:
            sound = f"sound at {real_ends_s[audio.index] - origin_s:.3f} s" if audio is not None else "no sound"
            log.warning("%s: the file ends early (cut short?): picture ends at %.3f s, %s, but the container says "
                        "%.3f s; building up to %.3f s", path, real_ends_s[video.index] - origin_s, sound, declared_s,
                        duration_s)  # fmt: skip
        else:
            declared_s = None
        if duration_s <= 0:
            raise PodmotionError(path, "video has zero duration")
        shown_w, shown_h = display_size(width, height, sar, rotation_deg)
        return SourceInfo(
            path=str(path),
            width=width,
            height=height,
            sample_aspect_ratio=f"{sar.numerator}/{sar.denominator}",
            rotation_deg=rotation_deg,
            display_width=shown_w,
            display_height=shown_h,
            fps=fps_arg(fps),
            is_vfr=is_vfr,
            duration_s=duration_s,
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            video_start_s=first_pts_s - origin_s,
            declared_duration_s=declared_s,
            start_s=max(0.0, origin_s),
            subtitle_codecs=[st.codec_context.name if st.codec_context else "unknown"
                             for st in container.streams if st.type == "subtitle"],  # fmt: skip
            attachments=sum(1 for st in container.streams if st.type == "attachment"),
            colour=colour.to_dict(),
        )


def stream_ends_s(path: str | os.PathLike, indices: list[int]) -> dict[int, float]:
    """Where each stream's packets really end (s), demuxing the whole file; a broken tail ends it."""
    with open_media(path) as container:
        return _demux(container, None, indices, 0)[1]


def _demux(container, video_index: int | None, indices: list[int], limit: int) -> tuple[list[float], dict[int, float]]:
    """One demuxing pass: the first ``limit`` presentation times of stream ``video_index`` (sorted, the last few
    left out: they can still be reordering), and where each stream in ``indices`` really ends."""
    import av

    times: list[float] = []
    ends: dict[int, float] = {}
    wanted = set(indices) | ({video_index} if video_index is not None else set())
    streams = [st for st in container.streams if st.index in wanted]
    try:
        for packet in container.demux(*streams):
            index = packet.stream.index
            if index == video_index and packet.pts is not None and len(times) < limit:
                times.append(float(packet.pts * packet.time_base))
                if len(times) >= limit and not indices:
                    break
            if index in indices and packet.pts is not None and packet.size:
                end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                ends[index] = max(end, ends.get(index, end))
    except av.error.FFmpegError:
        pass  # a truncated last packet: what came before it is what there is
    times.sort()
    return times[: max(2, len(times) - 8)], ends


def rotation_of(frame) -> int:
    """A decoded frame's clockwise display rotation in degrees (PyAV reports it counter-clockwise)."""
    return int(round(-(frame.rotation or 0))) % 360


def upright_rgb(frame) -> np.ndarray:
    """A decoded frame as an RGB array, turned the way a player shows it, in the colours a player shows: read by
    its own colour tags, or as a player guesses them (``podmotion.colour``)."""
    return upright(frame_rgb(frame), rotation_of(frame))


def upright(rgb: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Apply a clockwise display rotation to pixels."""
    turns = {0: 0, 90: 3, 180: 2, 270: 1}[rotation_deg]  # np.rot90 turns counter-clockwise
    return np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb


def count_frames(path: str | os.PathLike) -> int:
    """Frames in an MP4's first video stream, from its index (no decoding)."""
    with open_media(path) as container:
        return container.streams.video[0].frames


def count_keyframes(path: str | os.PathLike) -> int:
    """Keyframes in the first video stream, from its packets (demuxed, not decoded)."""
    with open_media(path) as container:
        return sum(1 for packet in container.demux(container.streams.video[0]) if packet.is_keyframe)


def iter_frames_with_time(path: str | os.PathLike, only: Container[int] | None = None, keyframes_only: bool = False
                          ) -> Iterator[tuple[float, np.ndarray]]:  # fmt: skip
    """Yield (time_s from the first frame, RGB frame) for every frame, upright; with ``only``, for the frames
    whose index is in it (the others are decoded, not converted); with ``keyframes_only``, for the keyframes
    alone (the others not even decoded; ``only`` then counts keyframes). The decoder runs frame-threaded."""
    import av

    with open_media(path) as container:
        video = next((s for s in container.streams if s.type == "video"), None)
        if video is None:
            raise PodmotionError(path, "no video stream")
        video.thread_type = "AUTO"  # x264 writes one slice a frame: slice threads alone would leave one core
        if keyframes_only:
            video.codec_context.skip_frame = "NONKEY"
        first = None
        try:
            for index, frame in enumerate(container.decode(video)):
                t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                first = t if first is None else first
                if only is None or index in only:
                    yield t - first, upright_rgb(frame)
        except av.error.FFmpegError as exc:
            raise PodmotionError(path, f"video cannot be decoded ({exc.strerror or exc})") from None


def display_span_s(path: str | os.PathLike) -> float:
    """Seconds from the first frame shown to the last, from the packets' timestamps (demuxed, not decoded)."""
    with open_media(path) as container:
        video = container.streams.video[0]
        pts = [packet.pts for packet in container.demux(video) if packet.pts is not None]
        return float((max(pts) - min(pts)) * video.time_base) if pts else 0.0


def frames_nearest(path: str | os.PathLike, times_s: Sequence[float]) -> list[tuple[float, np.ndarray]]:
    """For each of ``times_s`` (seconds from the first frame, ascending), the (time, RGB frame) of the I or P
    frame nearest to it, upright. B-frames, the larger share of an x264 stream's frames, are not decoded (no I or
    P frame refers to them), and only the frames picked are converted. One pass; a frame nearest to several
    times is given for each."""
    import av

    picked: list[tuple[float, np.ndarray]] = []
    if not times_s:
        return picked
    with open_media(path) as container:
        video = next((s for s in container.streams if s.type == "video"), None)
        if video is None:
            raise PodmotionError(path, "no video stream")
        video.thread_type = "AUTO"
        video.codec_context.skip_frame = "BIDIR"
        first, before, converted = None, None, {}

        def rgb_of(t, frame):
            if t not in converted:
                converted.clear()  # times only grow: an earlier frame is never picked again
                converted[t] = upright_rgb(frame)
            return converted[t]

        try:
            for frame in container.decode(video):
                t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                first = t if first is None else first
                t -= first
                while len(picked) < len(times_s) and t >= times_s[len(picked)]:
                    want = times_s[len(picked)]
                    near = before if before is not None and want - before[0] < t - want else (t, frame)
                    picked.append((near[0], rgb_of(*near)))
                before = (t, frame)
        except av.error.FFmpegError as exc:
            raise PodmotionError(path, f"video cannot be decoded ({exc.strerror or exc})") from None
    if before is not None:
        picked += [(before[0], rgb_of(*before))] * (len(times_s) - len(picked))  # times past the last frame
    return picked


ALPHA_FORMATS = {".png", ".webp", ".tif", ".tiff"}  # the image formats that can carry transparency


def parse_colour(text: str, *, about: str | os.PathLike | None = None) -> tuple[int, int, int]:
    """``"#rrggbb"`` (or ``"rrggbb"``) as an RGB triple; one-line error naming ``about`` otherwise."""
    hex_digits = text.strip().removeprefix("#")
    if len(hex_digits) != 6 or any(c not in "0123456789abcdefABCDEF" for c in hex_digits):
        raise PodmotionError(about, f"colour {text!r} is not of the form #rrggbb")
    return tuple(int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))


def read_image(path: str | os.PathLike, background_rgb: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """Read an image file as an RGB uint8 array.

    Transparent pixels are composited over ``background_rgb``, with a warning
    naming the file: what a file stores under a transparent pixel (or a
    palette's transparent entry) is not what its author meant to show.
    16-bit images are reduced to 8 bits, grey ones expanded to RGB.
    """
    import cv2

    if not Path(path).exists():
        raise PodmotionError(path, "file not found")
    if Path(path).suffix.lower() not in ALPHA_FORMATS:  # JPEG and the like: EXIF orientation applied
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise PodmotionError(path, "not a readable image")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise PodmotionError(path, "not a readable image")
    if raw.dtype == np.uint16:
        raw = (raw >> 8).astype(np.uint8)
    elif raw.dtype != np.uint8:
        raw = np.clip(raw.astype(np.float64) * (255 if raw.max(initial=0) <= 1 else 1), 0, 255).astype(np.uint8)
    if raw.ndim == 2:
        return cv2.cvtColor(raw, cv2.COLOR_GRAY2RGB)
    if raw.shape[2] == 2:  # grey + alpha
        raw = cv2.cvtColor(raw[:, :, 0], cv2.COLOR_GRAY2BGR), raw[:, :, 1]
        raw = np.dstack(raw)
    rgb = cv2.cvtColor(raw[:, :, :3], cv2.COLOR_BGR2RGB)
    if raw.shape[2] < 4:
        return rgb
    alpha = raw[:, :, 3]
    if alpha.min() == 255:
        return rgb
    log.warning("%s: has transparent pixels: shown over the background colour %s", path,
                "#%02x%02x%02x" % tuple(background_rgb))
    a = alpha[:, :, None].astype(np.float32) / 255.0
    out = rgb.astype(np.float32) * a + np.array(background_rgb, np.float32) * (1.0 - a)
    return np.rint(out).astype(np.uint8)


def write_image(rgb: np.ndarray, path: str | os.PathLike) -> None:
    import cv2

    suffix = Path(path).suffix or ".png"
    ok, data = cv2.imencode(suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise PodmotionError(path, "could not encode image")
    Path(path).write_bytes(data.tobytes())
