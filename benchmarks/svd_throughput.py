"""SVD throughput: the full-size SVD-XT architecture with random weights, bf16 and fp16 side by side.

Speed and memory don't depend on the weight values, so this needs no download.
The pipeline (diffusers' UNetSpatioTemporalConditionModel defaults, the
temporal-decoder VAE, CLIP ViT-H/14) is built once, saved with
save_pretrained as fp16 variant files, and then, for each dtype, loaded and run
through podmotion's own loader and generate(): the code a real scene runs.

Measured per dtype: model load time (disk to device), seconds per clip,
seconds per denoising step, VAE decode time, and peak GPU memory. A short
warm-up run goes first so one-off CUDA start-up is not counted.

    .venv/bin/python benchmarks/svd_throughput.py                       # 1024x576, 25 frames, 25 steps
    .venv/bin/python benchmarks/svd_throughput.py --width 128 --height 64 --frames 2 --steps 1 --decode-chunk 2 \
        --no-warmup          # a CPU check that it runs (fp16 convolutions are very slow on a CPU)
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=576)
    ap.add_argument("--frames", type=int, default=25)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--decode-chunk", type=int, default=8)
    ap.add_argument("--dtypes", default="bf16,fp16")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--workdir", type=Path, default=None, help="where the random model is saved (a temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--no-warmup", action="store_true", help="skip the warm-up run (CPU checks)")
    args = ap.parse_args()

    import torch

    from podmotion.svd import loader
    from podmotion.svd.generate import Knobs, generate
    from podmotion.svd.random_model import FULL, save_pipeline
    from podmotion.svd.weights import ModelSpec

    device = loader.resolve_device(args.device, "benchmark")
    gpu = torch.cuda.get_device_name(device) if device.startswith("cuda") else f"none ({platform.processor() or 'CPU'})"
    print(f"device: {device}, GPU: {gpu}, torch {torch.__version__}", flush=True)
    still = (np.random.default_rng(0).random((args.height, args.width, 3)) * 255).astype(np.uint8)

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        started = time.perf_counter()
        folder = save_pipeline(Path(tmp) / "svd-xt-random", FULL, variant="fp16")
        print(f"built and saved the random SVD-XT pipeline in {time.perf_counter() - started:.1f} s", flush=True)
        size = f"{args.width}x{args.height}, {args.frames} frames, {args.steps} steps, decode chunk {args.decode_chunk}"
        print(f"\n{size} on {gpu}\n")
        print("| dtype | load (s) | clip (s) | per step (s) | VAE decode (s) | peak GPU memory (GiB) |")
        print("|---|---|---|---|---|---|", flush=True)
        rows = []
        for dtype in args.dtypes.split(","):
            loader.release()
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            started = time.perf_counter()
            pipe = loader.load_pipeline(ModelSpec(str(folder), None, "fp16", dtype), loader.Placement(device))
            load_s = time.perf_counter() - started
            warm = Knobs(args.width, args.height, min(args.frames, 4), 6, 127, 0.02, 1, 1.0, 3.0,
                         args.decode_chunk, seed=0)  # fmt: skip
            if not args.no_warmup:
                generate(pipe, still, warm, "warm-up")
            knobs = Knobs(args.width, args.height, args.frames, 6, 127, 0.02, args.steps, 1.0, 3.0,
                          args.decode_chunk, seed=1)  # fmt: skip
            started = time.perf_counter()
            _frames, report = generate(pipe, still, knobs, f"{dtype} clip")
            clip_s = time.perf_counter() - started
            peak = report["peak_gpu_bytes"]
            r = {
                "dtype": dtype, "load_s": round(load_s, 2), "clip_s": round(clip_s, 2),
                "step_s": report["seconds_per_step"], "decode_s": report["seconds_decode"],
                "peak_gpu_gib": round(peak / 2**30, 2) if peak is not None else None, "redo": report["redo"],
            }  # fmt: skip
            rows.append(r)
            shown = "n/a" if r["peak_gpu_gib"] is None else f"{r['peak_gpu_gib']:.2f}"
            print(f"| {dtype} | {r['load_s']:.2f} | {r['clip_s']:.2f} | {r['step_s']:.3f} | {r['decode_s']:.2f} | {shown} |",
                  flush=True)  # fmt: skip
        loader.release()

    if len(rows) == 2:
        a, b = rows
        print(f"\n{a['dtype']}/{b['dtype']}: clip time x{a['clip_s'] / b['clip_s']:.2f}, "
              f"step time x{a['step_s'] / b['step_s']:.2f}, decode time x{a['decode_s'] / b['decode_s']:.2f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"device": device, "gpu": gpu, "settings": size, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
