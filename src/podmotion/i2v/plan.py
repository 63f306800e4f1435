"""Pure decisions for the image-to-video backends: model size, per-attempt memory plan."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .members import OFFLOADS_TRANSFORMER, OFFLOADS_UNET

# SVD was trained at 1024x576; sizes are multiples of 64 near that many pixels.
MODEL_PIXELS = 1024 * 576
SIZE_STEP = 64
MAX_SIDE = 2048


def model_size(image_w: int, image_h: int, width: int | None = None, height: int | None = None,
               pixels: int = MODEL_PIXELS, step: int = SIZE_STEP, max_side: int = MAX_SIDE) -> tuple[int, int]:  # fmt: skip
    """The generation size for an image: multiples of ``step`` (SVD: 64) near ``pixels``, nearest the image's aspect.

    ``width``/``height`` from config win; with one of them set, the other
    follows the image's aspect.
    """
    if image_w <= 0 or image_h <= 0:
        raise ValueError("image size must be positive")
    aspect = image_w / image_h
    snap = lambda value: _snap(value, step, max_side)  # noqa: E731
    if width and height:
        return snap(int(width)), snap(int(height))
    if width or height:
        # the other side follows the aspect; if it would pass max_side, both shrink
        w = float(width) if width else height * aspect
        h = float(height) if height else width / aspect
        scale = min(1.0, max_side / max(w, h))
        return snap(w * scale), snap(h * scale)
    ideal_h = math.sqrt(pixels / aspect)
    best = None
    for h in {snap(ideal_h) + d * step for d in (-2, -1, 0, 1, 2)}:
        if not step <= h <= max_side:
            continue
        for w in {snap(h * aspect) + d * step for d in (-1, 0, 1)}:
            if not step <= w <= max_side:
                continue
            # Aspect error matters most (it is what gets cropped); pixel count second.
            cost = abs(math.log((w / h) / aspect)) + 0.25 * abs(math.log(w * h / pixels))
            if best is None or cost < best[0] or (cost == best[0] and (w, h) < best[1]):
                best = (cost, (w, h))
    return best[1]


def _snap(value: float, step: int = SIZE_STEP, max_side: int = MAX_SIDE) -> int:
    return int(min(max_side // step * step, max(step, round(value / step) * step)))


@dataclass(frozen=True)
class MemoryPlan:
    level: int  # 0 = as configured; each retry after out-of-memory goes one level up
    decode_chunk_size: int
    forward_chunking: bool
    offload: str  # none | model | group | sequential (group: members with a transformer)
    vae_tiling: bool | None = None  # members decoded by their pipeline: VAE tiling and slicing (None: svd)

    def describe(self) -> str:
        if self.vae_tiling is not None:
            return f"vae_tiling {'on' if self.vae_tiling else 'off'}, offload {self.offload}"
        return (f"decode_chunk_size {self.decode_chunk_size}, forward_chunking {'on' if self.forward_chunking else 'off'}, "
                f"offload {self.offload}")  # fmt: skip


def memory_plan(decode_chunk_size: int, num_frames: int, offload: str, forward_chunking: bool, level: int) -> MemoryPlan:
    """What attempt ``level`` runs with: each level saves more memory, at some cost in speed.

    0: as configured. 1: half the decode chunk, UNet forward chunking on.
    2: a quarter of the chunk, model CPU offload. 3 and up: chunk 1, sequential offload.
    Nothing is ever turned down from what the config asked for.
    """
    if level < 0:
        raise ValueError("level must be >= 0")
    chunk = 1 if level >= 3 else max(1, min(int(decode_chunk_size), int(num_frames)) >> level)
    offload_rank = OFFLOADS_UNET.index(offload)
    if level >= 2:
        offload_rank = max(offload_rank, min(level - 1, len(OFFLOADS_UNET) - 1))
    return MemoryPlan(
        level=level,
        decode_chunk_size=chunk,
        forward_chunking=bool(forward_chunking) or level >= 1,
        offload=OFFLOADS_UNET[offload_rank],
    )



def pipeline_plan(num_frames: int, offload: str, vae_tiling: bool, level: int,
                  offloads: tuple[str, ...] = OFFLOADS_TRANSFORMER) -> MemoryPlan:  # fmt: skip
    """The plan for a member its pipeline decodes (wan, ltx): what attempt ``level`` adds.

    0: as configured. 1: VAE tiling and slicing (the decode of a long clip at
    720p is what runs out first). 2 and up: one offload mode further along the
    member's ``offloads`` each (wan, ltx: 2 model offload, 3 group offload,
    4 sequential offload). Nothing is ever turned down from what the config asked for.
    """
    if level < 0:
        raise ValueError("level must be >= 0")
    if offload not in offloads:
        raise ValueError(f"offload {offload!r} is not one of {', '.join(offloads)}")
    offload_rank = offloads.index(offload)
    if level >= 2:
        offload_rank = max(offload_rank, min(level - 1, len(offloads) - 1))
    return MemoryPlan(level=level, decode_chunk_size=int(num_frames), forward_chunking=False,
                      offload=offloads[offload_rank], vae_tiling=bool(vae_tiling) or level >= 1)  # fmt: skip
