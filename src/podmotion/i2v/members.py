"""The members of the image-to-video family: what differs from one diffusers model to the next.

Everything else (loading, weight checks, the resident worker, memory plans per
attempt, NaN/black checks and redo, out-of-memory retry, fallback, sidecar and
timings) is shared, in this package and in ``podmotion.backends.i2v``. Adding a
model is one more ``Member`` here, its ``animate.<name>`` section in the config
schema, and a ``BACKENDS`` entry.

No torch here: the workflow reads these declarations before any job runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)

# The offload modes, least memory saved first. "group": diffusers' group offloading (leaf level, with
# CUDA streams prefetching the next layer), near model offload's speed with sequential offload's memory.
OFFLOADS_UNET = ("none", "model", "sequential")
OFFLOADS_TRANSFORMER = ("none", "model", "group", "sequential")


def first_last_images(pipe, first, last, num_frames: int) -> dict:
    """The image kwargs most pipelines take: ``image``, and ``last_image`` where there is a last frame."""
    return {"image": first} if last is None else {"image": first, "last_image": last}


@dataclass(frozen=True)
class Member:
    name: str  # the backend name and its config section, animate.<name>
    pipeline: str  # the diffusers pipeline class
    denoiser: str  # the pipeline's denoising model attribute: unet | transformer
    size_step: int  # width and height are multiples of this
    pixels: int  # the pixel budget sizes are chosen near
    max_side: int
    frame_step: int  # num_frames = k * frame_step + 1 (1: any count)
    max_frames: int
    native_fps: int
    prompt: bool  # takes a text prompt
    negative_prompt: bool
    decode: str  # "chunked": podmotion decodes the latents in chunks (svd); "pipeline": the pipeline decodes
    default_dtype: str
    # The pipeline kwargs (besides image, size, frames, steps, generator, output_type) from animate.<name>.
    call_kwargs: Callable[[dict], dict] = field(default=lambda options: {}, compare=False)
    # From the loaded pipeline: "required", "optional" or None (no last frame) -- see last_frame_mode().
    last_frame: Callable[[object], str | None] = field(default=lambda pipe: None, compare=False)
    # The offload modes it takes, least memory saved first: config may name any; retries climb them.
    offloads: tuple[str, ...] = OFFLOADS_UNET
    # A folder saved as one of these classes loads as the class it maps to (else as ``pipeline``).
    load_as: dict[str, str] = field(default_factory=dict, compare=False)
    # The pipeline's image kwargs: (pipe, first PIL image, last or None, num_frames) -> kwargs.
    images: Callable[[object, object, object, int], dict] = field(default=first_last_images, compare=False)
    # Extension (i2v.extend): how many of the clip's last frames the next segment is generated from, by
    # (pipe, num_frames), and the image kwargs those PIL frames make.
    context_frames: Callable[[object, int], int] = field(default=lambda pipe, num_frames: 1, compare=False)
    continue_images: Callable[[object, list], dict] = field(default=lambda pipe, tail: {"image": tail[-1]},
                                                            compare=False)  # fmt: skip

    def frames(self, asked: int) -> int:
        """The frame count the model makes for ``asked``: rounded down to k * frame_step + 1."""
        if self.frame_step <= 1:
            return max(2, int(asked))
        k = max(1, (int(asked) - 1) // self.frame_step)
        return min(k * self.frame_step + 1, (self.max_frames - 1) // self.frame_step * self.frame_step + 1)


def _wan_kwargs(options: dict) -> dict:
    return {"prompt": options["prompt"], "negative_prompt": options["negative_prompt"],
            "guidance_scale": float(options["guidance_scale"])}  # fmt: skip


def _wan_last_frame(pipe) -> str | None:
    """FLF2V (Wan 2.1 first-last-frame) has positional embeddings for two images and needs the last frame.

    Wan 2.2 TI2V-5B (``expand_timesteps``: the first frame replaces latent frame 0) silently ignores
    ``last_image`` in diffusers 0.42, and Wan 2.1 I2V was not trained with one: neither gets it.
    """
    if getattr(pipe.config, "expand_timesteps", False):
        return None
    if getattr(pipe.transformer.config, "pos_embed_seq_len", None) and pipe.image_encoder is not None:
        return "required"
    return None


def _ltx_last_frame(pipe) -> str | None:
    """LTX-Video 0.9.5 and later (``LTXConditionPipeline``) take conditions at any frame: with the still at
    the last frame too, a clip for ``pad.strategy: loop`` leads back to its start. The 0.9.0/0.9.1
    image-to-video pipeline conditions the first frame only."""
    return "optional" if type(pipe).__name__ == "LTXConditionPipeline" else None


def _ltx_images(pipe, first, last, num_frames: int) -> dict:
    """The first frame (and the last) as LTX conditions. Passed as ``conditions``: in diffusers 0.42
    ``image=[first, last]`` without a video list keeps only the first image."""
    if type(pipe).__name__ != "LTXConditionPipeline":
        return {"image": first}
    from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

    ends = [(first, 0)] + ([(last, num_frames - 1)] if last is not None else [])
    return {"conditions": [LTXVideoCondition(image=image, frame_index=index) for image, index in ends]}


def _ltx_context(pipe, num_frames: int) -> int:
    """An LTXConditionPipeline continues from the clip's last frames (a whole latent frame's 8, plus one, up to
    ``extend.LTX_CONTEXT_FRAMES``), leaving at least half the segment new; the 0.9.0/0.9.1 pipeline from its last."""
    if type(pipe).__name__ != "LTXConditionPipeline":
        return 1
    from .extend import LTX_CONTEXT_FRAMES

    return min(LTX_CONTEXT_FRAMES, (num_frames - 1) // 2 // 8 * 8 + 1)


def _ltx_continue(pipe, tail: list) -> dict:
    """The clip's last frames as an LTX video condition at frame 0 (LTXConditionPipeline), else its last frame."""
    if type(pipe).__name__ != "LTXConditionPipeline":
        return {"image": tail[-1]}
    from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

    return {"conditions": [LTXVideoCondition(video=list(tail), frame_index=0)]}


