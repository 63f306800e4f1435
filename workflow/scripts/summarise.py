"""Snakemake script: the episode's run summary (scenes, backends, fallbacks, seconds per stage)."""

import json
from pathlib import Path

from podmotion.episode import Episode
from podmotion.jobs import run_job
from podmotion.scene_folder import SceneFolder
from podmotion.summary import episode_summary, scene_rows, stage_seconds, write_summary


def main():
    name = snakemake.wildcards.name  # noqa: F821 (snakemake is injected)
    ep = Episode.load(SceneFolder(snakemake.input.scenes).path, snakemake.config["output"])  # noqa: F821
    by_label = {label: scene for scene, label in ep.labels.items()}
    sidecars = {by_label[Path(p).stem.removeprefix("scene_")]: json.loads(Path(p).read_text())
                for p in snakemake.input.sidecars}  # noqa: F821  # fmt: skip
    rows = scene_rows(ep.frame_ranges, ep.labels, ep.output.fps, sidecars)
    timings = stage_seconds(name, [ep.labels[s] for s in ep.playable_scenes()])
    write_summary(episode_summary(name, str(snakemake.input.video), rows, timings), snakemake.output[0])  # noqa: F821


run_job(snakemake, main)  # noqa: F821
