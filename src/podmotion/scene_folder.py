"""The scene folder, ``results/NAME/scenes/``: its whole format, written and read only here.

Detection (``podmotion.detect``) and image-folder topics (``podmotion.topics``)
each write one; every later stage (the episode's timeline, animate, pad,
combine, mux, verify) reads it through ``SceneFolder``. A folder is written
whole or not at all (``write_scene_folder``): into a hidden temporary folder
beside it, checked to read back as written, then renamed into place. The
files' names and paths are in ``podmotion.scene_files``, re-exported here.

Scenes are numbered from 1, in time order. A detected episode numbers them
1, 2, 3 …; a topic takes the numbers from its file names, so they may skip.
A scene's *label* is how its files are numbered: ``004`` (at least three
digits) in a detected episode, the narration file's own digits (``04``) in a
topic. ``clips/``, ``padded/`` and ``combined/`` name their files the same way.

Files
-----
The ``.csv`` files are tables as ``podmotion.tables`` writes and reads them:
UTF-8, a header line, lines ending in ``\\r\\n``, a field quoted where it
holds a comma, a quote or a line break.

``timestamps.csv`` (always): one row per scene, in order, under the header
``scene,start_frame,end_frame,start_time,end_time,duration,kind``.

- ``scene``: the scene number.
- ``start_frame``, ``end_frame``: frame numbers, end exclusive; each scene's
  ``end_frame`` is the next scene's ``start_frame``. In a detected episode,
  source frames counted from the first decoded frame (the first scene starts at
  0, the last ends at the frame count); in a topic, output frames at
  ``source.json``'s ``fps``.
- ``start_time``, ``end_time``: seconds from the source's start (its audio can
  start before its first frame), six decimals. The first scene starts at 0, the
  last ends at ``source.json``'s ``duration_s``.
- ``duration``: ``end_time`` minus ``start_time`` as written, seconds, six decimals.
- ``kind``: what detection found the scene to be (``podmotion.segments``):
  ``still``, a picture that holds (animated), or ``footage``, video passed
  through as the source shows it. A topic's scenes are all ``still``. A table
  without the column (written before it existed) reads as all ``still``. The
  config may treat a scene as another kind (``detect.footage``,
  ``overrides``); the table keeps what was detected.

Each boundary is stored once, exactly, in one place; the other columns are
derived from it, for people and for tools that read every folder alike:

- a detected, constant-rate source: the frame. A boundary at source frame
  ``f`` is at ``video_start_s + f / fps`` seconds (``source.json``), as a
  fraction, so 29.97 fps (30000/1001) is exact; the time columns round it.
- a detected, variable-rate source: the time columns, to the microsecond
  (frames don't fall at ``f / fps`` there).
- a topic: ``narration.csv``'s samples. Its time columns round them; its
  frames are the output frames they fall on (``timeline.frame_at``).

``narration.csv`` (topics only; its presence makes a folder a topic's): one row
per scene, in order, under ``scene,label,audio,start_sample,end_sample,duration_s``.

- ``label``: the scene's label (above).
- ``audio``: the narration file, as the config names its folder; empty for a
  scene without one (it is that long a silence).
- ``start_sample``, ``end_sample``: the scene's span in the joined narration,
  in samples at 48 kHz (per channel), end exclusive; the first starts at 0 and
  each starts where the one before ends.
- ``duration_s``: the span's length in seconds, six decimals.

``narration.wav`` (topics): the joined narration, 48 kHz 16-bit stereo PCM.
``narration.m4a`` (topics): it, encoded once to AAC: the merged episode's audio.

``variants.csv`` (topics): every candidate image, under
``scene,variant,score,chosen``: the variant number, its quality score (0 to 1,
four decimals; empty when not scored) and 1 for the one animated, else 0.

``prompts.csv`` (topics): each scene's prompt from its prompt file
(``scene_01.txt`` beside its images), under ``scene,prompt``: one row per scene
that has one, in order; ``prompt`` is the file's text, stripped, UTF-8, quoted
as CSV quotes (it may hold commas, quotes and newlines). Scenes without a
prompt file have no row (their backend's prompt applies); a folder without the
file has no prompts.

``source.json`` (always): ``media.SourceInfo`` as a JSON object: ``path``;
``width``, ``height`` (coded pixels); ``sample_aspect_ratio`` (``"num/den"``);
``rotation_deg`` (clockwise: 0, 90, 180, 270); ``display_width``,
``display_height`` (what a player shows, even pixels); ``fps`` (the constant
rate to output at, ``"num/den"``); ``is_vfr``; ``duration_s`` (seconds, from the
source's start to the end of its longest stream); ``has_audio``;
``audio_codec``; ``video_start_s`` (seconds from the source's start to its first
frame). A topic's describes its joined narration: ``path`` is its
``narration.m4a``, the size that of the first still, ``fps`` the output rate.

``layout.json`` (detected episodes; optional): ``layout.Layout``: ``width``,
``height``, ``mode``, ``frame`` (a description), ``art`` (per scene
``{scene, x, y, width, height}``), ``live`` (``{x, y, width, height, kind,
scenes}``: ``kind`` is ``motion``, a waveform, progress bar, clock or camera
box, or ``text``, burned-in subtitles; ``scenes``, the still scenes it moves
in, where detection knows it) and ``text`` (``{x, y, width, height}``), all
in the source's display pixels. Footage scenes have no art box.
``layout.png``: the first still scene's still with that layout drawn on it.

``scene_<label>.png`` (always, one per scene): the scene's still, RGB: the
source's display size in a detected episode, the chosen image's own in a topic.
A footage scene's is the sharpest frame of its middle: the report's picture
of it, animated only where the config treats the scene as a still.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .atomic import atomic_output
from .errors import PodmotionError
from .layout import Layout
from .media import SourceInfo, write_image
from .narration import RATE_HZ
from .scene_files import LAYOUT_JSON, LAYOUT_PNG, NARRATION_CSV, PROMPTS_CSV, SOURCE_JSON, TIMESTAMPS_CSV
from .scene_files import FolderFiles, folder_stamp, scene_label, still_name
from .scene_files import NARRATION_M4A, NARRATION_WAV, STAMPED, VARIANTS_CSV  # noqa: F401 (re-exported)
from .scene_files import scene_file_name  # noqa: F401 (re-exported: podmotion.plan imports it from here)
from .segments import kind_problem
from .tables import Owner, field, read_table, write_table
from .timeline import frame_at

TIMESTAMP_COLUMNS = ("scene", "start_frame", "end_frame", "start_time", "end_time", "duration", "kind")
TIMESTAMP_REQUIRED = TIMESTAMP_COLUMNS[:-1]  # kind came later: a table without it is all stills
NARRATION_COLUMNS = ("scene", "label", "audio", "start_sample", "end_sample", "duration_s")
VARIANT_COLUMNS = ("scene", "variant", "score", "chosen")
PROMPT_COLUMNS = ("scene", "prompt")
US_PER_S = 1_000_000
SCENE_FOLDER = Owner("a scene folder", "results/NAME/scenes", "scenes")  # whose tables, as errors say it


def _exact_s(value: float | int | str | Fraction) -> Fraction:
    """Seconds as a fraction; a float is taken as the decimal it prints as (2.04 is 51/25)."""
    return Fraction(repr(float(value))) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True)
class Scene:
    """One scene: its number, its frames and its times (see the module docstring for their units)."""

    scene: int  # 1-based
    start_frame: int  # end exclusive: source frames (detected) or output frames (topic)
    end_frame: int
    start_s: Fraction  # exact seconds from the source's start (a float given is taken as it prints)
    end_s: Fraction  # (the CSV columns keep their documented names, start_time and end_time)
    kind: str = "still"  # as detected: "still" or "footage" (podmotion.segments)

    def __post_init__(self):
        object.__setattr__(self, "start_s", _exact_s(self.start_s))
        object.__setattr__(self, "end_s", _exact_s(self.end_s))
        if kind_problem(self.kind):
            raise ValueError(f"scene {self.scene}: {kind_problem(self.kind)}")

    @property
    def duration_s(self) -> Fraction:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class NarrationSpan:
    """One topic scene's narration: the file read and its span in the joined narration."""

    scene: int
    label: str
    audio: str | None  # None: no narration file, a silence
    start_sample: int  # 48 kHz samples in the joined narration, end exclusive
    end_sample: int

    @property
    def start_s(self) -> Fraction:
        return Fraction(self.start_sample, RATE_HZ)

    @property
    def end_s(self) -> Fraction:
        return Fraction(self.end_sample, RATE_HZ)

    @property
    def duration_s(self) -> Fraction:
        return self.end_s - self.start_s


