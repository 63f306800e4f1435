"""Where image-to-video weights come from (every member: svd, wan, ltx), and one-line messages for every way they can be missing.

No torch here: the workflow checks the config's models before any job starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelSpec:
    model: str  # hub id, or a local folder holding model_index.json
    revision: str | None = None
    variant: str | None = None  # e.g. "fp16": load the *.fp16.safetensors files
    dtype: str = "fp16"  # fp16 | bf16 | fp32
    member: str = "svd"  # which family member (backend) loads it: part of every loaded pipeline's key

    @classmethod
    def from_options(cls, options: dict, member: str = "svd") -> "ModelSpec":
        return cls(options["model"], options.get("revision"), options.get("variant"), options.get("dtype", "fp16"),
                   member)  # fmt: skip

    @property
    def key(self) -> str:
        """The config key that names the model, for messages."""
        return f"animate.{self.member}.model"


def local_folder(model: str) -> Path | None:
    """The folder ``model`` names, if it is a path rather than a hub id ("owner/name")."""
    path = Path(model).expanduser()
    if path.exists():
        return path
    looks_like_path = model.startswith(("/", ".", "~")) or model.count("/") != 1 or "\\" in model
    return path if looks_like_path else None


def folder_problem(folder: Path, member: str = "svd") -> str | None:
    """What is wrong with a local pipeline folder for ``member``: the folder, model_index.json, its class."""
    if not folder.is_dir():
        return "no such folder (and not a hub id like owner/name)"
    if not (folder / "model_index.json").is_file():
        return ("not a diffusers pipeline folder (no model_index.json); "
                "fill it with `hf download MODEL --local-dir FOLDER` or save_pretrained")  # fmt: skip
    return _class_problem(folder, member)


# The pipeline classes each member loads (a Hub repo may be saved under a sibling class of the same parts).
PIPELINE_CLASSES = {
    "svd": ("StableVideoDiffusionPipeline",),
    "wan": ("WanImageToVideoPipeline", "WanPipeline"),  # Wan2.2-TI2V-5B-Diffusers is saved as WanPipeline
    "ltx": ("LTXImageToVideoPipeline", "LTXPipeline", "LTXConditionPipeline"),
}


def saved_class(folder: Path) -> str | None:
    """The pipeline class a folder was saved as (model_index.json's ``_class_name``)."""
    import json

    return json.loads((folder / "model_index.json").read_text()).get("_class_name")


def _class_problem(folder: Path, member: str) -> str | None:
    try:
        name = saved_class(folder)
    except (OSError, ValueError, AttributeError) as exc:
        return f"model_index.json can't be read ({exc})"
    allowed = PIPELINE_CLASSES.get(member, ())
    if allowed and name not in allowed:
        return f"holds a {name}, not a {member} pipeline ({', '.join(allowed)})"
    return None


def _chain_text(exc: BaseException | None) -> str:
    parts = []
    while exc is not None and len(parts) < 5:
        parts.append(f"{type(exc).__name__}: {exc}")
        exc = exc.__cause__ or exc.__context__
    return " | ".join(parts)


def weights_problem(spec: ModelSpec, exc: BaseException | None, *, local: bool) -> str:
    """One line: what is missing, where podmotion looked, and how to get the weights."""
    text = _chain_text(exc)
    lowered = text.lower()
    if spec.variant and "variant" in lowered:
        return (f"{spec.key} has no '{spec.variant}' variant files; set animate.{spec.member}.variant: null "
                "to load the full-precision files")  # fmt: skip
    if local:
        return f"{spec.key}: could not load the pipeline folder ({' '.join(str(exc).split())[:200]})"
    from huggingface_hub import constants

    cache = constants.HF_HUB_CACHE
    url = f"https://huggingface.co/{spec.model}"
    get = (f"accept the licence at {url}, log in with `hf auth login` (or set HF_TOKEN), then run `hf download "
           f"{spec.model}`; or set {spec.key} to a local folder holding the pipeline")  # fmt: skip
    if spec.revision and "revision" in lowered:
        return f"revision {spec.revision!r} not found for {spec.model}; {get}"
    if "gated" in lowered or " 401" in text or " 403" in text or "unauthorized" in lowered:
        return f"the hub refused access (a gated model: accept its licence and log in); {get}"
    if constants.HF_HUB_OFFLINE:
        why = "HF_HUB_OFFLINE is set"
    elif "repositorynotfound" in lowered:
        return f"no such model on the hub, and none in the Hugging Face cache ({cache}); check {spec.key}, or {get}"
    else:
        why = "the hub could not be reached"
    return f"model weights not found: not in the Hugging Face cache ({cache}) and {why}; to get them, {get}"


def missing_before_run(spec: ModelSpec) -> str | None:
    """Why ``spec`` can't load, found before any job runs.

    A local folder must hold a pipeline. A hub id is fine if it is cached;
    if not, the hub must be reachable and grant access (gated models need the
    licence accepted and a login), since the first job will download it.
    """
    folder = local_folder(spec.model)
    if folder is not None:
        return folder_problem(folder, spec.member)
    from huggingface_hub import auth_check, constants, snapshot_download

    try:
        snapshot_download(spec.model, revision=spec.revision, local_files_only=True)
        return None
    except Exception as exc:  # LocalEntryNotFoundError and relatives: not cached
        if constants.HF_HUB_OFFLINE:
            return weights_problem(spec, exc, local=False)
    try:
        auth_check(spec.model)
    except Exception as exc:  # no network, gated, no such repository
        return weights_problem(spec, exc, local=False)
    return None


def config_weights_problem(config: dict) -> str | None:
    """The first model that a scene explicitly set to an image-to-video backend (svd, wan, ltx) can't load, as one line.

    ``auto`` is left to the jobs: resolving it here would cost every dry run a torch import.
    """
    from ..settings import deep_merge, scene_overrides  # here: the rest of this module needs no YAML library
    animate = config["animate"]
    sections = [("animate", animate)]
    for episode, scene, override in scene_overrides(config):
        merged = deep_merge(animate, override.get("animate", {}) or {})
        sections.append((f"overrides.{episode}.{scene}.animate", merged))
    seen = set()
    for where, section in sections:
        name = section.get("backend")
        if name not in PIPELINE_CLASSES:
            continue
        spec = ModelSpec.from_options(section[name], name)
        if spec in seen:
            continue
        seen.add(spec)
        problem = missing_before_run(spec)
        if problem:
            return f"config: {where}.{name}.model = {spec.model}: {problem}"
    return None
