"""Snakemake script: put the source's audio next to the joined video; check the duration."""

import dataclasses
from pathlib import Path

from podmotion.assemble import mux
from podmotion.episode import Episode
from podmotion.jobs import run_job


def main():
    ep = Episode.load(Path(snakemake.input.scenes), snakemake.config["output"])  # noqa: F821
    # a topic: the narration joined once in its scene folder; a podcast: its video
    source = dataclasses.replace(ep.source, path=str(Path(snakemake.input.scenes) / "narration.m4a"))  # noqa: F821
    if not Path(snakemake.input.source).is_dir():  # noqa: F821
        source = dataclasses.replace(ep.source, path=snakemake.input.source)  # noqa: F821 (a podcast video)
    mux(snakemake.input.video, source, snakemake.output[0], ep.output.fps)  # noqa: F821


run_job(snakemake, main)  # noqa: F821
