"""Snakemake script: put the source's audio next to the joined video, with one chapter per
scene; check the duration; write the chapter list a video site reads."""

import dataclasses

from podmotion.assemble import mux
from podmotion.chapters import episode_chapters, write_description
from podmotion.episode import Episode
from podmotion.jobs import run_job
from podmotion.scene_folder import SceneFolder


def main():
    folder = SceneFolder(snakemake.input.scenes)  # noqa: F821 (snakemake is injected)
    ep = Episode.load(folder.path, snakemake.config["output"])  # noqa: F821
    # a topic: the narration joined once in its scene folder; a podcast: its video
    audio = folder.narration_audio if folder.is_topic else snakemake.input.source  # noqa: F821
    source = dataclasses.replace(ep.source, path=str(audio))
    titles = {int(k): v for k, v in snakemake.params.titles.items()}  # noqa: F821
    chapters = episode_chapters(ep.frame_ranges, titles, ep.labels if folder.is_topic else None)
    mux(snakemake.input.video, source, snakemake.output.video, ep.output.fps, chapters)  # noqa: F821
    write_description(chapters, ep.output.fps, snakemake.output.chapters)  # noqa: F821


run_job(snakemake, main)  # noqa: F821
