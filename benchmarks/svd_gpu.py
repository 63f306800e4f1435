"""SVD speed against the seeds' way, in one run: the full-size SVD-XT with random weights.

Speed and memory don't depend on the weight values, so no download is needed: the real diffusers
classes are built with random weights (``podmotion.i2v.random_model.FULL``) and saved with
``save_pretrained`` as fp16 variant files, the way the published model is stored.

Rows (``--rows``, all by default):

- ``reference``: the seeds' way. A fresh ``python -c`` per clip doing nothing but
  ``StableVideoDiffusionPipeline.from_pretrained(folder, torch_dtype=torch.float16, variant="fp16").to(device)``
  and ``pipe(image, height, width, num_frames, num_inference_steps, decode_chunk_size=8)``; its wall time
  includes the process start, the imports and the load.
- ``fp16``, ``bf16``: podmotion's path, its own loader and ``generate()``, with the model kept loaded
  as the resident worker keeps it. ``fp16`` is podmotion's default config.
- ``classic``, ``channels_last``, ``compile``: one speed knob each (``animate.svd.attention``,
  ``channels_last``, ``compile``) on top of ``--base-dtype``. Every podmotion row first runs one
  warm-up step at the full clip's shape (where ``torch.compile`` compiles), reported on its own.
- ``combined``: the faster dtype plus every knob that made its row faster than the base row.
- ``decode``: the VAE decode alone at each of ``--decode-chunks``: seconds and peak memory.
- ``cap8``: the README's 8 GB config (fp16, decode chunk 2, ``offload: model``) on a full-size clip, in
  a fresh process capped at ``--cap-gib`` with ``torch.cuda.set_per_process_memory_fraction``.

For each: seconds per clip, seconds per denoising step, VAE decode seconds, peak GPU memory, and
model FLOP utilisation: the UNet's FLOPs per step (counted once with ``FlopCounterMode`` on the meta
device, no memory or time needed) over the measured seconds per step and the GPU's dense bf16/fp16
peak (``PEAK_TFLOPS`` by device name, or ``--peak-tflops``). Ratios against the reference are
printed side by side, and the target (under 15 s per clip on an H100, loading excluded) next to
the best row. ``--worker-json`` folds in ``benchmarks/svd_worker.py --json``'s resident-worker figures.

This script imports only torch, transformers, accelerate, diffusers, numpy, pillow, safetensors and
huggingface_hub (through podmotion.i2v): no OpenCV, PyAV, ffmpeg or Snakemake. See
docs/benchmarks.md for the one command that runs it on a CUDA machine.

    python benchmarks/svd_gpu.py --json svd_gpu.json --markdown svd_gpu.md          # a CUDA GPU
    python benchmarks/svd_gpu.py --arch tiny --width 64 --height 64 --frames 2 --steps 1 \\
        --clips 1 --decode-chunks 1,2                                                # a CPU check
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ALL_ROWS = ("reference", "fp16", "bf16", "classic", "channels_last", "compile", "combined", "decode", "cap8")
TARGET_S = 15.0  # per 1024x576, 25-frame, 25-step clip on an H100, loading excluded
PUBLISHED = (22.6, "TensorRT SVD-XT 1.1 on an H100 PCIe, end to end")
GiB = 2**30

# Dense (no sparsity) bf16/fp16 tensor-core peaks, TFLOP/s, from the vendors' data sheets. The first
# name contained in torch.cuda.get_device_name() wins, so longer names come first.
PEAK_TFLOPS = (
    ("GH200", 989.0), ("H200", 989.0), ("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.0),
    ("H800", 989.0), ("B200", 2250.0), ("A100", 312.0), ("A800", 312.0), ("L40S", 362.0), ("L40", 181.0),
    ("L4", 121.0), ("A10", 125.0), ("RTX 4090", 165.0), ("RTX 3090", 71.0), ("V100", 125.0), ("T4", 65.0),
)  # fmt: skip

# The seeds' way, as their scripts do it: a process per clip, the default pipeline, fp16.
SEED_CLIP = r"""
import json, sys, time
started = time.perf_counter()
import torch
from diffusers import StableVideoDiffusionPipeline
from PIL import Image
a = json.loads(sys.argv[1])
imported = time.perf_counter()
sync = torch.cuda.synchronize if a["device"].startswith("cuda") else (lambda: None)
pipe = StableVideoDiffusionPipeline.from_pretrained(a["folder"], torch_dtype=torch.float16, variant="fp16").to(a["device"])
pipe.set_progress_bar_config(disable=True)
sync()
loaded = time.perf_counter()
marks = {}
def on_step(_pipe, i, _t, _kw):
    if i == a["steps"] - 1:
        sync()
        marks["denoised"] = time.perf_counter()
    return {}
