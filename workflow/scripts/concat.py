"""Snakemake script: join the padded scenes in order, by stream copy."""

from fractions import Fraction

from podmotion.assemble import concat_scenes
from podmotion.jobs import run_job


def main():
    concat_scenes(list(snakemake.input.padded), snakemake.output[0], Fraction(snakemake.params.fps))  # noqa: F821


run_job(snakemake, main)  # noqa: F821
