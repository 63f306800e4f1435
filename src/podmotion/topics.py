"""Image-folder topics: per-scene images (several variants each) and per-scene narration in,
a scene folder out, the same one detection writes, so every later stage is shared.

``collect_to_folder`` writes ``results/{topic}/scenes/`` (its format is in
``podmotion.scene_folder``): the chosen still per scene (``scene_01.png``,
numbered like the narration), the scenes with the cumulative narration
boundaries, every candidate with its score and the one chosen, each scene's
narration file and span, the joined narration (PCM, and AAC encoded once), the
scenes' prompts and a source description of that timeline.

A scene's depth image (for the parallax backend) can sit there too:
``scene_01_depth.png`` (``DEPTH_PATTERN``).

A scene's prompt (for the backends that take one, wan and ltx) can sit in the
images folder beside its image, named like it without the variant:
``scene_01.txt`` or ``image_001.txt`` (``PROMPT_PATTERN``), UTF-8, its text
stripped; ``overrides.<topic>.<scene>.animate.<backend>.prompt`` beats it, and
it beats ``animate.<backend>.prompt``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np

from . import narration
from .detect import sharpness
from .errors import PodmotionError
from .ffmpeg import encode_aac
from .media import SourceInfo, even, parse_colour, read_image, write_image
from .scene_folder import VARIANT_COLUMNS, NarrationSpan, Scene, SceneFolder, narrated_scenes, write_scene_folder
from .settings import scene_overrides, schema_defaults
from .tables import write_table

log = logging.getLogger(__name__)

# The defaults of a topic's entry are the schema's (topics.<name>.*): the only place they live.
_TOPIC_DEFAULTS = schema_defaults("topics")
IMAGE_PATTERN = _TOPIC_DEFAULTS["image_pattern"]
AUDIO_PATTERN = _TOPIC_DEFAULTS["audio_pattern"]
PROMPT_PATTERN = r"^(?:scene|image)_(?P<scene>\d+)\.txt$"  # in the images folder
DEPTH_PATTERN = r"^(?:scene|image)_(?P<scene>\d+)_depth\.png$"  # a scene's depth image, beside its images
MAX_PROMPT_CHARS = 2000  # as animate.<backend>.prompt's maxLength in the schema
DEFAULT_FPS = Fraction(25)


@dataclass
class TopicScene:
    scene: int
    label: str  # the digits as the narration (or the image) writes them: "01"
    variants: dict[int, Path] = field(default_factory=dict)
    audio: Path | None = None
    prompt: str | None = None  # from its prompt file, stripped
    prompt_file: Path | None = None


def _compile(pattern: str, key: str) -> re.Pattern:
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise PodmotionError(None, f"config: topics: {key} {pattern!r} is not a regular expression ({exc})") from exc
    if "scene" not in regex.groupindex:
        raise PodmotionError(None, f"config: topics: {key} {pattern!r} needs a (?P<scene>...) group")
    return regex


def discover(images_dir: str | os.PathLike, audio_dir: str | os.PathLike, *, image_pattern: str = IMAGE_PATTERN,
             audio_pattern: str = AUDIO_PATTERN) -> list[TopicScene]:  # fmt: skip
    """Scenes in scene-number order (scene_10 after scene_9), with their variants and narration."""
    images_dir, audio_dir = Path(images_dir), Path(audio_dir)
    for folder, what in ((images_dir, "images"), (audio_dir, "audio")):
        if not folder.is_dir():
            raise PodmotionError(folder, f"{what} folder not found")
    image_re, audio_re = _compile(image_pattern, "image_pattern"), _compile(audio_pattern, "audio_pattern")
    prompt_re = re.compile(PROMPT_PATTERN, re.IGNORECASE)
    depth_re = re.compile(DEPTH_PATTERN, re.IGNORECASE)
    scenes: dict[int, TopicScene] = {}
    ignored, prompt_files, depth_files = [], [], []
    for path in sorted(images_dir.iterdir()):
        m = image_re.match(path.name)
        if not m and path.is_file() and prompt_re.match(path.name):
            prompt_files.append(path)
            continue
        if not m and path.is_file() and depth_re.match(path.name):
            depth_files.append(path)
            continue
        if not m or not path.is_file():
            if not audio_re.match(path.name):  # one folder may hold both
                ignored.append(path.name)
            continue
        number = _number(m, "scene", path)
        variant = _number(m, "variant", path) if m.groupdict().get("variant") else 1
        scene = scenes.setdefault(number, TopicScene(number, m.group("scene")))
        if variant in scene.variants:
            raise PodmotionError(path, f"scene {number} variant {variant} is also {scene.variants[variant].name}")
        scene.variants[variant] = path
    if not scenes:
        raise PodmotionError(images_dir, f"no images named like scene_01_var_01.png or image_001.png "
                             f"(pattern {image_pattern})")  # fmt: skip
    for path in prompt_files:
        number = int(prompt_re.match(path.name).group("scene"))
        if number not in scenes:
            raise PodmotionError(path, f"prompt for scene {number} has no image in {images_dir} "
                                 f"(looked for names like {path.stem}_var_01.png)")  # fmt: skip
        if scenes[number].prompt_file is not None:
            raise PodmotionError(path, f"scene {number} already has prompt {scenes[number].prompt_file.name}")
        scenes[number].prompt, scenes[number].prompt_file = read_prompt(path), path
    for path in depth_files:
        number = int(depth_re.match(path.name).group("scene"))
        if number not in scenes:
            raise PodmotionError(path, f"depth image for scene {number} has no image in {images_dir} "
                                 f"(looked for names like {path.stem.rsplit('_', 1)[0]}_var_01.png)")  # fmt: skip
    for path in sorted(audio_dir.iterdir()):
        m = audio_re.match(path.name)
        if not m or not path.is_file():
            if not image_re.match(path.name) and path.parent != images_dir.resolve() and audio_dir != images_dir:
                ignored.append(path.name)
            continue
        number = _number(m, "scene", path)
        if number not in scenes:
            raise PodmotionError(path, f"narration for scene {number} has no image in {images_dir} "
                                 f"(looked for names like scene_{m.group('scene')}_var_01.png)")  # fmt: skip
        if scenes[number].audio is not None:
            raise PodmotionError(path, f"scene {number} already has narration {scenes[number].audio.name}")
        scenes[number].audio = path
        scenes[number].label = m.group("scene")  # clips are named like the narration
    ignored = [n for n in ignored if not n.startswith(".")]
    if ignored:
        log.warning("ignored (not named like a scene image or narration): %s", ", ".join(ignored))
    return [scenes[k] for k in sorted(scenes)]


def depth_images(images_dir: str | os.PathLike) -> dict[int, Path]:
    """Scene number -> its depth image in the images folder (``DEPTH_PATTERN``: ``scene_01_depth.png``), for
    the parallax backend (checked when the depth job reads it)."""
    depth_re = re.compile(DEPTH_PATTERN, re.IGNORECASE)
    found = {}
    folder = Path(images_dir)
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        m = depth_re.match(path.name)
        if m and path.is_file():
            found[int(m.group("scene"))] = path
    return found


def read_prompt(path: Path) -> str:
    """A prompt file's text, stripped: UTF-8, not empty, at most ``MAX_PROMPT_CHARS`` characters."""
    try:
        text = path.read_text(encoding="utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise PodmotionError(path, f"prompt is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PodmotionError(path, f"cannot read the prompt ({exc.strerror or exc})") from None
    if not text:
        raise PodmotionError(path, "prompt file is empty (write the scene's prompt, or delete the file)")
    if len(text) > MAX_PROMPT_CHARS:
        raise PodmotionError(path, f"prompt is {len(text)} characters; at most {MAX_PROMPT_CHARS}")
    return text


def _number(match: re.Match, group: str, path: Path) -> int:
    try:
        return int(match.group(group))
    except ValueError:
        raise PodmotionError(path, f"the pattern's {group} group matched {match.group(group)!r}, not a number") from None


def input_files(images_dir, audio_dir, image_pattern: str = IMAGE_PATTERN, audio_pattern: str = AUDIO_PATTERN) -> list[str]:
    """Every file the topic reads (prompt files too): adding, removing or changing one reruns the collection."""
    out = []
    patterns = ((Path(images_dir), image_pattern), (Path(images_dir), PROMPT_PATTERN), (Path(audio_dir), audio_pattern))
    for folder, pattern in patterns:
        regex = re.compile(pattern, re.IGNORECASE)
        if folder.is_dir():
            out += sorted(str(p) for p in folder.iterdir() if p.is_file() and regex.match(p.name))
    return sorted(set(out))


# -- choosing a variant ---------------------------------------------------------------------


class VariantScorer(Protocol):
    """Scores one image; higher is better. A learned aesthetic model can implement this too."""

    def score(self, rgb: np.ndarray) -> float: ...


class QualityScore:
    """A no-reference score from the image alone: sharpness, exposure and colourfulness, each in [0, 1].

    - sharpness: log of the Laplacian's variance, 1.0 at a variance of 1000;
    - exposure: 1 at mid-grey mean brightness, 0 at black or white, less for clipped pixels;
    - colourfulness: Hasler and Suesstrunk's metric, 1.0 at 100.
    """

    weights = (0.5, 0.25, 0.25)

    def parts(self, rgb: np.ndarray) -> tuple[float, float, float]:
        sharp = min(1.0, np.log1p(sharpness(rgb)) / np.log1p(1000.0))
        grey = rgb.astype(np.float64).mean(axis=2) / 255
        clipped = float(((grey < 0.02) | (grey > 0.98)).mean())
        exposure = max(0.0, 1 - 2 * abs(float(grey.mean()) - 0.5) - clipped)
        r, g, b = (rgb[..., c].astype(np.float64) for c in range(3))
        rg, yb = r - g, 0.5 * (r + g) - b
        colour = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
        return sharp, exposure, min(1.0, colour / 100)

    def score(self, rgb: np.ndarray) -> float:
        return float(sum(w * p for w, p in zip(self.weights, self.parts(rgb))))


SCORERS: dict[str, VariantScorer] = {"best": QualityScore()}


@dataclass(frozen=True)
class VariantRow:
    scene: int
    variant: int
    score: float | None
    chosen: bool


def choose_variants(scenes: list[TopicScene], mode: str, named: dict[int, int] | None = None,
                    scores_by_path: dict[Path, float] | None = None) -> list[VariantRow]:  # fmt: skip
    """One row per candidate. ``mode``: ``first`` (lowest variant number) or a scorer's name;
    ``named``: scene -> variant, chosen whatever the mode. ``scores_by_path``: scores already
    computed (else they are computed here)."""
    named = named or {}
    scores_by_path = scores_by_path or {}
    rows = []
    for scene in scenes:
        numbers = sorted(scene.variants)
        scores: dict[int, float | None] = {v: None for v in numbers}
        if scene.scene in named:
            pick = named[scene.scene]
            if pick not in scene.variants:
                raise PodmotionError(scene.variants[numbers[0]].parent, f"scene {scene.scene} has no variant {pick} "
                                     f"(it has {', '.join(map(str, numbers))})")  # fmt: skip
        elif mode == "first":
            pick = numbers[0]
        else:
            scorer = SCORERS[mode]
            scores = {v: scores_by_path[p] if p in scores_by_path else scorer.score(read_image(p))
                      for v, p in scene.variants.items()}  # fmt: skip
            pick = max(numbers, key=lambda v: (scores[v], -v))
        rows += [VariantRow(scene.scene, v, scores[v], v == pick) for v in numbers]
    return rows


def write_variants(rows: list[VariantRow], path: Path) -> None:
    write_table(path, VARIANT_COLUMNS, [(r.scene, r.variant, None if r.score is None else f"{r.score:.4f}",
                                         int(r.chosen)) for r in rows])  # fmt: skip


# -- the scene folder -----------------------------------------------------------------------


def collect_to_folder(images_dir, audio_dir, out_dir, *, variant: str = _TOPIC_DEFAULTS["variant"],
                      named: dict[int, int] | None = None, missing_audio_s: float = _TOPIC_DEFAULTS["missing_audio_s"],
                      output_cfg: dict | None = None, image_pattern: str = IMAGE_PATTERN,
                      audio_pattern: str = AUDIO_PATTERN) -> list[Scene]:  # fmt: skip
    """Write the topic's scene folder atomically; return its scenes. ``output_cfg``: the ``output``
    section (the schema's defaults for what it leaves out)."""
    output_cfg = {**schema_defaults("output"), **(output_cfg or {})}
    scenes = discover(images_dir, audio_dir, image_pattern=image_pattern, audio_pattern=audio_pattern)
    # Every candidate must be a readable image, chosen or not, so a bad file is named now;
    # each is decoded once, and scored on the way when the mode scores.
    scorer = SCORERS.get(variant)
    scores_by_path = {}
    background = parse_colour(output_cfg["background"], about="config: output.background")
    cap_px = output_cfg["max_long_side_px"]

    def load(path: Path) -> np.ndarray:
        """The image as it will be shown: over the background where transparent, scaled down to the cap."""
        return scaled_down(read_image(path, background), cap_px)

    for scene in scenes:
        for path in scene.variants.values():
            rgb = load(path)
            if scorer is not None and scene.scene not in (named or {}):
                scores_by_path[path] = scorer.score(rgb)
    rows = choose_variants(scenes, variant, named, scores_by_path)
    chosen = {r.scene: scenes_by_number(scenes)[r.scene].variants[r.variant] for r in rows if r.chosen}

    pieces, spans = [], []
    cursor = 0
    for scene in scenes:
        if scene.audio is None:
            log.warning("scene %d (%s) has no narration: it lasts %.2f s, silent", scene.scene,
                        chosen[scene.scene].name, missing_audio_s)  # fmt: skip
            samples = narration.silence(missing_audio_s)
        else:
            samples = narration.decode(scene.audio)
        pieces.append(samples)
        audio = None if scene.audio is None else str(scene.audio)
        spans.append(NarrationSpan(scene.scene, scene.label, audio, cursor, cursor + len(samples)))
        cursor += len(samples)
    total_s = cursor / narration.RATE_HZ

    fps = Fraction(str(output_cfg["fps"])) if output_cfg.get("fps") is not None else DEFAULT_FPS
    first = load(chosen[scenes[0].scene])  # the output size, unless config sets it
    out = narrated_scenes(spans, fps)
    info = SourceInfo(
        path=str(SceneFolder(out_dir).narration_audio), width=even(first.shape[1]), height=even(first.shape[0]),
        sample_aspect_ratio="1/1", rotation_deg=0, display_width=even(first.shape[1]),
        display_height=even(first.shape[0]), fps=f"{fps.numerator}/{fps.denominator}", is_vfr=False,
        duration_s=total_s, has_audio=True, audio_codec="aac",
    )  # fmt: skip
    with write_scene_folder(out_dir) as folder:
        for scene in scenes:
            src, still = chosen[scene.scene], folder.still_path(scene.label)
            write_image(load(src), still)  # one at a time, already scaled down: large stills add up
            _keep_time_if_same(Path(out_dir) / still.name, still)
        folder.write_timestamps(out)
        write_variants(rows, folder.variants_csv)
        folder.write_narration(spans)
        folder.write_prompts({s.scene: s.prompt for s in scenes if s.prompt is not None})
        narration.write_wav(np.concatenate(pieces), folder.narration_pcm)
        encode_aac(folder.narration_pcm, folder.narration_audio)
        folder.write_source(info)
    log.info("%s: %d scene(s), %.3f s of narration, variants by %s", out_dir, len(scenes), total_s, variant)
    return out


def scaled_down(rgb: np.ndarray, max_long_side_px: int | None) -> np.ndarray:
    """``rgb`` shrunk (area averaging) so its longer side is at most ``max_long_side_px``; never enlarged."""
    import cv2

    height, width = rgb.shape[:2]
    if not max_long_side_px or max(width, height) <= max_long_side_px:
        return rgb
    scale = max_long_side_px / max(width, height)
    size = (max(2, min(max_long_side_px, round(width * scale))), max(2, min(max_long_side_px, round(height * scale))))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _keep_time_if_same(old: Path, new: Path) -> None:
    """A still whose bytes did not change keeps its old time, so its scene is not animated again."""
    if old.is_file() and old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes():
        stat = old.stat()
        os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def takes_prompt(backend: str) -> bool:
    """Whether the backend takes a text prompt (the image-to-video members that do: wan, ltx)."""
    from .i2v.members import MEMBERS

    return backend in MEMBERS and MEMBERS[backend].prompt


def with_scene_prompt(options: dict, backend: str, scene_override: dict, prompt: str | None) -> dict:
    """``options`` (one scene's ``animate.<backend>``) with its prompt file's text as ``prompt``, where the
    backend takes a prompt and the scene's override sets none: the override, then the file, then the default."""
    if prompt is None or not takes_prompt(backend):
        return options
    if "prompt" in (((scene_override or {}).get("animate") or {}).get(backend) or {}):
        return options
    return {**options, "prompt": prompt}


def scenes_by_number(scenes: list[TopicScene]) -> dict[int, TopicScene]:
    return {s.scene: s for s in scenes}


def topic_settings(topic: dict) -> dict:
    """A topic's entry with the schema's defaults for what it leaves out."""
    return {**_TOPIC_DEFAULTS, **topic}


def topics_problem(config: dict) -> str | None:
    """One line for what the schema can't check: name clashes, missing folders, bad patterns."""
    topics = config.get("topics") or {}
    clash = sorted(set(topics) & set(config.get("podcasts") or {}))
    if clash:
        return f"config: {clash[0]} is both a podcast and a topic; results/{clash[0]}/ can hold only one"
    for name, topic in topics.items():
        settings = topic_settings(topic)
        for key in ("images", "audio"):
            if not Path(settings[key]).is_dir():
                return f"config: topics.{name}.{key}: folder not found: {settings[key]}"
        for key in ("image_pattern", "audio_pattern"):
            try:
                _compile(settings[key], key)
            except PodmotionError as exc:
                return f"{exc.problem.replace('config: topics:', f'config: topics.{name}:')}"
    for name, scene, override in scene_overrides(config):
        if "variant" not in override:
            continue
        where = f"config: overrides.{name}.{scene}.variant"
        if name not in topics:
            return f"{where}: variant applies only to image-folder topics"
        settings = topic_settings(topics[name])
        try:
            found = {s.scene: s for s in discover(settings["images"], settings["audio"],
                                                  image_pattern=settings["image_pattern"],
                                                  audio_pattern=settings["audio_pattern"])}  # fmt: skip
        except PodmotionError:
            return None  # the collect job reports it, naming the file
        if int(scene) not in found:
            return f"{where}: topic {name} has no scene {scene}"
        if override["variant"] not in found[int(scene)].variants:
            have = ", ".join(map(str, sorted(found[int(scene)].variants)))
            return f"{where} = {override['variant']}: scene {scene} has variants {have}"
    return None
