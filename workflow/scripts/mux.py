"""Snakemake script: put the source's audio next to the joined video; check the duration."""

import dataclasses

from podmotion.assemble import mux
from podmotion.episode import Episode
from podmotion.jobs import run_job
from podmotion.scene_folder import SceneFolder


def main():
    folder = SceneFolder(snakemake.input.scenes)  # noqa: F821 (snakemake is injected)
    ep = Episode.load(folder.path, snakemake.config["output"])  # noqa: F821
    # a topic: the narration joined once in its scene folder; a podcast: its video
    audio = folder.narration_audio if folder.is_topic else snakemake.input.source  # noqa: F821
    source = dataclasses.replace(ep.source, path=str(audio))
    mux(snakemake.input.video, source, snakemake.output[0], ep.output.fps)  # noqa: F821


run_job(snakemake, main)  # noqa: F821
