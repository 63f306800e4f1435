"""The camera's pace and twins in scenes of 5 s, 60 s, 10 min and an hour, and its cost per frame, before and after.

The picture is a square podcast cover (a flat illustration with its own title line, ``tests/pictures.py``),
toured at the output's size by ``podmotion.camera`` with the Ken Burns defaults. For each length it prints:

- the pace: the fastest pixel's top speed in each 10 s window, in % of the width a second (min, median, max);
- the twins: the share of frames with a near-identical twin (luma PSNR > 45 dB) a second or more away
  (``podmotion.repetition.path_twins``: only frames whose windows nearly match are rendered and compared);
- whether every window held the cover's title whole, with its margin.

Then the cost, side by side in this run: the camera as it was before issue 28 (its ``camera.py`` read from
git at ``--before``, rendering an RGB frame a bicubic warp that FFmpeg converts to YUV) and now (drawing each
frame in the encoder's planes, ``podmotion.yuv420``), on one 60 s scene: the path, the picture's analysis, and
render + encode per frame.

    .venv/bin/python benchmarks/camera_pace.py [--size 720] [--before 42f99ed] [--lengths 5 60 600 3600]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from pictures import cover  # noqa: E402

from podmotion.camera import Move, corner_speeds, plan_tour, render  # noqa: E402
from podmotion.ffmpeg import EncoderSettings, encode_frames, encode_yuv420p  # noqa: E402
from podmotion.framing import find_framing  # noqa: E402
from podmotion.repetition import path_twins  # noqa: E402
from podmotion.settings import schema_defaults  # noqa: E402
from podmotion.yuv420 import Canvas, Picture  # noqa: E402

FPS = 25


def old_camera(rev: str):
    """``podmotion.camera`` as it was at ``rev``, imported from git's copy."""
    source = subprocess.run(["git", "show", f"{rev}:src/podmotion/camera.py"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp(prefix="camera-before-")) / "camera_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("camera_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["camera_before"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def pace_and_twins(picture, title, seconds: int, size: int, seed: int) -> dict:
    opts = schema_defaults("animate", "kenburns")
    move = Move(opts["zoom"], opts["pan"], opts["max_speed_widths_per_s"], pace_widths_per_s=opts["pace_widths_per_s"])
    framing = find_framing(picture)
    started = time.perf_counter()
    tour = plan_tour(picture.shape[1], picture.shape[0], size, size, seconds * FPS, seed, move, FPS, framing)
    plan_s = time.perf_counter() - started
    speeds = corner_speeds(tour.path, size, size) * FPS
    n = 10 * FPS
    windows = np.array([speeds[i : i + n].max() for i in range(0, max(1, len(speeds) - n + 1), n)]) * 100
    started = time.perf_counter()
    twins = path_twins(tour.path, size, size, FPS, lambda i: render(picture, *tour.path[i], size, size))
    twins_s = time.perf_counter() - started
    cx, cy, w = tour.path.T
    x, y, bw, bh = title
    margin = framing.margin_px * 0.9
    whole = bool(((cx - w / 2 <= x - margin) & (cy - w / 2 <= y - margin) & (cx + w / 2 >= x + bw + margin)).all())
    return {"seconds": seconds, "pace_min": windows.min(), "pace_median": float(np.median(windows)),
            "pace_max": windows.max(), "twins": twins, "title_whole": whole, "framings": len(tour.framings),
            "plan_s": plan_s, "twins_s": twins_s}  # fmt: skip


def renderer(label: str, picture, size: int, encoder: EncoderSettings):
    """(frame of a window, encode of frames) as the camera ``label`` renders: before, an RGB frame a bicubic
    warp, converted to YUV by FFmpeg; now, drawn in the encoder's planes (podmotion.yuv420), passed as they are."""
    if label == "before":

        def encode(frames, out):
            encode_frames(frames, out, width=size, height=size, fps=Fraction(FPS), encoder=encoder)

        return (lambda cx, cy, w: render(picture, cx, cy, w, size, size)), encode
    planes, canvas = Picture.from_rgb(picture), Canvas((size, size), (0, 0, size, size))

    def encode(frames, out):
        encode_yuv420p(frames, out, coded_width=size, coded_height=size, fps=Fraction(FPS), filters=(),
                       encoder=encoder)  # fmt: skip

    return (lambda cx, cy, w: canvas.draw(planes, cx, cy, w)), encode


def cost_per_frame(picture, size: int, seconds: int, before) -> list[tuple[str, float, float, float]]:
    """(label, path + analysis seconds, render ms a frame, render + encode ms a frame) before and now."""
    opts = schema_defaults("animate", "kenburns")
    encoder = EncoderSettings(crf=18, preset="veryfast", keyint_frames=250)
    rows = []
    n = seconds * FPS
    for label in ("before", "now"):
        started = time.perf_counter()
        if label == "before":
            path = before.camera_path(picture.shape[1], picture.shape[0], size, size, n, 3,
                                      before.Move(1.15, 0.6, 0.02), FPS)  # fmt: skip
        else:
            move = Move(opts["zoom"], opts["pan"], opts["max_speed_widths_per_s"],
                        pace_widths_per_s=opts["pace_widths_per_s"])  # fmt: skip
            path = plan_tour(picture.shape[1], picture.shape[0], size, size, n, 3, move, FPS, find_framing(picture)).path
        frame_of, encode = renderer(label, picture, size, encoder)
        setup_s = time.perf_counter() - started
        started = time.perf_counter()
        for cx, cy, w in path:
            frame_of(cx, cy, w)
        render_ms = (time.perf_counter() - started) / n * 1000
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            encode((frame_of(cx, cy, w) for cx, cy, w in path), Path(scratch) / "c.mp4")
            total_ms = (time.perf_counter() - started) / n * 1000
        rows.append((label, setup_s, render_ms, total_ms))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=720, help="the output's side, px (the cover is square)")
    parser.add_argument("--before", default="42f99ed", help="the commit whose camera.py is 'before'")
    parser.add_argument("--lengths", type=int, nargs="+", default=[5, 60, 600, 3600], help="scene lengths, s")
    parser.add_argument("--cost-seconds", type=int, default=60, help="the scene the cost is measured on, s")
    args = parser.parse_args()
    picture, (title,) = cover(args.size, args.size)
    print(f"cover {args.size}x{args.size}, {FPS} fps, Ken Burns defaults; pace = the fastest pixel's top speed "
          "in each 10 s window, % of the width a second")  # fmt: skip
    print("| scene | pace min | median | max | twins | title whole | framings | path s | twins check s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for seconds in args.lengths:
        r = pace_and_twins(picture, title, seconds, args.size, seed=11)
        length = f"{seconds} s" if seconds < 60 else f"{seconds // 60} min" if seconds < 3600 else f"{seconds // 3600} h"
        print(f"| {length} | {r['pace_min']:.3f} | {r['pace_median']:.3f} | {r['pace_max']:.3f} | "
              f"{100 * r['twins']:.3f} % | {'yes' if r['title_whole'] else 'NO'} | {r['framings']} | "
              f"{r['plan_s']:.2f} | {r['twins_s']:.1f} |", flush=True)  # fmt: skip
    rows = cost_per_frame(picture, args.size, args.cost_seconds, old_camera(args.before))
    print(f"\ncost, one {args.cost_seconds} s scene at {args.size}x{args.size} (x264 veryfast, crf 18):")
    print("| camera | path + analysis s | render ms/frame | render + encode ms/frame |")
    print("|---|---|---|---|")
    for label, setup_s, render_ms, total_ms in rows:
        print(f"| {label} | {setup_s:.3f} | {render_ms:.2f} | {total_ms:.2f} |")
    (_, _, _, before_ms), (_, setup_now, _, now_ms) = rows
    frames = args.cost_seconds * FPS
    print(f"now / before, per frame with the path and analysis spread over the scene: "
          f"{(now_ms + setup_now * 1000 / frames) / (before_ms + rows[0][1] * 1000 / frames):.3f}")


if __name__ == "__main__":
    main()
