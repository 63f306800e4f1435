"""Animate one scene: run its backend, write the clip and a sidecar saying what was done."""

from __future__ import annotations

import json
import logging
import os
import time
from fractions import Fraction
from pathlib import Path

from .atomic import atomic_output
from .backends import BACKENDS, AnimateRequest
from .errors import PodmotionError
from .ffmpeg import EncoderSettings

log = logging.getLogger(__name__)


def animate_scene(image_path: str | os.PathLike, clip_path: str | os.PathLike, sidecar_path: str | os.PathLike,
                  settings: dict, threads: int = 0) -> dict:  # fmt: skip
    """``settings`` is the rule's params: backend, seed, options, fit, max_duration_s, width, height, fps, encoder."""
    name = settings["backend"]
    if name not in BACKENDS:
        raise PodmotionError(image_path, f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
    started = time.perf_counter()
    with atomic_output(clip_path) as tmp:
        request = AnimateRequest(
            image_path=Path(image_path),
            out_path=tmp,
            width=int(settings["width"]),
            height=int(settings["height"]),
            fps=Fraction(settings["fps"]),
            max_duration_s=float(settings["max_duration_s"]),
            seed=int(settings["seed"]),
            options=dict(settings.get("options") or {}),
            fit=settings.get("fit", "cover"),
            encoder=EncoderSettings(**settings["encoder"], threads=threads).intermediate(),
        )
        report = BACKENDS[name].animate(request)
    elapsed_s = time.perf_counter() - started
    sidecar = {"backend": name, "seed": request.seed, "settings": settings, "result": report,
               "seconds": round(elapsed_s, 3)}  # fmt: skip
    with atomic_output(sidecar_path) as tmp:
        Path(tmp).write_text(json.dumps(sidecar, indent=2, default=str) + "\n")
    log.info("%s: %s, %s frames in %.2f s (seed %d)", clip_path, name, report.get("frames"), elapsed_s, request.seed)
    return sidecar
