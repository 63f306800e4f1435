"""The one place an SVD pipeline is loaded, and kept.

``load_pipeline`` takes a hub id or a local folder, honours ``HF_HUB_OFFLINE``
and the Hugging Face cache, and keeps the loaded pipeline for the life of the
process (one at a time), so a caller that animates several scenes in one
process loads the model once. Every way the weights can be missing becomes one
``PodmotionError`` line that says where it looked and how to get them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import PodmotionError

log = logging.getLogger(__name__)

DTYPE_NAMES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


@dataclass(frozen=True)
class ModelSpec:
    model: str  # hub id, or a local folder holding model_index.json
    revision: str | None = None
    variant: str | None = None  # e.g. "fp16": load the *.fp16.safetensors files
    dtype: str = "fp16"  # fp16 | bf16 | fp32


@dataclass(frozen=True)
class Placement:
    device: str  # resolved: cpu, cuda, cuda:N or mps
    offload: str = "none"  # none | model | sequential
    forward_chunking: bool = False


_loaded: dict[tuple[ModelSpec, Placement], object] = {}


def torch_dtype(name: str):
    import torch

    return getattr(torch, DTYPE_NAMES[name])


def resolve_device(requested: str, about: str) -> str:
    """``auto`` -> cuda if usable, else mps, else cpu. An unusable explicit device is an error."""
    import torch

    if requested == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        log.warning("svd: no GPU found, running on the CPU: expect minutes per step at full size")
        return "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise PodmotionError(about, f"animate.svd.device = {requested} but PyTorch sees no CUDA device")
        index = int(requested.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise PodmotionError(
                about, f"animate.svd.device = {requested} but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
    if requested == "mps" and not torch.backends.mps.is_available():
        raise PodmotionError(about, "animate.svd.device = mps but PyTorch sees no MPS device")
    return requested


def local_folder(model: str) -> Path | None:
    """The folder ``model`` names, if it is a path rather than a hub id ("owner/name")."""
    path = Path(model).expanduser()
    if path.exists():
        return path
    looks_like_path = model.startswith(("/", ".", "~")) or model.count("/") != 1 or "\\" in model
    return path if looks_like_path else None


def load_pipeline(spec: ModelSpec, placement: Placement):
    """The pipeline for ``spec`` placed as asked; loaded once per process and kept."""
    key = (spec, placement)
    if key in _loaded:
        return _loaded[key]
    _loaded.clear()  # one model in memory at a time
    started = time.perf_counter()
    pipe = _from_pretrained(spec)
    pipe.set_progress_bar_config(disable=True)  # podmotion logs each step itself
    _place(pipe, placement)
    _loaded[key] = pipe
    log.info("svd: loaded %s (%s%s) on %s in %.1f s", spec.model, spec.dtype,
             f", variant {spec.variant}" if spec.variant else "", placement.device,
             time.perf_counter() - started)  # fmt: skip
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
    from diffusers import StableVideoDiffusionPipeline

    folder = local_folder(spec.model)
    if folder is not None:
        if not folder.is_dir():
            raise PodmotionError(spec.model, "animate.svd.model: no such folder (and not a hub id like owner/name)")
        if not (folder / "model_index.json").is_file():
            raise PodmotionError(
                folder, "animate.svd.model: not a diffusers pipeline folder (no model_index.json); "
                "save one with save_pretrained or `hf download` into it"
            )  # fmt: skip
    source = str(folder) if folder is not None else spec.model
    try:
        return StableVideoDiffusionPipeline.from_pretrained(
            source, revision=spec.revision, variant=spec.variant, dtype=torch_dtype(spec.dtype)
        )
    except (OSError, ValueError) as exc:
        raise PodmotionError(spec.model, weights_problem(spec, exc, local=folder is not None)) from exc


def _chain_text(exc: BaseException) -> str:
    parts = []
    while exc is not None and len(parts) < 5:
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = exc.__cause__ or exc.__context__
    return " | ".join(parts)


def weights_problem(spec: ModelSpec, exc: BaseException, *, local: bool) -> str:
    """One line: what is missing, where podmotion looked, and how to get the weights."""
    text = _chain_text(exc)
    lowered = text.lower()
    if spec.variant and "variant" in lowered:
        return (f"animate.svd.model has no '{spec.variant}' variant files; set animate.svd.variant: null "
                "to load the full-precision files")  # fmt: skip
    if local:
        return f"animate.svd.model: could not load the pipeline folder ({' '.join(str(exc).split())[:200]})"
    from huggingface_hub import constants

    cache = constants.HF_HUB_CACHE
    url = f"https://huggingface.co/{spec.model}"
    get = (f"accept the licence at {url}, log in with `hf auth login` (or set HF_TOKEN), then `hf download "
           f"{spec.model}`; or set animate.svd.model to a local folder holding the pipeline")  # fmt: skip
    if spec.revision and "revision" in lowered:
        return f"revision {spec.revision!r} not found for {spec.model}; {get}"
    if "gated" in lowered or "401" in text or "403" in text or "unauthorized" in lowered:
        return f"the hub refused access (a gated model: the licence must be accepted, and you logged in); {get}"
    if constants.HF_HUB_OFFLINE:
        why = "HF_HUB_OFFLINE is set"
    elif "not found" in lowered and "repository" in lowered:
        return f"no such model on the hub, and none in the cache ({cache}); check animate.svd.model, or {get}"
    else:
        why = "the hub could not be reached"
    return f"model weights not found: not in the Hugging Face cache ({cache}) and {why}; to get them, {get}"


def _place(pipe, placement: Placement) -> None:
    if placement.forward_chunking:
        pipe.unet.enable_forward_chunking(chunk_size=1, dim=1)  # one frame at a time through feed-forward
    if placement.offload != "none" and placement.device in ("cpu",):
        log.info("svd: offload %s has no effect on the CPU; ignored", placement.offload)
        pipe.to(placement.device)
    elif placement.offload == "model":
        pipe.enable_model_cpu_offload(device=placement.device)
    elif placement.offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=placement.device)
    else:
        pipe.to(placement.device)


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

