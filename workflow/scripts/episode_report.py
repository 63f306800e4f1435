"""Snakemake script: the episode's report pages: overview (scene table, timeline, cards) and previews."""

import os
import tempfile
from pathlib import Path

from podmotion.atomic import atomic_output
from podmotion.episode import Episode
from podmotion.ffmpeg import encode_preview
from podmotion.jobs import run_job
from podmotion.media import read_image, write_image
from podmotion.report import (
    CLIP_EXCERPT_S,
    EPISODE_EXCERPT_S,
    PREVIEW_LONG_SIDE_PX,
    overview_page,
    previews_page,
    timeline_strip,
)
from podmotion.scene_folder import SceneFolder
from podmotion.summary import read_summary


def scene_of(path, by_label):
    return by_label[Path(path).stem.removeprefix("scene_")]


def main():
    inp, out = snakemake.input, snakemake.output  # noqa: F821 (snakemake is injected)
    folder = SceneFolder(inp.scenes)
    ep = Episode.load(folder.path, snakemake.config["output"])  # noqa: F821
    by_label = {label: scene for scene, label in ep.labels.items()}
    scenes = ep.playable_scenes()
    strip = timeline_strip([read_image(folder.still(s)) for s in scenes], [ep.n_frames(s) for s in scenes],
                           numbers=scenes)  # fmt: skip
    with atomic_output(out.timeline) as tmp:
        write_image(strip, tmp)
    cards = {scene_of(p, by_label): p for p in inp.cards}
    with atomic_output(out.overview) as tmp:
        Path(tmp).write_text(overview_page(read_summary(inp.summary), out.timeline, cards), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="podmotion-previews-") as scratch:
        episode = Path(scratch) / "episode.mp4"
        encode_preview(inp.video, episode, long_side_px=PREVIEW_LONG_SIDE_PX, audio=True, max_s=EPISODE_EXCERPT_S)
        clips = {}
        for clip in inp.clips:
            scene = scene_of(clip, by_label)
            clips[scene] = Path(scratch) / f"clip_{scene}.mp4"
            encode_preview(clip, clips[scene], long_side_px=PREVIEW_LONG_SIDE_PX // 2, audio=False,
                           max_s=CLIP_EXCERPT_S)  # fmt: skip
        href = os.path.relpath(inp.video, Path(out.previews).parent)
        page = previews_page(snakemake.wildcards.name, episode, clips, episode_href=href,  # noqa: F821
                             episode_s=float(ep.frame_ranges[scenes[-1]][1] / ep.output.fps) if scenes else None)  # fmt: skip
        with atomic_output(out.previews) as tmp:
            Path(tmp).write_text(page, encoding="utf-8")


run_job(snakemake, main)  # noqa: F821
