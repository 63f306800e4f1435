"""Image-folder topics: per-scene image variants and narration in, aligned clips and a merged episode out.

A generated topic: scenes 1, 2, 3, 9 and 10 (a gap, and 10 after 9), two
variants each with one of them blurred, narration of different lengths in mp3
and wav, each a different tone; scene 11 has images and no narration.
"""

from __future__ import annotations

import csv
import re
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import Workflow, image_and_audio_folders, planned_jobs
from measure import audio_samples, chapters, cut_frames, tone_changes_s, video_facts

from podmotion.errors import PodmotionError
from podmotion.ffmpeg import run
from podmotion.media import write_image
from podmotion.topics import choose_variants, collect_to_folder, discover
from synth import scene_picture, tone, write_wav

FPS = 25
NARRATION_S = {1: 1.30, 2: 0.90, 3: 2.10, 9: 1.70, 10: 1.15}
MISSING_S = 1.0  # scene 11 has no narration
SHARP_VARIANT = {1: 1, 2: 2, 3: 1, 9: 2, 10: 1, 11: 1}  # the other variant is blurred


def make_topic(root: Path, scenes=NARRATION_S, extra_images=(11,)) -> tuple[Path, Path]:
    images, audio = root / "images" / "demo_topic", root / "audio" / "demo_topic"
    images.mkdir(parents=True)
    audio.mkdir(parents=True)
    for k in [*scenes, *extra_images]:
        for v in (1, 2):
            picture = scene_picture(k, 192, 108)
            if v != SHARP_VARIANT[k]:
                picture = cv2.GaussianBlur(picture, (0, 0), 4)
            write_image(picture, images / f"scene_{k:02d}_var_{v:02d}.png")
    for k, seconds in scenes.items():
        wav = root / f"tone_{k}.wav"
        write_wav(tone([250.0 + 120 * k], [], seconds), wav)
        if k % 2:
            run(["-loglevel", "error", "-i", wav, "-c:a", "libmp3lame", "-b:a", "96k", audio / f"scene_{k:02d}.mp3"],
                about=wav)  # fmt: skip
        elif k == 10:  # AAC in MP4: its encoder padding must not lengthen the scene
            run(["-loglevel", "error", "-i", wav, "-c:a", "aac", audio / f"scene_{k:02d}.m4a"], about=wav)
        else:
            wav.replace(audio / f"scene_{k:02d}.wav")
    return images, audio


def boundaries_s() -> list[float]:
    durations = [NARRATION_S[k] for k in (1, 2, 3, 9, 10)] + [MISSING_S]
    return list(np.cumsum([0.0, *durations]))


@pytest.fixture(scope="module")
def topic_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("topic")
    images, audio = make_topic(root)
    (images / "notes.txt").write_text("not a scene")  # ignored, with a warning
    wf = Workflow(root / "work")
    wf.workdir.mkdir()
    wf.config.update({
        "podcasts": {},
        "topics": {"demo_topic": {"images": str(images), "audio": str(audio), "variant": "best",
                                  "missing_audio_s": MISSING_S}},
        "animate": {"backend": "still"},
        "output": {"preset": "veryfast", "fps": FPS},
    })  # fmt: skip
    proc = wf.run()
    return wf, images, audio, proc


LABELS = ["01", "02", "03", "09", "10", "11"]


def test_clips_are_named_like_the_narration(topic_run):
    wf, *_ = topic_run
    for folder in ("clips", "combined"):
        names = sorted(p.name for p in wf.result("demo_topic", folder).glob("*.mp4"))
        assert names == [f"scene_{label}.mp4" for label in LABELS]
    assert wf.result("demo_topic", "demo_topic_animated.mp4").is_file()


def test_each_combined_clip_lasts_as_long_as_its_narration(topic_run):
    wf, *_ = topic_run
    for label, seconds in zip(LABELS, [*NARRATION_S.values(), MISSING_S]):
        path = wf.result("demo_topic", "combined", f"scene_{label}.mp4")
        facts = video_facts(path)
        audio_s = len(audio_samples(path)) / 48000
        assert abs(facts["frames"] / FPS - seconds) <= 1 / FPS, label
        assert abs(audio_s - seconds) <= 1 / FPS, label


