"""The one place an image-to-video pipeline (any member: svd, wan, ltx) is loaded, prepared, and kept.

``load_pipeline`` takes a hub id or a local folder, honours ``HF_HUB_OFFLINE``
and the Hugging Face cache, and keeps the loaded pipeline for the life of the
process (one at a time), so a caller that animates several scenes in one
process loads the model once. Every way the weights can be missing becomes one
``PodmotionError`` line that says where it looked and how to get them.

The kept pipeline is keyed by what was loaded (``ModelSpec``, member included), where it was
placed (``Placement``) and how it was prepared for speed (``Preparation``:
``torch.compile`` of the UNet, channels-last convolution weights, the attention
kernel). A request that differs in any of them never gets the kept pipeline.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ..errors import PodmotionError
from .members import member
from .weights import ModelSpec, folder_problem, local_folder, saved_class, weights_problem

log = logging.getLogger(__name__)

DTYPE_NAMES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


@dataclass(frozen=True)
class Placement:
    device: str  # resolved: cpu, cuda, cuda:N or mps
    offload: str = "none"  # none | model | group | sequential
    forward_chunking: bool = False  # svd: the UNet's feed-forward layers one frame at a time
    vae_tiling: bool = False  # wan, ltx: VAE tiling and slicing


ATTENTION = ("sdpa", "classic")


@dataclass(frozen=True)
class Preparation:
    """How a loaded pipeline is made faster; none of it changes the maths beyond fp16/bf16 rounding.

    - ``compile``: ``torch.compile`` of the UNet (in place, so the pipeline still
      sees the same module). The first clip pays the compilation; a resident
      worker pays it once.
    - ``channels_last``: the 2-D convolution weights of the UNet and the VAE in
      channels-last memory order (the 3-D temporal convolutions can't take it).
    - ``attention``: ``sdpa``, diffusers' default (``AttnProcessor2_0``: PyTorch's
      fused scaled-dot-product attention), or ``classic`` (``AttnProcessor``:
      the score matrix written out, softmax, product; slower, and much more memory).
    """

    compile: bool = False
    channels_last: bool = False
    attention: str = "sdpa"

    def __post_init__(self):
        if self.attention not in ATTENTION:
            raise ValueError(f"attention must be one of {', '.join(ATTENTION)}, not {self.attention!r}")

    @classmethod
    def from_options(cls, svd: dict) -> "Preparation":
        return cls(bool(svd.get("compile", False)), bool(svd.get("channels_last", False)),
                   str(svd.get("attention", "sdpa")))  # fmt: skip

    def as_dict(self) -> dict:
        return {"compile": self.compile, "channels_last": self.channels_last, "attention": self.attention}


_loaded: dict[tuple[ModelSpec, Placement, Preparation], object] = {}


def torch_dtype(name: str):
    import torch

    return getattr(torch, DTYPE_NAMES[name])


def resolve_device(requested: str, about: str, member: str = "svd") -> str:
    """``auto`` -> cuda if usable, else mps, else cpu. An unusable explicit device is an error."""
    import torch

    if requested == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        log.warning(f"{member}: no GPU found, running on the CPU: expect minutes per step at full size")
        return "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise PodmotionError(about, f"animate.{member}.device = {requested} but PyTorch sees no CUDA device")
        index = int(requested.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise PodmotionError(
                about, f"animate.{member}.device = {requested} but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
    if requested == "mps" and not torch.backends.mps.is_available():
        raise PodmotionError(about, f"animate.{member}.device = mps but PyTorch sees no MPS device")
    return requested


def load_pipeline(spec: ModelSpec, placement: Placement, preparation: Preparation = Preparation()):
    """The pipeline for ``spec`` placed and prepared as asked; loaded once per process and kept."""
    key = (spec, placement, preparation)
    if key in _loaded:
        return _loaded[key]
    _loaded.clear()  # one model in memory at a time
    started = time.perf_counter()
    pipe = _from_pretrained(spec)
    pipe.set_progress_bar_config(disable=True)  # podmotion logs each step itself
    _place(pipe, placement, spec.member)
    _prepare(pipe, preparation, spec.member)
    _loaded[key] = pipe
    log.info(f"{spec.member}: loaded %s (%s%s) on %s in %.1f s (attention %s%s%s)", spec.model, spec.dtype,
             f", variant {spec.variant}" if spec.variant else "", placement.device, time.perf_counter() - started,
             preparation.attention, ", channels-last" if preparation.channels_last else "",
             ", denoiser compiled on first use" if preparation.compile else "")  # fmt: skip
    return pipe


def _quiet_libraries() -> None:
    """Progress bars and chatter from diffusers/transformers would drown the job's log."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    for library in (diffusers_logging, transformers_logging):
        library.set_verbosity_error()
        library.disable_progress_bar()


