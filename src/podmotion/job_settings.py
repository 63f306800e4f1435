"""The settings each scene's jobs get: what shapes its clip (animate) and its padding (pad).

The workflow hands these to the jobs as params, so a change in any of them
reruns exactly the jobs it touches and nothing else; ``common.smk`` only
adapts wildcards to these functions.

- ``animate_job_settings``: the backend's options that shape the clip (the
  runtime keys, which say how to run and not what to make, are left out), the
  scene's seed, its prompt where the backend takes one, the output size and
  rate, the art box, and the quality of the intermediate clip (or, for a
  scene-long clip, ``final`` and the output's whole encoder).
- ``pad_job_settings``: the scene's exact frame count, the padding strategy,
  the fit, the drift (and its seed), how a clip at another rate is played, and
  the output's encoder.
- ``footage_job_settings``: a footage scene's output frames, the fit, the
  output's size, rate and encoder (finer: ``podmotion.footage``).
- ``live_job_settings``: a still scene's live regions, its output frames and
  the output's encoder, for the pass that takes them from the source.
- ``BackendChoice``: ``animate.backend: auto`` decided once per run, and said once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Callable

from .backends import BACKENDS, resolve_auto
from .episode import OutputSettings
from .ffmpeg import EncoderSettings, fps_arg
from .footage import FOOTAGE_CRF_OFFSET
from .settings import backend_options, scene_settings
from .timeline import scene_seed
from .topics import with_scene_prompt


def output_params(out: OutputSettings) -> dict:
    """The output's size, rate (``ffmpeg.fps_arg``) and encoder, as job params."""
    return {
        "width": out.width,
        "height": out.height,
        "fps": fps_arg(out.fps),
        "encoder": {
            "crf": out.encoder.crf,
            "preset": out.encoder.preset,
            "keyint_frames": out.encoder.keyint_frames,
            "level": out.encoder.level,
            "colour": out.encoder.colour.to_dict(),
        },
    }


def scene_params(out: OutputSettings, live: bool) -> dict:
    """What a still scene's padded file is made at: the output's size, rate and encoder; where the episode keeps
    live regions from the source, its encoder is a backend clip's (near-lossless, fast, ``EncoderSettings.clip``),
    because the live pass (``live_job_settings``) encodes every frame again at the output's settings: each
    frame is encoded at the output's settings once."""
    params = output_params(out)
    if live:
        params["encoder"] = asdict(EncoderSettings.clip(out.encoder.crf, out.encoder.level, out.encoder.colour))
    return params


def seed_of(config: dict, episode: str, scene: int) -> int:
    """The scene's own seed from ``overrides``, else one derived from ``animate.seed`` and the scene number."""
    override = (config.get("overrides") or {}).get(episode, {}).get(str(scene), {})
    seed = (override.get("animate") or {}).get("seed")
    return scene_seed(config["animate"]["seed"], scene) if seed is None else seed


def animate_job_settings(config: dict, episode: str, scene: int, backend: str, *, output: OutputSettings,
                         n_frames: int, art_box: list[int] | None, scene_prompt: str | None = None,
                         still_size: tuple[int, int] | None = None, live: bool = False) -> dict:  # fmt: skip
    """Everything that shapes one scene's clip: a change here reruns just that scene.

    ``live``: the episode's live regions are taken from the source afterwards (``scene_params``).

    ``still_size``: the still's width and height. A scene-long clip is final (encoded as the output is, for
    the padder to pass on) only where it comes out at the output's size: fitted by ``cover``, and, where
    only the art moves (it is pasted into the still), from a still of the output's size.

    ``backend``: already resolved (not ``auto``). ``scene_prompt``: a topic scene's prompt file, used
    where the backend takes a prompt and the scene's override sets none.
    """
    chosen = BACKENDS[backend]
    settings = scene_settings(config, episode, scene)
    override = (config.get("overrides") or {}).get(episode, {}).get(str(scene), {})
    options, _runtime = backend_options(config, episode, scene, backend, chosen.runtime_keys)
    options = with_scene_prompt(options, backend, override, scene_prompt)
    out = scene_params(output, live)
    loop = settings["pad"]["strategy"] == "loop" and chosen.loops
    at_output_size = art_box is None or (still_size is not None and tuple(still_size) == (output.width, output.height))
    final = chosen.scene_long(options) and settings["pad"]["fit"] == "cover" and at_output_size
    return {
        "backend": backend,
        "seed": seed_of(config, episode, scene) if chosen.seeded else 0,
        "options": options,
        # only where it shapes the clip (wan: a first-last-frame model ends on the still)
        **({"loop": True} if loop else {}),
        "fit": settings["pad"]["fit"],
        "max_duration_s": float(n_frames / output.fps),
        "art_box": art_box,
        **out,
        # A scene-long clip is encoded as the output is (the padder passes it on); any other is re-encoded by
        # the padder, so only its quality matters.
        **({"final": True} if final else
           {"encoder": {"crf": output.encoder.crf, "level": output.encoder.level,
                        "colour": output.encoder.colour.to_dict()}}),  # fmt: skip
    }


