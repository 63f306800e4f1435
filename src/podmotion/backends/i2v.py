"""The image-to-video backends (``svd``, ``wan``, ``ltx``): one adapter for every member of the family.

The still is cropped to the nearest size the member takes (its multiple, near
its pixel budget), animated to ``num_frames`` frames (rounded to the member's
frame rule), and written at the member's ``fps``; the padder later fits the
clip to the output size and rate. Which memory savers are on depends on the
attempt (``i2v.plan.memory_plan`` for svd, ``pipeline_plan`` for wan and ltx):
an out-of-memory error fails the attempt with a retryable ``GenerationFailed``,
and the workflow retries one level leaner.

With ``extend_s``, the clip is continued from its own last frames until it is that
long (``i2v.extend``), before the padder sees it.

With ``pad.strategy: loop`` on a model that takes a last frame (a Wan
first-last-frame model), the still is passed as the last frame too, so the clip
leads back to its first frame. Every clip's seam (last frame against first,
next to the typical step between neighbours) is in its sidecar.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from fractions import Fraction

import torch

from ..errors import GenerationFailed
from ..ffmpeg import encode_frames
from ..fit import fit_frame
from ..i2v import loader
from ..i2v.extend import extend, extension_frames
from ..i2v.generate import ClipKnobs, Knobs, generate, generate_clip, seam
from ..i2v.members import Member, last_frame_mode, member
from ..i2v.plan import memory_plan, model_size, pipeline_plan
from ..i2v.weights import ModelSpec
from ..media import read_image
from . import AnimateRequest

log = logging.getLogger(__name__)


def _member(request: AnimateRequest) -> Member:
    return member(request.backend or "svd")


def animate(request: AnimateRequest) -> dict:
    """Animate through the workflow folder's resident worker (``i2v.worker``), or in this process."""
    opts = request.options
    if opts.get("worker", True):
        from ..i2v import worker

        return worker.animate(request, timeout_s=float(opts.get("worker_timeout_s", 3600)))
    log.info("%s: %s: loading the model in this job (animate.%s.worker off, or a cluster job)",
             _member(request).name, request.image_path.name, _member(request).name)  # fmt: skip
    return animate_here(request)


