"""A topic's per-scene prompt files (``scene_01.txt`` beside its images): read exactly, kept in the scene
folder's ``prompts.csv``, passed to the backends that take a prompt (wan, ltx) under the scene's override,
and a changed file reruns only that scene, and only when its backend takes a prompt."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from conftest import Workflow, planned_jobs, tiny_i2v_options

from podmotion.errors import PodmotionError
from podmotion.media import write_image
from podmotion.scene_folder import SceneFolder, read_prompts
from podmotion.topics import collect_to_folder, discover, input_files, with_scene_prompt
from synth import scene_picture, tone, write_wav

TRICKY = 'a "quoted" sea, waves; commas, and\nnew lines — café ☕ 海'


def make_topic(root: Path, scenes=(1, 2, 3), name="scene_{k:02d}_var_01.png", seconds=0.4) -> tuple[Path, Path]:
    images, audio = root / "images", root / "audio"
    images.mkdir(parents=True)
    audio.mkdir(parents=True)
    for k in scenes:
        write_image(scene_picture(k, 96, 54), images / name.format(k=k))
        write_wav(tone([250.0 + 100 * k], [], seconds), audio / f"scene_{k:02d}.wav")
    return images, audio


def test_prompt_files_are_read_stripped_and_round_trip_through_the_scene_folder(tmp_path):
    images, audio = make_topic(tmp_path)
    (images / "scene_01.txt").write_text(f"\n  {TRICKY}  \n\n", encoding="utf-8")
    (images / "scene_03.txt").write_text("plain", encoding="utf-8")
    (images / "notes.txt").write_text("not a scene")  # not a prompt file: ignored as before
    assert [(s.scene, s.prompt) for s in discover(images, audio)] == [(1, TRICKY), (2, None), (3, "plain")]
    collect_to_folder(images, audio, tmp_path / "out")
    assert SceneFolder(tmp_path / "out").prompts() == {1: TRICKY, 3: "plain"}
    with open(tmp_path / "out" / "prompts.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["scene", "prompt"], ["1", TRICKY], ["3", "plain"]]


def test_image_style_prompt_files_and_a_bom_are_accepted(tmp_path):
    images, audio = make_topic(tmp_path, scenes=(2,), name="image_{k:03d}.png")
    (images / "image_002.txt").write_text("slow clouds", encoding="utf-8-sig")
    (scene,) = discover(images, audio)
    assert (scene.scene, scene.prompt, scene.prompt_file.name) == (2, "slow clouds", "image_002.txt")


def test_a_detected_or_prompt_free_folder_has_no_prompts(tmp_path):
    images, audio = make_topic(tmp_path, scenes=(1,))
    collect_to_folder(images, audio, tmp_path / "out")
    assert SceneFolder(tmp_path / "out").prompts() == {}
    assert SceneFolder(tmp_path / "nothing here").prompts() == {}


@pytest.mark.parametrize("text, problem", [
    ("  \n\t ", "prompt file is empty (write the scene's prompt, or delete the file)"),
    ("x" * 2001, "prompt is 2001 characters; at most 2000"),
])  # fmt: skip
def test_an_empty_or_too_long_prompt_is_one_line_naming_the_file(tmp_path, text, problem):
    images, audio = make_topic(tmp_path, scenes=(1, 2))
    (images / "scene_02.txt").write_text(text, encoding="utf-8")
    with pytest.raises(PodmotionError) as err:
        collect_to_folder(images, audio, tmp_path / "out")
    assert str(err.value) == f"{images / 'scene_02.txt'}: {problem}"
    assert not (tmp_path / "out").exists()


def test_a_prompt_file_that_is_not_utf8_is_one_line(tmp_path):
    images, audio = make_topic(tmp_path, scenes=(1,))
    (images / "scene_01.txt").write_bytes("caf\u00e9".encode("latin-1"))
    with pytest.raises(PodmotionError) as err:
        discover(images, audio)
    assert str(err.value) == f"{images / 'scene_01.txt'}: prompt is not UTF-8 text (byte 3)"


def test_a_prompt_without_an_image_names_the_file(tmp_path):
    images, audio = make_topic(tmp_path, scenes=(1,))
    (images / "scene_07.txt").write_text("orphan", encoding="utf-8")
    with pytest.raises(PodmotionError) as err:
        discover(images, audio)
    assert str(err.value) == (f"{images / 'scene_07.txt'}: prompt for scene 7 has no image in {images} "
                              "(looked for names like scene_07_var_01.png)")  # fmt: skip


def test_prompt_files_are_inputs_of_the_collection(tmp_path):
    images, audio = make_topic(tmp_path, scenes=(1,))
    (images / "scene_01.txt").write_text("p", encoding="utf-8")
    (images / "notes.txt").write_text("n")
    assert sorted(Path(p).name for p in input_files(images, audio)) == ["scene_01.txt", "scene_01.wav",
                                                                        "scene_01_var_01.png"]  # fmt: skip


def test_a_scene_listed_twice_in_prompts_csv_is_one_line(tmp_path):
    path = tmp_path / "prompts.csv"
    path.write_text('scene,prompt\n1,"a, b"\n1,c\n', encoding="utf-8")
    with pytest.raises(PodmotionError) as err:
        read_prompts(path)
    assert str(err.value) == f"{path}: line 3: scene 1 is listed twice"


def test_the_override_beats_the_file_which_beats_the_default():
    options = {"prompt": "global", "guidance_scale": 5.0}
    assert with_scene_prompt(options, "wan", {}, "from file") == {"prompt": "from file", "guidance_scale": 5.0}
    assert with_scene_prompt(options, "ltx", {"animate": {"seed": 3}}, "from file")["prompt"] == "from file"
    scene = {"animate": {"wan": {"prompt": "override"}}}
    assert with_scene_prompt({**options, "prompt": "override"}, "wan", scene, "from file")["prompt"] == "override"
    assert with_scene_prompt(options, "wan", {}, None) == options
    for backend in ("svd", "kenburns", "still"):  # no prompt: their params never carry one
        assert with_scene_prompt({"x": 1}, backend, {}, "from file") == {"x": 1}


# -- a real run: wan on a tiny random-weight pipeline --------------------------------------------


@pytest.fixture(scope="module")
def prompt_run(tmp_path_factory, tiny_wan):
    root = tmp_path_factory.mktemp("topic prompts")
    images, audio = make_topic(root)
    for k in (1, 2, 3):
        (images / f"scene_{k:02d}.txt").write_text(f"scene {k} {TRICKY}", encoding="utf-8")
    wf = Workflow(root / "work")
    wf.workdir.mkdir()
    wan = {k: v for k, v in tiny_i2v_options("wan", tiny_wan, prompt="the global prompt").items() if k != "device"}
    wf.config.update({
        "podcasts": {},
        "topics": {"T": {"images": str(images), "audio": str(audio)}},
        "animate": {"backend": "wan", "wan": wan},
        "overrides": {"T": {2: {"animate": {"wan": {"prompt": "the override"}}}, 3: {"animate": {"backend": "still"}}}},
        "output": {"preset": "veryfast", "fps": 25},
    })  # fmt: skip
    wf.run()
    return wf, images


def sidecar(wf: Workflow, scene: int) -> dict:
    return json.loads(wf.result("T", "clips", f"scene_{scene:02d}.json").read_text())


def test_the_files_prompt_reaches_its_scene_and_the_override_beats_it(prompt_run):
    wf, _ = prompt_run
    first, second, third = (sidecar(wf, k) for k in (1, 2, 3))
    assert first["settings"]["options"]["prompt"] == first["result"]["prompt"] == f"scene 1 {TRICKY}"
    assert second["settings"]["options"]["prompt"] == second["result"]["prompt"] == "the override"
    assert third["backend"] == "still" and "prompt" not in json.dumps(third["settings"])


def test_editing_a_prompt_file_reanimates_only_that_scene(prompt_run):
    wf, images = prompt_run
    assert planned_jobs(wf) == set()
    stills = {k: wf.result("T", "scenes", f"scene_{k:02d}.png").read_bytes() for k in (1, 2, 3)}
    for k in (1, 2, 3):  # 2: its override wins; 3: still takes no prompt
        (images / f"scene_{k:02d}.txt").write_text(f"edited {k}", encoding="utf-8")
    proc = wf.run()
    ran = set(re.findall(r"rule (animate_scene|pad_scene):.*?wildcards: name=T, scene=(\d+)",
                         proc.stdout + proc.stderr, re.S))  # fmt: skip
    assert "checkpoint collect_scenes:" in proc.stdout + proc.stderr
    assert ran == {("animate_scene", "01"), ("pad_scene", "01")}
    assert {k: wf.result("T", "scenes", f"scene_{k:02d}.png").read_bytes() for k in (1, 2, 3)} == stills
    assert sidecar(wf, 1)["result"]["prompt"] == "edited 1" and sidecar(wf, 2)["result"]["prompt"] == "the override"
    assert planned_jobs(wf) == set()
