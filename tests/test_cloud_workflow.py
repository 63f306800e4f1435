"""A real Snakemake run of a 3-scene episode through the cloud stand-ins: scene 1 to runway, scene 2 to fal,
scene 3 to a runway that answers 500 and falls over to kenburns. It is killed with ``kill -9`` while a task is
being polled, unlocked and run again, as the README says: each scene is submitted once, the estimate is printed
before the first upload, timing and audio are exact, and the key is in no file the run wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import cv2
import pytest
from conftest import REPO, SNAKEMAKE, Workflow
from measure import audio_packet_md5, cut_frames, video_facts
from standins import FalStandIn, RunwayStandIn
from synth import make_podcast

from podmotion.media import iter_frames_with_time

KEY = "cloud-key-5f1e9c-never-on-disk"
ENV = {"RUNWAYML_API_SECRET": KEY, "FAL_KEY": KEY}
CUTS, FRAMES = [40, 90], 150
FAST = {"poll_interval_s": 0.05, "backoff_s": 0.01, "max_backoff_s": 0.05, "max_retries": 1, "task_timeout_s": 120}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cloud source") / "three scenes.mp4"
    make_podcast(path, CUTS, FRAMES, width=320, height=180, fps=Fraction(25))
    return path


def cloud_workflow(folder: Path, source: Path, runway, fal, failing, **runway_extra) -> Workflow:
    wf = Workflow(folder)
    folder.mkdir()
    wf.config.update({
        "podcasts": {"ep": str(source)},
        "animate": {"backend": "runway", "fallback": ["kenburns"],
                    "runway": {**FAST, "base_url": runway.url, **runway_extra}, "fal": {**FAST, "base_url": fal.url}},
        "overrides": {"ep": {"2": {"animate": {"backend": "fal"}},
                             "3": {"animate": {"runway": {"base_url": failing.url}}}}},
    })  # fmt: skip
    return wf


@pytest.fixture(scope="module")
def finished(source, tmp_path_factory):
    runway, fal = RunwayStandIn(KEY, polls_to_finish=40), FalStandIn(KEY, polls_to_finish=3)
    failing = RunwayStandIn(KEY, fault="500")
    wf = cloud_workflow(tmp_path_factory.mktemp("cloud") / "run", source, runway, fal, failing)
    cmd = [str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "--directory", str(wf.workdir), "--configfile",
           str(wf.write_config()), "--cores", "2"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=wf.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, **ENV})  # fmt: skip
    record = wf.result("ep", "clips", ".scene_001.runway.task.json")
    deadline = time.monotonic() + 300
    try:
        while not (record.is_file() and sum(runway.submissions.values()) == 1) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read()[-3000:]
            time.sleep(0.02)
        polls_before = len(runway.requests)
        time.sleep(0.3)  # a few polls of the task
        assert len(runway.requests) > polls_before, "the task was not being polled"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        first_output = proc.communicate()[0]
    killed_with = sum(runway.submissions.values())
    wf.run("--unlock", env=ENV)
    again = wf.run(env=ENV)
    for stand_in in (runway, fal, failing):
        stand_in.close()
    return wf, first_output, again, {"runway": runway, "fal": fal, "failing": failing, "killed_with": killed_with}


def test_each_scene_is_submitted_once_across_the_kill(finished):
    wf, _, _, standins = finished
    assert standins["killed_with"] == 1
    assert list(standins["runway"].submissions.values()) == [1] and list(standins["fal"].submissions.values()) == [1]
    assert sum(standins["failing"].submissions.values()) == 0  # its 500 never accepted a task


def test_the_scenes_say_which_provider_made_them_and_what_it_cost(finished):
    wf, _, _, standins = finished
    sides = [json.loads(wf.result("ep", "clips", f"scene_00{k}.json").read_text()) for k in (1, 2, 3)]
    assert [s["backend"] for s in sides] == ["runway", "fal", "kenburns"]
    assert sides[0]["result"]["resumed_task"] and sides[0]["result"]["task_id"] in standins["runway"].tasks
    assert sides[1]["result"]["model"] == "fal-ai/kling-video/v2.1/standard/image-to-video"
    assert sides[0]["result"]["cost_usd"] == pytest.approx(5 * 0.05)
    assert sides[2]["fallback"]["from"] == "runway" and "500 Internal server error" in sides[2]["fallback"]["reason"]
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    assert summary["spent_usd"] == {"fal": pytest.approx(5 * 0.056), "runway": pytest.approx(0.25)}
    # Every submission is counted against max_cost: scene 3's 500 too (a 500 may come after the task was made)
    submitted = json.loads(wf.result("ep", "cloud", "spent.json").read_text())
    assert {p: sorted(e["scene"] for e in entries.values()) for p, entries in submitted.items()} == \
        {"runway": ["scene_001", "scene_003"], "fal": ["scene_002"]}  # fmt: skip
    assert [e["task_id"] for e in submitted["runway"].values() if e["scene"] == "scene_003"] == [None]


def test_the_clip_comes_from_the_still_sent(finished, source):
    wf, _, _, _ = finished
    for scene, start in ((1, 0), (2, CUTS[0])):
        clip = next(iter_frames_with_time(wf.result("ep", "clips", f"scene_00{scene}.mp4")))[1]
        src = [rgb for k, (_, rgb) in enumerate(iter_frames_with_time(source)) if k == start + 2][0]
        other = [rgb for k, (_, rgb) in enumerate(iter_frames_with_time(source)) if k == (CUTS[1] + 2 if scene == 1 else 2)][0]
        assert cv2.PSNR(clip, src) > 24 > cv2.PSNR(clip, other) + 5


def test_the_estimate_and_the_uploads_are_said_before_the_first_upload(finished):
    _, first_output, again, _ = finished
    lines = first_output.splitlines()
    consent = next(k for k, line in enumerate(lines) if "podmotion: uploads:" in line)
    estimate = next(line for line in lines if "ep: estimate:" in line and "runway" in line)
    assert "2 stills to runway (gen4_turbo), 10 s of video x $0.050/s = $0.50 (no max_cost)" in estimate
    assert any("1 still to fal" in line and "$0.28" in line for line in lines)
    assert consent < next(k for k, line in enumerate(lines) if "rule animate_scene" in line)
    assert "spent $0.53 (fal $0.28, runway $0.25)" in again.stderr


def test_timing_and_audio_are_exact(finished, source):
    wf, _, _, _ = finished
    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert facts["frames"] == FRAMES and (facts["width"], facts["height"]) == (320, 180)
    assert [abs(got - want) <= 1 for got, want in zip(cut_frames(out), CUTS)] == [True, True]
    assert audio_packet_md5(out) == audio_packet_md5(source)


def test_the_key_is_in_no_file_the_run_wrote(finished):
    wf, first_output, again, _ = finished
    written = [p for p in wf.workdir.rglob("*") if p.is_file()]
    assert len(written) > 20
    assert [p for p in written if KEY.encode() in p.read_bytes()] == []
    assert KEY not in first_output + again.stdout + again.stderr


def test_max_cost_stops_the_episode_before_anything_is_uploaded(source, tmp_path):
    with RunwayStandIn(KEY) as runway, FalStandIn(KEY) as fal, RunwayStandIn(KEY, fault="500") as failing:
        wf = cloud_workflow(tmp_path / "run", source, runway, fal, failing, max_cost=0.40)
        proc = wf.run(check=False, env=ENV)
        assert proc.returncode != 0
        assert sum(runway.submissions.values()) == sum(fal.submissions.values()) == 0
    said = [line for line in proc.stderr.splitlines() if "max_cost" in line and "estimate.json" in line]
    assert said and "the estimate, $0.50 for 2 stills to runway, is over animate.runway.max_cost ($0.40)" in said[0]


def test_a_missing_key_stops_the_run_before_any_job(source, tmp_path):
    with RunwayStandIn(KEY) as runway, FalStandIn(KEY) as fal:
        wf = cloud_workflow(tmp_path / "run", source, runway, fal, runway)
        env = {k: v for k, v in os.environ.items() if k not in ENV}
        proc = subprocess.run([str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "--directory", str(wf.workdir),
                               "--configfile", str(wf.write_config()), "--cores", "1"],
                              capture_output=True, text=True, env=env)  # fmt: skip
    assert proc.returncode != 0 and not wf.result("ep").exists()
    assert "config: animate.backend is runway, but RUNWAYML_API_SECRET is not set" in proc.stderr
