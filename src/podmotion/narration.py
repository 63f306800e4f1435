"""Narration for image-folder topics: decode every scene's file, join them end to end, once.

All narration is decoded to 48 kHz stereo PCM and joined sample-exactly, so the
scene boundaries ``T_k`` are exact sums of sample counts: no clicks or gaps
from joining compressed streams, and no drift however many scenes. The joined
PCM is encoded once (``ffmpeg.encode_aac``) for the merged episode, and cut per scene for the
combined clips.
"""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from .errors import PodmotionError
from .ffmpeg import decode_audio
from .media import open_media

RATE_HZ = 48000
CHANNELS = 2


def decode(path: str | os.PathLike) -> np.ndarray:
    """The file's first audio stream as int16 ``(samples, 2)`` at 48 kHz.

    Decoded by the ffmpeg program (``ffmpeg.decode_audio``), which trims an AAC's
    or an mp3's encoder padding, so the length is the true one.
    """
    with open_media(path) as container:  # a one-line error for a missing or unreadable file
        if not container.streams.audio:
            raise PodmotionError(path, "has no audio stream")
    with tempfile.TemporaryDirectory(prefix="podmotion-narration-") as tmp:
        wav = Path(tmp) / "decoded.wav"
        decode_audio(path, wav, rate_hz=RATE_HZ, channels=CHANNELS)
        with wave.open(str(wav), "rb") as w:
            samples = np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, CHANNELS)
    if not len(samples):
        raise PodmotionError(path, "audio stream is empty")
    return samples.copy()


def silence(duration_s: float) -> np.ndarray:
    return np.zeros((round(duration_s * RATE_HZ), CHANNELS), np.int16)


def write_wav(samples: np.ndarray, path: str | os.PathLike) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(np.ascontiguousarray(samples).tobytes())


def read_wav_span(path: str | os.PathLike, start_sample: int, end_sample: int) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        w.setpos(start_sample)
        data = w.readframes(end_sample - start_sample)
    return np.frombuffer(data, np.int16).reshape(-1, CHANNELS)
