"""Rebuild resources/demo/episode.mp4, the demo podcast (the result is committed).

Needs scikit-image (for its bundled sample photographs) and espeak-ng (for the
narration); neither is needed to run podmotion. Each photograph is shown, as a
podcast would show it (letterboxed over a blurred copy, with a caption), for as
long as its paragraph of narration lasts.

    python resources/demo/make_demo.py
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from podmotion.ffmpeg import EncoderSettings, encode_frames, run

HERE = Path(__file__).parent
WIDTH, HEIGHT, FPS = 1280, 720, Fraction(30)

SCENES = [
    ("astronaut", "Welcome to Looking Up, the podcast about people who build things that fly. "
     "Today we start with Eileen Collins, the first woman to pilot and then command a space shuttle."),
    ("rocket", "Getting anywhere begins with a rocket. Here a Falcon nine lifts off carrying the DSCOVR "
     "satellite, bound for a point a million miles away, between the Earth and the Sun."),
    ("hubble_deep_field", "And once you are up there, you can look back in time. This is the Hubble deep field: "
     "almost every speck of light in it is a galaxy."),
    ("coffee", "Of course, all of that work runs on coffee. Lots of coffee."),
    ("chelsea", "And this is Chelsea, who supervises the whole operation from a sunny windowsill. "
     "Thanks for listening, and keep looking up."),
]


def speak(text: str, wav_path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav_path), text], check=True)


def wav_samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def compose_slide(photo: np.ndarray, caption: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A WIDTH x HEIGHT slide: the RGB ``photo`` letterboxed over a blurred, darkened copy of itself, with
    ``caption`` at the bottom; and where the photo went, (x, y, width, height) in pixels."""
    backdrop = cv2.resize(photo, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    backdrop = (cv2.GaussianBlur(backdrop, (0, 0), 25) * 0.45).astype(np.uint8)
    h, w = photo.shape[:2]
    scale = min((HEIGHT - 120) / h, (WIDTH - 80) / w)
    fg = cv2.resize(photo, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    y0, x0 = 30, (WIDTH - fg.shape[1]) // 2
    backdrop[y0 : y0 + fg.shape[0], x0 : x0 + fg.shape[1]] = fg
    cv2.putText(backdrop, caption, (40, HEIGHT - 32), cv2.FONT_HERSHEY_DUPLEX, 1.1, (240, 240, 240), 2, cv2.LINE_AA)
    return backdrop, (x0, y0, fg.shape[1], fg.shape[0])


def slide(name: str, caption: str) -> np.ndarray:
    """The slide for scikit-image's sample photograph ``name``."""
    photo = getattr(data, name)()
    if photo.ndim == 2:
        photo = np.stack([photo] * 3, axis=-1)
    return compose_slide(photo[..., :3].astype(np.uint8), caption)[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pieces, frames_per_scene, rate = [], [], None
        for i, (name, text) in enumerate(SCENES):
            speak(text, tmp / f"{i}.wav")
            samples, rate = wav_samples(tmp / f"{i}.wav")
            pause = np.zeros(int(0.6 * rate), np.int16)
            pieces += [samples, pause]
            frames_per_scene.append(round((len(samples) + len(pause)) / rate * FPS))
        narration = np.concatenate(pieces)
        with wave.open(str(tmp / "narration.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(narration.tobytes())
        slides = [slide(name, f"Looking Up  |  episode 1  |  {i + 1}/{len(SCENES)}") for i, (name, _) in enumerate(SCENES)]

        def frames():
            for picture, count in zip(slides, frames_per_scene):
                for _ in range(count):
                    yield picture

        encode_frames(frames(), tmp / "video.mp4", width=WIDTH, height=HEIGHT, fps=FPS,
                      encoder=EncoderSettings(crf=23, preset="slow", keyint_frames=300))  # fmt: skip
        out = HERE / "episode.mp4"
        run(["-i", tmp / "video.mp4", "-i", tmp / "narration.wav", "-map", "0:v", "-map", "1:a", "-c:v", "copy",
             "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-movflags", "+faststart", "-shortest", out], about=out)  # fmt: skip
        cuts = np.cumsum(frames_per_scene)[:-1]
        print(f"{out}: {float(sum(frames_per_scene) / FPS):.2f} s, cuts at frames {list(map(int, cuts))}")


if __name__ == "__main__":
    main()