# -- boundaries -----------------------------------------------------------------------------


def detected_scenes(edge_frames: Sequence[int], source: SourceInfo,
                    edge_times_s: Sequence[float | Fraction] | None = None,
                    kinds: Sequence[str] | None = None) -> list[Scene]:  # fmt: skip
    """Scenes on a detected source's timeline, between consecutive ``edge_frames``.

    ``edge_frames``: source frames, 0, then each cut, then the frame count.
    ``kinds``: each scene's kind (all ``still`` when None).
    The first scene starts at 0 s and the last ends at ``source.duration_s``.
    A cut is at ``video_start_s + frame / fps`` on a constant-rate source; on a
    variable-rate one it is at ``edge_times_s[k]`` (seconds from the source's
    start, one per edge), kept to the microsecond.
    """
    if len(edge_frames) < 2:
        raise ValueError("a scene needs a start and an end frame")
    fps, lead_s = source.fps_fraction, _exact_s(source.video_start_s)
    if source.is_vfr:
        if edge_times_s is None or len(edge_times_s) != len(edge_frames):
            raise ValueError("a variable-rate source needs a time for every edge")
        times = [Fraction(round(_exact_s(t) * US_PER_S), US_PER_S) for t in edge_times_s]
    else:
        times = [lead_s + Fraction(f) / fps for f in edge_frames]
    times[0] = Fraction(0)
    times[-1] = max(_exact_s(source.duration_s), times[-2])
    kinds = list(kinds) if kinds is not None else ["still"] * (len(edge_frames) - 1)
    return [Scene(k, a, b, t0, t1, kind) for k, (a, b, t0, t1, kind) in
            enumerate(zip(edge_frames, edge_frames[1:], times, times[1:], kinds), start=1)]  # fmt: skip


