"""What benchmarks/art_paste.py and benchmarks/encoder_lookahead.py animate: one 1920x1080 template still
(tests/templates.py: background, header, logo, the art slot, a caption) and the settings of its scene-long
Ken Burns move, as the animate job gets them."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from templates import art_picture, template_background, template_boxes  # noqa: E402  (tests/ is not a package)

from podmotion.episode import OutputSettings  # noqa: E402
from podmotion.ffmpeg import EncoderSettings  # noqa: E402
from podmotion.job_settings import animate_job_settings  # noqa: E402
from podmotion.settings import schema_defaults  # noqa: E402

W, H, FPS = 1920, 1080, Fraction(30)


def template_still() -> np.ndarray:
    """The template at W x H with the first slide's art in its slot."""
    x, y, w, h = template_boxes(W, H)["art"]
    picture = template_background(W, H)
    picture[y : y + h, x : x + w] = art_picture(0, w, h)
    return picture


def scene_long_settings(n_frames: int, crf: int = 18) -> dict:
    """The animate job's settings for a scene-long move of ``n_frames`` in the art slot, encoded as the output
    is (crf, medium)."""
    output = OutputSettings(W, H, FPS, EncoderSettings(crf, "medium", 120, "4.0"))
    config = {"animate": {**schema_defaults("animate"), "kenburns": schema_defaults("animate", "kenburns")},
              "pad": schema_defaults("pad"), "overrides": {}}  # fmt: skip
    settings = animate_job_settings(config, "ep", 1, "kenburns", output=output, n_frames=n_frames,
                                    art_box=list(template_boxes(W, H)["art"]), still_size=(W, H))  # fmt: skip
    assert settings.get("final"), settings  # a scene-long move at the output's size: encoded as the output is
    return settings


def parse_args(doc: str) -> argparse.Namespace:
    """--seconds (of the move) and --repeat (times each way runs); the command and the machine printed."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print("$ " + shlex.join(sys.orig_argv))
    print(f"{W}x{H} @ {FPS} fps, {args.seconds:g} s; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    return args