frames = pipe(Image.open(a["image"]).convert("RGB"), height=a["height"], width=a["width"], num_frames=a["frames"],
              num_inference_steps=a["steps"], decode_chunk_size=a["decode_chunk"], generator=torch.manual_seed(a["seed"]),
              callback_on_step_end=on_step).frames[0]
sync()
done = time.perf_counter()
print(json.dumps({"frames": len(frames), "seconds_import": imported - started, "seconds_load": loaded - imported,
                  "seconds_denoise": marks["denoised"] - loaded, "seconds_decode": done - marks["denoised"],
                  "seconds_generate": done - loaded,
                  "peak_gpu_bytes": torch.cuda.max_memory_allocated() if a["device"].startswith("cuda") else None}))
"""

# The 8 GB card: a fresh process, capped before anything is allocated, through podmotion's loader.
CAPPED_CLIP = r"""
import json, sys, time
import numpy as np
import torch
from PIL import Image
from podmotion.i2v import loader
from podmotion.i2v.generate import Knobs, generate
from podmotion.i2v.weights import ModelSpec
a = json.loads(sys.argv[1])
total = torch.cuda.get_device_properties(a["device"]).total_memory
torch.cuda.set_per_process_memory_fraction(min(1.0, a["cap_bytes"] / total), a["device"])
still = np.asarray(Image.open(a["image"]).convert("RGB"))
out = {"cap_bytes": a["cap_bytes"], "gpu_total_bytes": total}
try:
    started = time.perf_counter()
    pipe = loader.load_pipeline(ModelSpec(a["folder"], None, "fp16", "fp16"), loader.Placement(a["device"], "model"))
    out["seconds_load"] = time.perf_counter() - started
    knobs = Knobs(a["width"], a["height"], a["frames"], 6, 127, 0.02, a["steps"], 1.0, 3.0, 2, seed=1)
    started = time.perf_counter()
    _frames, report = generate(pipe, still, knobs, "8 GiB")
    out.update(completed=True, seconds_clip=time.perf_counter() - started, report=report)
except torch.OutOfMemoryError as exc:
    out.update(completed=False, error="out of memory: " + str(exc).strip().splitlines()[0])
