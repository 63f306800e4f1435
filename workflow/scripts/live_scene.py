"""Snakemake script: one still scene's padded clip with its live regions taken from the source, frame by frame."""

from fractions import Fraction

from podmotion.assemble import keep_live
from podmotion.ffmpeg import EncoderSettings
from podmotion.jobs import run_job

settings = snakemake.params.settings  # noqa: F821 (snakemake is injected)


def main():
    keep_live(
        snakemake.input.padded,  # noqa: F821
        snakemake.input.source,  # noqa: F821
        snakemake.output[0],  # noqa: F821
        boxes=[tuple(b) for b in settings["boxes"]],
        first_frame=settings["first_frame"],
        n_frames=settings["n_frames"],
        width=settings["width"],
        height=settings["height"],
        fps=Fraction(settings["fps"]),
        encoder=EncoderSettings(**settings["encoder"]),
    )


run_job(snakemake, main)  # noqa: F821
