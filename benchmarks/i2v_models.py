"""Wan and LTX-Video at full size with random weights, through podmotion's own loader and generation.

For each model (``--models wan_ti2v wan_flf2v ltx ltx_condition``; the last is LTX 0.9.5+'s
LTXConditionPipeline, looping: the still at the first and last frame): the published architecture
(``podmotion.i2v.random_models.FULL``, sources there) is built with random
weights, saved with ``save_pretrained`` and loaded by ``podmotion.i2v.loader``;
one clip is made by ``podmotion.i2v.generate.generate_clip``. Reported per
model: seconds per clip, peak GPU memory, and for each memory cap (8, 16, 24 GB,
set with ``torch.cuda.set_per_process_memory_fraction``) the first memory plan
(``pipeline_plan`` level: as configured, VAE tiling, model offload, group
offload, sequential offload) that makes the clip without running out of memory.

    python benchmarks/i2v_models.py --out bench --models wan_ti2v ltx            # on a CUDA GPU
    python benchmarks/i2v_models.py --tiny --device cpu --out /tmp/b --frames 9   # the CPU check (tiny models)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from podmotion.i2v import loader
from podmotion.i2v.generate import ClipKnobs, generate_clip
from podmotion.i2v.members import MEMBERS
from podmotion.i2v.plan import pipeline_plan
from podmotion.i2v.random_models import FULL, TINY, save_pipeline
from podmotion.i2v.weights import ModelSpec
from podmotion.settings import schema_defaults  # each model's authors' settings: prompt, guidance, ...

MEMBER = {"wan_ti2v": "wan", "wan_flf2v": "wan", "ltx": "ltx", "ltx_condition": "ltx"}
SIZE = {"wan_ti2v": (1280, 704), "wan_flf2v": (1280, 720), "ltx": (768, 512), "ltx_condition": (768, 512)}


def one_clip(folder: Path, layout: str, device: str, level: int, width: int, height: int, frames: int,
             steps: int) -> dict:  # fmt: skip
    name = MEMBER[layout]
    m = MEMBERS[name]
    plan = pipeline_plan(frames, "none", False, level, m.offloads)
    dtype = "bf16" if device.startswith("cuda") else "fp32"
    started = time.perf_counter()
    pipe = loader.load_pipeline(ModelSpec(str(folder), None, None, dtype, name),
                                loader.Placement(device, plan.offload, False, plan.vae_tiling))  # fmt: skip
    load_s = time.perf_counter() - started
    still = (np.random.default_rng(0).random((height, width, 3)) * 255).astype(np.uint8)
    call = m.call_kwargs(schema_defaults("animate", name))
    knobs = ClipKnobs(width, height, m.frames(frames), 24, steps, 0, call, plan.vae_tiling)
    last = still if m.last_frame(pipe) else None  # a first-last-frame model, or LTX conditions: the loop
    _, report = generate_clip(pipe, m.denoiser, still, knobs, "bench", last_frame=last, name=name, images=m.images)
    return {"plan": plan.describe(), "seconds_load": round(load_s, 1),
            "seconds_per_clip": round(report["seconds_denoise"] + report["seconds_decode"], 1),
            "seconds_per_step": report["seconds_per_step"],
            "peak_gib": round(report["peak_gpu_bytes"] / 2**30, 2) if report["peak_gpu_bytes"] else None}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the random-weight models are saved")
    parser.add_argument("--models", nargs="+", default=["wan_ti2v", "ltx"], choices=sorted(MEMBER))
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--frames", type=int, default=121)
    parser.add_argument("--steps", type=int, default=4, help="steps per clip (seconds scale linearly)")
    parser.add_argument("--caps-gb", nargs="*", type=float, default=[8, 16, 24])
    parser.add_argument("--tiny", action="store_true", help="the tiny models at 64x32 (a CPU check)")
    args = parser.parse_args()
    rows = []
    for layout in args.models:
        folder = args.out / layout
        if not (folder / "model_index.json").is_file():
            save_pipeline(folder, layout, TINY if args.tiny else FULL)
        width, height = (64, 32) if args.tiny else SIZE[layout]
        row = {"model": layout, "size": f"{width}x{height}", "frames": args.frames, "steps": args.steps,
               **one_clip(folder, layout, args.device, 0, width, height, args.frames, args.steps)}  # fmt: skip
        for cap in args.caps_gb if args.device.startswith("cuda") else []:
            total = torch.cuda.get_device_properties(0).total_memory
            torch.cuda.set_per_process_memory_fraction(min(1.0, cap * 1e9 / total))
            row[f"plan_{cap:g}gb"] = "none fits"
            for level in range(len(MEMBERS[MEMBER[layout]].offloads) + 1):
                try:
                    result = one_clip(folder, layout, args.device, level, width, height, args.frames, args.steps)
                    row[f"plan_{cap:g}gb"] = f"{result['plan']} ({result['seconds_per_clip']} s)"
                    break
                except torch.OutOfMemoryError:
                    loader.release()
            torch.cuda.set_per_process_memory_fraction(1.0)
        loader.release()
        rows.append(row)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