def test_merged_episode_cuts_sit_at_the_cumulative_narration_boundaries(topic_run):
    wf, *_ = topic_run
    out = wf.result("demo_topic", "demo_topic_animated.mp4")
    bounds = boundaries_s()
    facts = video_facts(out)
    assert facts["fps"] == FPS
    assert facts["frames"] == round(bounds[-1] * FPS)
    assert abs(facts["duration_s"] - bounds[-1]) <= 1 / FPS
    found = cut_frames(out)
    assert len(found) == 5, found
    for got, t in zip(found, bounds[1:-1]):
        assert abs(got - round(t * FPS)) <= 1
    # the narration's tone changes where the picture cuts (the last change: into the silent scene)
    changes = tone_changes_s(audio_samples(out), 48000)
    for t in bounds[1:-2]:
        assert min(abs(c - t) for c in changes) <= 1 / FPS, (changes, bounds)


def test_chapters_take_the_narrations_labels(topic_run):
    wf, *_ = topic_run
    got = chapters(wf.result("demo_topic", "demo_topic_animated.mp4"))
    assert [c["title"] for c in got] == [f"Scene {label}" for label in LABELS]
    rows = wf.result("demo_topic", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    starts_frames = [int(r.split(",")[1]) for r in rows]  # a topic's frames are the output's
    assert [round(c["start_s"] * FPS) for c in got] == starts_frames
    assert all(abs(f / FPS - t) <= 0.5 / FPS + 1e-9 for f, t in zip(starts_frames, boundaries_s()))
    assert wf.result("demo_topic", "chapters.txt").read_text().splitlines()[:2] == ["00:00 Scene 01", "00:01 Scene 02"]


def test_best_picks_the_sharp_variant_and_records_every_score(topic_run):
    wf, *_ = topic_run
    with open(wf.result("demo_topic", "scenes", "variants.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["scene"]), int(r["variant"])) for r in rows] == [(k, v) for k in (1, 2, 3, 9, 10, 11) for v in (1, 2)]
    chosen = {int(r["scene"]): int(r["variant"]) for r in rows if r["chosen"] == "1"}
    assert chosen == SHARP_VARIANT
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_missing_narration_and_stray_files_are_warned_about(topic_run):
    _, _, _, proc = topic_run
    assert "scene 11 (scene_11_var_01.png) has no narration: it lasts 1.00 s, silent" in proc.stderr
    assert "ignored (not named like a scene image or narration): notes.txt" in proc.stderr


def test_narration_lengths_are_exact_in_every_format(topic_run):
    wf, *_ = topic_run
    with open(wf.result("demo_topic", "scenes", "narration.csv"), newline="") as fh:
        rows = {int(r["scene"]): r for r in csv.DictReader(fh)}
    assert Path(rows[10]["audio"]).suffix == ".m4a" and Path(rows[9]["audio"]).suffix == ".mp3"
    for k, seconds in NARRATION_S.items():
        assert int(rows[k]["end_sample"]) - int(rows[k]["start_sample"]) == round(seconds * 48000), k


def test_changing_one_scenes_variant_reanimates_only_that_scene(topic_run):
    wf, *_ = topic_run
    assert planned_jobs(wf) == set()
    wf.config["overrides"] = {"demo_topic": {3: {"variant": 2}}}
    proc = wf.run()
    ran = set(re.findall(r"rule (animate_scene|pad_scene):.*?wildcards: name=demo_topic, scene=(\d+)",
                         proc.stdout + proc.stderr, re.S))  # fmt: skip
    assert ran == {("animate_scene", "03"), ("pad_scene", "03")}  # the other stills kept their bytes and times
    assert "checkpoint collect_scenes:" in proc.stderr + proc.stdout
    with open(wf.result("demo_topic", "scenes", "variants.csv"), newline="") as fh:
        chosen = {int(r["scene"]): int(r["variant"]) for r in csv.DictReader(fh) if r["chosen"] == "1"}
    assert chosen == {**SHARP_VARIANT, 3: 2}
    wf.config["overrides"] = {"demo_topic": {3: {"variant": 5}}}
    proc = wf.run("--dry-run", check=False)
    assert "config: overrides.demo_topic.3.variant = 5: scene 3 has variants 1, 2" in proc.stderr


def test_first_and_named_variants(tmp_path):
    images, audio = make_topic(tmp_path)
    scenes = discover(images, audio)
    assert [s.scene for s in scenes] == [1, 2, 3, 9, 10, 11]
    first = {r.scene: r.variant for r in choose_variants(scenes, "first") if r.chosen}
    assert first == {k: 1 for k in (1, 2, 3, 9, 10, 11)}
    named = {r.scene: r.variant for r in choose_variants(scenes, "best", {3: 2}) if r.chosen}
    assert named == {**SHARP_VARIANT, 3: 2}
    with pytest.raises(PodmotionError, match="scene 3 has no variant 7"):
        choose_variants(scenes, "first", {3: 7})


def test_clips_take_the_narrations_numbering(tmp_path):
    images, audio = image_and_audio_folders(tmp_path, {"scene_01_var_01.png": 1}, {"scene_1.wav": (300.0, 0.5)})
    (scene,) = discover(images, audio)
    assert (scene.scene, scene.label) == (1, "1")  # scene_1.wav -> clips/scene_1.mp4


def test_image_style_names_are_accepted(tmp_path):
    images, audio = image_and_audio_folders(tmp_path, {f"image_{k:03d}.png": k for k in (1, 2, 12)},
                                            {"image_002.wav": (300.0, 0.5)})  # fmt: skip
    scenes = discover(images, audio)
    assert [(s.scene, s.label, sorted(s.variants), s.audio is not None) for s in scenes] == [
        (1, "001", [1], False), (2, "002", [1], True), (12, "012", [1], False)]  # fmt: skip


def test_narration_without_an_image_names_the_scene(tmp_path):
    images, audio = make_topic(tmp_path, extra_images=())
    write_wav(tone([300.0], [], 0.5), audio / "scene_07.wav")
    with pytest.raises(PodmotionError) as err:
        collect_to_folder(images, audio, tmp_path / "out")
    assert str(err.value) == (f"{audio / 'scene_07.wav'}: narration for scene 7 has no image in {images} "
                              "(looked for names like scene_07_var_01.png)")  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_is_one_line(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "aud").mkdir()
    with pytest.raises(PodmotionError, match="no images named like scene_01_var_01.png or image_001.png"):
        collect_to_folder(tmp_path / "img", tmp_path / "aud", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_file_named_like_an_image_that_is_not_one_is_named(tmp_path):
    images, audio = make_topic(tmp_path)
    bad = images / "scene_02_var_03.png"
    bad.write_text("this is not a picture")
    with pytest.raises(PodmotionError) as err:
        collect_to_folder(images, audio, tmp_path / "out")
    assert str(err.value) == f"{bad}: not a readable image"
    assert not (tmp_path / "out").exists()


def test_a_missing_image_stops_the_workflow_in_one_line(tmp_path):
    images, audio = make_topic(tmp_path, extra_images=())
    write_wav(tone([300.0], [], 0.5), audio / "scene_07.wav")
    wf = Workflow(tmp_path / "work")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {}, "topics": {"t": {"images": str(images), "audio": str(audio)}},
                      "animate": {"backend": "still"}})  # fmt: skip
    proc = wf.run(check=False)
    assert proc.returncode != 0
    assert f"{audio / 'scene_07.wav'}: narration for scene 7 has no image" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not wf.result("t", "scenes").exists()


def test_a_missing_topic_folder_is_a_config_line(tmp_path):
    wf = Workflow(tmp_path)
    wf.config.update({"podcasts": {}, "topics": {"t": {"images": str(tmp_path / "nope"), "audio": str(tmp_path)}}})
    proc = wf.run("--dry-run", check=False)
    assert proc.returncode != 0
    assert f"config: topics.t.images: folder not found: {tmp_path / 'nope'}" in proc.stderr


def test_durations_are_frame_exact_over_many_scenes(tmp_path):
    """100 scenes of 1.013 s: each boundary rounds on its own, so the last cut is where the sum says."""
    from podmotion.episode import Episode

    images, audio = tmp_path / "img", tmp_path / "aud"
    images.mkdir()
    audio.mkdir()
    picture = scene_picture(1, 32, 18)
    for k in range(1, 101):
        write_image(picture, images / f"scene_{k:03d}_var_01.png")
        write_wav(tone([300.0], [], 1.013), audio / f"scene_{k:03d}.wav")
    collect_to_folder(images, audio, tmp_path / "scenes", output_cfg={"fps": 30})
    ep = Episode.load(tmp_path / "scenes", {"fps": 30})
    assert ep.label(100) == "100" and ep.label(7) == "007"
    assert sum(ep.n_frames(k) for k in range(1, 101)) == round(101.3 * 30)
    assert ep.frame_ranges[100] == (round(99 * 1.013 * 30), round(101.3 * 30))
    assert Fraction(ep.output.fps) == 30
