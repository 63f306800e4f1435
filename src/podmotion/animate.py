"""Animate one scene: run its backend, write the clip and a sidecar saying what was done.

When a backend can't make its clip (``GenerationFailed``: out of memory, bad
numerics), what happens depends on the attempt and the scene's settings:

- out of memory with attempts left: the job fails and Snakemake retries it;
  the backend uses less memory on the next attempt;
- otherwise, with ``on_error: fallback`` (the default), the scene is animated
  by the next backend of its chain (``animate.fallback``, or the backend's own
  ``fallback``), then the next, and the sidecar records each failure and why;
- with ``on_error: fail``, the job fails.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from .atomic import atomic_output
from .backends import BACKENDS, AnimateRequest
from .compose import crop, edge_alpha, feather_px, is_whole, paste
from .errors import GenerationFailed, PodmotionError
from .ffmpeg import EncoderSettings, encode_frames
from .fit import fit_frame
from .media import iter_frames_with_time, read_image, write_image
from .settings import animate_runtime

log = logging.getLogger(__name__)


def animate_scene(image_path: str | os.PathLike, clip_path: str | os.PathLike, sidecar_path: str | os.PathLike,
                  settings: dict, threads: int = 0, *, attempt: int = 1, runtime: dict | None = None,
                  depth_path: str | os.PathLike | None = None) -> dict:  # fmt: skip
    """Write the clip and its sidecar.

    ``settings`` is the rule's params (backend, seed, options, fit,
    max_duration_s, width, height, fps, encoder, art_box): what shapes the clip.
    With an ``art_box`` smaller than the still, the backend animates that crop
    alone and the clip is the still with the animated crop pasted back in.
    ``loop`` (wan: pad.strategy is loop) lets a first-last-frame model end on the still.
    ``runtime`` is how to run it (for svd, wan, ltx: device, memory savers, retries,
    on_error, fallback and the fallback's options); ``attempt`` is Snakemake's.
    ``depth_path``: the art's depth (the depth job's), for a backend that moves through it (parallax).
    """
    name = settings["backend"]
    if name not in BACKENDS:
        raise PodmotionError(image_path, f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
    runtime = dict(runtime or {})
    chain, chain_options = fallback_chain(runtime)
    started = time.perf_counter()
    still = read_image(image_path)
    art_box = settings.get("art_box")
    whole = is_whole(art_box, still.shape[1], still.shape[0])
    encoder = clip_encoder(settings)
    with atomic_output(clip_path) as tmp, tempfile.TemporaryDirectory(prefix="podmotion-art-") as scratch:
        request = AnimateRequest(
            image_path=Path(image_path),
            out_path=tmp,
            width=int(settings["width"]),
            height=int(settings["height"]),
            fps=Fraction(settings["fps"]),
            max_duration_s=float(settings["max_duration_s"]),
            seed=int(settings["seed"]),
            options={**(settings.get("options") or {}), **runtime},
            fit=settings.get("fit", "cover"),
            encoder=encoder,
            attempt=attempt,
            threads=threads,
            loop=bool(settings.get("loop", False)),
            clip_path=Path(clip_path),
            depth_path=Path(depth_path) if depth_path else None,
        )
        pastes = not whole and BACKENDS[name].pastes
        if not whole:  # only the art moves: the backend sees the art's crop alone
            art_path, art_clip = Path(scratch) / "art.png", Path(scratch) / "art.mp4"
            write_image(crop(still, art_box), art_path)
            art = dict(image_path=art_path, width=int(art_box[2]), height=int(art_box[3]), fit="cover")
            if pastes:  # ... and pastes each frame into the still itself: each frame encoded once
                request = dataclasses.replace(request, **art, paste_into=(Path(image_path), tuple(art_box)))
            else:  # ... into an intermediate clip (near-lossless), whatever the pasted clip is encoded with
                request = dataclasses.replace(request, **art, out_path=art_clip,
                                              encoder=EncoderSettings.clip(settings["encoder"]["crf"],
                                                                           settings["encoder"]["level"],
                                                                           settings["encoder"].get("colour")))  # fmt: skip
        report, used, fallback = _animate_with_chain(request, name, runtime, attempt, chain, chain_options)
        if pastes:
            report["art_box"] = list(art_box)
        elif not whole:
            report["art_box"] = list(art_box)
            report["frames"] = paste_clip(still, art_clip, art_box, tmp, encoder, Fraction(report["fps"]))
    elapsed_s = time.perf_counter() - started
    sidecar = {
        "backend": used,
        "requested_backend": name,
        "fallback": fallback,
        "seed": request.seed,
        "attempt": attempt,
        "settings": settings,
        "runtime": runtime,
        "result": report,
        "seconds": round(elapsed_s, 3),
    }
    with atomic_output(sidecar_path) as tmp:
        Path(tmp).write_text(json.dumps(sidecar, indent=2, default=str) + "\n")
    log.info("%s: %s, %s frames in %.2f s (seed %d)", clip_path, used, report.get("frames"), elapsed_s, request.seed)
    return sidecar


def clip_encoder(settings: dict) -> EncoderSettings:
    """A scene-long clip (``final``) is encoded as the output is; any other near-losslessly, for the padder."""
    if settings.get("final"):
        return EncoderSettings(**settings["encoder"])
    return EncoderSettings.clip(**settings["encoder"])


def _animate_with_chain(request: AnimateRequest, name: str, runtime: dict, attempt: int, chain: list[str],
                        chain_options: dict[str, dict]) -> tuple[dict, str, dict | None]:  # fmt: skip
    """Run the backend; on a failure it can't retry, each backend of the chain in turn, with its own options for
    the scene. Returns (report, the backend used, what failed before it and why, or None)."""
    try:
        return BACKENDS[name].animate(request), name, None
    except GenerationFailed as exc:
        _retry_or_fail(exc, name, runtime, attempt)
        failures = [{"backend": name, "reason": exc.problem}]
        path = exc.path
    for nxt in [b for b in chain if b != name and b in BACKENDS]:
        log.warning("%s: %s failed (%s); animating with %s instead", path, failures[-1]["backend"],
                    failures[-1]["reason"], nxt)  # fmt: skip
        try:
            report = BACKENDS[nxt].animate(dataclasses.replace(request, options=chain_options.get(nxt, {})))
        except GenerationFailed as exc:
            failures.append({"backend": nxt, "reason": exc.problem})
            continue
        reason = failures[0]["reason"] if len(failures) == 1 else "; ".join(f"{f['backend']}: {f['reason']}"
                                                                           for f in failures)  # fmt: skip
        return report, nxt, {"from": name, "reason": reason, "attempt": attempt, "failures": failures}
    said = "; ".join(f"{f['backend']}: {f['reason']}" for f in failures)
    if len(failures) == 1:
        raise PodmotionError(path, f"{name} failed and there is no other backend to fall back to: {failures[0]['reason']}")
    raise PodmotionError(path, f"every backend of the chain failed: {said}")


def paste_clip(still: np.ndarray, art_clip: Path, box, out_path: Path, encoder: EncoderSettings,
               rate: Fraction) -> int:  # fmt: skip
    """Encode the still with every frame of ``art_clip`` pasted in at ``box``, at ``rate`` (the rate
    the backend made the art clip at); return the frame count."""
    alpha = edge_alpha(box[2], box[3], feather_px(box))
    frames = (paste(still, fit_frame(rgb, box[2], box[3], "cover"), box, alpha) for _, rgb in iter_frames_with_time(art_clip))
    height, width = still.shape[:2]
    return encode_frames(frames, out_path, width=width, height=height, fps=rate, encoder=encoder)


def _retry_or_fail(exc: GenerationFailed, name: str, runtime: dict, attempt: int) -> None:
    """Raise to fail this attempt (for Snakemake's retry, or for good with ``on_error: fail``); return to go on
    down the chain."""
    attempts = int(runtime.get("retries", 0)) + 1
    if exc.retryable and attempt < attempts:
        raise GenerationFailed(exc.path, f"{exc.problem}; attempt {attempt} of {attempts}, "
                               "Snakemake will retry with less memory", retryable=True)  # fmt: skip
    if runtime.get("on_error", "fallback") == "fail":
        raise PodmotionError(exc.path, f"{name} failed and animate.{name}.on_error is fail: {exc.problem}")


def fallback_chain(runtime: dict) -> tuple[list[str], dict[str, dict]]:
    """(the backends to try after the scene's own, each one's options), from the runtime ``animate_runtime``
    gives (``chain``, ``chain_options``), or a backend's single ``fallback`` and its ``fallback_options``."""
    if runtime.get("chain") is not None:
        return list(runtime.pop("chain")), runtime.pop("chain_options", {})
    fallback = runtime.get("fallback", "kenburns")
    return [fallback], {fallback: runtime.pop("fallback_options", {})}


def scene_runtime(config: dict, episode: str, scene: int, backend: str) -> dict:
    """How to run one scene's backend, read from the config at run time.

    These settings are not in the rule's params, so changing them (a device, a
    memory saver) does not rerun scenes that are already made.
    """
    return animate_runtime(config, episode, scene, backend, BACKENDS[backend].runtime_keys)