free, total = torch.cuda.mem_get_info(a["device"])
out["device_used_bytes_after"] = total - free  # the CUDA context too, which the cap does not cover
print(json.dumps(out, default=str))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default=",".join(ALL_ROWS), help=f"comma-separated, of: {', '.join(ALL_ROWS)}")
    ap.add_argument("--arch", choices=["full", "tiny"], default="full", help="tiny: a CPU check of the script")
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=576)
    ap.add_argument("--frames", type=int, default=25)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--decode-chunk", type=int, default=8, help="the reference's and every clip row's")
    ap.add_argument("--decode-chunks", default="8,14,25", help="the decode row's")
    ap.add_argument("--base-dtype", choices=["fp16", "bf16"], default="fp16", help="the knob rows' precision")
    ap.add_argument("--clips", type=int, default=2, help="reference clips, each a fresh process")
    ap.add_argument("--cap-gib", type=float, default=8.0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--peak-tflops", type=float, default=None, help="the GPU's dense bf16/fp16 peak")
    ap.add_argument("--model-folder", type=Path, default=None,
                    help="keep the random model here (saved if missing, reused if there)")  # fmt: skip
    ap.add_argument("--worker-json", type=Path, default=None, help="benchmarks/svd_worker.py --json output")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--merge", action="store_true", help="keep the rows of an earlier --json not run now")
    args = ap.parse_args()
    rows_asked = [r for r in args.rows.split(",") if r]
    unknown = set(rows_asked) - set(ALL_ROWS)
    if unknown:
        ap.error(f"unknown rows: {', '.join(sorted(unknown))}")

    import diffusers
    import torch

    import podmotion
    from podmotion.i2v import loader, random_model

    device = loader.resolve_device(args.device, "benchmark")
    cuda = device.startswith("cuda")
    gpu = torch.cuda.get_device_name(device) if cuda else f"none ({platform.processor() or 'CPU'})"
    peak = args.peak_tflops or (next((t for name, t in PEAK_TFLOPS if name in gpu), None) if cuda else None)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(podmotion.__file__).parents[1]),
                                                                      os.environ.get("PYTHONPATH")]))}  # fmt: skip
    result = {
        "date": datetime.date.today().isoformat(), "device": device, "gpu": gpu, "torch": torch.__version__,
        "diffusers": diffusers.__version__, "cpu_threads": torch.get_num_threads(), "peak_tflops": peak,
        "settings": {"arch": args.arch, "width": args.width, "height": args.height, "frames": args.frames,
                     "steps": args.steps, "decode_chunk": args.decode_chunk, "base_dtype": args.base_dtype},
        "rows": [],
    }  # fmt: skip
    if args.merge and args.json and args.json.is_file():
        earlier = json.loads(args.json.read_text())
        result["rows"] = [r for r in earlier.get("rows", []) if r["row"] not in rows_asked]
    print(f"device: {device}, GPU: {gpu}, torch {torch.__version__}, diffusers {diffusers.__version__}, "
          f"peak {peak or 'unknown'} TFLOP/s", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.model_folder or Path(tmp) / "svd-random").absolute()
        arch = random_model.FULL if args.arch == "full" else random_model.TINY
        if not (folder / "model_index.json").is_file():
            started = time.perf_counter()
            random_model.save_pipeline(folder, arch, variant="fp16")
            print(f"built and saved the random {args.arch} SVD in {time.perf_counter() - started:.1f} s", flush=True)
        flops = model_flops(folder, args.width, args.height, args.frames)
        result["flops"] = flops
        print(f"UNet: {flop_text(flops['unet_flop_per_step'])} per step (batch {flops['batch']}); VAE decode: "
              f"{flop_text(flops['vae_flop_per_frame'])} per frame", flush=True)  # fmt: skip
        image = Path(tmp) / "still.png"
        still = picture(args.width, args.height)
        from PIL import Image

        Image.fromarray(still).save(image)

        bench = Bench(args, device, folder, still, image, env, result)
        for row in rows_asked:
            started = time.perf_counter()
            try:
                got = getattr(bench, "row_" + row)()
            except Exception as exc:  # a row that fails is a result too; the others still run
                got = {"row": row, "error": f"{type(exc).__name__}: {first_line(exc)}"}
            loader.release()
            if row in ("compile", "combined"):
                torch._dynamo.reset()
            for r in got if isinstance(got, list) else [got]:
                result["rows"] = [x for x in result["rows"] if x["row"] != r["row"]] + [r]
            print(f"[{row}: {time.perf_counter() - started:.1f} s]", flush=True)
            if args.json:
                args.json.write_text(json.dumps(result, indent=2, default=str))

    if args.worker_json and args.worker_json.is_file():
        result["worker"] = json.loads(args.worker_json.read_text())
    table = render(result)
    print("\n" + table)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    if args.markdown:
        args.markdown.write_text(table + "\n")


