"""Scene detection (PySceneDetect, or the ``slides`` detector) and one representative still per scene.

``detect_to_folder`` writes the episode's scene folder (its format is in
``podmotion.scene_folder``): the scenes and their boundaries, the probe of the
source, and for each scene the sharpest of several frames from its middle
(with the ``slides`` detector, from where its picture holds), never its first
frame, which can be mid-transition; and where each scene's art is, what is
live, what is frame (see ``podmotion.layout``).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from .errors import PodmotionError
from .media import SourceInfo, open_media, probe, read_image, upright_rgb, write_image
from .scene_folder import Scene, detected_scenes, scene_label, write_scene_folder

log = logging.getLogger(__name__)

DETECTORS = ("slides", "content", "adaptive", "threshold", "histogram", "hash")


def make_detector(name: str, threshold: float | None, min_scene_len_s: float):
    import scenedetect as sd

    classes = {
        "content": (sd.ContentDetector, "threshold"),
        "adaptive": (sd.AdaptiveDetector, "adaptive_threshold"),
        "threshold": (sd.ThresholdDetector, "threshold"),
        "histogram": (sd.HistogramDetector, "threshold"),
        "hash": (sd.HashDetector, "threshold"),
    }
    if name not in classes:
        raise ValueError(f"unknown detector {name!r}; allowed: {', '.join(DETECTORS)}")
    cls, threshold_kw = classes[name]
    kwargs = {"min_scene_len": float(min_scene_len_s)}
    if threshold is not None:
        kwargs[threshold_kw] = float(threshold)
    return cls(**kwargs)


def find_scenes(video_path: str | os.PathLike, info: SourceInfo, detector: str, threshold: float | None,
                min_scene_len_s: float) -> list[Scene]:  # fmt: skip
    """Detect cuts with a PySceneDetect detector; a video with no cuts is one scene."""
    import scenedetect as sd

    try:
        video = sd.open_video(str(Path(video_path).resolve()), backend="pyav")
    except Exception as exc:  # PySceneDetect wraps backend errors in several types
        raise PodmotionError(video_path, f"scene detection cannot open the video ({exc})") from None
    manager = sd.SceneManager()
    manager.add_detector(make_detector(detector, threshold, min_scene_len_s))
    manager.detect_scenes(video=video)
    spans = manager.get_scene_list(start_in_scene=True)
    edges = [start.frame_num for start, _ in spans] + [end.frame_num for _, end in spans[-1:]]
    times_s = [start.seconds for start, _ in spans] + [end.seconds for _, end in spans[-1:]]
    return _timeline(edges, times_s, info)


def _timeline(edge_frames: list[int], edge_times_s: list[float], info: SourceInfo,
              kinds: list[str] | None = None) -> list[Scene]:  # fmt: skip
    """Scenes between consecutive edges: source frames (the first, each cut, the frame count) and
    their times from the first frame.

    The timeline starts at the source's start, which is earlier than the first
    frame when the audio leads the video; it ends where the source ends.
    """
    if len(edge_frames) < 2:  # nothing decodable beyond the probe's first frame: one scene
        edge_frames, edge_times_s = [0, max(1, round(info.duration_s * float(info.fps_fraction)))], [0.0, 0.0]
        kinds = None
    edge_frames = [0, *edge_frames[1:]]  # the timeline covers the whole source (audio included), from 0
    return detected_scenes(edge_frames, info, [info.video_start_s + t for t in edge_times_s], kinds)


def sharpness(rgb: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: higher is sharper."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def candidate_times(scene: Scene, count: int) -> list[float]:
    """``count`` times spread over the middle half of a scene (never its first frame)."""
    length = scene.end_s - scene.start_s
    lo, hi = scene.start_s + 0.25 * length, scene.start_s + 0.75 * length
    if count <= 1:
        return [(lo + hi) / 2]
    return [lo + (hi - lo) * k / (count - 1) for k in range(count)]


def find_slides(video_path: str | os.PathLike, info: SourceInfo, threshold: float | None,
                min_scene_len_s: float):  # fmt: skip
    """Detect cuts with the ``slides`` detector: scenes (each with its kind, still or footage), the span each
    scene's picture holds (a footage scene's: all of it), live regions (box, kind, scenes) and, per footage
    scene, the box its picture moves in."""
    from . import slides

    result = slides.scan(video_path, float(info.fps_fraction), threshold=threshold, min_scene_len_s=min_scene_len_s)
    times_s = list(result.frame_times_s)
    frame_s = 1 / float(info.fps_fraction)
    edges = [0, *result.cut_frames, result.n_frames]

    def at(frame: int) -> float:
        return times_s[frame] if frame < len(times_s) else times_s[-1] + frame_s

    scenes = _timeline(edges, [at(e) for e in edges], info, result.kinds)
    holds_s = [(info.video_start_s + at(a), info.video_start_s + at(b)) for a, b in result.holds]
    log.info("%s: slides detector decoded %d of %d frames (%s), step %.1f, %d live cell(s)", video_path,
             result.decoded_frames, result.n_frames, result.mode, result.step, int(result.live_mask.sum()))  # fmt: skip
    footage = [f"scene {s.scene} (frames {s.start_frame}-{s.end_frame})" for s in scenes if s.kind == "footage"]
    if footage:
        log.info("%s: footage, passed through as the source shows it: %s", video_path, ", ".join(footage))
    live = [(display_box(box, info), kind, tuple(scenes_in)) for box, kind, scenes_in in
            zip(slides.live_boxes(result), slides.live_kinds(result), result.live_scenes)]  # fmt: skip
    reach = {scene: display_box(box, info) for scene, box in slides.footage_reach_boxes(result).items()}
    return scenes, holds_s, live, reach


def display_box(box: tuple[int, int, int, int], info: SourceInfo) -> tuple[int, int, int, int]:
    """A box in coded pixels as (x, y, width, height) in the upright, square-pixel picture."""
    x, y, w, h = box
    shown_w = info.display_height if info.rotation_deg % 180 else info.display_width  # before rotation
    sx = shown_w / info.width
    x, w = round(x * sx), round(w * sx)
    coded_h, unrotated_w = info.height, shown_w
    if info.rotation_deg == 90:
        return coded_h - y - h, x, h, w
    if info.rotation_deg == 180:
        return unrotated_w - x - w, coded_h - y - h, w, h
    if info.rotation_deg == 270:
        return y, unrotated_w - x - w, h, w
    return x, y, w, h


class StillFiles(Mapping):
    """Scene -> its still (upright RGB at the display size), read from its file when asked: an hour's 114 stills
    at 1080p would hold 700 MB."""

    def __init__(self, paths: Mapping[int, Path]):
        self._paths = dict(paths)

    def __getitem__(self, scene: int) -> np.ndarray:
        return read_image(self._paths[scene])

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def only(self, scenes: Iterable[int]) -> StillFiles:
        return StillFiles({s: self._paths[s] for s in scenes})


def representative_frames(video_path: str | os.PathLike, scenes: list[Scene], count: int,
                          video_start_s: float = 0.0, spans_s: list[tuple[float, float]] | None = None,
                          ) -> Iterator[np.ndarray]:  # fmt: skip
    """For each scene in turn, the sharpest of ``count`` frames from its middle (upright RGB), one at a time.

    Scene times count from the source's start; the first frame shows at
    ``video_start_s``. ``spans_s`` narrows each scene to where its picture holds
    (no transition), when the detector knows it. A still scene whose picture
    holds there is the same picture in every frame: its candidates are the
    keyframes in the middle of the hold, each decoded alone (an I-frame, the
    encoder's best-kept copy), not the frames between them. Only a hold with
    no keyframe in its middle (shorter than the source's keyframe interval) is
    decoded through from the keyframe before it.
    """
    import av

    keys_s = keyframe_times_s(video_path) if spans_s is not None else []
    decoded = 0
    with open_media(video_path) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        tb = video.time_base
        origin_pts = None
        for frame in container.decode(video):
            origin_pts = frame.pts or 0
            break
        for k, scene in enumerate(scenes):
            hold = scene if spans_s is None else dataclasses.replace(scene, start_s=spans_s[k][0], end_s=spans_s[k][1])
            wanted = [max(0.0, t - video_start_s) for t in candidate_times(hold, count)]
            keys = _keys_within(keys_s, wanted[0], wanted[-1], count) if scene.kind == "still" else []
            scene_end_s = scene.end_s - video_start_s
            best, best_score, last = None, -1.0, None
            video.codec_context.skip_frame = "NONKEY" if keys else "DEFAULT"
            wanted = keys or wanted
            container.seek(origin_pts + int(wanted[0] / tb), stream=video, backward=True, any_frame=False)
            try:
                for frame in container.decode(video):
                    decoded += 1
                    t = float((frame.pts - origin_pts) * tb) if frame.pts is not None else 0.0
                    if t >= scene_end_s or not wanted:
                        break
                    last = frame
                    if t + 1e-6 < wanted[0]:
                        continue
                    while wanted and wanted[0] <= t + 1e-6:
                        wanted.pop(0)
                    rgb = upright_rgb(frame)
                    score = sharpness(rgb)
                    if score > best_score:
                        best, best_score = rgb, score
            except av.error.FFmpegError as exc:
                raise PodmotionError(video_path, f"cannot decode scene {scene.scene} ({exc.strerror or exc})") from None
            if best is None and last is not None:
                best = upright_rgb(last)
            if best is None:
                raise PodmotionError(video_path, f"no frame found for scene {scene.scene}")
            if k == len(scenes) - 1:  # said before the last is handed over: the caller stops there
                log.info("%s: %d still(s) picked from %d decoded frame(s)", video_path, len(scenes), decoded)
            yield best


def keyframe_times_s(video_path: str | os.PathLike) -> list[float]:
    """The video's keyframes, in seconds from its first frame, from its packets (demuxed, not decoded)."""
    import av

    with open_media(video_path) as container:
        video = container.streams.video[0]
        packets = []
        try:
            for packet in container.demux(video):
                if packet.pts is not None and packet.size:
                    packets.append((packet.pts, packet.is_keyframe))
        except av.error.FFmpegError:
            pass  # a truncated end: the keyframes before it are what there is
        if not packets:
            return []
        origin = min(pts for pts, _ in packets)  # the first frame shown
        return sorted(float((pts - origin) * video.time_base) for pts, key in packets if key)


def _keys_within(keys_s: list[float], lo_s: float, hi_s: float, count: int) -> list[float]:
    """Up to ``count`` of the keyframe times from ``lo_s`` to ``hi_s``, spread evenly over them."""
    inside = [t for t in keys_s if lo_s - 1e-6 <= t <= hi_s + 1e-6]
    if len(inside) <= count:
        return inside
    if count <= 1:
        return [inside[len(inside) // 2]]
    return sorted({inside[round(k * (len(inside) - 1) / (count - 1))] for k in range(count)})


def to_display_size(rgb: np.ndarray, info: SourceInfo) -> np.ndarray:
    """Stretch an upright frame to the size a player shows (non-square pixels made square)."""
    import cv2

    if rgb.shape[1::-1] == (info.display_width, info.display_height):
        return rgb
    return cv2.resize(rgb, (info.display_width, info.display_height), interpolation=cv2.INTER_CUBIC)


def episode_layout(images: StillFiles, scenes: list[Scene], live: list, settings: dict | None):
    """The episode's layout from its stills, or as ``settings`` (config ``layout``) sets it by hand.

    Only still scenes are looked at: footage would make the whole frame look like art. A footage
    scene gets its art box from where it moves (``footage_art``).
    """
    from . import layout

    settings = settings or {}
    height, width = images[scenes[0].scene].shape[:2]
    stills = images.only([s.scene for s in scenes if s.kind == "still"])
    if settings.get("mode") == "off":
        return layout.off_layout(width, height, [s.scene for s in scenes], live)
    if settings.get("art") is not None:
        return layout.manual_layout((width, height), tuple(settings["art"]), live, scenes=[s.scene for s in scenes])
    if not stills:  # nothing but footage
        return layout.Layout(width, height, {}, tuple(map(tuple, live)), (), "full_frame")
    return layout.analyse_layout(stills, live)


def footage_art(found, reach: dict[int, tuple[int, int, int, int]]):
    """The layout with an art box for each footage scene that moves inside a frame that holds (a producer's
    zoom on a slide's art): where it moves, cut clear of the live boxes, so that treated as a still it is
    animated there, header and logo kept. A clip that moves all over keeps the whole frame."""
    from . import layout

    if found.mode != "detected":
        return found
    art = dict(found.art)
    for scene, box in reach.items():
        x, y, w, h = box
        if w * h < layout.FULL_FRAME_SHARE * found.width * found.height:
            art[scene] = layout.clear_of_live(box, found.live, found.width, found.height)
    return dataclasses.replace(found, art=dict(sorted(art.items())))


def detect_to_folder(video_path: str | os.PathLike, out_dir: str | os.PathLike, *, detector: str,
                     threshold: float | None, min_scene_len_s: float, candidates: int,
                     layout: dict | None = None) -> list[Scene]:  # fmt: skip
    """Run detection and write the scene folder atomically (all of it, or nothing).

    ``layout`` is the config's layout settings for this episode: ``mode``
    (auto or off) and ``art`` (a box set by hand).
    """
    info = probe(video_path)
    holds_s, live_found, reach = None, [], {}
    if detector == "slides":
        scenes, holds_s, live_found, reach = find_slides(video_path, info, threshold, min_scene_len_s)
    else:
        scenes = find_scenes(video_path, info, detector, threshold, min_scene_len_s)
    live = [box for box, _kind, _scenes in live_found]
    with write_scene_folder(out_dir) as folder:
        paths = {}  # each still written as it is picked, and read back when wanted: never all of them in memory
        for scene, rgb in zip(scenes, representative_frames(video_path, scenes, candidates, info.video_start_s,
                                                            holds_s)):  # fmt: skip
            paths[scene.scene] = folder.still_path(scene_label(scene.scene))
            write_image(to_display_size(rgb, info), paths[scene.scene])
        stills = StillFiles(paths)
        try:
            found = episode_layout(stills, scenes, live, layout)
        except ValueError as exc:
            raise PodmotionError(video_path, str(exc)) from None
        found = dataclasses.replace(found, live_kinds=tuple(kind for _, kind, _ in live_found),
                                    live_scenes=tuple(scenes_in for _, _, scenes_in in live_found))  # fmt: skip
        found = footage_art(found, reach)
        from .layout import draw_layout

        shown = next((s for s in scenes if s.kind == "still"), scenes[0])  # the first still's layout
        folder.write_layout(found, draw_layout(stills[shown.scene], found, shown.scene))
        folder.write_timestamps(scenes)
        folder.write_source(info)
    log.info("%s: %d scene(s), %.3f s, %s fps%s", video_path, len(scenes), info.duration_s, info.fps,
             " (variable rate: output at a constant rate)" if info.is_vfr else "")  # fmt: skip
    log.info("%s: layout %s; art of scene 1 at %s; %d live region(s)", video_path, found.mode,
             found.art_box(scenes[0].scene), len(found.live))  # fmt: skip
    return scenes
