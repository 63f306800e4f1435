"""Snakemake script: one topic scene's padded clip with its own narration."""

from fractions import Fraction

from podmotion.assemble import combine_scene
from podmotion.jobs import run_job


def main():
    combine_scene(
        snakemake.input.padded,  # noqa: F821 (snakemake is injected)
        snakemake.input.scenes,  # noqa: F821
        int(snakemake.wildcards.scene),  # noqa: F821
        snakemake.output[0],  # noqa: F821
        Fraction(snakemake.params.fps),  # noqa: F821
    )


run_job(snakemake, main)  # noqa: F821
