"""Snakemake script: take the episode's live regions (waveform, progress bar) from the source, frame by frame."""

from fractions import Fraction

from podmotion.assemble import keep_live
from podmotion.ffmpeg import EncoderSettings
from podmotion.jobs import run_job

settings = snakemake.params.settings  # noqa: F821 (snakemake is injected)


def main():
    keep_live(
        snakemake.input.video,  # noqa: F821
        snakemake.input.source,  # noqa: F821
        snakemake.output[0],  # noqa: F821
        boxes=[tuple(b) for b in settings["boxes"]],
        width=settings["width"],
        height=settings["height"],
        fps=Fraction(settings["fps"]),
        skip=[tuple(r) for r in settings["skip"]],
        encoder=EncoderSettings(**settings["encoder"]),
    )


run_job(snakemake, main)  # noqa: F821
