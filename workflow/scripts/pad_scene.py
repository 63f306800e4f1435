"""Snakemake script: fit one clip to the output and pad it to its scene's frame count."""

import json
import logging
from fractions import Fraction
from pathlib import Path

from podmotion.backends import BACKENDS
from podmotion.drift import wanted
from podmotion.ffmpeg import EncoderSettings
from podmotion.jobs import run_job
from podmotion.pad import pad_scene

settings = snakemake.params.settings  # noqa: F821 (snakemake is injected)


def main():
    sidecar = json.loads(Path(snakemake.input.sidecar).read_text())  # noqa: F821
    made = sidecar["result"]
    # the backend that made the clip: a fallback's, where it fell back
    drifts = wanted(settings["drift"], BACKENDS[sidecar["backend"]].generated)
    report = pad_scene(
        snakemake.input.clip,  # noqa: F821
        snakemake.output[0],  # noqa: F821
        n_frames=settings["n_frames"],
        width=settings["width"],
        height=settings["height"],
        fps=Fraction(settings["fps"]),
        clip_fps=Fraction(made["fps"]),  # the rate the backend made the clip at
        strategy=settings["strategy"],
        fit=settings["fit"],
        interpolate=settings["interpolate"],
        encoder=EncoderSettings(**settings["encoder"]),
        drift_zoom=settings["drift_zoom"] if drifts else None,
        seed=settings.get("seed", 0),
        art_box=made.get("art_box"),
        # a scene-long clip was encoded as the output is: the padder may pass it on
        clip_encoder=EncoderSettings(**sidecar["settings"]["encoder"]) if sidecar["settings"].get("final") else None,
    )
    logging.getLogger("podmotion.pad").info("%s: %s", snakemake.output[0], report)  # noqa: F821


run_job(snakemake, main)  # noqa: F821
