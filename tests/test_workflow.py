"""End to end: real Snakemake runs of the whole workflow on synthetic podcasts."""

from __future__ import annotations

import json
import re
import shutil
from fractions import Fraction

import pytest
from conftest import E2E_CUTS, E2E_FRAMES, EPISODE_END_JOBS, planned_jobs, scene_rerun_jobs
from measure import audio_packet_md5, audio_samples, chapters, cut_frames, tone_changes_s, video_facts
from synth import make_podcast

from podmotion.timeline import scene_seed

FPS = 25


@pytest.fixture(scope="module")
def finished(tmp_path_factory, podcast5):
    """One full run on the five-scene podcast, shared by the assertions below."""
    from conftest import Workflow

    source, truth = podcast5
    wf = Workflow(tmp_path_factory.mktemp("e2e"))
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    proc = wf.run()
    return wf, source, truth, proc


def test_scene_table_matches_true_cuts(finished):
    wf, _, truth, _ = finished
    lines = wf.result("ep", "scenes", "timestamps.csv").read_text().splitlines()
    assert lines[0] == "scene,start_frame,end_frame,start_time,end_time,duration,kind"
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[1]) for r in rows] == [0, *E2E_CUTS]
    assert [int(r[2]) for r in rows] == [*E2E_CUTS, E2E_FRAMES]
    for r, start in zip(rows, [0, *E2E_CUTS]):
        assert abs(float(r[3]) * 1000 - start * 1000 / FPS) < 1  # start_time, in ms
        assert abs(float(r[5]) - (float(r[4]) - float(r[3]))) < 1e-6
    assert sorted(p.name for p in wf.result("ep", "scenes").glob("scene_*.png")) == [
        f"scene_{k:03d}.png" for k in range(1, 6)
    ]


def test_scene_long_ken_burns_clips_are_encoded_once(finished):
    """kenburns the scene long (the default): each clip is the scene's frames, encoded as the output is, so
    the padded scene is the clip byte for byte (no second encode), and it has the scene's exact frame count."""
    wf, _, _, _ = finished
    bounds = [0, *E2E_CUTS, E2E_FRAMES]
    for k in range(1, 6):
        clip, padded = (wf.result("ep", folder, f"scene_{k:03d}.mp4") for folder in ("clips", "padded"))
        sidecar = json.loads(wf.result("ep", "clips", f"scene_{k:03d}.json").read_text())
        assert sidecar["settings"]["final"] is True and sidecar["result"]["move"]["scene_long"] is True
        assert padded.read_bytes() == clip.read_bytes()
        assert video_facts(padded)["frames"] == bounds[k] - bounds[k - 1]


def test_output_cuts_duration_size_and_rate(finished):
    wf, source, truth, _ = finished
    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert (facts["width"], facts["height"]) == (320, 180)
    assert facts["fps"] == FPS
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert facts["frames"] == E2E_FRAMES
    assert len(facts["pts_steps"]) == 1  # constant frame rate, no gaps
    assert abs(facts["duration_s"] - video_facts(source)["duration_s"]) <= 1 / FPS
    found = cut_frames(out)
    assert len(found) == len(E2E_CUTS), found
    for got, want in zip(found, E2E_CUTS):
        assert abs(got - want) <= 1


def test_audio_is_the_source_audio_packet_for_packet(finished):
    wf, source, _, _ = finished
    out = wf.result("ep", "ep_animated.mp4")
    assert audio_packet_md5(out) == audio_packet_md5(source)


def test_audio_stays_in_sync_with_the_cuts(finished):
    """The tone changes at each true cut; in the output it must change where the picture cuts."""
    wf, _, truth, _ = finished
    out = wf.result("ep", "ep_animated.mp4")
    tone_s = tone_changes_s(audio_samples(out), 48000)
    picture_s = [f / FPS for f in cut_frames(out)]
    assert len(tone_s) == len(picture_s) == 4
    for t, p in zip(tone_s, picture_s):
        assert abs(t - p) <= 1 / FPS, (tone_s, picture_s)