class Bench:
    def __init__(self, args, device, folder, still, image, env, result):
        self.args, self.device, self.folder, self.still, self.image, self.env = args, device, folder, still, image, env
        self.result = result

    def knobs(self, steps=None, chunk=None, seed=1):
        from podmotion.i2v.generate import Knobs

        a = self.args
        return Knobs(a.width, a.height, a.frames, 6, 127, 0.02, steps or a.steps, 1.0, 3.0, chunk or a.decode_chunk,
                     seed=seed)  # fmt: skip

    def sync(self):
        import torch

        if self.device.startswith("cuda"):
            torch.cuda.synchronize()

    def row_reference(self) -> dict:
        a = self.args
        payload = {"folder": str(self.folder), "device": self.device, "image": str(self.image), "width": a.width,
                   "height": a.height, "frames": a.frames, "steps": a.steps, "decode_chunk": a.decode_chunk,
                   "seed": 1}  # fmt: skip
        clips = []
        for _ in range(a.clips):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", SEED_CLIP, json.dumps(payload)], capture_output=True, text=True,
                                 env=self.env)  # fmt: skip
            wall = time.perf_counter() - started
            if out.returncode != 0:
                raise RuntimeError(f"the seeds' clip failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}")
            clip = json.loads(out.stdout.strip().splitlines()[-1])
            clips.append({**clip, "seconds_wall": wall})
        mean = {k: sum(c[k] for c in clips) / len(clips) for k in clips[0] if k.startswith("seconds_")}
        peak = max((c["peak_gpu_bytes"] or 0) for c in clips) or None
        return {"row": "reference", "what": "seeds' way: fresh process per clip, default pipeline, fp16, SDPA",
                "dtype": "fp16", "attention": "sdpa", "channels_last": False, "compile": False,
                "decode_chunk": a.decode_chunk, "clips": len(clips), "seconds_wall_per_clip": mean["seconds_wall"],
                "seconds_startup_and_load": mean["seconds_wall"] - mean["seconds_generate"],
                "seconds_per_clip": mean["seconds_generate"], "seconds_per_step": mean["seconds_denoise"] / a.steps,
                "seconds_decode": mean["seconds_decode"], "peak_gpu_bytes": peak, "per_clip": clips}  # fmt: skip

    def podmotion_row(self, row: str, what: str, dtype: str, preparation, offload: str = "none") -> dict:
        import torch

        from podmotion.i2v import loader
        from podmotion.i2v.generate import generate
        from podmotion.i2v.weights import ModelSpec

        base = {"row": row, "what": what, "dtype": dtype, "attention": preparation.attention,
                "channels_last": preparation.channels_last, "compile": preparation.compile,
                "decode_chunk": self.args.decode_chunk}  # fmt: skip
        try:
            self.sync()
            started = time.perf_counter()
            pipe = loader.load_pipeline(ModelSpec(str(self.folder), None, "fp16", dtype),
                                        loader.Placement(self.device, offload), preparation)  # fmt: skip
            self.sync()
            load_s = time.perf_counter() - started
            started = time.perf_counter()
            generate(pipe, self.still, self.knobs(steps=1, seed=0), f"{row} warm-up")  # compiles, if compile is on
            warm_s = time.perf_counter() - started
            started = time.perf_counter()
            _frames, report = generate(pipe, self.still, self.knobs(), row)
            clip_s = time.perf_counter() - started
            kernels = loader.attention_kernels(pipe)
        except torch.OutOfMemoryError as exc:
            return {**base, "error": f"out of memory: {first_line(exc)}"}
        return {**base, "attention_kernels": kernels, "seconds_load": load_s, "seconds_warmup": warm_s,
                "seconds_per_clip": clip_s, "seconds_per_step": report["seconds_per_step"],
                "seconds_decode": report["seconds_decode"], "peak_gpu_bytes": report["peak_gpu_bytes"],
                "redo": report["redo"]}  # fmt: skip

    def row_fp16(self):
        from podmotion.i2v.loader import Preparation

        return self.podmotion_row("fp16", "podmotion's default: fp16, SDPA, model kept loaded", "fp16", Preparation())

    def row_bf16(self):
        from podmotion.i2v.loader import Preparation

        return self.podmotion_row("bf16", "bf16, SDPA", "bf16", Preparation())

    def row_classic(self):
        from podmotion.i2v.loader import Preparation

        return self.podmotion_row("classic", "attention: classic (AttnProcessor)", self.args.base_dtype,
                                  Preparation(attention="classic"))  # fmt: skip

    def row_channels_last(self):
        from podmotion.i2v.loader import Preparation

        return self.podmotion_row("channels_last", "channels-last convolution weights", self.args.base_dtype,
                                  Preparation(channels_last=True))  # fmt: skip

    def row_compile(self):
        from podmotion.i2v.loader import Preparation

        return self.podmotion_row("compile", "torch.compile of the UNet (warm-up = compilation)", self.args.base_dtype,
                                  Preparation(compile=True))  # fmt: skip

    def row_combined(self):
        from podmotion.i2v.loader import Preparation

        rows = {r["row"]: r for r in self.result["rows"] if "seconds_per_clip" in r}
        base = rows.get(self.args.base_dtype)
        if base is None:
            return {"row": "combined", "error": f"needs the {self.args.base_dtype} row first"}
        dtypes = [rows[d] for d in ("fp16", "bf16") if d in rows]
        dtype = min(dtypes, key=lambda r: r["seconds_per_clip"])["row"]
        helped = {k: k in rows and rows[k]["seconds_per_clip"] < base["seconds_per_clip"]
                  for k in ("channels_last", "compile")}  # fmt: skip
        prep = Preparation(compile=helped["compile"], channels_last=helped["channels_last"])
        picked = ", ".join([dtype] + [k for k, v in helped.items() if v])
        return self.podmotion_row("combined", f"what helped: {picked}", dtype, prep)

    def row_decode(self) -> list[dict]:
        import torch

        from podmotion.i2v import loader
        from podmotion.i2v.generate import _decode, _denoise
        from podmotion.i2v.weights import ModelSpec

        dtype = self.args.base_dtype
        pipe = loader.load_pipeline(ModelSpec(str(self.folder), None, "fp16", dtype), loader.Placement(self.device))
        from PIL import Image

        latents = _denoise(pipe, Image.fromarray(self.still), self.knobs(steps=1), "decode")  # values don't matter
        rows = []
        for chunk in [int(c) for c in self.args.decode_chunks.split(",")]:
            knobs = self.knobs(chunk=chunk)
            _decode(pipe, latents, knobs, "decode warm-up")
            self.sync()
            if self.device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats(self.device)
            started = time.perf_counter()
            try:
                _decode(pipe, latents, knobs, "decode")
                self.sync()
                rows.append({"row": f"decode {chunk}", "what": f"VAE decode alone, decode_chunk_size {chunk}",
                             "dtype": dtype, "decode_chunk": chunk, "seconds_decode": time.perf_counter() - started,
                             "peak_gpu_bytes": int(torch.cuda.max_memory_allocated(self.device))
                             if self.device.startswith("cuda") else None})  # fmt: skip
            except torch.OutOfMemoryError as exc:
                rows.append({"row": f"decode {chunk}", "decode_chunk": chunk, "error": f"out of memory: {first_line(exc)}"})
        return rows

    def row_cap8(self) -> dict:
        a = self.args
        base = {"row": "cap8", "what": f"README's 8 GB config (fp16, decode chunk 2, offload model), capped at "
                                       f"{a.cap_gib:g} GiB", "dtype": "fp16", "decode_chunk": 2}  # fmt: skip
        if not self.device.startswith("cuda"):
            return {**base, "error": "skipped: needs a CUDA device"}
        payload = {"folder": str(self.folder), "device": self.device, "image": str(self.image), "width": a.width,
                   "height": a.height, "frames": a.frames, "steps": a.steps, "cap_bytes": int(a.cap_gib * GiB)}
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CAPPED_CLIP, json.dumps(payload)], capture_output=True, text=True,
                             env=self.env)  # fmt: skip
        wall = time.perf_counter() - started
        if out.returncode != 0:
            return {**base, "error": f"the capped clip failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}"}
        got = json.loads(out.stdout.strip().splitlines()[-1])
        row = {**base, "completed": got["completed"], "seconds_wall_per_clip": wall, "cap_bytes": got["cap_bytes"],
               "device_used_bytes_after": got["device_used_bytes_after"]}  # fmt: skip
        if not got["completed"]:
            return {**row, "error": got["error"]}
        report = got["report"]
        return {**row, "seconds_load": got["seconds_load"], "seconds_per_clip": got["seconds_clip"],
                "seconds_per_step": report["seconds_per_step"], "seconds_decode": report["seconds_decode"],
                "peak_gpu_bytes": report["peak_gpu_bytes"]}  # fmt: skip


