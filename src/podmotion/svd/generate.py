"""One clip from one still: denoise, decode, and check the numbers before anything is written.

The pipeline denoises to latents (``output_type="latent"``) and the decode is
done here, chunk by chunk, so that a bad decode can be redone on its own:

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

log = logging.getLogger(__name__)

BLACK_LEVEL = 8 / 255  # a frame whose brightest pixel is below this is black
LIT_LEVEL = 32 / 255  # ... which is only a failure if the still itself is not dark


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

    frames = _decode(pipe, latents, knobs, about)
    problem = _frame_problem(frames, still)
    if problem:
        if pipe.vae.dtype == torch.float32:
            raise GenerationFailed(about, f"the decoded clip is {problem} (VAE in fp32)")
        report["redo"].append(f"decode in fp32: {problem} in {_name(pipe.vae.dtype)}")
        log.warning("svd: %s: decoded frames are %s in %s; decoding again in fp32", about, problem,
                    _name(pipe.vae.dtype))  # fmt: skip
        pipe.vae.to(dtype=torch.float32)
        report["precision"]["decode"] = "fp32"
        frames = _decode(pipe, latents, knobs, about)
        problem = _frame_problem(frames, still)
        if problem:
            raise GenerationFailed(about, f"the decoded clip is {problem}, even with the VAE in fp32")
    report["seconds_decode"] = round(time.perf_counter() - denoised, 3)
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
        part.to(dtype=dtype)


def _name(dtype) -> str:
    return {torch.float16: "fp16", torch.bfloat16: "bf16", torch.float32: "fp32"}.get(dtype, str(dtype))
