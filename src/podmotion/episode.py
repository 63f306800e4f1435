"""One episode's output timeline: size, rate and the frames each scene owns.

Built from the scene folder (``podmotion.scene_folder``: the scenes, their
exact boundaries, the source) and the ``output`` config section, so a config
change moves only what it touches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from .ffmpeg import EncoderSettings, h264_level
from .layout import Layout
from .media import SourceInfo, even
from .scene_folder import Scene, SceneFolder, folder_stamp
from .settings import rate_from_config, schema_defaults
from .timeline import scene_frame_ranges


@dataclass(frozen=True)
class OutputSettings:
    width: int
    height: int
    fps: Fraction
    encoder: EncoderSettings


def output_settings(output_cfg: dict, source: SourceInfo) -> OutputSettings:
    """Output size and rate: the config's where set, else the source's display size and rate.
    ``output_cfg``: the ``output`` section (the schema's defaults for what it leaves out)."""
    output_cfg = {**schema_defaults("output"), **output_cfg}
    fps_cfg = output_cfg["fps"]
    fps = rate_from_config(fps_cfg) if fps_cfg is not None else source.fps_fraction
    width, height = output_cfg["width"], output_cfg["height"]
    aspect = source.display_width / source.display_height
    if width is None and height is None:
        width, height = capped_size(source.display_width, source.display_height, output_cfg["max_long_side_px"])
    elif width is None:
        width = even(height * aspect)
    elif height is None:
        height = even(width / aspect)
    keyint = max(1, round(float(output_cfg["keyframe_interval_s"]) * fps))
    encoder = EncoderSettings(crf=int(output_cfg["crf"]), preset=output_cfg["preset"], keyint_frames=keyint,
                              level=h264_level(width, height, fps),
                              colour=source.colour_reading.for_output(int(height)))  # fmt: skip
    return OutputSettings(int(width), int(height), fps, encoder)


def capped_size(width: int, height: int, max_long_side_px: int | None) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) so its longer side is at most ``max_long_side_px``; even sides."""
    long_side = max(width, height)
    if not max_long_side_px or long_side <= max_long_side_px:
        return even(width), even(height)
    scale = max_long_side_px / long_side
    return min(even(width * scale), max_long_side_px), min(even(height * scale), max_long_side_px)


class DoneFolders:
    """Each episode's scene folder, as ``ask(name)`` gives it: the workflow's checkpoint, which raises
    until the checkpoint is done (the job asking then waits for it). Once given, it is kept: a done
    checkpoint stays done for the rest of the run (Snakemake only ever adds to its done outputs), so
    the thousands of jobs an episode plans ask the checkpoint once between them. What is in the
    folder is ``Episode.of_folder``'s to check."""

    def __init__(self, ask: Callable[[str], str]):
        self._ask = ask
        self._done: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        folder = self._done.get(name)
        if folder is None:
            folder = self._done[name] = self._ask(name)  # raises until done: nothing kept
        return folder


_loaded: dict[tuple[str, str], tuple[tuple, "Episode"]] = {}  # Episode.of_folder's keep: (folder, config) -> (stamp, it)


@dataclass(frozen=True)
class Episode:
    scenes: list[Scene]
    source: SourceInfo
    output: OutputSettings
    frame_ranges: dict[int, tuple[int, int]]  # scene -> (start_frame, end_frame) in the output
    labels: dict[int, str]  # scene -> how its files are numbered: "004" (detected), "04" (a topic's narration)
    layout: Layout | None = None  # where the art, frame and live regions are (detected videos only)

    @classmethod
    def load(cls, scenes_dir: str | os.PathLike, output_cfg: dict) -> "Episode":
        folder = SceneFolder(scenes_dir)
        scenes, source = folder.scenes(), folder.source()
        out = output_settings(output_cfg, source)
        bounds = [s.start_s for s in scenes] + [scenes[-1].end_s]  # exact: no rounding before frame_at
        ranges = dict(zip((s.scene for s in scenes), scene_frame_ranges(bounds, out.fps)))
        return cls(scenes, source, out, ranges, folder.labels(), folder.layout())

    @classmethod
    def of_folder(cls, scenes_dir: str | os.PathLike, output_cfg: dict) -> "Episode":
        """``load``, kept per state of the scene folder: the workflow asks for the same
        episode several times per job it plans, and the folder only changes when it is written
        again, or a file in it is edited (``SceneFolder.stamp``: each call looks). A changed
        folder, or another output config, loads afresh; one episode is kept per folder and config."""
        key = (os.path.abspath(scenes_dir), repr(output_cfg))  # equal reprs: equal configs (YAML's types)
        stamp = folder_stamp(key[0])
        kept = _loaded.get(key)
        if kept is None or kept[0] != stamp:
            kept = _loaded[key] = (stamp, cls.load(scenes_dir, output_cfg))
        return kept[1]

    def art_box(self, scene: int) -> list[int] | None:
        """The part of the scene's still that moves, [x, y, width, height]; None for all of it."""
        if self.layout is None:
            return None
        box = self.layout.art_box(scene)
        return None if box == (0, 0, self.layout.width, self.layout.height) else list(box)

    def live_boxes(self) -> list[list[int]]:
        """Regions that move within scenes, [x, y, width, height] in the source's display pixels."""
        return [list(b) for b in self.layout.live] if self.layout is not None else []

    def label(self, scene: int) -> str:
        return self.labels[scene]

    def n_frames(self, scene: int) -> int:
        start, end = self.frame_ranges[scene]
        return end - start

    def playable_scenes(self) -> list[int]:
        """Scenes that own at least one output frame (a very short scene can round to none)."""
        return [s.scene for s in self.scenes if self.n_frames(s.scene) > 0]
