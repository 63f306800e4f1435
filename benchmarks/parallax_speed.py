"""The parallax backend's cost against Ken Burns' on the same scene, side by side in one run, depth included.

One still scene of ``--seconds`` at ``--size`` (1080 by default, 16:9): a textured storybook illustration with a
title line and its true depth (``tests/illustrations.py``). Each backend makes the scene's whole clip as the
animate job does, at the output's default encoder settings (a scene-long clip is final). Parallax's depth is
timed apart, as its own job would run it: Depth Anything V2 Small's architecture (24.8 M parameters, random
weights: the time does not depend on their values) on the picture, on the CPU. The move itself is rendered from
the picture's true depth, so its layers are the picture's. It prints each part's seconds and the ratio the issue
asks for: (depth + parallax clip) / Ken Burns clip, which should be at most 2.

    .venv/bin/python benchmarks/parallax_speed.py [--size 1080] [--seconds 30] [--threads 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from illustrations import depth_scene, write_depth_png  # noqa: E402

from podmotion.backends import BACKENDS, AnimateRequest  # noqa: E402
from podmotion.ffmpeg import EncoderSettings  # noqa: E402
from podmotion.media import write_image  # noqa: E402
from podmotion.settings import schema_defaults  # noqa: E402

FPS = Fraction(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1080, help="the output's height (16:9)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    height = args.size
    width = round(height * 16 / 9 / 2) * 2
    output = schema_defaults("output")
    encoder = EncoderSettings(crf=output["crf"], preset=output["preset"], keyint_frames=250)
    with tempfile.TemporaryDirectory(prefix="parallax-speed-") as scratch:
        folder = Path(scratch)
        rgb, depth, _ = depth_scene("storybook", width, height, seed=1, title="THE LONG WALK HOME")
        write_image(rgb, folder / "still.png")
        write_depth_png(folder / "depth.png", depth)
        request = AnimateRequest(image_path=folder / "still.png", out_path=folder / "k.mp4", width=width,
                                 height=height, fps=FPS, max_duration_s=args.seconds, seed=7, encoder=encoder,
                                 threads=args.threads)  # fmt: skip

        from podmotion.depth.model import DepthSpec, estimate, load
        from podmotion.depth.random_model import save_random_model

        model = save_random_model(folder / "depth-anything-v2-small-random", small=True)
        spec = DepthSpec(str(model))
        started = time.perf_counter()
        load(spec)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        estimate(rgb, spec, threads=args.threads)
        depth_s = time.perf_counter() - started

        times = {}
        for name, changes in (("kenburns", {}), ("parallax", {"depth_path": folder / "depth.png"})):
            started = time.perf_counter()
            report = BACKENDS[name].animate(_replace(request, out_path=folder / f"{name}.mp4", **changes))
            times[name] = time.perf_counter() - started
            extra = report.get("depth", {})
            print(f"{name:9s} {report['frames']} frames in {times[name]:.1f} s "
                  f"({times[name] / report['frames'] * 1000:.1f} ms a frame)"
                  + (f"; {extra['layers']} layers, depth pace {extra['pace_widths_per_s']}" if extra else ""))
        total = depth_s + load_s + times["parallax"]
        print(f"depth: Depth Anything V2 Small (random weights) {depth_s:.2f} s on {width}x{height} "
              f"(+ {load_s:.2f} s to load)")
        print(f"{width}x{height}, {args.seconds:g} s at {FPS} fps, {args.threads} threads: "
              f"parallax with its depth {total:.1f} s / kenburns {times['kenburns']:.1f} s = "
              f"{total / times['kenburns']:.2f}x (goal: at most 2x)")


def _replace(request: AnimateRequest, **changes) -> AnimateRequest:
    import dataclasses

    return dataclasses.replace(request, **changes)


if __name__ == "__main__":
    main()
