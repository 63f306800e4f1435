"""Animators: each turns one still into a short clip, behind one signature.

Every backend module exposes ``animate(request: AnimateRequest) -> dict``. It
writes an H.264 MP4 to ``request.out_path`` and returns what it did (for the
log and the per-scene sidecar). Backends are looked up by name in
``BACKENDS``; ``needs_gpu`` tells the workflow which ones claim the GPU.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import subprocess
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from ..ffmpeg import EncoderSettings


@dataclass(frozen=True)
class AnimateRequest:
    image_path: Path
    out_path: Path
    width: int  # the episode's output size; a backend may render at another size
    height: int
    fps: Fraction  # the episode's output rate
    max_duration_s: float  # the scene's length: a longer clip would only be trimmed
    seed: int  # already derived for this scene
    encoder: EncoderSettings  # the clip's encoder: near-lossless for the episode's quality (EncoderSettings.clip)
    options: dict = field(default_factory=dict)  # the backend's own config section
    fit: str = "cover"  # how the scene will be fitted to the output (see podmotion.fit)
    attempt: int = 1  # Snakemake's attempt number: a backend may use less memory on a retry
    threads: int = 0  # CPU threads the job may use (0 = the library's default)
    backend: str = ""  # the backend's name (one module may serve several: svd, wan, ltx)
    loop: bool = False  # pad.strategy is loop: a model that takes a last frame gets the still there too
    # Only the art moves (a backend that ``pastes``): the whole still and the art box in it, (x, y, w, h); the
    # backend renders the art's crop (image_path, width x height) and encodes each frame pasted into the still.
    paste_into: tuple[Path, tuple[int, int, int, int]] | None = None
    clip_path: Path | None = None  # the scene's clip as it will be named (a provider keeps its task beside it)
    depth_path: Path | None = None  # the art's depth, near = bright (the depth job's), for a backend that moves through it


@dataclass(frozen=True)
class Backend:
    name: str
    module: str  # imported only when the backend runs, so heavy imports stay in their jobs
    needs_gpu: bool
    seeded: bool = True  # whether the seed changes the clip (so whether a new seed reruns it)
    runtime_keys: tuple[str, ...] = ()  # options that say how to run, not what to make (no rerun on change)
    loops: bool = False  # pad.strategy loop shapes the clip (a first-last-frame model may end on the still)
    generated: bool = False  # an image-to-video model's clip: a few seconds, padded, so pad.drift auto drifts it
    pastes: bool = False  # renders frame by frame, so it pastes its art into the still itself (paste_into)
    cloud: bool = False  # a cloud provider (podmotion.cloud): the art crop is uploaded, the scene costs money
    # Whether, with these options, the clip is the scene's every frame: it is then encoded at the output's
    # settings, and the padder passes it on without a second encode where it is already the output's size.
    scene_long: Callable[[dict], bool] = field(default=lambda options: False, compare=False)

    def animate(self, request: AnimateRequest) -> dict:
        fn: Callable[[AnimateRequest], dict] = importlib.import_module(self.module).animate
        return fn(dataclasses.replace(request, backend=self.name))


# The image-to-video family (podmotion.i2v): one adapter module; what differs is in podmotion.i2v.members.
I2V_RUNTIME_KEYS = ("device", "offload", "vae_tiling", "retries", "on_error", "fallback", "worker",
                    "worker_timeout_s")  # fmt: skip
CLOUD_RUNTIME_KEYS = ("base_url", "api_version", "request_timeout_s", "max_retries", "backoff_s", "max_backoff_s",
                      "poll_interval_s", "task_timeout_s", "price_per_s", "max_cost", "on_error")  # fmt: skip
BACKENDS: dict[str, Backend] = {
    "svd": Backend(
        "svd", "podmotion.backends.i2v", needs_gpu=True,
        runtime_keys=("device", "offload", "forward_chunking", "retries", "on_error", "fallback", "worker",
                      "worker_timeout_s"),  # fmt: skip
        generated=True,
    ),  # fmt: skip
    "wan": Backend("wan", "podmotion.backends.i2v", needs_gpu=True, runtime_keys=I2V_RUNTIME_KEYS, loops=True,
                   generated=True),  # fmt: skip
    "ltx": Backend("ltx", "podmotion.backends.i2v", needs_gpu=True, runtime_keys=I2V_RUNTIME_KEYS, loops=True,
                   generated=True),  # fmt: skip
    # Cloud providers (podmotion.cloud): how to reach them and how long to wait does not shape the clip.
    **{name: Backend(name, "podmotion.backends.cloud", needs_gpu=False, runtime_keys=CLOUD_RUNTIME_KEYS,
                     generated=True, cloud=True) for name in ("runway", "fal")},  # fmt: skip
    "kenburns": Backend("kenburns", "podmotion.backends.kenburns", needs_gpu=False, pastes=True,
                        scene_long=lambda options: options.get("duration_s") is None),  # fmt: skip
    # Moves through the picture's depth (podmotion.parallax). The depth is the depth job's file, so what makes it
    # (the model, the scene's depth image) reruns that job, and this one through the file.
    "parallax": Backend("parallax", "podmotion.backends.parallax", needs_gpu=False, pastes=True,
                        runtime_keys=("device", "model", "revision", "depth_image"), scene_long=lambda options: True),  # fmt: skip
    "still": Backend("still", "podmotion.backends.still", needs_gpu=False, seeded=False),
}
CPU_DEFAULT = "kenburns"
CLOUD = tuple(name for name, backend in BACKENDS.items() if backend.cloud)


def cuda_available() -> tuple[bool, str]:
    """Whether a CUDA device is usable, without importing torch into this process."""
    for module, what in (("torch", "PyTorch"), ("diffusers", "diffusers")):
        if importlib.util.find_spec(module) is None:
            return False, f"{what} is not installed"
    probe = "import torch; print(torch.cuda.is_available())"
    try:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"could not ask PyTorch about CUDA ({exc})"
    if out.stdout.strip() == "True":
        return True, "CUDA is available"
    return False, "PyTorch sees no CUDA device"


def resolve_auto(svd_options: dict | None = None, parallax_options: dict | None = None) -> tuple[str, str]:
    """The backend ``auto`` stands for on this machine, and why.

    svd when PyTorch sees CUDA and the configured model can load (a local
    folder, the cache, or a hub that grants access); otherwise parallax where
    its depth model's weights are on this machine (a local folder or the
    cache: the hub is never asked); kenburns otherwise, so a machine without
    any weights still gets its episode.
    """
    ok, why = cuda_available()
    if ok and svd_options:
        from ..i2v.weights import ModelSpec, missing_before_run  # noqa: I001

        problem = missing_before_run(ModelSpec.from_options(svd_options))
        if not problem:
            return "svd", why
        why = f"{why}, but the svd model can't load: {problem}"
    elif ok:
        return "svd", why
    if parallax_options and parallax_options.get("model"):
        from ..depth.model import DepthSpec
        from ..depth.weights import weights_present

        spec = DepthSpec.from_options(parallax_options)
        if weights_present(spec):
            return "parallax", f"{why}; the depth model {spec.model} is on this machine"
        return CPU_DEFAULT, f"{why}; no depth model here for parallax (hf download {spec.model})"
    return CPU_DEFAULT, why