def footage_job_settings(config: dict, episode: str, scene: int, *, output: OutputSettings, first_frame: int,
                         n_frames: int) -> dict:  # fmt: skip
    """What one footage scene's pass-through writes: its output frames, the fit, the output's size, rate and
    encoder, at a crf ``footage.FOOTAGE_CRF_OFFSET`` below the output's."""
    out = output_params(output)
    out["encoder"]["crf"] = max(1, out["encoder"]["crf"] - FOOTAGE_CRF_OFFSET)
    return {
        "first_frame": first_frame,
        "n_frames": n_frames,
        "fit": scene_settings(config, episode, scene)["pad"]["fit"],
        **out,
    }


def live_job_settings(boxes: list, *, output: OutputSettings, first_frame: int, n_frames: int) -> dict:
    """What a still scene's live-region pass gets: the boxes, the scene's output frames, and the output's
    size, rate and encoder."""
    return {"boxes": boxes, "first_frame": first_frame, "n_frames": n_frames, **output_params(output)}


def pad_job_settings(config: dict, episode: str, scene: int, *, output: OutputSettings, n_frames: int,
                     live: bool = False) -> dict:  # fmt: skip
    """How one scene's clip becomes exactly its ``n_frames`` output frames. ``drift`` is resolved against the
    backend that made the clip when the job runs (its sidecar: a fallback clip may come from another).
    ``live``: as in ``scene_params``."""
    settings = scene_settings(config, episode, scene)
    drift = settings["pad"]["drift"]
    return {
        "n_frames": n_frames,
        "strategy": settings["pad"]["strategy"],
        "fit": settings["pad"]["fit"],
        "drift": drift,
        # only where the scene may drift: a seed or zoom change reruns no pad that can't
        **({"drift_zoom": float(settings["pad"]["drift_zoom"]), "seed": seed_of(config, episode, scene)}
           if drift is not False else {}),
        "interpolate": settings["animate"]["interpolate"],
        **scene_params(output, live),
    }


class BackendChoice:
    """The backend a scene's ``animate.backend`` names, with ``auto`` decided once for the whole run.

    ``auto`` depends on the machine (a CUDA GPU, the svd weights): deciding it
    per scene could give one episode two backends if the machine changed
    mid-run, and would probe CUDA hundreds of times. ``say`` gets one line
    with the choice and why, the first time ``auto`` is asked for.
    """

    def __init__(self, svd_options: dict, say: Callable[[str], None], decide=resolve_auto,
                 parallax_options: dict | None = None):  # fmt: skip
        self._svd_options = svd_options
        self._parallax_options = parallax_options
        self._say = say
        self._decide = decide
        self._auto: str | None = None

    def __call__(self, requested: str) -> str:
        if requested != "auto":
            return requested
        if self._auto is None:
            self._auto, why = (self._decide(self._svd_options, self._parallax_options) if self._parallax_options
                               else self._decide(self._svd_options))  # fmt: skip
            self._say(f"podmotion: animate.backend auto -> {self._auto} ({why})")
        return self._auto
