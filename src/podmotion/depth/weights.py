"""Whether the depth model's weights are on this machine, and one line saying how to get them when they are not.

A model is a hub id ("owner/name"), found only in the Hugging Face cache here
(the network is never touched), or a local folder that ``save_pretrained`` or
``hf download --local-dir`` filled: ``config.json``, ``preprocessor_config.json``
and a weights file. No torch here: the workflow checks the config before any job starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..i2v.weights import local_folder
from . import DEFAULT_MODEL

if TYPE_CHECKING:
    from .model import DepthSpec

WEIGHT_PATTERNS = ("*.safetensors", "*.bin")


def folder_problem(folder: Path, key: str = "animate.parallax.model") -> str | None:
    """What is wrong with a local depth model folder, with the command that fills it; None if it looks complete."""
    fill = f"fill it with `hf download {DEFAULT_MODEL} --local-dir {folder}`, or set {key} to a hub id"
    if not folder.is_dir():
        return f"no such folder (and not a hub id like owner/name); {fill}"
    if not (folder / "config.json").is_file():
        return f"not a transformers model folder (no config.json); {fill}"
    if not any(any(folder.glob(pattern)) for pattern in WEIGHT_PATTERNS):
        return f"no weights file (*.safetensors or *.bin) beside config.json; {fill}"
    if not (folder / "preprocessor_config.json").is_file():
        return f"no preprocessor_config.json (the model's image processor); {fill}"
    return None


def cache_problem(spec: DepthSpec) -> str | None:
    """What is missing from the Hugging Face cache for a hub id; None if a complete snapshot is there."""
    from huggingface_hub import constants, snapshot_download

    revision = f" --revision {spec.revision}" if spec.revision else ""
    get = f"fetch them once with `hf download {spec.model}{revision}`, or set {spec.key} to a local folder"
    try:
        snapshot = Path(snapshot_download(spec.model, revision=spec.revision, local_files_only=True))
    except (OSError, ValueError):  # LocalEntryNotFoundError: not cached (local_files_only never downloads); bad id
        return f"depth model weights not found in the Hugging Face cache ({constants.HF_HUB_CACHE}); {get}"
    if folder_problem(snapshot, spec.key) is not None:
        return f"the depth model in the Hugging Face cache ({snapshot}) is incomplete; {get}"
    return None


def bare_problem(spec: DepthSpec) -> str | None:
    """Why ``spec``'s weights are not available locally, without naming the key or the model; None if they are."""
    folder = local_folder(spec.model)
    if folder is not None:
        return folder_problem(folder, spec.key)
    return cache_problem(spec)


def weights_present(spec: DepthSpec) -> bool:
    """True if ``spec.model`` is a complete local folder, or a hub id whose snapshot is in the Hugging Face cache."""
    return bare_problem(spec) is None


def weights_problem(spec: DepthSpec) -> str | None:
    """One line when the weights are not available locally: the key, the model, what is missing, how to get it."""
    problem = bare_problem(spec)
    return None if problem is None else f"{spec.key} = {spec.model}: {problem}"


def config_depth_problem(config: dict) -> str | None:
    """A depth image the config names that can't be read, or the first place that names the parallax backend (``backend``, or a ``fallback``) with a depth
    model whose weights are not on this machine, as one line; None if every such scene can get its depth. A scene
    whose ``parallax.depth_image`` is set needs no model; ``parallax.model: null`` means depth images only.
    ``auto`` is left out: it picks parallax only where the weights are present."""
    from ..settings import deep_merge, scene_overrides
    from .model import DepthSpec

    animate = config["animate"]
    sections = [("animate", animate)]
    for episode, scene, override in scene_overrides(config):
        sections.append((f"overrides.{episode}.{scene}.animate", deep_merge(animate, override.get("animate", {}) or {})))
    from .image import depth_image_problem

    for where, section in sections:
        options = section.get("parallax") or {}
        if options.get("depth_image"):
            problem = depth_image_problem(options["depth_image"])
            if problem:
                return f"config: {where}.parallax.depth_image: {problem}"
        fallbacks = list(section.get("fallback") or [])
        fallbacks += [(section.get(b) or {}).get("fallback") for b in ("svd", "wan", "ltx")
                      if section.get("backend") == b]  # fmt: skip
        if "parallax" not in (section.get("backend"), *fallbacks):
            continue
        if options.get("depth_image") or not options.get("model"):
            continue
        problem = weights_problem(DepthSpec.from_options(options))
        if problem:
            return (f"config: {where}.parallax.model = {options['model']}: {bare_problem(DepthSpec.from_options(options))}"
                    "; or set animate.parallax.model: null to use depth images only")  # fmt: skip
    return None
