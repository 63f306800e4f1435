"""Snakemake script: a footage scene's frames, passed through from the source at the output's settings."""

from fractions import Fraction

from podmotion.ffmpeg import EncoderSettings
from podmotion.footage import pass_through, write_sidecar
from podmotion.jobs import run_job
from podmotion.scene_folder import SceneFolder

settings = snakemake.params.settings  # noqa: F821 (snakemake is injected)


def main():
    sm = snakemake  # noqa: F821
    result = pass_through(
        sm.input.source,
        sm.output.clip,
        source=SceneFolder(sm.input.scenes).source(),
        first_frame=settings["first_frame"],
        n_frames=settings["n_frames"],
        width=settings["width"],
        height=settings["height"],
        fps=Fraction(settings["fps"]),
        fit=settings["fit"],
        encoder=EncoderSettings(**settings["encoder"]),
    )
    write_sidecar(sm.output.sidecar, result)


run_job(snakemake, main)  # noqa: F821
