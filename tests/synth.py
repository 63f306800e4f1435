"""Synthetic podcasts with known cuts, built with the real encoder for the tests.

Each scene is a distinct picture (bold shapes and text-like stripes, so the
scene detector and the sharpness picker have real structure to work with),
held still, over a sine tone whose pitch changes exactly at each cut.
"""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from podmotion.ffmpeg import EncoderSettings, encode_frames, ffmpeg_exe, run

SAMPLE_RATE = 48000


def fast_encoder(crf: int = 18) -> EncoderSettings:
    """The tests' H.264 settings for the sources and clips they make: quick to encode, one IDR every 250 frames."""
    return EncoderSettings(crf=crf, preset="veryfast", keyint_frames=250)


def scene_picture(index: int, width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(1000 + index)
    base = rng.integers(30, 225, size=3)
    yy, xx = np.mgrid[0:height, 0:width]
    img = np.empty((height, width, 3), np.float64)
    for c in range(3):
        img[..., c] = base[c] + 40 * np.sin((xx * (c + 1) + yy * (index + 2)) / (9.0 + 3 * index))
    for _ in range(6):  # rectangles of other colours
        x0, y0 = rng.integers(0, width - 8), rng.integers(0, height - 8)
        w, h = rng.integers(8, max(9, width // 3)), rng.integers(8, max(9, height // 3))
        img[y0 : y0 + h, x0 : x0 + w] = rng.integers(0, 255, size=3)
    return np.clip(img, 0, 255).astype(np.uint8)


def tone(frequencies_hz: list[float], cut_times_s: list[float], duration_s: float) -> np.ndarray:
    n = int(round(duration_s * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    bounds = [0.0, *cut_times_s, duration_s]
    out = np.zeros(n)
    phase = 0.0
    for f, a, b in zip(frequencies_hz, bounds, bounds[1:]):
        i0, i1 = int(round(a * SAMPLE_RATE)), int(round(b * SAMPLE_RATE))
        out[i0:i1] = np.sin(phase + 2 * np.pi * f * (t[i0:i1] - t[i0]))
        phase += 2 * np.pi * f * (i1 - i0) / SAMPLE_RATE
    return (0.4 * out * 32767).astype(np.int16)


def write_wav(samples: np.ndarray, path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())


def make_podcast(
    path: Path,
    cut_frames: list[int],
    total_frames: int,
    *,
    width: int = 320,
    height: int = 180,
    fps: Fraction = Fraction(25),
    audio: str | None = "aac",
    frequencies_hz: list[float] | None = None,
    audio_tail_s: float = 0.0,
    video_delay_s: float = 0.0,
    pictures: list[np.ndarray] | None = None,
) -> dict:
    """Write a podcast video; return its ground truth (cut frames, times, tones).

    ``audio_tail_s`` makes the audio run on after the last video frame (an outro);
    ``video_delay_s`` starts the video that much after the audio (a pre-roll). The
    tone changes where the picture cuts, in the container's timeline. ``pictures``:
    one RGB picture a scene, width x height (default: ``scene_picture``'s).
    """
    path = Path(path)
    bounds = [0, *cut_frames, total_frames]
    pictures = pictures or [scene_picture(i, width, height) for i in range(len(bounds) - 1)]

    def frames():
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            for _ in range(b - a):
                yield pictures[k]

    video_only = path.with_name(path.stem + ".video.mp4")
    encode_frames(frames(), video_only, width=width, height=height, fps=fps, encoder=fast_encoder())
    duration_s = total_frames / float(fps)
    cut_times_s = [c / float(fps) for c in cut_frames]
    frequencies_hz = frequencies_hz or [300.0 + 150.0 * k for k in range(len(bounds) - 1)]
    if audio is None:
        video_only.replace(path)
    else:
        wav = path.with_name(path.stem + ".wav")
        shifted = [video_delay_s + t for t in cut_times_s]
        write_wav(tone(frequencies_hz, shifted, video_delay_s + duration_s + audio_tail_s), wav)
        codec = {"aac": ["-c:a", "aac", "-b:a", "96k"], "pcm": ["-c:a", "pcm_s16le"]}[audio]
        delay = ["-itsoffset", str(video_delay_s)] if video_delay_s else []
        run([*delay, "-i", video_only, "-i", wav, "-map", "0:v", "-map", "1:a", "-c:v", "copy", *codec, path],
            about=path)  # fmt: skip
        video_only.unlink()
        wav.unlink()
    return {"cut_frames": cut_frames, "cut_times_s": [video_delay_s + t for t in cut_times_s], "fps": fps,
            "duration_s": video_delay_s + duration_s + audio_tail_s,
            "frequencies_hz": frequencies_hz, "width": width, "height": height}  # fmt: skip


__all__ = ["make_podcast", "scene_picture", "tone", "write_wav", "ffmpeg_exe", "SAMPLE_RATE"]


def make_vfr_podcast(path: Path, cut_times_s: list[float], duration_s: float, *, width: int = 160,
                     height: int = 96) -> dict:  # fmt: skip
    """A variable-rate podcast (frames 20 ms and 50 ms apart, alternating) in Matroska.

    Cut times must fall on frame times; the returned truth lists them.
    """
    import av

    times_ms, t = [], 0
    while t < duration_s * 1000:
        times_ms.append(t)
        t += 20 if len(times_ms) % 2 else 50
    cuts_ms = [min(times_ms, key=lambda x: abs(x - c * 1000)) for c in cut_times_s]
    pictures = [scene_picture(i, width, height) for i in range(len(cuts_ms) + 1)]
    video = path.with_name(path.stem + ".video.mkv")
    with av.open(str(video), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for ms in times_ms:
            scene = sum(ms >= c for c in cuts_ms)
            frame = av.VideoFrame.from_ndarray(pictures[scene], format="rgb24")
            frame.pts, frame.time_base = ms, Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    true_cuts_s = [c / 1000 for c in cuts_ms]
    total_s = (times_ms[-1] + 20) / 1000
    wav = path.with_name(path.stem + ".wav")
    write_wav(tone([300.0 + 150.0 * k for k in range(len(cuts_ms) + 1)], true_cuts_s, total_s), wav)
    run(["-i", video, "-i", wav, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", path], about=path)
    video.unlink()
    wav.unlink()
    return {"cut_times_s": true_cuts_s, "duration_s": total_s, "frames": len(times_ms)}