def animate_here(request: AnimateRequest) -> dict:
    """Animate in this process, keeping the loaded model for the next request (see ``i2v.loader``)."""
    m = _member(request)
    opts = request.options
    about = request.image_path.name
    num_frames = m.frames(int(opts["num_frames"]))
    if num_frames != int(opts["num_frames"]):
        log.info("%s: %s: %d frames asked; the model makes k*%d+1: %d", m.name, about, int(opts["num_frames"]),
                 m.frame_step, num_frames)  # fmt: skip
    if m.decode == "chunked":
        plan = memory_plan(opts["decode_chunk_size"], num_frames, opts["offload"], opts["forward_chunking"],
                           level=request.attempt - 1)  # fmt: skip
    else:
        plan = pipeline_plan(num_frames, opts["offload"], opts.get("vae_tiling", False), level=request.attempt - 1,
                             offloads=m.offloads)  # fmt: skip
    image = read_image(request.image_path)
    width, height = model_size(image.shape[1], image.shape[0], opts.get("width"), opts.get("height"),
                               pixels=m.pixels, step=m.size_step, max_side=m.max_side)  # fmt: skip
    still = fit_frame(image, width, height, "cover")
    if request.threads:
        torch.set_num_threads(request.threads)

    spec = ModelSpec.from_options({"dtype": m.default_dtype, **opts}, m.name)
    preparation = loader.Preparation.from_options(opts)
    device = loader.resolve_device(opts["device"], about, m.name)
    fps = int(opts["fps"])
    log.info("%s: %s: %dx%d, %d frames at %d fps, %d steps, seed %d, attempt %d (%s)", m.name, about, width, height,
             num_frames, fps, int(opts["num_inference_steps"]), request.seed, request.attempt,
             plan.describe())  # fmt: skip
    placement = loader.Placement(device, plan.offload, plan.forward_chunking, bool(plan.vae_tiling))
    load_started = time.perf_counter()
    extra: dict = {}
    try:  # loading counts too: moving the model onto the GPU can run out of memory
        pipe = loader.load_pipeline(spec, placement, preparation)
        load_s = time.perf_counter() - load_started
        if m.decode == "chunked":
            knobs = Knobs(
                width=width, height=height, num_frames=num_frames, fps=fps,
                motion_bucket_id=int(opts["motion_bucket_id"]), noise_aug_strength=float(opts["noise_aug_strength"]),
                num_inference_steps=int(opts["num_inference_steps"]),
                min_guidance_scale=float(opts["min_guidance_scale"]),
                max_guidance_scale=float(opts["max_guidance_scale"]), decode_chunk_size=plan.decode_chunk_size,
                seed=request.seed,
            )  # fmt: skip
            frames, report = generate(pipe, still, knobs, about)

            def segment(tail, index):
                return generate(pipe, tail[-1], dataclasses.replace(knobs, seed=request.seed + index), about)[0]

            context = 1
        else:
            call = m.call_kwargs(opts)
            knobs = ClipKnobs(width=width, height=height, num_frames=num_frames, fps=fps,
                              num_inference_steps=int(opts["num_inference_steps"]), seed=request.seed, call=call,
                              vae_tiling=bool(plan.vae_tiling), flow_shift=opts.get("flow_shift"))  # fmt: skip
            mode = last_frame_mode(m, pipe)
            last = still if mode == "required" or (mode == "optional" and request.loop) else None
            if request.loop and mode is None:
                log.info("%s: %s: pad.strategy loop, but this model takes no last frame: the padder loops it",
                         m.name, about)  # fmt: skip
            extra = {"prompt": call.get("prompt"), "negative_prompt": call.get("negative_prompt"),
                     "last_frame": "the still" if last is not None else None, "takes_last_frame": mode,
                     "num_frames_asked": int(opts["num_frames"])}  # fmt: skip
            frames, report = generate_clip(pipe, m.denoiser, still, knobs, about, last_frame=last, name=m.name,
                                           images=m.images)  # fmt: skip

            def segment(tail, index):
                from PIL import Image

                given = m.continue_images(pipe, [Image.fromarray(f) for f in tail])

                def images(_pipe, _first, last, _n):  # a first-last-frame model still ends on the still
                    return {**given, "last_image": last} if last is not None else given

                seeded = dataclasses.replace(knobs, seed=request.seed + index)
                return generate_clip(pipe, m.denoiser, tail[-1], seeded, about, name=m.name, images=images,
                                     last_frame=still if mode == "required" else None)[0]  # fmt: skip

            context = m.context_frames(pipe, num_frames)
        target = extension_frames(opts.get("extend_s"), fps, request.max_duration_s)
        if target > len(frames):
            log.info("%s: %s: extending the clip from %d to %d frames, %d context frame(s) a segment", m.name, about,
                     len(frames), target, context)  # fmt: skip
            frames, extra["extension"] = extend(frames, still, target, segment, context=context, about=about)
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
    n = encode_frames(frames, request.out_path, width=width, height=height, fps=Fraction(fps),
                      encoder=request.encoder)  # fmt: skip
    peak = report["peak_gpu_bytes"]
    log.info("%s: %s: %d frames in %.1f s (load %.1f s, denoise %.1f s, decode %.1f s), peak GPU memory %s",
             m.name, about, n, load_s + report["seconds_denoise"] + report["seconds_decode"], load_s,
             report["seconds_denoise"], report["seconds_decode"],
             f"{peak / 2**30:.2f} GiB" if peak is not None else "n/a (not on a CUDA device)")  # fmt: skip
    if m.decode == "chunked":
        memory = {"decode_chunk_size": plan.decode_chunk_size, "forward_chunking": plan.forward_chunking,
                  "offload": plan.offload}  # fmt: skip
    else:
        memory = {"vae_tiling": plan.vae_tiling, "offload": plan.offload}
    return {
        "backend": m.name,
        "frames": n,
        "fps": str(fps),
        "width": width,
        "height": height,
        "model": spec.model,
        "revision": spec.revision,
        "variant": spec.variant,
        "dtype": spec.dtype,
        "device": device,
        "attempt": request.attempt,
        "memory": memory,
        "prepared": {**preparation.as_dict(), "attention_kernels": loader.attention_kernels(pipe)},
        "seconds_load": round(load_s, 3),
        **extra,
        "seam": seam(frames),
        **report,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
