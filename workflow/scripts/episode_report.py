"""Snakemake script: the episode's report: each scene's card and preview (kept between runs while their files are
unchanged, podmotion.report_cache), then the pages: overview (scene table, timeline, cards) and previews."""

import json
import logging
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
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
    episode_scene_card,
    overview_page,
    previews_page,
    timeline_strip,
)
from podmotion.report_cache import ReportCache
from podmotion.scene_folder import LAYOUT_JSON, SceneFolder
from podmotion.summary import read_summary

log = logging.getLogger("podmotion.report")
CLIP_PREVIEW = f"{PREVIEW_LONG_SIDE_PX // 2} px, {CLIP_EXCERPT_S} s"


def clip_preview(cache: ReportCache, label: str, clip: str) -> Path:
    """The scene's clip's preview: its first seconds, small, no sound."""
    return cache.picture(label, "preview", ".mp4", [clip],
                         lambda tmp: encode_preview(clip, tmp, long_side_px=PREVIEW_LONG_SIDE_PX // 2, audio=False,
                                                    max_s=CLIP_EXCERPT_S),
                         settings=CLIP_PREVIEW)  # fmt: skip


def main():
    inp, out = snakemake.input, snakemake.output  # noqa: F821 (snakemake is injected)
    folder = SceneFolder(inp.scenes)
    ep = Episode.load(folder.path, snakemake.config["output"])  # noqa: F821
    scenes = ep.playable_scenes()
    clip_of = {Path(clip).stem.removeprefix("scene_"): clip for clip in inp.clips}
    sidecar_of = {Path(path).stem.removeprefix("scene_"): path for path in inp.sidecars}
    layout = folder.layout()
    cache = ReportCache(Path(out.overview).parent / ".cache")
    # The previews are FFmpeg's work, in its own processes: they are made beside the cards, which are Python's.
    with tempfile.TemporaryDirectory(prefix="podmotion-previews-") as scratch, \
            ThreadPoolExecutor(max_workers=max(1, snakemake.threads - 1)) as pool:  # noqa: F821  # fmt: skip
        episode = Path(scratch) / "episode.mp4"
        clips = {scene: pool.submit(clip_preview, cache, ep.labels[scene], clip_of[ep.labels[scene]])
                 for scene in scenes}  # fmt: skip
        episode_made = pool.submit(encode_preview, inp.video, episode, long_side_px=PREVIEW_LONG_SIDE_PX, audio=True,
                                   max_s=EPISODE_EXCERPT_S)  # fmt: skip
        cards = {}
        for scene in scenes:  # make() runs at once, inside picture(): the lambdas see this scene's names
            label, still_path = ep.labels[scene], folder.still(scene)
            clip = clip_of[label]
            footage = Path(clip).parent.name == "footage"  # clip_paths: a footage scene's clip is in footage/
            sidecar = sidecar_of.get(label)
            result = json.loads(Path(sidecar).read_text()).get("result") if sidecar and not footage else None
            cards[scene] = cache.picture(
                label, "card", ".png", [still_path, folder.path / LAYOUT_JSON, clip, *([sidecar] if sidecar else [])],
                lambda tmp: write_image(episode_scene_card(read_image(still_path), clip, scene, layout, footage,
                                                           result), tmp),
                settings=f"scene {scene}, footage {footage}")  # fmt: skip
        with atomic_output(out.cards) as tmp:
            tmp.mkdir()
            for scene, path in cards.items():
                shutil.copyfile(path, tmp / f"scene_{ep.labels[scene]}.png")
        strip = timeline_strip([read_image(folder.still(s)) for s in scenes], [ep.n_frames(s) for s in scenes],
                               numbers=scenes)  # fmt: skip
        with atomic_output(out.timeline) as tmp:
            write_image(strip, tmp)
        with atomic_output(out.overview) as tmp:
            Path(tmp).write_text(overview_page(read_summary(inp.summary), out.timeline, cards), encoding="utf-8")
        clips = {scene: made.result() for scene, made in clips.items()}
        episode_made.result()
        href = os.path.relpath(inp.video, Path(out.previews).parent)
        page = previews_page(snakemake.wildcards.name, episode, clips, episode_href=href,  # noqa: F821
                             episode_s=float(ep.frame_ranges[scenes[-1]][1] / ep.output.fps) if scenes else None)  # fmt: skip
        with atomic_output(out.previews) as tmp:
            Path(tmp).write_text(page, encoding="utf-8")
    cache.prune()
    log.info("scene cards and previews: %s (unchanged since the last run)", cache.tally())


run_job(snakemake, main)  # noqa: F821
