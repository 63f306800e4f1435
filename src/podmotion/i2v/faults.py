"""Test hooks: simulate failures that only a real GPU produces, through the real code paths.

They apply to every member of the image-to-video family (svd, wan, ltx): svd's
own chunked decode calls them, and for wan and ltx they sit in the wrapper
around the pipeline's VAE decode (``generate.generate_clip``).

Set ``PODMOTION_I2V_FAULT`` to a comma-separated list; unset (always, outside
tests) nothing happens. An item may end in ``@NAME`` to hit only the still whose
file name starts with NAME (``oom_decode_above=2@scene_002``).

- ``oom_decode_above=N``: decoding more than N frames at once raises
  ``torch.OutOfMemoryError``, as a GPU too small for that chunk would
  (``N=0``: every decode fails). wan and ltx decode the whole clip at once.
- ``oom_untiled``: a decode without VAE tiling runs out of memory (wan, ltx: the
  saver their first retry turns on; svd never tiles, so it always fails there).
- ``nan_decode=half``: the VAE decode gives NaNs when it runs in fp16 or bf16,
  as fp16 overflow does.
- ``nan_latents=fp16``: denoising in fp16 gives NaNs.
- ``black``: every decode comes out black.
- ``crash``: the process dies before decoding (as a driver fault would).
- ``hang=S``: the process sleeps S seconds before decoding (a stuck GPU).
- ``drift=L``: every extension segment after the first comes out L levels
  brighter (on 0-255) than the model made it, as chained clips drift.
"""

from __future__ import annotations

import os

ENV = "PODMOTION_I2V_FAULT"
HALF_DTYPES = ("torch.float16", "torch.bfloat16")


def active(about: str) -> dict[str, str]:
    """The faults that apply to the still named ``about``."""
    spec = os.environ.get(ENV, "").strip()
    faults = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        item, _, target = item.partition("@")
        if target and not about.startswith(target):
            continue
        key, _, value = item.partition("=")
        faults[key.strip()] = value.strip()
    return faults


def before_decode(chunk_frames: int, about: str, tiled: bool = False) -> None:
    faults = active(about)
    if "crash" in faults:
        os._exit(70)
    if "hang" in faults:
        import time

        time.sleep(float(faults["hang"] or 3600))
    if "oom_untiled" in faults and not tiled:
        import torch

        raise torch.OutOfMemoryError(f"CUDA out of memory (simulated by {ENV}: decoding without VAE tiling)")
    limit = faults.get("oom_decode_above")
    if limit is not None and chunk_frames > int(limit):
        import torch

        raise torch.OutOfMemoryError(
            f"CUDA out of memory (simulated by {ENV}: decoding {chunk_frames} frames at once, limit {limit})"
        )


def after_decode(frames, vae_dtype, about: str):
    """``frames``: the decoded tensor, returned poisoned if a fault says so."""
    faults = active(about)
    if faults.get("nan_decode") == "half" and str(vae_dtype) in HALF_DTYPES:
        frames = frames * float("nan")
    if "black" in faults:
        frames = frames * 0 - 1  # -1 is black in the VAE's [-1, 1] range
    return frames


def after_denoise(latents, dtype, about: str):
    if active(about).get("nan_latents") == "fp16" and str(dtype) == "torch.float16":
        latents = latents * float("nan")
    return latents


def after_segment(frames, index: int, about: str):
    """An extension segment's uint8 frames, brightened by ``drift=L`` from segment 1 on."""
    level = active(about).get("drift")
    if level is None or index < 1:
        return frames
    import numpy as np

    return np.clip(frames.astype(np.int16) + int(float(level)), 0, 255).astype(np.uint8)
