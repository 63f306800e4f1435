"""Shared fixtures: synthetic podcasts and real Snakemake runs in a scratch folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from synth import make_podcast, scene_picture, tone, write_wav  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


class Workflow:
    """A scratch working directory with its own config, run with the repository's Snakefile."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.config: dict = {"output": {"preset": "veryfast"}}

    def write_config(self) -> Path:
        path = self.workdir / "config.yaml"
        path.write_text(yaml.safe_dump(self.config))
        return path

    def run(self, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
        cmd = [str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "--directory", str(self.workdir),
               "--configfile", str(self.write_config()), "--cores", "2", *args]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self.workdir,
                              env={**os.environ, **(env or {})})  # fmt: skip
        if check and proc.returncode != 0:
            raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
        return proc

    def result(self, *parts: str) -> Path:
        return self.workdir.joinpath("results", *parts)


# What a changed episode reruns at its end: the summary and the report pages.
EPISODE_END_JOBS = {("concat", ""), ("mux", ""), ("summarise", ""), ("episode_report", "")}


def scene_rerun_jobs(scene: str) -> set[tuple[str, str]]:
    """The jobs one changed scene reruns: its own chain, then the episode's end (whose report remakes only that
    scene's card and preview)."""
    return {("animate_scene", scene), ("pad_scene", scene), *EPISODE_END_JOBS}


def planned_jobs(wf: Workflow) -> set[tuple[str, str]]:
    """(rule, scene) for every job a dry run plans; scene is '' for per-episode jobs."""
    out = wf.run("--dry-run").stdout
    jobs = set()
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        m = re.match(r"(?:local)?rule (\w+):", block.strip())
        if not m or m.group(1) == "all":
            continue
        scene = re.search(r"scene=(\d+)", block)
        jobs.add((m.group(1), f"scene_{scene.group(1)}" if scene else ""))
    return jobs


@pytest.fixture
def workflow(tmp_path: Path) -> Workflow:
    return Workflow(tmp_path)


def assert_episode_in_sync(wf: Workflow, source: Path, cut_frames: list[int], frames: int, fps: int) -> None:
    """Episode ``ep`` is complete and in sync with ``source``'s audio: ``ep_animated.mp4`` has ``frames`` frames at
    ``fps``, 160x90, and lasts as long as the source (to a frame); output frames [start, end) of each scene (between
    ``cut_frames``) are exactly its padded clip's frames (joined by stream copy); its audio packets are the source's."""
    from measure import audio_packet_md5, scenes_unlike_their_padded_clips, video_facts

    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (frames, fps, 160, 90)
    assert abs(facts["duration_s"] - video_facts(source)["duration_s"]) <= 1 / fps
    assert scenes_unlike_their_padded_clips(out, wf.result("ep", "padded"), [0, *cut_frames, frames]) == []
    assert audio_packet_md5(out) == audio_packet_md5(source)


def image_and_audio_folders(root: Path, pictures: dict[str, int],
                            tones: dict[str, tuple[float, float]]) -> tuple[Path, Path]:  # fmt: skip
    """A topic's folders, made here: ``root/img`` with each picture (file name -> the scene whose synthetic 64x36
    picture it is) and ``root/aud`` with each narration (file name -> a tone's frequency in Hz and length in s)."""
    from podmotion.media import write_image

    images, audio = root / "img", root / "aud"
    images.mkdir()
    audio.mkdir()
    for name, scene in pictures.items():
        write_image(scene_picture(scene, 64, 36), images / name)
    for name, (frequency_hz, duration_s) in tones.items():
        write_wav(tone([frequency_hz], [], duration_s), audio / name)
    return images, audio


# Five scenes, cuts at known frames, 25 fps, 12 s: the end-to-end ground truth.
E2E_CUTS = [48, 101, 170, 236]
E2E_FRAMES = 300


@pytest.fixture(scope="session")
def podcast5(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("podcast5") / "five scenes.mp4"  # a space in the name, on purpose
    truth = make_podcast(path, E2E_CUTS, E2E_FRAMES, width=320, height=180, fps=Fraction(25))
    return path, truth


@pytest.fixture(scope="session")
def tiny_svd(tmp_path_factory) -> Path:
    """A tiny random-weight SVD pipeline of the real diffusers classes, saved with save_pretrained."""
    from podmotion.i2v.random_model import save_pipeline

    return save_pipeline(tmp_path_factory.mktemp("svd") / "tiny model")  # a space in the path, on purpose


def schema_defaults(section: str) -> dict:
    """The schema's defaults for ``animate.<section>`` (what a workflow run would fill in)."""
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    props = schema["properties"]["animate"]["properties"][section]["properties"]
    return {key: spec["default"] for key, spec in props.items()}


def tiny_svd_options(model: Path, **changes) -> dict:
    """animate.svd for the tiny model: 64x64, 4 frames, 2 steps, fp32 on the CPU."""
    options = schema_defaults("svd")
    options.update(model=str(model), variant=None, dtype="fp32", device="cpu", width=64, height=64,
                   num_frames=4, num_inference_steps=2, decode_chunk_size=4)  # fmt: skip
    options.update(changes)
    return options


@pytest.fixture(scope="session", autouse=True)
def _no_resident_worker_left():
    """svd tests that run in the repository folder share its resident worker: stop it when the tests end."""
    from podmotion.i2v import worker

    folder = os.getcwd()
    yield
    worker.stop(folder)


def _saved_tiny(tmp_path_factory, layout: str) -> Path:
    """A tiny random-weight pipeline of ``layout`` (podmotion.i2v.random_models), written with save_pretrained
    into a folder whose name has a space (paths are never split)."""
    from podmotion.i2v.random_models import save_pipeline

    return save_pipeline(tmp_path_factory.mktemp(layout) / f"tiny {layout}", layout)


def _tiny_fixture(name: str, layout: str, doc: str):
    """A session fixture ``name``: the tiny ``layout`` pipeline (``_saved_tiny``), saved once per session."""

    def fixture(tmp_path_factory) -> Path:
        return _saved_tiny(tmp_path_factory, layout)

    fixture.__name__, fixture.__doc__ = name, doc
    return pytest.fixture(scope="session", name=name)(fixture)


tiny_wan = _tiny_fixture("tiny_wan", "wan_ti2v", "Wan 2.2 TI2V-5B-style (takes no last frame).")
tiny_wan_flf2v = _tiny_fixture("tiny_wan_flf2v", "wan_flf2v",
                               "Wan 2.1 first-last-frame (CLIP image encoder; needs the last frame).")  # fmt: skip
tiny_ltx = _tiny_fixture("tiny_ltx", "ltx", "LTX-Video image-to-video (0.9.0/0.9.1: the first frame only).")
tiny_ltx_condition = _tiny_fixture("tiny_ltx_condition", "ltx_condition", "The tiny LTX parts saved as an "
                                   "LTXConditionPipeline (LTX-Video 0.9.5 and later).")  # fmt: skip


def tiny_i2v_options(section: str, model: Path, **changes) -> dict:
    """animate.wan / animate.ltx for a tiny model: 64x32, 9 frames, 2 steps, fp32 on the CPU."""
    options = schema_defaults(section)
    options.update(model=str(model), dtype="fp32", device="cpu", width=64, height=32, num_frames=9,
                   num_inference_steps=2)  # fmt: skip
    options.update(changes)
    return options