def narrated_scenes(spans: Sequence[NarrationSpan], fps: Fraction) -> list[Scene]:
    """A topic's scenes: each lasts its narration, exactly; frames are the output frames at ``fps``."""
    return [Scene(s.scene, frame_at(s.start_s, fps), frame_at(s.end_s, fps), s.start_s, s.end_s) for s in spans]


# -- timestamps.csv -------------------------------------------------------------------------


def _us(seconds: Fraction) -> int:
    return round(seconds * US_PER_S)


def _decimal(us: int) -> str:
    """Microseconds as seconds with six decimals."""
    sign = "-" if us < 0 else ""
    return f"{sign}{abs(us) // US_PER_S}.{abs(us) % US_PER_S:06d}"


def write_timestamps(scenes: Sequence[Scene], path: str | os.PathLike) -> None:
    rows = []
    for s in scenes:
        start_us, end_us = _us(s.start_s), _us(s.end_s)
        rows.append((s.scene, s.start_frame, s.end_frame, _decimal(start_us), _decimal(end_us),
                     _decimal(end_us - start_us), s.kind))  # fmt: skip
    write_table(path, TIMESTAMP_COLUMNS, rows)


def _read_timestamps(path: Path) -> list[Scene]:
    """The table as written (times as their decimals), checked: scenes in order, frames contiguous."""
    scenes = []
    for line, row in enumerate(read_table(path, TIMESTAMP_REQUIRED, about=SCENE_FOLDER), start=2):
        number, start, end = (field(path, line, row, c, int) for c in ("scene", "start_frame", "end_frame"))
        t0, t1 = (field(path, line, row, c, Fraction) for c in ("start_time", "end_time"))
        kind = row.get("kind") or "still"
        if kind_problem(kind):
            raise PodmotionError(path, f"line {line}: scene {number}: {kind_problem(kind)}")
        if end < start:
            raise PodmotionError(path, f"line {line}: scene {number} ends at frame {end}, before it starts ({start})")
        if scenes and number <= scenes[-1].scene:
            raise PodmotionError(path, f"line {line}: scene {number} comes after scene {scenes[-1].scene}")
        if scenes and start != scenes[-1].end_frame:
            raise PodmotionError(path, f"line {line}: scene {number} starts at frame {start}, not where scene "
                                 f"{scenes[-1].scene} ends ({scenes[-1].end_frame})")  # fmt: skip
        scenes.append(Scene(number, start, end, t0, t1, kind))
    return scenes


