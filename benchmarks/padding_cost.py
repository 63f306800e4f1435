"""Padding cost: repeat-by-stream-copy against encoding every frame, side by side.

A 40-second scene from a 4-second clip at 1280x720, 30 fps. The padder
encodes at most about two periods and stream-copies the repeats. The naive way
encodes all 1200 frames. Both produce the same frame sequence at the same
settings. Prints wall time, encoded frames and the ratio.

    .venv/bin/python benchmarks/padding_cost.py [--preset medium] [--scene-s 40] [--clip-s 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from podmotion.backends import AnimateRequest
from podmotion.backends.kenburns import animate
from podmotion.ffmpeg import EncoderSettings, encode_frames
from podmotion.media import iter_frames_with_time, write_image
from podmotion.pad import pad_scene
from podmotion.pad_plan import plan_padding


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--scene-s", type=float, default=40.0)
    ap.add_argument("--clip-s", type=float, default=4.0)
    ap.add_argument("--strategy", default="pingpong")
    args = ap.parse_args()
    width, height, fps = 1280, 720, Fraction(30)
    encoder = EncoderSettings(crf=18, preset=args.preset, keyint_frames=120)
    n_scene = round(args.scene_s * fps)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rng = np.random.default_rng(0)
        still = (rng.random((900, 1600, 3)) * 255).astype(np.uint8)
        still = np.ascontiguousarray(np.repeat(np.repeat(still[::20, ::20], 20, 0), 20, 1))
        write_image(still, tmp / "still.png")
        animate(AnimateRequest(tmp / "still.png", tmp / "clip.mp4", width, height, fps, args.clip_s, seed=1,
                               options={"duration_s": args.clip_s}, encoder=EncoderSettings.clip(encoder.crf, encoder.level)))  # fmt: skip

        t0 = time.perf_counter()
        report = pad_scene(tmp / "clip.mp4", tmp / "planned.mp4", n_frames=n_scene, width=width, height=height,
                           fps=fps, clip_fps=fps, strategy=args.strategy, fit="cover", encoder=encoder)  # fmt: skip
        planned_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        frames = [f for _, f in iter_frames_with_time(tmp / "clip.mp4")]
        order = plan_padding(len(frames), n_scene, args.strategy).expand()
        encode_frames((frames[i] for i in order), tmp / "naive.mp4", width=width, height=height, fps=fps,
                      encoder=encoder)  # fmt: skip
        naive_s = time.perf_counter() - t0

    print(f"scene {args.scene_s:g} s from a {args.clip_s:g} s clip, {width}x{height} @ {fps} fps, "
          f"x264 {args.preset}, {args.strategy}")  # fmt: skip
    print(f"{'method':<28}{'wall s':>10}{'frames encoded':>16}")
    print(f"{'padder (encode once, copy)':<28}{planned_s:>10.2f}{report['encoded_frames']:>16}")
    print(f"{'naive (encode every frame)':<28}{naive_s:>10.2f}{n_scene:>16}")
    print(f"speed-up: {naive_s / planned_s:.2f}x; encoded frames ratio: {n_scene / report['encoded_frames']:.2f}x")


if __name__ == "__main__":
    main()
