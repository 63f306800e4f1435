"""One clip from one still: denoise, decode, and check the numbers before anything is written.

Two ways, one set of checks:

- ``generate`` (svd, ``decode="chunked"``): the pipeline denoises to latents
  (``output_type="latent"``) and the decode is done here, chunk by chunk;
- ``generate_clip`` (wan, ltx, ``decode="pipeline"``): the pipeline decodes
  itself; podmotion wraps the VAE's ``decode`` for the call, so it sees (and
  keeps) the latents the pipeline decodes, applies the fault hooks there, and
  can redo just the decode.

In both, a bad decode can be redone on its own:

- non-finite latents (fp16 overflow in the UNet): the run is redone in bf16
  where the device supports it, else fp32;
- non-finite or all-black frames from the VAE: the decode is redone in fp32;
- if the redo fails too, ``GenerationFailed``: a black clip is never written.

A redo changes the pipeline's precision in place; ``report["precision"]`` says
what was used, and the caller drops the pipeline from the loader's keep.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import GenerationFailed
from . import faults
from .loader import cast
from .members import first_last_images

log = logging.getLogger(__name__)

BLACK_LEVEL = 8 / 255  # a frame whose brightest pixel is below this is black
LIT_LEVEL = 32 / 255  # ... which is only a failure if the still itself is not dark


@dataclass(frozen=True)
class ClipKnobs:
    """The generation settings of one clip for a member its pipeline decodes (animate.wan, animate.ltx)."""

    width: int
    height: int
    num_frames: int
    fps: int
    num_inference_steps: int
    seed: int
    call: dict  # the member's own pipeline kwargs (prompt, guidance_scale, ...): see members.Member.call_kwargs
    vae_tiling: bool = False  # what the fault hooks see: whether the decode is tiled
    flow_shift: float | None = None  # the scheduler's shift; None = the model's own


@dataclass(frozen=True)
class Knobs:
    """The generation settings of one clip (animate.svd in config)."""

    width: int
    height: int
    num_frames: int
    fps: int
    motion_bucket_id: int
    noise_aug_strength: float
    num_inference_steps: int
    min_guidance_scale: float
    max_guidance_scale: float
    decode_chunk_size: int
    seed: int


def generate(pipe, still: np.ndarray, knobs: Knobs, about: str) -> tuple[np.ndarray, dict]:
    """(frames as uint8 ``(num_frames, height, width, 3)``, a report of timings and redos)."""
    from PIL import Image

    image = Image.fromarray(still)
    report: dict = {"redo": [], "precision": {"denoise": _name(pipe.unet.dtype), "decode": _name(pipe.vae.dtype)}}
    device = torch.device(pipe._execution_device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)

    started = time.perf_counter()
    latents = _denoise(pipe, image, knobs, about)
    if not bool(torch.isfinite(latents).all()):
        dtype = pipe.unet.dtype
        if dtype == torch.float32:
            raise GenerationFailed(about, "denoising gave non-finite values even in fp32")
        alt = torch.bfloat16 if dtype == torch.float16 and _bf16_ok(device) else torch.float32
        report["redo"].append(f"denoise in {_name(alt)}: non-finite latents in {_name(dtype)}")
        log.warning("svd: %s: non-finite latents in %s; denoising again in %s", about, _name(dtype), _name(alt))
        _cast(pipe, alt)
        report["precision"] = {"denoise": _name(alt), "decode": _name(alt)}
        latents = _denoise(pipe, image, knobs, about)
        if not bool(torch.isfinite(latents).all()):
            raise GenerationFailed(about, f"denoising gave non-finite values in {_name(dtype)} and in {_name(alt)}")
    denoised = time.perf_counter()
    report["seconds_denoise"] = round(denoised - started, 3)
    report["seconds_per_step"] = round((denoised - started) / knobs.num_inference_steps, 4)

    def decode():
        return _decode(pipe, latents, knobs, about)

    frames = _checked_frames(pipe, still, decode(), decode, report, about, "svd")
    return _finished(frames, report, denoised, device)


def _checked_frames(pipe, still: np.ndarray, frames, decode_again, report: dict, about: str, name: str):
    """``frames`` if they are sound; black or non-finite frames in half precision are decoded again
    (``decode_again()``) with the VAE in fp32, and the redo is recorded in ``report``."""
    problem = _frame_problem(frames, still)
    if not problem:
        return frames
    if pipe.vae.dtype == torch.float32:
        raise GenerationFailed(about, f"the decoded clip is {problem} (VAE in fp32)")
    report["redo"].append(f"decode in fp32: {problem} in {_name(pipe.vae.dtype)}")
    log.warning("%s: %s: decoded frames are %s in %s; decoding again in fp32", name, about, problem,
                _name(pipe.vae.dtype))  # fmt: skip
    cast(pipe.vae, torch.float32)
    report["precision"]["decode"] = "fp32"
    frames = decode_again()
    problem = _frame_problem(frames, still)
    if problem:
        raise GenerationFailed(about, f"the decoded clip is {problem}, even with the VAE in fp32")
    return frames


def _finished(frames, report: dict, decode_started: float, device) -> tuple[np.ndarray, dict]:
    """The frames as uint8 RGB, and the report with the decode's seconds and the peak GPU memory."""
    report["seconds_decode"] = round(time.perf_counter() - decode_started, 3)
    report["peak_gpu_bytes"] = int(torch.cuda.max_memory_allocated(device)) if device.type == "cuda" else None
    rgb = (frames.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return rgb, report


def _denoise(pipe, image, knobs: Knobs, about: str):
    steps = knobs.num_inference_steps
    started = time.perf_counter()

    def on_step(_pipe, i, _t, _kwargs):
        log.info("svd: %s: step %d/%d, %.1f s", about, i + 1, steps, time.perf_counter() - started)
        return {}

    generator = torch.Generator("cpu").manual_seed(knobs.seed)  # same noise on every device
    with torch.inference_mode():
        latents = pipe(
            image,
            height=knobs.height,
            width=knobs.width,
            num_frames=knobs.num_frames,
            num_inference_steps=steps,
            min_guidance_scale=knobs.min_guidance_scale,
            max_guidance_scale=knobs.max_guidance_scale,
            fps=knobs.fps,
            motion_bucket_id=knobs.motion_bucket_id,
            noise_aug_strength=knobs.noise_aug_strength,
            generator=generator,
            output_type="latent",
            callback_on_step_end=on_step,
        ).frames
    return faults.after_denoise(latents, latents.dtype, about)


def _decode(pipe, latents, knobs: Knobs, about: str):
    """Frames in [0, 1], ``(num_frames, 3, height, width)``, float32, unclamped (so NaNs show)."""
    vae = pipe.vae
    flat = latents.flatten(0, 1) / vae.config.scaling_factor
    chunk = max(1, knobs.decode_chunk_size)
    parts = []
    with torch.inference_mode():
        for start in range(0, flat.shape[0], chunk):
            piece = flat[start : start + chunk]
            faults.before_decode(piece.shape[0], about)
            decoded = vae.decode(piece.to(dtype=vae.dtype), num_frames=piece.shape[0]).sample
            parts.append(faults.after_decode(decoded, vae.dtype, about).float().cpu())
    log.info("svd: %s: decoded %d frames, %d at a time", about, flat.shape[0], chunk)
    return (torch.cat(parts) + 1) / 2


def _frame_problem(frames, still: np.ndarray) -> str | None:
    if not bool(torch.isfinite(frames).all()):
        return "non-finite (NaN or inf)"
    black = int((frames.amax(dim=(1, 2, 3)) < BLACK_LEVEL).sum())
    if black and float(still.max()) / 255 > LIT_LEVEL:
        return "all black" if black == frames.shape[0] else f"black in {black} of {frames.shape[0]} frames"
    return None


def _bf16_ok(device) -> bool:
    """Native bf16 only: Ampere (compute capability 8) and newer; emulated bf16 on older cards is no rescue."""
    if device.type == "cuda":
        return torch.cuda.get_device_capability(device)[0] >= 8
    return device.type == "cpu"


def _cast(pipe, dtype) -> None:
    for part in (pipe.unet, pipe.vae, pipe.image_encoder):
        cast(part, dtype)


def _name(dtype) -> str:
    return {torch.float16: "fp16", torch.bfloat16: "bf16", torch.float32: "fp32"}.get(dtype, str(dtype))


# -- members their pipeline decodes (wan, ltx) -----------------------------------------------------


def generate_clip(pipe, denoiser: str, still: np.ndarray, knobs: ClipKnobs, about: str,
                  last_frame: np.ndarray | None = None, name: str = "i2v",
                  images=first_last_images) -> tuple[np.ndarray, dict]:  # fmt: skip
    """(frames as uint8 ``(num_frames, height, width, 3)``, a report), as ``generate``, for wan and ltx.

    ``last_frame``: also passed to the pipeline (first-last-frame models, LTX conditions); None: not at all.
    ``images``: the member's ``(pipe, first, last, num_frames) -> kwargs`` (``members.Member.images``).
    """
    from PIL import Image

    model = getattr(pipe, denoiser)
    report: dict = {"redo": [], "precision": {"denoise": _name(model.dtype), "decode": _name(pipe.vae.dtype)}}
    device = torch.device(pipe._execution_device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    first, last = Image.fromarray(still), Image.fromarray(last_frame) if last_frame is not None else None
    images = images(pipe, first, last, knobs.num_frames)
    _set_shift(pipe, knobs.flow_shift)

    started = time.perf_counter()
    frames, seen = _call(pipe, images, knobs, about, name)
    if not bool(torch.isfinite(seen["latents"]).all()):
        dtype = model.dtype
        if dtype == torch.float32:
            raise GenerationFailed(about, "denoising gave non-finite values even in fp32")
        alt = torch.bfloat16 if dtype == torch.float16 and _bf16_ok(device) else torch.float32
        report["redo"].append(f"denoise in {_name(alt)}: non-finite latents in {_name(dtype)}")
        log.warning("%s: %s: non-finite latents in %s; generating again in %s", name, about, _name(dtype), _name(alt))
        for part in (model, pipe.vae, getattr(pipe, "image_encoder", None)):
            if part is not None:
                cast(part, alt)
        report["precision"] = {"denoise": _name(alt), "decode": _name(alt)}
        started = time.perf_counter()
        frames, seen = _call(pipe, images, knobs, about, name)
        if not bool(torch.isfinite(seen["latents"]).all()):
            raise GenerationFailed(about, f"denoising gave non-finite values in {_name(dtype)} and in {_name(alt)}")
    denoised = seen["decode_started"]
    report["seconds_denoise"] = round(denoised - started, 3)
    report["seconds_per_step"] = round((denoised - started) / knobs.num_inference_steps, 4)

    frames = _checked_frames(pipe, still, frames, lambda: _redecode(pipe, seen, knobs, about), report, about, name)
    return _finished(frames, report, denoised, device)


def _set_shift(pipe, shift: float | None) -> None:
    """The scheduler's flow shift for this call (a fresh scheduler of the same class when it changes)."""
    config = pipe.scheduler.config
    if shift is None or "flow_shift" not in config or float(config["flow_shift"]) == float(shift):
        return
    pipe.scheduler = type(pipe.scheduler).from_config(config, flow_shift=float(shift))


def _call(pipe, images: dict, knobs: ClipKnobs, about: str, name: str):
    """Run the pipeline with its VAE decode wrapped; (frames ``(F, 3, H, W)`` in [0, 1], what the wrapper saw)."""
    steps = knobs.num_inference_steps
    started = time.perf_counter()
    vae = pipe.vae
    decode = vae.decode  # the bound method, with diffusers' offload hook
    denoiser_dtype = getattr(pipe, "transformer", None).dtype if hasattr(pipe, "transformer") else vae.dtype
    seen: dict = {}

    def on_step(_pipe, i, _t, _kwargs):
        log.info("%s: %s: step %d/%d, %.1f s", name, about, i + 1, steps, time.perf_counter() - started)
        return {}

    def wrapped(latents, *args, **kwargs):
        seen["decode_started"] = time.perf_counter()
        latents = faults.after_denoise(latents, denoiser_dtype, about)
        seen.update(latents=latents, args=args, kwargs=kwargs)
        if not bool(torch.isfinite(latents).all()):  # no decode of NaNs: the caller redoes the denoise
            return _as_output(torch.zeros((latents.shape[0], 3, knobs.num_frames, knobs.height, knobs.width)),
                              kwargs)  # fmt: skip
        return _decode_with_faults(decode, latents, args, kwargs, knobs, about)

    generator = torch.Generator("cpu").manual_seed(knobs.seed)  # same noise on every device
    vae.decode = wrapped
    try:
        with torch.inference_mode():
            out = pipe(**images, height=knobs.height, width=knobs.width, num_frames=knobs.num_frames,
                       num_inference_steps=steps, generator=generator, output_type="pt",
                       callback_on_step_end=on_step, **knobs.call)  # fmt: skip
    finally:
        del vae.decode  # the class's method again
    seen.setdefault("decode_started", time.perf_counter())
    return out.frames[0].float().cpu(), seen


def _decode_with_faults(decode, latents, args, kwargs, knobs: ClipKnobs, about: str):
    faults.before_decode(knobs.num_frames, about, tiled=knobs.vae_tiling)
    out = decode(latents, *args, **kwargs)
    video = out[0] if isinstance(out, tuple) else out.sample
    video = faults.after_decode(video, latents.dtype, about)
    return _as_output(video, kwargs)


def _as_output(video, kwargs):
    if kwargs.get("return_dict", True):
        from diffusers.models.autoencoders.vae import DecoderOutput

        return DecoderOutput(sample=video)
    return (video,)


def _redecode(pipe, seen: dict, knobs: ClipKnobs, about: str):
    """The kept latents decoded again with the VAE as it is now (fp32), post-processed as the pipeline does."""
    latents = seen["latents"].to(dtype=pipe.vae.dtype)
    with torch.inference_mode():
        out = _decode_with_faults(pipe.vae.decode, latents, seen["args"], {**seen["kwargs"], "return_dict": False},
                                  knobs, about)  # fmt: skip
        video = pipe.video_processor.postprocess_video(out[0].float(), output_type="pt")
    return video[0].float().cpu()


# -- the loop seam -------------------------------------------------------------------------------


def seam(frames: np.ndarray) -> dict:
    """How far the clip's last frame is from its first, against the typical step between neighbours.

    Mean absolute difference per pixel and channel, on 0-255. ``ratio`` near 1: played
    in a loop, the jump back to the start looks like any other step; much above 1: a visible seam.
    """
    clip = frames.astype(np.float32)
    steps = np.abs(np.diff(clip, axis=0)).mean(axis=(1, 2, 3)) if len(clip) > 1 else np.zeros(1)
    last_to_first = float(np.abs(clip[-1] - clip[0]).mean())
    typical = float(np.median(steps))
    return {"last_to_first": round(last_to_first, 3), "neighbour_median": round(typical, 3),
            "ratio": round(last_to_first / typical, 3) if typical > 0 else None}  # fmt: skip