def _from_pretrained(spec: ModelSpec):
    _quiet_libraries()  # before the pipeline's import, which already talks
    import diffusers

    folder = local_folder(spec.model)
    if folder is not None:
        problem = folder_problem(folder, spec.member)
        if problem:
            raise PodmotionError(spec.model, f"{spec.key}: {problem}")
    source = str(folder) if folder is not None else spec.model
    pipeline_class = getattr(diffusers, pipeline_class_name(spec, folder))
    try:
        return pipeline_class.from_pretrained(
            source, revision=spec.revision, variant=spec.variant, dtype=torch_dtype(spec.dtype)
        )
    except (OSError, ValueError) as exc:
        raise PodmotionError(spec.model, weights_problem(spec, exc, local=folder is not None)) from exc


def pipeline_class_name(spec: ModelSpec, folder=None) -> str:
    """The class ``spec`` loads as: the member's own, or where the member maps the class the model
    was saved as to another (ltx: a 0.9.5+ ``LTXConditionPipeline`` loads as one)."""
    m = member(spec.member)
    if not m.load_as:
        return m.pipeline
    try:
        if folder is not None:
            saved = saved_class(folder)
        else:  # model_index.json only: from the cache, or the hub unless HF_HUB_OFFLINE
            import diffusers

            saved = diffusers.DiffusionPipeline.load_config(spec.model, revision=spec.revision).get("_class_name")
    except (OSError, ValueError):  # missing: from_pretrained then says so, in one line (weights_problem)
        return m.pipeline
    return m.load_as.get(saved, m.pipeline)


def _place(pipe, placement: Placement, name: str = "svd") -> None:
    if placement.forward_chunking and hasattr(pipe, "unet"):
        pipe.unet.enable_forward_chunking()  # feed-forward layers one frame at a time (dim 0, chunk 1)
    if placement.vae_tiling:
        pipe.vae.enable_tiling()  # the decode in overlapping tiles (and frames: LTX), one clip at a time
        pipe.vae.enable_slicing()
    if placement.offload != "none" and placement.device in ("cpu",):
        log.info(f"{name}: offload %s has no effect on the CPU; ignored", placement.offload)
        pipe.to(placement.device)
    else:
        offload(pipe, placement.offload, placement.device)


def offload(pipe, mode: str, device: str) -> None:
    """Put ``pipe`` on ``device`` the way ``mode`` says (none | model | group | sequential).

    ``group``: diffusers' group offloading at leaf level. Every layer's weights
    live in CPU memory and come onto the device just before the layer runs; on
    CUDA a second stream copies the next layer's weights while this one
    computes, so it runs near model offload's speed with about sequential
    offload's memory (and pinned CPU memory the size of the model).
    """
    import torch

    if mode == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif mode == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)
    elif mode == "group":
        pipe.enable_group_offload(onload_device=torch.device(device), offload_device=torch.device("cpu"),
                                  offload_type="leaf_level", use_stream=device.startswith("cuda"))  # fmt: skip
    elif mode == "none":
        pipe.to(device)
    else:
        raise ValueError(f"offload must be none, model, group or sequential, not {mode!r}")


def cast(part, dtype) -> None:
    """``part`` (a pipeline component) in ``dtype`` from now on, however it is offloaded.

    Group offloading with streams keeps its own pinned CPU copy of every weight
    and copies it back at each offload, so a plain ``.to(dtype)`` would be
    undone after the next layer; its hooks are rebuilt from the cast weights
    (as diffusers does after it changes weights in place, for LoRA).
    """
    part.to(dtype=dtype)
    from diffusers.hooks.group_offloading import _maybe_remove_and_reapply_group_offloading

    _maybe_remove_and_reapply_group_offloading(part)


def _prepare(pipe, preparation: Preparation, name: str = "svd") -> None:
    import torch

    denoiser = getattr(pipe, member(name).denoiser)
    if preparation.attention == "classic":
        from diffusers.models.attention_processor import AttnProcessor

        for part in (denoiser, pipe.vae):
            part.set_attn_processor(AttnProcessor())
    if preparation.channels_last:
        # Module.to(memory_format=...) refuses the 5-D weights of the temporal Conv3d layers: 2-D ones only.
        for part in (denoiser, pipe.vae):
            for module in part.modules():
                if isinstance(module, torch.nn.Conv2d):
                    module.to(memory_format=torch.channels_last)
    if preparation.compile:
        denoiser.compile()  # in place: pipe.unet (transformer) stays the diffusers model; compiled at its first call


def attention_kernels(pipe) -> list[str]:
    """The attention processor classes the denoiser and the VAE run (what ``attention`` really chose)."""
    parts = [getattr(pipe, "unet", None) or getattr(pipe, "transformer", None), pipe.vae]
    return sorted({type(p).__name__ for part in parts if hasattr(part, "attn_processors")
                   for p in part.attn_processors.values()})  # fmt: skip


def release() -> None:
    """Drop the kept pipeline (and the GPU memory it holds)."""
    _loaded.clear()
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover
        pass

