"""The parallax backend through real Snakemake runs: an episode of textured illustrations whose true depth is given
as a depth image per scene, an image folder with ``scene_01_depth.png`` beside its images and a tiny random-weight
Depth Anything model for the scene without one, and every bad depth input with its one line.

The episode must come out moving through depth (tracked points part from any one pan-and-zoom: the 90th
percentile of their distance from the best-fitting similarity, in frame widths a second, is at least 0.0015, where
the flat camera's is under 0.0006), with every title whole and its cuts, frames and audio exact."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import Workflow, planned_jobs
from illustrations import depth_scene, make_depth_episode, write_depth_png
from measure import audio_packet_md5, nonrigid_motion, scenes_unlike_their_padded_clips, video_facts, video_frames
from test_camera_workflow import title_match

from podmotion.media import write_image

W, H, FPS, SCENE_S = 480, 270, Fraction(25), 4.0
KINDS = ["storybook", "card", "ground"]
TITLES = ["THE LONG WALK", None, None]
PARALLAX_P90 = 0.0015  # widths a second: what the issue asks of a move through depth
FLAT_P90 = 0.0006  # the flat camera's, x264 and tracking noise included


@pytest.fixture(scope="module")
def depth_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("depth episode")  # a space in the path, on purpose
    truth = make_depth_episode(folder, KINDS, SCENE_S, width=W, height=H, fps=FPS, titles=TITLES)
    wf = Workflow(folder)
    wf.config.update({"podcasts": {"ep": "episode.mp4"}, "animate": {"backend": "parallax", "parallax": {"model": None}},
                      "overrides": {"ep": {str(k + 1): {"animate": {"parallax": {"depth_image": str(path)}}}
                                           for k, path in enumerate(truth["depth_paths"])}}})  # fmt: skip
    wf.run()
    return wf, truth


def test_cuts_frames_and_audio_are_exact(depth_run):
    wf, truth = depth_run
    out = wf.result("ep", "ep_animated.mp4")
    frames = round(SCENE_S * FPS) * len(KINDS)
    facts = video_facts(out)
    assert (facts["frames"], facts["width"], facts["height"]) == (frames, W, H)
    assert scenes_unlike_their_padded_clips(out, wf.result("ep", "padded"), [0, *truth["cut_frames"], frames]) == []
    assert audio_packet_md5(out) == audio_packet_md5(wf.workdir / "episode.mp4")


def test_every_scene_moves_through_depth_and_a_flat_move_does_not(depth_run):
    wf, truth = depth_run
    frames = video_frames(wf.result("ep", "ep_animated.mp4"))
    bounds = [0, *truth["cut_frames"], len(frames)]
    for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
        motion = nonrigid_motion(frames[a:b], float(FPS))
        assert motion["points"] > 100
        assert motion["p90_widths_per_s"] >= PARALLAX_P90, (KINDS[k], motion)
    # The flat camera on the same picture: one similarity fits it (the measure's floor).
    from podmotion.backends import BACKENDS, AnimateRequest
    from podmotion.ffmpeg import EncoderSettings

    still = wf.result("ep", "scenes", "scene_001.png")
    request = AnimateRequest(image_path=still, out_path=wf.workdir / "flat.mp4", width=W, height=H, fps=FPS,
                             max_duration_s=SCENE_S, seed=1, encoder=EncoderSettings(crf=18, preset="veryfast",
                                                                                     keyint_frames=250))  # fmt: skip
    BACKENDS["kenburns"].animate(request)
    assert nonrigid_motion(video_frames(wf.workdir / "flat.mp4"), float(FPS))["p90_widths_per_s"] < FLAT_P90


def test_the_title_stays_whole_in_every_frame(depth_run):
    wf, truth = depth_run
    frames = video_frames(wf.result("ep", "ep_animated.mp4"))
    picture, (title,) = truth["pictures"][0], truth["title_boxes"][0]
    scores = [title_match(frames[i], (0, 0, W, H // 3), picture, title) for i in range(0, truth["cut_frames"][0], 9)]
    assert min(scores) > 0.85, scores


def test_sidecars_say_where_the_depth_came_from_and_how_it_moved(depth_run, monkeypatch):
    wf, truth = depth_run
    monkeypatch.chdir(wf.workdir)  # where the jobs ran: the sidecars' paths are relative to it
    for k, path in enumerate(truth["depth_paths"]):
        made = json.loads(wf.result("ep", "depth", f"scene_{k + 1:03d}.json").read_text())
        assert made["from"] == str(path) and made["size"] == [W, H] and "warning" not in made
        clip = json.loads(wf.result("ep", "clips", f"scene_{k + 1:03d}.json").read_text())
        depth = clip["result"]["depth"]
        assert clip["backend"] == "parallax" and not depth["flat"] and depth["pace_widths_per_s"] > 0
        assert depth["layers"] == {"storybook": 4, "card": 2, "ground": 1}[KINDS[k]]
        # The report's card shows the depth it moved through, beside the camera's framings.
        from podmotion.report import depth_panel

        with_depth = depth_panel(clip["result"])
        assert with_depth[0] is not None and with_depth[0].shape[:2] == (H, W) and "layers" in with_depth[1]
        card = cv2.imread(str(wf.result("ep", "report", "scenes", f"scene_{k + 1:03d}.png")))
        card_height = card.shape[0]
        assert card.shape[1] > 3 * card_height * W / H  # still, camera, depth and the clip's sheet
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    assert summary["backends"] == {"parallax": 3} and summary["stage_seconds"]["depth"] > 0


def test_a_camera_change_reruns_the_clips_not_the_depth_and_a_new_depth_image_reruns_its_scene(depth_run):
    wf, truth = depth_run
    wf.config["animate"]["parallax"]["depth_pace_widths_per_s"] = 0.012
    jobs = planned_jobs(wf)
    assert {("animate_scene", f"scene_{k:03d}") for k in (1, 2, 3)} <= jobs
    assert not any(rule == "depth_scene" for rule, _ in jobs)
    del wf.config["animate"]["parallax"]["depth_pace_widths_per_s"]  # as it was (set to its default, the options'
    # order would differ: Snakemake compares params in order)
    _, depth, _ = depth_scene("card", W, H, seed=7)
    write_depth_png(truth["depth_paths"][1], depth)
    jobs = planned_jobs(wf)
    assert {("depth_scene", "scene_002"), ("animate_scene", "scene_002")} <= jobs
    assert not any(scene in ("scene_001", "scene_003") for _, scene in jobs)


def bad_run(tmp_path: Path, depth_image: str) -> str:
    rgb, _, _ = depth_scene("card", 160, 90, seed=1)
    from synth import make_podcast

    make_podcast(tmp_path / "ep.mp4", [25], 50, width=160, height=90, pictures=[rgb, rgb[:, ::-1].copy()])
    wf = Workflow(tmp_path)
    wf.config.update({"podcasts": {"ep": "ep.mp4"}, "animate": {"backend": "parallax", "parallax": {"model": None}},
                      "overrides": {"ep": {"1": {"animate": {"parallax": {"depth_image": depth_image}}}}}})  # fmt: skip
    proc = wf.run(check=False)
    assert proc.returncode != 0
    return proc.stdout + proc.stderr


def test_a_missing_depth_image_stops_the_run_with_one_line(tmp_path):
    said = bad_run(tmp_path, str(tmp_path / "no such depth.png"))
    assert f"config: overrides.ep.1.animate.parallax.depth_image: {tmp_path / 'no such depth.png'}: depth image not found" in said


def test_an_unreadable_depth_image_stops_the_run_with_one_line(tmp_path):
    (tmp_path / "notes.png").write_text("not a picture")
    said = bad_run(tmp_path, str(tmp_path / "notes.png"))
    line = next(line for line in said.splitlines() if "parallax.depth_image" in line)
    assert str(tmp_path / "notes.png") in line and "image" in line


def test_a_depth_image_of_another_shape_fails_its_scene_with_one_line(tmp_path):
    write_depth_png(tmp_path / "square.png", np.zeros((100, 100), np.uint16))
    said = bad_run(tmp_path, str(tmp_path / "square.png"))
    line = next(line for line in said.splitlines() if "a depth image has the still's aspect ratio" in line)
    assert str(tmp_path / "square.png") in line and "100x100" in line and "160x90" in line


def test_missing_depth_weights_stop_the_run_before_any_job(tmp_path):
    wf = Workflow(tmp_path)
    wf.config.update({"podcasts": {"ep": "ep.mp4"},
                      "animate": {"backend": "parallax", "parallax": {"model": str(tmp_path / "no model")}}})  # fmt: skip
    proc = wf.run("--dry-run", check=False)
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0
    line = next(line for line in said.splitlines() if line.startswith("config: animate.parallax.model"))
    assert "hf download depth-anything/Depth-Anything-V2-Small-hf" in line and "model: null" in line


@pytest.fixture(scope="module")
def tiny_depth_model(tmp_path_factory) -> Path:
    from podmotion.depth.random_model import save_random_model

    return save_random_model(tmp_path_factory.mktemp("depth model") / "tiny depth")


def test_an_image_folder_takes_its_depth_images_and_the_model_for_the_others(tmp_path, tiny_depth_model):
    from synth import tone, write_wav

    images, audio = tmp_path / "img", tmp_path / "aud"
    images.mkdir()
    audio.mkdir()
    rgb, depth, _ = depth_scene("card", 320, 180, seed=5)
    write_image(rgb, images / "scene_01_var_01.png")
    write_depth_png(images / "scene_01_depth.png", depth)
    write_image(depth_scene("storybook", 320, 180, seed=6)[0], images / "scene_02_var_01.png")
    for k in (1, 2):
        write_wav(tone([300.0 * k], [], 2.0), audio / f"scene_0{k}.wav")
    wf = Workflow(tmp_path)
    wf.config.update({"topics": {"story": {"images": str(images), "audio": str(audio)}},
                      "animate": {"backend": "parallax", "parallax": {"model": str(tiny_depth_model)}}})  # fmt: skip
    wf.run()
    first = json.loads(wf.result("story", "depth", "scene_01.json").read_text())
    second = json.loads(wf.result("story", "depth", "scene_02.json").read_text())
    assert first["from"] == str(images / "scene_01_depth.png")
    assert second["from"] == str(tiny_depth_model) and second["size"] == [320, 180]
    clip = json.loads(wf.result("story", "clips", "scene_01.json").read_text())
    assert clip["backend"] == "parallax" and clip["result"]["depth"]["layers"] == 2
    assert video_facts(wf.result("story", "clips", "scene_02.mp4"))["frames"] == 50
    assert video_facts(wf.result("story", "combined", "scene_01.mp4"))["frames"] == 50  # named like its narration


def test_auto_picks_parallax_only_where_the_depth_weights_are_here(tiny_depth_model, tmp_path):
    from podmotion.backends import resolve_auto

    chosen, why = resolve_auto({"model": str(tmp_path / "no svd")}, {"model": str(tiny_depth_model)})
    assert chosen == "parallax" and str(tiny_depth_model) in why
    chosen, why = resolve_auto({"model": str(tmp_path / "no svd")}, {"model": str(tmp_path / "none here")})
    assert chosen == "kenburns" and "no depth model here for parallax (hf download" in why
    assert resolve_auto(None, {"model": None})[0] == "kenburns"


def test_a_failing_model_gives_a_flat_move_with_a_warning(tmp_path):
    from podmotion.depth.scene import make_scene_depth

    write_image(depth_scene("card", 160, 90)[0], tmp_path / "still.png")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{}")
    made = make_scene_depth(tmp_path / "still.png", tmp_path / "d.png", tmp_path / "d.json",
                            {"art_box": None, "depth_image": None, "model": str(tmp_path / "broken")})  # fmt: skip
    assert "flat move" in made["warning"] and made["from"] == str(tmp_path / "broken")
    from podmotion.backends import BACKENDS, AnimateRequest
    from podmotion.ffmpeg import EncoderSettings

    request = AnimateRequest(image_path=tmp_path / "still.png", out_path=tmp_path / "c.mp4", width=160, height=90,
                             fps=FPS, max_duration_s=1.0, seed=1, depth_path=tmp_path / "d.png",
                             encoder=EncoderSettings(crf=18, preset="veryfast", keyint_frames=250))  # fmt: skip
    report = BACKENDS["parallax"].animate(request)
    assert report["frames"] == 25 and report["depth"]["flat"] and "flat move" in report["warning"]


def test_on_a_template_only_the_art_moves_through_depth_and_the_frame_stays_as_the_source_shows_it(tmp_path):
    from measure import frame_part_errors
    from templates import make_template_episode

    holds = [60, 50, 70]
    source = tmp_path / "template.mp4"
    truth = make_template_episode(source, hold_frames=holds, width=480, height=270, fps=FPS, live="waveform")
    ax, ay, aw, ah = truth["boxes"]["art"]
    depth_paths = []
    for k in range(len(holds)):  # the whole still's depth: the art a slope with a near card, the frame flat
        depth = np.zeros((270, 480), np.uint16)
        depth[ay : ay + ah, ax : ax + aw] = np.linspace(8000, 40000, ah, dtype=np.float64)[:, None].astype(np.uint16)
        depth[ay + ah // 4 : ay + 3 * ah // 4, ax + aw // 3 : ax + 2 * aw // 3] = 60000
        write_depth_png(tmp_path / f"depth {k + 1}.png", depth)
        depth_paths.append(tmp_path / f"depth {k + 1}.png")
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "parallax", "parallax": {"model": None}},
                      "overrides": {"ep": {str(k + 1): {"animate": {"parallax": {"depth_image": str(p)}}}
                                           for k, p in enumerate(depth_paths)}}})  # fmt: skip
    wf.run()
    out = wf.result("ep", "ep_animated.mp4")
    out_frames, src_frames = video_frames(out), video_frames(source)
    assert len(out_frames) == truth["total_frames"] and audio_packet_md5(out) == audio_packet_md5(source)
    for k, (a, b) in enumerate(truth["hold_spans"]):
        clip = json.loads(wf.result("ep", "clips", f"scene_{k + 1:03d}.json").read_text())["result"]
        assert clip["art_box"] and clip["depth"]["layers"] >= 2 and not clip["depth"]["flat"]
        assert clip["depth"]["pace_widths_per_s"] > 0
        for f in (a + 1, (a + b) // 2, b - 2):
            for part in ("header", "logo", "caption"):
                err, moved = frame_part_errors(out_frames[f], src_frames[f], truth["boxes"][part])
                assert err < 8 and moved > 2 * err, (part, f, err, moved)
        art = [np.ascontiguousarray(frame[ay : ay + ah, ax : ax + aw]) for frame in out_frames[a:b]]
        assert np.abs(art[0].astype(int) - art[-1].astype(int)).mean() > 2  # the art moved
