"""The one place the depth model is loaded and run: a picture in, its depth map out (near = 1).

``load`` takes a hub id or a local folder (``DepthSpec``) through transformers'
``AutoImageProcessor`` and ``AutoModelForDepthEstimation``, puts the model in
eval mode on its device and keeps it for the life of the process, keyed by the
spec, so a job that does several stills loads it once. Every way the load can
fail becomes one ``GenerationFailed`` line saying what is missing and how to get it.

``estimate`` follows the model's own preprocessing (Depth Anything: the short
side resized to 518 px, a multiple of 14, ImageNet normalisation), then:

- The prediction is relative inverse depth: larger = nearer. The sign is kept, so near = 1.
- It is normalised robustly: its 1st percentile goes to 0 and its 99th to 1, clipped,
  so a few outlying pixels don't squash the rest. A flat prediction gives zeros.
- It is resized back to the picture's own size (bicubic) after the percentiles are taken.
- A prediction that is not finite is an error (``GenerationFailed``), never a map.

torch and transformers are imported inside the functions: importing this module costs neither.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ..errors import GenerationFailed
from ..i2v.weights import local_folder
from . import DEFAULT_MODEL
from .weights import bare_problem, folder_problem

log = logging.getLogger(__name__)

LOW_PERCENTILE = 1.0  # goes to 0 (far)
HIGH_PERCENTILE = 99.0  # goes to 1 (near)


@dataclass(frozen=True)
class DepthSpec:
    model: str = DEFAULT_MODEL  # hub id, or a local folder: config.json, the weights, preprocessor_config.json
    revision: str | None = None
    device: str = "cpu"  # cpu, cuda, cuda:N, mps, or auto (cuda if usable, else cpu)

    @classmethod
    def from_options(cls, options: dict) -> DepthSpec:
        """From the config's ``animate.parallax`` section; missing keys take the defaults."""
        return cls(str(options.get("model") or DEFAULT_MODEL), options.get("revision"),
                   str(options.get("device") or "cpu"))  # fmt: skip

    @property
    def key(self) -> str:
        """The config key that names the model, for messages."""
        return "animate.parallax.model"


_loaded: dict[DepthSpec, tuple] = {}


def load(spec: DepthSpec) -> tuple:
    """(image processor, model) for ``spec``: the model in eval mode on ``spec.device``; loaded once per process."""
    if spec in _loaded:
        return _loaded[spec]
    started = time.perf_counter()
    folder = local_folder(spec.model)
    if folder is not None:
        problem = folder_problem(folder, spec.key)
        if problem:
            raise GenerationFailed(spec.model, f"{spec.key}: {problem}")
    try:
        import torch  # noqa: F401  (a missing torch is reported here, in one line)
        import transformers
    except ImportError as exc:
        raise GenerationFailed(spec.model, f"the depth model needs torch and transformers ({exc}); "
                               "install them with `pip install torch transformers`") from exc  # fmt: skip
    _quiet_transformers()
    source = str(folder) if folder is not None else spec.model
    try:
        processor = transformers.AutoImageProcessor.from_pretrained(source, revision=spec.revision)
        model = transformers.AutoModelForDepthEstimation.from_pretrained(source, revision=spec.revision)
    except Exception as exc:  # OSError, ValueError, KeyError from a config it doesn't know, hub errors
        raise GenerationFailed(spec.model, f"{spec.key}: {_load_problem(spec, exc)}") from exc
    device = _resolve_device(spec)
    try:
        model = model.eval().to(device)
    except Exception as exc:  # no such device, or out of its memory
        raise GenerationFailed(spec.model, f"the depth model can't be put on {device} ({_first_line(exc)}); "
                               "set animate.parallax.device to cpu") from exc  # fmt: skip
    _keep_relative_head(model)
    _loaded[spec] = (processor, model)
    log.info("depth: loaded %s on %s in %.1f s", spec.model, device, time.perf_counter() - started)
    return _loaded[spec]


def estimate(rgb: np.ndarray, spec: DepthSpec, *, threads: int = 0) -> np.ndarray:
    """The depth map of an HxWx3 uint8 RGB picture: float32 HxW in [0, 1], near = 1 (see the module's rules)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"estimate takes an HxWx3 uint8 RGB picture, not {rgb.dtype} {rgb.shape}")
    import torch

    processor, model = load(spec)
    if threads > 0:
        torch.set_num_threads(threads)
    height_px, width_px = rgb.shape[:2]
    device = next(model.parameters()).device
    inputs = processor(images=rgb, return_tensors="pt", input_data_format="channels_last")
    with torch.inference_mode():
        predicted = model(pixel_values=inputs["pixel_values"].to(device)).predicted_depth  # (1, h, w) at model size
        predicted = predicted.float()
        if not bool(torch.isfinite(predicted).all()):
            raise GenerationFailed(spec.model, "the depth model's prediction is not finite (NaN or inf): "
                                   "check the weights in animate.parallax.model")  # fmt: skip
        low, high = _percentiles(predicted.cpu().numpy())
        full = torch.nn.functional.interpolate(predicted[:, None], size=(height_px, width_px), mode="bicubic",
                                               align_corners=False)[0, 0]  # fmt: skip
        full = full.cpu().numpy()
    return normalised(full, low, high)


def _percentiles(depth: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(depth, [LOW_PERCENTILE, HIGH_PERCENTILE])
    if high <= low:  # most of the picture at one depth: the full range, if there is any
        low, high = float(depth.min()), float(depth.max())
    return float(low), float(high)


def normalised(depth: np.ndarray, low: float, high: float) -> np.ndarray:
    """``depth`` with ``low`` at 0 and ``high`` at 1, clipped, float32; zeros when there is no range."""
    if not high > low:
        return np.zeros(depth.shape, np.float32)
    return np.clip((depth.astype(np.float32) - low) / (high - low), 0.0, 1.0).astype(np.float32)


def _load_problem(spec: DepthSpec, exc: BaseException) -> str:
    missing = bare_problem(spec)
    if missing:
        return missing
    return (f"could not load the depth model ({_first_line(exc)}); set {spec.key} to a transformers depth model: "
            f"`hf download {DEFAULT_MODEL}`, or a local folder that holds one")  # fmt: skip


def _first_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]


def _resolve_device(spec: DepthSpec) -> str:
    if spec.device != "auto":
        return spec.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _keep_relative_head(model) -> None:
    """A relative-depth config saved with ``max_depth: null`` would multiply the output by None in transformers 5."""
    head = getattr(model, "head", None)
    if head is not None and getattr(head, "max_depth", 1) is None:
        head.max_depth = 1


def _quiet_transformers() -> None:
    """Progress bars and chatter from transformers would drown the job's log."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