# -- narration.csv --------------------------------------------------------------------------


def write_narration(spans: Sequence[NarrationSpan], path: str | os.PathLike) -> None:
    write_table(path, NARRATION_COLUMNS, [(s.scene, s.label, s.audio, s.start_sample, s.end_sample,
                                           _decimal(_us(s.duration_s))) for s in spans])  # fmt: skip


def read_narration(path: str | os.PathLike) -> dict[int, NarrationSpan]:
    """scene -> its narration span, in order; the spans must tile the joined narration from 0."""
    path = Path(path)
    spans: dict[int, NarrationSpan] = {}
    end = 0
    for line, row in enumerate(read_table(path, NARRATION_COLUMNS, about=SCENE_FOLDER), start=2):
        number, a, b = (field(path, line, row, c, int) for c in ("scene", "start_sample", "end_sample"))
        if a != end or b < a:
            raise PodmotionError(path, f"line {line}: scene {number} spans samples {a} to {b}; "
                                 f"it should start at {end}, where the one before ends")  # fmt: skip
        if number in spans:
            raise PodmotionError(path, f"line {line}: scene {number} is listed twice")
        spans[number] = NarrationSpan(number, row["label"], row["audio"] or None, a, b)
        end = b
    return spans


# -- prompts.csv ----------------------------------------------------------------------------


def write_prompts(prompts: dict[int, str], path: str | os.PathLike) -> None:
    write_table(path, PROMPT_COLUMNS, [(scene, prompts[scene]) for scene in sorted(prompts)])


def read_prompts(path: str | os.PathLike) -> dict[int, str]:
    """scene -> its prompt, in order; {} where there is no file (a detected episode)."""
    path = Path(path)
    if not path.is_file():
        return {}
    rows = read_table(path, PROMPT_COLUMNS, about=SCENE_FOLDER, empty_ok=True)
    prompts: dict[int, str] = {}
    for line, row in enumerate(rows, start=2):
        number = field(path, line, row, "scene", int)
        if number in prompts:
            raise PodmotionError(path, f"line {line}: scene {number} is listed twice")
        if not row["prompt"]:
            raise PodmotionError(path, f"line {line}: scene {number} has an empty prompt")
        prompts[number] = row["prompt"]
    return prompts


# -- source.json and layout.json ------------------------------------------------------------


def read_source(path: str | os.PathLike) -> SourceInfo:
    path = Path(path)
    if not path.is_file():
        raise PodmotionError(path, f"file not found (is this {SCENE_FOLDER.name}, {SCENE_FOLDER.place}?)")
    try:
        return SourceInfo.from_json(path)
    except (ValueError, TypeError) as exc:  # not JSON, or not SourceInfo's fields
        raise PodmotionError(path, f"not a source description ({type(exc).__name__}: {exc})") from None


# -- reading --------------------------------------------------------------------------------


class SceneFolder(FolderFiles):
    """A scene folder, read lazily; each file is read once per ``SceneFolder``."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"SceneFolder({str(self.path)!r})"

    @property
    def is_topic(self) -> bool:
        """An image-folder topic's (it has narration), not a detected episode's."""
        return (self.path / NARRATION_CSV).is_file()

    def stamp(self) -> tuple:
        """Changes whenever a file this reads from changes (``folder_stamp``)."""
        return folder_stamp(self.path)

    def source(self) -> SourceInfo:
        return self._source

    def scenes(self) -> list[Scene]:
        """The scenes in order, their boundaries exact (see the module docstring)."""
        return list(self._scenes)

    def narration(self) -> dict[int, NarrationSpan] | None:
        """scene -> narration span for a topic; None for a detected episode."""
        return dict(self._narration) if self._narration is not None else None

    def layout(self) -> Layout | None:
        """Where each scene's art is; None where there is no ``layout.json`` (topics)."""
        path = self.path / LAYOUT_JSON
        return Layout.from_json(path) if path.is_file() else None

    def prompts(self) -> dict[int, str]:
        """scene -> its prompt file's text (topics); {} where no scene has one."""
        return dict(self._prompts)

    def label(self, scene: int) -> str:
        return self._labels[scene]

    def labels(self) -> dict[int, str]:
        return dict(self._labels)

    def still(self, scene: int) -> Path:
        return self.path / still_name(self.label(scene))

    @cached_property
    def _source(self) -> SourceInfo:
        return read_source(self.path / SOURCE_JSON)

    @cached_property
    def _prompts(self) -> dict[int, str]:
        return read_prompts(self.prompts_csv)

    @cached_property
    def _narration(self) -> dict[int, NarrationSpan] | None:
        return read_narration(self.path / NARRATION_CSV) if self.is_topic else None

    @cached_property
    def _scenes(self) -> tuple[Scene, ...]:
        table_path = self.path / TIMESTAMPS_CSV
        table = _read_timestamps(table_path)
        if self._narration is None:
            edges = [s.start_frame for s in table] + [table[-1].end_frame]
            times = [s.start_s for s in table] + [table[-1].end_s]
            return tuple(detected_scenes(edges, self._source, times, [s.kind for s in table]))
        if [s.scene for s in table] != list(self._narration):
            raise PodmotionError(table_path, f"scenes {[s.scene for s in table]} are not those of its "
                                 f"{NARRATION_CSV}, {list(self._narration)}")  # fmt: skip
        return tuple(narrated_scenes(list(self._narration.values()), self._source.fps_fraction))

    @cached_property
    def _labels(self) -> dict[int, str]:
        if self._narration is not None:
            return {k: span.label for k, span in self._narration.items()}
        return {s.scene: scene_label(s.scene) for s in self._scenes}


