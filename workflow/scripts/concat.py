"""Snakemake script: join the padded scenes in order, by stream copy."""

from podmotion.assemble import concat_scenes
from podmotion.jobs import run_job

run_job(snakemake, lambda: concat_scenes(list(snakemake.input), snakemake.output[0]))  # noqa: F821
