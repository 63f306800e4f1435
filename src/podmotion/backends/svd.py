"""The ``svd`` backend: Stable Video Diffusion image-to-video through diffusers.

The still is cropped to the nearest size the model takes (multiples of 64 near
its pixel budget), animated to ``num_frames`` frames, and written at the
model's ``fps``; the padder later fits the clip to the output size and rate.
Which memory savers are on depends on the attempt (see ``svd.plan.memory_plan``):
an out-of-memory error fails the attempt with a retryable ``GenerationFailed``,
and the workflow retries one level leaner.
"""

from __future__ import annotations

import logging
import time
from fractions import Fraction

import torch

from ..errors import GenerationFailed
from ..ffmpeg import encode_frames
from ..fit import fit_frame
from ..media import read_image
from ..svd import loader
from ..svd.generate import Knobs, generate
from ..svd.plan import memory_plan, model_size
from ..svd.weights import ModelSpec
from . import AnimateRequest

log = logging.getLogger(__name__)


def animate(request: AnimateRequest) -> dict:
    """Animate through the workflow folder's resident worker (``svd.worker``), or in this process."""
    opts = request.options
    if opts.get("worker", True):
        from ..svd import worker

        return worker.animate(request, timeout_s=float(opts.get("worker_timeout_s", 3600)))
    log.info("svd: %s: loading the model in this job (animate.svd.worker off, or a cluster job)",
             request.image_path.name)  # fmt: skip
    return animate_here(request)


def animate_here(request: AnimateRequest) -> dict:
    """Animate in this process, keeping the loaded model for the next request (see ``svd.loader``)."""
    opts = request.options
    about = request.image_path.name
    plan = memory_plan(opts["decode_chunk_size"], opts["num_frames"], opts["offload"], opts["forward_chunking"],
                       level=request.attempt - 1)  # fmt: skip
    image = read_image(request.image_path)
    width, height = model_size(image.shape[1], image.shape[0], opts.get("width"), opts.get("height"))
    still = fit_frame(image, width, height, "cover")
    if request.threads:
        torch.set_num_threads(request.threads)

    spec = ModelSpec.from_options(opts)
    preparation = loader.Preparation.from_options(opts)
    device = loader.resolve_device(opts["device"], about)
    knobs = Knobs(
        width=width, height=height, num_frames=int(opts["num_frames"]), fps=int(opts["fps"]),
        motion_bucket_id=int(opts["motion_bucket_id"]), noise_aug_strength=float(opts["noise_aug_strength"]),
        num_inference_steps=int(opts["num_inference_steps"]), min_guidance_scale=float(opts["min_guidance_scale"]),
        max_guidance_scale=float(opts["max_guidance_scale"]), decode_chunk_size=plan.decode_chunk_size,
        seed=request.seed,
    )  # fmt: skip
    log.info("svd: %s: %dx%d, %d frames at %d fps, %d steps, seed %d, attempt %d (%s)", about, width, height,
             knobs.num_frames, knobs.fps, knobs.num_inference_steps, knobs.seed, request.attempt,
             plan.describe())  # fmt: skip
    load_started = time.perf_counter()
    try:  # loading counts too: moving the model onto the GPU can run out of memory
        pipe = loader.load_pipeline(spec, loader.Placement(device, plan.offload, plan.forward_chunking), preparation)
        load_s = time.perf_counter() - load_started
        frames, report = generate(pipe, still, knobs, about)
    except torch.OutOfMemoryError as exc:
        loader.release()
        raise GenerationFailed(request.image_path, f"out of memory ({plan.describe()}): {_first_line(exc)}",
                               retryable=True) from exc  # fmt: skip
    except RuntimeError as exc:  # CUDA errors, MPS out-of-memory and the like: retry only if it was memory
        loader.release()
        retryable = "out of memory" in str(exc).lower()
        raise GenerationFailed(request.image_path, f"generation failed ({plan.describe()}): {_first_line(exc)}",
                               retryable=retryable) from exc  # fmt: skip
    except GenerationFailed:
        loader.release()
        raise
    if report["redo"]:
        loader.release()  # the redo changed the pipeline's precision: don't keep it as the configured one
    n = encode_frames(frames, request.out_path, width=width, height=height, fps=Fraction(knobs.fps),
                      encoder=request.encoder)  # fmt: skip
    peak = report["peak_gpu_bytes"]
    log.info("svd: %s: %d frames in %.1f s (load %.1f s, denoise %.1f s, decode %.1f s), peak GPU memory %s",
             about, n, load_s + report["seconds_denoise"] + report["seconds_decode"], load_s,
             report["seconds_denoise"], report["seconds_decode"],
             f"{peak / 2**30:.2f} GiB" if peak is not None else "n/a (not on a CUDA device)")  # fmt: skip
    return {
        "backend": "svd",
        "frames": n,
        "fps": str(knobs.fps),
        "width": width,
        "height": height,
        "model": spec.model,
        "revision": spec.revision,
        "variant": spec.variant,
        "dtype": spec.dtype,
        "device": device,
        "attempt": request.attempt,
        "memory": {"decode_chunk_size": plan.decode_chunk_size, "forward_chunking": plan.forward_chunking,
                   "offload": plan.offload},  # fmt: skip
        "prepared": {**preparation.as_dict(), "attention_kernels": loader.attention_kernels(pipe)},
        "seconds_load": round(load_s, 3),
        **report,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