def test_verify_reports_the_same_figures(finished):
    import subprocess
    import sys

    wf, source, _, _ = finished
    out = subprocess.run([sys.executable, "-m", "podmotion.verify", str(source), str(wf.result("ep", "ep_animated.mp4")),
                          "--scenes", str(wf.result("ep", "scenes"))], capture_output=True, text=True, check=True)  # fmt: skip
    assert "audio packets identical to the source: yes" in out.stdout
    assert "output: 320x180 @ 25/1 fps, 300 frames" in out.stdout
    drift_ms = float(re.search(r"\(([+-][0-9.]+) ms;", out.stdout).group(1))
    assert abs(drift_ms) <= 40
    assert f"picture cuts at output frames: {E2E_CUTS}" in out.stdout
    assert f"scene starts at output frames: {E2E_CUTS}" in out.stdout


def test_faststart_and_sidecars(finished):
    wf, *_ = finished
    data = wf.result("ep", "ep_animated.mp4").read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # +faststart: index before the media
    side = json.loads(wf.result("ep", "clips", "scene_003.json").read_text())
    assert side["backend"] == "kenburns"
    assert side["seed"] == scene_seed(0, 3)  # derived from the global seed and the scene number
    assert side["result"]["frames"] == 170 - 101  # a pass as long as the scene (2.76 s < 8 s)
    assert not list(wf.workdir.rglob(".*partial*")), "a temporary file was left behind"


def test_one_chapter_per_scene_at_the_true_cuts(finished):
    wf, *_ = finished
    got = chapters(wf.result("ep", "ep_animated.mp4"))
    assert [c["title"] for c in got] == [f"Scene {k}" for k in range(1, 6)]
    bounds_frames = [0, *E2E_CUTS, E2E_FRAMES]
    assert [round(c["start_s"] * FPS) for c in got] == bounds_frames[:-1]
    assert [round(c["end_s"] * FPS) for c in got] == bounds_frames[1:]
    listed = wf.result("ep", "chapters.txt").read_text().splitlines()
    assert listed == [f"{int(f / FPS) // 60:02d}:{int(f / FPS) % 60:02d} Scene {k}"
                      for k, f in enumerate(bounds_frames[:-1], 1)]  # fmt: skip


def test_a_chapter_title_in_overrides_reruns_no_scene(finished):
    wf, *_ = finished
    wf.config["overrides"] = {"ep": {2: {"title": "The interview"}}}
    assert planned_jobs(wf) == EPISODE_END_JOBS  # the joined video is temporary: joined again
    wf.run()
    assert [c["title"] for c in chapters(wf.result("ep", "ep_animated.mp4"))][:3] == [
        "Scene 1", "The interview", "Scene 3"]  # fmt: skip
    assert wf.result("ep", "chapters.txt").read_text().splitlines()[1].endswith(" The interview")
    wf.config.pop("overrides")
    wf.run()


def test_editing_one_scene_reruns_only_that_scene(finished):
    wf, *_ = finished
    wf.config["overrides"] = {"ep": {3: {"pad": {"strategy": "freeze"}, "animate": {"kenburns": {"zoom": 1.3}}}}}
    jobs = planned_jobs(wf)
    assert jobs == scene_rerun_jobs("scene_003")


def test_deleting_one_clip_reruns_only_that_scene(finished):
    wf, *_ = finished
    wf.config.pop("overrides", None)
    assert planned_jobs(wf) == set()
    wf.result("ep", "clips", "scene_002.mp4").unlink()
    assert planned_jobs(wf) == scene_rerun_jobs("scene_002")


def test_bad_episode_fails_alone_with_one_line(workflow, tmp_path):
    good = tmp_path / "good.mp4"
    make_podcast(good, [30], 60, width=160, height=96)
    bad = tmp_path / "broken.mp4"
    bad.write_text("this is not a video\n")
    workflow.config.update({"podcasts": {"good": str(good), "bad": str(bad)}, "animate": {"backend": "still"}})
    proc = workflow.run("--keep-going", check=False)
    assert proc.returncode != 0
    assert workflow.result("good", "good_animated.mp4").exists()
    assert not workflow.result("bad").joinpath("bad_animated.mp4").exists()
    log = (workflow.workdir / "logs" / "detect_scenes" / "bad.log").read_text().strip().splitlines()
    assert len(log) == 1 and str(bad) in log[0] and "not a readable media file" in log[0], log
    assert f"{bad}: not a readable media file" in proc.stderr