def _ltx_kwargs(options: dict) -> dict:
    return {"prompt": options["prompt"], "negative_prompt": options["negative_prompt"],
            "guidance_scale": float(options["guidance_scale"]), "frame_rate": int(options["fps"]),
            "decode_timestep": float(options["decode_timestep"]),
            "decode_noise_scale": float(options["decode_noise_scale"])}  # fmt: skip


MEMBERS: dict[str, Member] = {
    "svd": Member(
        "svd", "StableVideoDiffusionPipeline", "unet", size_step=64, pixels=1024 * 576, max_side=2048,
        frame_step=1, max_frames=64, native_fps=6, prompt=False, negative_prompt=False, decode="chunked",
        default_dtype="fp16",
    ),  # fmt: skip
    "wan": Member(
        "wan", "WanImageToVideoPipeline", "transformer", size_step=32, pixels=1280 * 704, max_side=1280,
        frame_step=4, max_frames=161, native_fps=24, prompt=True, negative_prompt=True, decode="pipeline",
        default_dtype="bf16", call_kwargs=_wan_kwargs, last_frame=_wan_last_frame,
        offloads=OFFLOADS_TRANSFORMER,
    ),  # fmt: skip
    "ltx": Member(
        "ltx", "LTXImageToVideoPipeline", "transformer", size_step=32, pixels=768 * 512, max_side=1280,
        frame_step=8, max_frames=257, native_fps=24, prompt=True, negative_prompt=True, decode="pipeline",
        default_dtype="bf16", call_kwargs=_ltx_kwargs, last_frame=_ltx_last_frame, images=_ltx_images,
        offloads=OFFLOADS_TRANSFORMER, load_as={"LTXConditionPipeline": "LTXConditionPipeline"},
        context_frames=_ltx_context, continue_images=_ltx_continue,
    ),  # fmt: skip
}


def member(name: str) -> Member:
    try:
        return MEMBERS[name]
    except KeyError:
        raise ValueError(f"unknown image-to-video model {name!r}; known: {', '.join(MEMBERS)}") from None


def last_frame_mode(m: Member, pipe) -> str | None:
    mode = m.last_frame(pipe)
    log.info("%s: %s takes %s", m.name, type(pipe).__name__,
             {"required": "a last frame (first-last-frame model)", "optional": "an optional last frame",
              None: "no last frame"}[mode])  # fmt: skip
    return mode
