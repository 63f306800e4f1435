"""A scene's depth, made once by its own job (``depth_scene``) and kept beside the scene's other work.

The job writes ``results/NAME/depth/scene_NNN.png`` (16-bit, near = bright, at
the art's size: the art box's crop of the still) and a ``.json`` beside it that
says where the depth came from and how long it took. The parallax backend reads
the PNG; changing the camera's settings reruns the clip, not this job.

Where the depth comes from, in order: the scene's own depth image
(``animate.parallax.depth_image``, or ``scene_01_depth.png`` in an image
folder), fitted to the still's size and cut to the art box; else the depth
model on the art alone; else (no model: ``animate.parallax.model: null``) none.
A model that fails, or no model, gives a flat depth and a warning: the scene
then moves flat, never a broken clip. A bad depth image is the user's to fix:
one line naming it, and the job fails.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np

from ..atomic import atomic_output
from ..compose import crop, is_whole
from ..errors import GenerationFailed
from ..media import read_image
from .image import read_depth_image, write_depth_png

log = logging.getLogger(__name__)


def depth_settings(options: dict, art_box: list[int] | None, depth_image: str | None) -> dict:
    """What shapes a scene's depth (the job's params): the art box, and the depth image, or else the model."""
    if depth_image:
        return {"art_box": art_box, "depth_image": str(depth_image)}
    return {"art_box": art_box, "depth_image": None, "model": options.get("model"), "revision": options.get("revision")}


def make_scene_depth(still_path: str | os.PathLike, depth_path: str | os.PathLike, sidecar_path: str | os.PathLike,
                     settings: dict, *, device: str = "cpu", threads: int = 0) -> dict:  # fmt: skip
    """Write the scene's depth PNG and its sidecar; return the sidecar."""
    started = time.perf_counter()
    still = read_image(still_path)
    height, width = still.shape[:2]
    box = settings.get("art_box")
    whole = is_whole(box, width, height)
    art = still if whole else crop(still, box)
    warning = ""
    if settings.get("depth_image"):
        depth = read_depth_image(settings["depth_image"], width, height)
        depth = depth if whole else crop(depth[..., None], box)[..., 0]
        source = settings["depth_image"]
    elif settings.get("model"):
        from .model import DepthSpec, estimate

        spec = DepthSpec(settings["model"], settings.get("revision"), device)
        source = spec.model
        try:
            depth = estimate(art, spec, threads=threads)
        except GenerationFailed as exc:
            depth, warning = np.zeros(art.shape[:2], np.float32), f"the depth model failed ({exc.problem}): a flat move"
    else:
        source = "none"
        depth = np.zeros(art.shape[:2], np.float32)
        warning = "no depth image for this scene and animate.parallax.model is null: a flat move"
    write_depth_png(depth_path, depth)
    sidecar = {"from": source, "size": [int(depth.shape[1]), int(depth.shape[0])],
               "seconds": round(time.perf_counter() - started, 3), **({"warning": warning} if warning else {})}  # fmt: skip
    with atomic_output(sidecar_path) as tmp:
        Path(tmp).write_text(json.dumps(sidecar, indent=2) + "\n")
    if warning:
        log.warning("%s: %s", depth_path, warning)
    return sidecar


def depth_warning(depth_path: str | os.PathLike) -> str:
    """The warning the depth job left beside ``depth_path`` (its sidecar), or ""."""
    sidecar = Path(depth_path).with_suffix(".json")
    if not sidecar.is_file():
        return ""
    try:
        return str(json.loads(sidecar.read_text()).get("warning", ""))
    except (OSError, ValueError):
        return ""