def test_source_without_audio_gives_output_without_audio(workflow, tmp_path):
    src = tmp_path / "silent.mp4"
    make_podcast(src, [20, 45], 70, width=160, height=90, audio=None)
    workflow.config.update({"podcasts": {"silent": str(src)}, "animate": {"backend": "still"},
                            "pad": {"strategy": "loop"}})  # fmt: skip
    workflow.run()
    facts = video_facts(workflow.result("silent", "silent_animated.mp4"))
    assert facts["audio"] == [] and facts["frames"] == 70


def test_audio_mp4_cannot_hold_is_encoded_once_to_aac(workflow, tmp_path):
    src = tmp_path / "pcm.mov"
    make_podcast(src, [25], 50, width=160, height=90, audio="pcm")
    workflow.config.update({"podcasts": {"pcm": str(src)}, "animate": {"backend": "still"},
                            "output": {"preset": "veryfast", "fps": 10, "width": 128}})  # fmt: skip
    workflow.run()
    facts = video_facts(workflow.result("pcm", "pcm_animated.mp4"))
    assert facts["audio"] == ["aac"]
    assert (facts["width"], facts["height"], facts["fps"]) == (128, 72, 10)
    assert facts["frames"] == 20  # 2 s at 10 fps
    assert abs(facts["duration_s"] - 2.0) <= 0.1
    log = (workflow.workdir / "logs" / "mux" / "pcm.log").read_text()
    assert "encoded to AAC" in log


def test_bad_config_value_is_one_line_naming_key_and_allowed_values(workflow, tmp_path):
    workflow.config.update({"podcasts": {"x": "x.mp4"}, "pad": {"strategy": "bounce"}})
    proc = workflow.run("--dry-run", check=False)
    assert proc.returncode != 0
    line = "config: pad.strategy = 'bounce' is not allowed; allowed values: pingpong, loop, freeze"
    assert line in proc.stdout + proc.stderr


def test_requesting_one_episode_builds_only_it(workflow, podcast5, tmp_path):
    source, _ = podcast5
    other = tmp_path / "other.mp4"
    shutil.copy(source, other)
    workflow.config.update({"podcasts": {"a": str(source), "b": str(other)}, "animate": {"backend": "auto"}})
    workflow.run("results/b/scenes")
    proc = workflow.run("--dry-run", "results/b/b_animated.mp4")
    assert "results/b/clips/scene_005.mp4" in proc.stdout and "results/a/" not in proc.stdout
    # auto says, once, what it picked and why (this machine has no CUDA device, nor the depth model: kenburns)
    said = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "animate.backend auto" in ln]
    assert said == ["podmotion: animate.backend auto -> kenburns (PyTorch sees no CUDA device; no depth model here "
                    "for parallax (hf download depth-anything/Depth-Anything-V2-Small-hf))"]
    assert not workflow.result("a").exists()


def test_a_missing_episode_file_is_one_line(workflow, tmp_path):
    """Named up front, then that episode's job fails alone (test_bad_inputs runs it beside a good one)."""
    workflow.config.update({"podcasts": {"gone": str(tmp_path / "nope.mp4")}})
    planned = workflow.run("--dry-run")
    warning = f"podcasts: gone: {tmp_path / 'nope.mp4'}: file not found; this episode will fail, the others are built"
    assert warning in planned.stdout + planned.stderr
    proc = workflow.run(check=False)
    assert proc.returncode != 0
    assert f"ERROR podmotion: {tmp_path / 'nope.mp4'}: file not found" in proc.stderr.splitlines()