def model_flops(folder: Path, width: int, height: int, frames: int, guided: bool = True) -> dict:
    """FLOPs of one UNet call (one denoising step) and of decoding one frame, counted on the meta device.

    The models are built from the folder's configs with no memory behind them; ``FlopCounterMode``
    counts matrix products, convolutions and attention from the shapes alone.
    """
    import torch
    from diffusers import AutoencoderKLTemporalDecoder, UNetSpatioTemporalConditionModel
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        unet = UNetSpatioTemporalConditionModel.from_config(UNetSpatioTemporalConditionModel.load_config(folder / "unet"))
        vae = AutoencoderKLTemporalDecoder.from_config(AutoencoderKLTemporalDecoder.load_config(folder / "vae"))
    unet.to("meta")  # a few parameters are made with torch.Tensor([...]), which ignores the default device
    vae.to("meta")
    scale = 2 ** (len(vae.config.block_out_channels) - 1)
    batch = 2 if guided else 1  # classifier-free guidance: the conditional and unconditional halves in one call
    c = unet.config
    with torch.device("meta"), torch.no_grad():
        sample = torch.empty(batch, frames, c.in_channels, height // scale, width // scale)
        cond = torch.empty(batch, 1, c.cross_attention_dim)
        added = torch.empty(batch, c.projection_class_embeddings_input_dim // c.addition_time_embed_dim)
        with FlopCounterMode(display=False) as counted:
            unet(sample, torch.empty(()), cond, added, return_dict=False)
        unet_flops = counted.get_total_flops()
        with FlopCounterMode(display=False) as counted:
            vae.decode(torch.empty(1, vae.config.latent_channels, height // scale, width // scale), num_frames=1)
        vae_flops = counted.get_total_flops()
    return {"unet_flop_per_step": unet_flops, "vae_flop_per_frame": vae_flops, "batch": batch}


def picture(width: int, height: int) -> np.ndarray:
    """A still with structure at every scale (gradients and noise), the same every run."""
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    rng = np.random.default_rng(0)
    img = np.stack([np.sin(9 * xx + 3 * c) * np.cos(7 * yy - c) for c in range(3)], axis=-1) * 90 + 128
    return np.clip(img + rng.normal(0, 20, img.shape), 0, 255).astype(np.uint8)


def flop_text(flop: float) -> str:
    return f"{flop / 1e12:.2f} TFLOP" if flop >= 1e11 else f"{flop / 1e9:.2f} GFLOP"


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def mfu(flop: float, seconds: float | None, peak: float | None) -> float | None:
    if not seconds or not peak:
        return None
    return flop / seconds / (peak * 1e12)


def render(result: dict) -> str:
    s, flops, peak = result["settings"], result["flops"], result["peak_tflops"]
    rows = sorted(result["rows"], key=lambda r: ALL_ROWS.index(r["row"].split()[0]))  # merged runs: the usual order
    ref = next((r for r in rows if r["row"] == "reference" and "seconds_per_clip" in r), None)
    clip_flop = s["steps"] * flops["unet_flop_per_step"] + s["frames"] * flops["vae_flop_per_frame"]

    def num(v, fmt=".2f"):
        return "" if v is None else format(v, fmt)

    def gib(v):
        return "n/a" if v is None else f"{v / GiB:.2f}"

    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f}%"

    out = [f"{s['arch']} random-weight SVD, {s['width']}x{s['height']}, {s['frames']} frames, {s['steps']} steps, "
           f"on {result['gpu']} (torch {result['torch']}, diffusers {result['diffusers']}), {result['date']}. "
           f"UNet {flop_text(flops['unet_flop_per_step'])} per step, VAE decode {flop_text(flops['vae_flop_per_frame'])} "
           f"per frame; GPU peak {peak or 'unknown'} TFLOP/s.", "",
           "| row | what | s per clip | × reference | s per step | VAE decode s | warm-up s | load s | peak GPU GiB "
           "| MFU per step | MFU per clip |", "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        if "error" in r and "seconds_per_clip" not in r and "seconds_decode" not in r:
            out.append(f"| {r['row']} | {r.get('what', '')} | {r['error']} | | | | | | | | |")
            continue
        clip = r.get("seconds_per_clip")
        ratio = f"{ref['seconds_per_clip'] / clip:.2f}×" if ref and clip else ""
        if r["row"] == "reference":
            clip_cell = f"{clip:.2f} ({r['seconds_wall_per_clip']:.2f} wall)"
            ratio, warm, load = "1.00×", "", f"{r['seconds_startup_and_load']:.2f} (start + load)"
        else:
            clip_cell, warm, load = num(clip), num(r.get("seconds_warmup")), num(r.get("seconds_load"))
        out.append(f"| {r['row']} | {r.get('what', '')} | {clip_cell} | {ratio} | {num(r.get('seconds_per_step'), '.3f')} "
                   f"| {num(r.get('seconds_decode'))} | {warm} | {load} | {gib(r.get('peak_gpu_bytes'))} "
                   f"| {pct(mfu(flops['unet_flop_per_step'], r.get('seconds_per_step'), peak)) if clip else ''} "
                   f"| {pct(mfu(clip_flop, clip, peak)) if clip else ''} |")  # fmt: skip
    worker = result.get("worker")
    if worker:
        w = worker["ways"]
        out.append(f"| worker | resident worker, svd_worker.py ({worker['clips']} clips, podmotion's default config), "
                   f"clips 2 on | {w['worker_after_first']['wall_s_per_clip']:.2f} wall "
                   f"({w['worker_after_first']['generate_s_per_clip']:.2f} generation) "
                   f"| {w['fresh']['wall_s_per_clip'] / w['worker_after_first']['wall_s_per_clip']:.2f}× against its own "
                   "fresh process per clip | | | | | | | |")  # fmt: skip
    clip_rows = [r for r in rows if r["row"] != "reference" and r.get("seconds_per_clip") and r["row"] != "cap8"]
    if clip_rows:
        best = min(clip_rows, key=lambda r: r["seconds_per_clip"])
        full = (s["arch"], s["width"], s["height"], s["frames"], s["steps"]) == ("full", 1024, 576, 25, 25)
        verdict = ("met" if best["seconds_per_clip"] < TARGET_S else "not met") if full and "H100" in result["gpu"] else \
            "not comparable (not a full-size clip on an H100)"  # fmt: skip
        out += ["", f"Best row: {best['row']}, {best['seconds_per_clip']:.2f} s per clip (loading excluded). "
                    f"Target: under {TARGET_S:g} s on an H100: {verdict}. Best published: {PUBLISHED[0]} s "
                    f"({PUBLISHED[1]})."]  # fmt: skip
    if ref:
        out.append(f"Reference: {ref['seconds_wall_per_clip']:.2f} s per clip wall, a fresh process each "
                   f"({ref['seconds_startup_and_load']:.2f} s of it start-up and load).")  # fmt: skip
    cap = next((r for r in rows if r["row"] == "cap8"), None)
    if cap and "completed" in cap:
        out.append(f"8 GiB cap: {'completed' if cap['completed'] else 'did not complete'}"
                   + (f", {cap['seconds_per_clip']:.2f} s per clip, peak {gib(cap['peak_gpu_bytes'])} GiB allocated; "
                      f"{gib(cap['device_used_bytes_after'])} GiB in use on the device after it, CUDA context included"
                      if cap["completed"] else f": {cap.get('error')}") + ".")  # fmt: skip
    return "\n".join(out)


if __name__ == "__main__":
    main()