# -- writing --------------------------------------------------------------------------------


class SceneFolderWriter(FolderFiles):
    """A scene folder being written: ``path`` is the temporary folder (see ``write_scene_folder``)."""

    def __init__(self, path: Path, final: Path):
        self.path, self.final = path, final
        self._scenes: list[Scene] | None = None
        self._prompts: dict[int, str] = {}

    def still_path(self, label: str) -> Path:
        return self.path / still_name(label)

    def write_timestamps(self, scenes: Sequence[Scene]) -> None:
        write_timestamps(scenes, self.path / TIMESTAMPS_CSV)
        self._scenes = list(scenes)

    def write_narration(self, spans: Sequence[NarrationSpan]) -> None:
        write_narration(spans, self.path / NARRATION_CSV)

    def write_prompts(self, prompts: dict[int, str]) -> None:
        write_prompts(prompts, self.prompts_csv)
        self._prompts = dict(prompts)

    def write_source(self, info: SourceInfo) -> None:
        info.to_json(self.path / SOURCE_JSON)

    def write_layout(self, layout: Layout, picture: np.ndarray) -> None:
        """``layout.json``, and ``layout.png``: ``picture`` (the layout drawn on a still)."""
        layout.to_json(self.path / LAYOUT_JSON)
        write_image(picture, self.path / LAYOUT_PNG)

    def check(self) -> None:
        """The folder reads back as written: the same scenes, a source, a still per scene."""
        written = SceneFolder(self.path)
        try:
            if self._scenes is None:
                raise PodmotionError(None, f"no {TIMESTAMPS_CSV} written")
            if written.scenes() != self._scenes:
                raise PodmotionError(None, f"{TIMESTAMPS_CSV} does not read back as the scenes written "
                                     "(their frames and times disagree)")  # fmt: skip
            written.source()
            if written.prompts() != self._prompts:
                raise PodmotionError(None, f"{PROMPTS_CSV} does not read back as the prompts written")
            missing = [written.still(s.scene).name for s in self._scenes if not written.still(s.scene).is_file()]
            if missing:
                raise PodmotionError(None, f"no still {', '.join(missing)}")
        except PodmotionError as exc:
            raise PodmotionError(self.final, f"incomplete scene folder: {exc.problem}") from None


@contextlib.contextmanager
def write_scene_folder(out_dir: str | os.PathLike) -> Iterator[SceneFolderWriter]:
    """Write the scene folder ``out_dir`` whole or not at all.

    The body writes into ``writer.path``, a hidden temporary folder beside
    ``out_dir``; when it ends, the folder is checked to read back as written
    (``SceneFolderWriter.check``) and renamed over ``out_dir``. On any error
    the temporary folder is removed and ``out_dir`` is left as it was.
    """
    final = Path(out_dir)
    with atomic_output(final) as tmp:
        tmp.mkdir(parents=True)
        writer = SceneFolderWriter(Path(tmp), final)
        yield writer
        writer.check()