def test_variable_rate_source_gets_a_constant_rate_with_cuts_in_place(workflow, tmp_path):
    from synth import make_vfr_podcast

    src = tmp_path / "vfr.mkv"
    truth = make_vfr_podcast(src, [1.05, 2.4], 3.5)
    workflow.config.update({"podcasts": {"vfr": str(src)}, "animate": {"backend": "still"}})
    workflow.run()
    out = workflow.result("vfr", "vfr_animated.mp4")
    facts = video_facts(out)
    fps = Fraction(truth["frames"], 1) / Fraction(truth["duration_s"]).limit_denominator(1000)
    assert len(facts["pts_steps"]) == 1  # constant rate
    assert abs(float(facts["fps"]) - float(fps)) < 0.5  # the source's average rate (~28.6 fps)
    found = cut_frames(out)
    expected = [round(t * float(facts["fps"])) for t in truth["cut_times_s"]]
    assert len(found) == 2 and all(abs(a - b) <= 1 for a, b in zip(found, expected)), (found, expected)
    tone_s = tone_changes_s(audio_samples(out), 48000)
    assert all(abs(t - f / float(facts["fps"])) <= 1 / float(facts["fps"]) for t, f in zip(tone_s, found))
    assert audio_packet_md5(out) == audio_packet_md5(src)


def test_audio_running_past_the_last_frame_is_kept_whole(workflow, tmp_path):
    """An outro over the last still: the last scene stretches to the end of the audio."""
    src = tmp_path / "outro.mp4"
    truth = make_podcast(src, [25], 50, width=160, height=96, audio_tail_s=1.5)  # 2 s of video, 3.5 s of audio
    workflow.config.update({"podcasts": {"outro": str(src)}, "animate": {"backend": "kenburns"},
                            "overrides": {"outro": {2: {"animate": {"seed": 1234}}}}})  # fmt: skip
    workflow.run()
    assert json.loads(workflow.result("outro", "clips", "scene_002.json").read_text())["seed"] == 1234
    assert json.loads(workflow.result("outro", "clips", "scene_001.json").read_text())["seed"] == scene_seed(0, 1)
    out = workflow.result("outro", "outro_animated.mp4")
    facts = video_facts(out)
    assert facts["frames"] == round(truth["duration_s"] * FPS)
    assert abs(facts["duration_s"] - video_facts(src)["duration_s"]) <= 1 / FPS
    assert audio_packet_md5(out) == audio_packet_md5(src)


def test_audio_that_starts_before_the_video_stays_in_sync(workflow, tmp_path):
    """A pre-roll: the audio leads the first frame by 0.4 s (a stream-copy cut of a TS does this)."""
    src = tmp_path / "preroll.mp4"
    truth = make_podcast(src, [25, 60], 90, width=160, height=96, video_delay_s=0.4)
    workflow.config.update({"podcasts": {"pre": str(src)}, "animate": {"backend": "still"}})
    workflow.run()
    scenes = workflow.result("pre", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    assert [round(float(r.split(",")[3]), 3) for r in scenes] == [0.0, 1.4, 2.8]
    out = workflow.result("pre", "pre_animated.mp4")
    picture_s = [f / FPS for f in cut_frames(out)]
    tone_s = tone_changes_s(audio_samples(out), 48000)
    assert len(picture_s) == len(tone_s) == 2
    assert all(abs(p - t) <= 1 / FPS for p, t in zip(picture_s, tone_s)), (picture_s, tone_s)
    assert all(abs(p - t) <= 1 / FPS for p, t in zip(picture_s, truth["cut_times_s"]))
    assert audio_packet_md5(out) == audio_packet_md5(src)
    assert abs(video_facts(out)["duration_s"] - truth["duration_s"]) <= 1 / FPS



def test_a_video_asked_for_on_its_own_is_reported_built_and_no_other_episode_is(podcast5, tmp_path):
    """``snakemake results/ep/ep_animated.mp4`` (the README's table of outputs): the closing line says the video
    was built, not that the episode is unfinished, and says nothing of the episode the run did not touch."""
    from conftest import Workflow

    source, _ = podcast5
    wf = Workflow(tmp_path / "one")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source), "other": str(source)},
                      "animate": {"backend": "still"}})  # fmt: skip
    proc = wf.run("results/ep/ep_animated.mp4")
    assert "podmotion: ep: built results/ep/ep_animated.mp4 (its run summary and report were not asked for)" in \
        proc.stderr  # fmt: skip
    assert "podmotion: other:" not in proc.stderr and "not finished" not in proc.stderr
