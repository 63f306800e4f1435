"""Cloud providers against their stand-ins on 127.0.0.1 (tests/standins.py): the real HTTP client, the real
ledger, the real download checks, a real MP4 made from the image sent. Each fault gives its one line and the
next backend of the chain."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from standins import FalStandIn, RunwayStandIn
from synth import scene_picture

from podmotion.animate import animate_scene
from podmotion.cloud import PROVIDERS
from podmotion.cloud.generate import generate
from podmotion.cloud.shape import image_for, nearest_shape
from podmotion.cloud.runway import shapes
from podmotion.errors import GenerationFailed
from podmotion.media import iter_frames_with_time, write_image
from podmotion.settings import schema_defaults

KEY = "test-key-0123456789-do-not-write-me"
FAST = {"poll_interval_s": 0.01, "backoff_s": 0.01, "max_backoff_s": 0.05, "max_retries": 2, "request_timeout_s": 10,
        "task_timeout_s": 1.0}  # fmt: skip
STANDINS = {"runway": RunwayStandIn, "fal": FalStandIn}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.PSNR(a, b))


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("RUNWAYML_API_SECRET", KEY)
    monkeypatch.setenv("FAL_KEY", KEY)


def options_for(provider: str, stand_in, **extra) -> dict:
    return {**schema_defaults("animate", provider), **FAST, "base_url": stand_in.url, **extra}


@pytest.fixture(params=["runway", "fal"])
def provider(request):
    return request.param


def test_nearest_ratio_is_taken_in_log_ratio():
    assert nearest_shape(1920, 1080, shapes({"model": "gen4_turbo"})).name == "1280:720"
    assert nearest_shape(1080, 1920, shapes({"model": "gen4_turbo"})).name == "720:1280"
    assert nearest_shape(1000, 1000, shapes({"model": "gen4_turbo"})).name == "960:960"
    assert nearest_shape(2400, 1000, shapes({"model": "gen4_turbo"})).name == "1584:672"  # 2.36 against 2.4


def test_the_clip_comes_from_the_image_sent(provider, keys, tmp_path):
    art = scene_picture(3, 480, 272)
    with STANDINS[provider](KEY) as stand_in:
        made = generate(PROVIDERS[provider], options_for(provider, stand_in), art, 7, tmp_path / "scene_001.mp4")
        assert sum(stand_in.submissions.values()) == 1
    first = next(iter_frames_with_time(made.path))[1]
    sent = image_for(art, made.plan.shape, made.plan.max_side_px)
    other = image_for(scene_picture(4, 480, 272), made.plan.shape, made.plan.max_side_px)
    assert first.shape == sent.shape
    assert psnr(first, sent) > 30 > psnr(first, other) + 10
    assert made.frames == 5 * 8 and made.cost_usd == pytest.approx(5 * made.plan.price_per_s)
    record = json.loads((tmp_path / f".scene_001.{provider}.task.json").read_text())
    assert record["task_id"] == made.task_id and record["state"] == "downloaded"


def test_a_restarted_scene_polls_its_task_and_never_submits_twice(provider, keys, tmp_path):
    art = scene_picture(1, 320, 180)

    class Killed(BaseException):
        pass

    def killed(_seconds):  # the first pause: the process dies while it waits
        raise Killed

    with STANDINS[provider](KEY, polls_to_finish=3) as stand_in:
        options = options_for(provider, stand_in, task_timeout_s=60)
        with pytest.raises(Killed):
            generate(PROVIDERS[provider], options, art, 7, tmp_path / "scene_002.mp4", sleep=killed)
        assert sum(stand_in.submissions.values()) == 1 and (tmp_path / f".scene_002.{provider}.task.json").is_file()
        made = generate(PROVIDERS[provider], options, art, 7, tmp_path / "scene_002.mp4", sleep=lambda s: None)
        again = generate(PROVIDERS[provider], options, art, 7, tmp_path / "scene_002.mp4")  # kept: no request at all
        assert made.resumed and again.resumed and sum(stand_in.submissions.values()) == 1
        polls = [p for m, p in stand_in.requests if m == "GET" and ("/status" in p or "/v1/tasks/" in p)]
        assert len(polls) == 3  # 1 before the kill, 2 after; none for the kept download
        changed = generate(PROVIDERS[provider], {**options, "prompt": "slow waves"}, art, 7, tmp_path / "scene_002.mp4",
                           sleep=lambda s: None)  # fmt: skip
        assert not changed.resumed and sum(stand_in.submissions.values()) == 2  # a new prompt is a new request


FAULTS = {  # fault -> what its one line says
    "401": "401 unauthorised: the key was refused",
    "429": "rate limited (429",
    "500": "500",
    "fail": "failed: ",
    "never": "not finished after",
    "drop": "the connection dropped after",
    "truncate": "truncated or unreadable",
    "expired": "answered 403: it has expired",
}


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_gives_its_one_line_and_the_next_backend(provider, fault, keys, tmp_path):
    still = scene_picture(2, 320, 180)
    write_image(still, tmp_path / "still.png")
    with STANDINS[provider](KEY, fault=fault) as stand_in:
        settings = {"backend": provider, "seed": 3, "options": options_for(provider, stand_in), "width": 320,
                    "height": 180, "fps": "25", "max_duration_s": 2.0, "art_box": None,
                    "encoder": {"crf": 18, "level": "4.0"}}  # fmt: skip
        runtime = {"chain": ["kenburns"], "chain_options": {"kenburns": schema_defaults("animate", "kenburns")}}
        side = animate_scene(tmp_path / "still.png", tmp_path / "clip.mp4", tmp_path / "clip.json", settings,
                             runtime=runtime)  # fmt: skip
    assert side["backend"] == "kenburns" and side["fallback"]["from"] == provider
    reason = side["fallback"]["reason"]
    assert FAULTS[fault] in reason and "\n" not in reason and KEY not in reason, reason
    assert reason.startswith(f"{provider}: ")
    if fault in ("429", "500"):
        assert sum(stand_in.submissions.values()) == 0
    if fault == "never":
        assert any(m in ("DELETE", "PUT") for m, _ in stand_in.requests)  # the endless task was cancelled


def test_a_chain_goes_on_past_a_failing_provider_to_the_next(keys, tmp_path):
    still = scene_picture(5, 320, 180)
    write_image(still, tmp_path / "still.png")
    with RunwayStandIn(KEY, fault="500") as bad, FalStandIn(KEY) as good:
        settings = {"backend": "runway", "seed": 3, "options": options_for("runway", bad), "width": 320,
                    "height": 180, "fps": "25", "max_duration_s": 2.0, "art_box": [80, 40, 160, 90],
                    "encoder": {"crf": 18, "level": "4.0"}}  # fmt: skip
        runtime = {"chain": ["fal", "kenburns"], "chain_options": {"fal": options_for("fal", good)}}
        side = animate_scene(tmp_path / "still.png", tmp_path / "clip.mp4", tmp_path / "clip.json", settings,
                             runtime=runtime)  # fmt: skip
        assert sum(good.submissions.values()) == 1
    assert side["backend"] == "fal" and side["fallback"]["failures"][0]["backend"] == "runway"
    assert side["result"]["provider"] == "fal" and side["result"]["cost_usd"] > 0
    first = next(iter_frames_with_time(tmp_path / "clip.mp4"))[1]
    assert first.shape == (180, 320, 3)
    art = still[40:130, 80:240]
    assert psnr(first[40:130, 80:240], art) > 28  # the art came back into its box ...
    assert psnr(first[:30], still[:30]) > 30  # ... and the rest of the still is the still (x264, 4:2:0)


def test_no_key_is_one_line_naming_the_variable(provider, monkeypatch, tmp_path):
    monkeypatch.delenv(PROVIDERS[provider].key_env, raising=False)
    with pytest.raises(GenerationFailed, match=f"no key: set {PROVIDERS[provider].key_env}"):
        generate(PROVIDERS[provider], schema_defaults("animate", provider), scene_picture(1, 64, 36), 1, tmp_path / "c.mp4")


def test_max_cost_holds_every_submission_a_fallbacks_too(keys, tmp_path):
    """Two scenes to runway under a $0.30 cap: the first is sent ($0.25), the second would pass the cap, so it is
    not sent and goes to kenburns; the spend is recorded per episode, across runs."""
    clips = tmp_path / "results" / "ep" / "clips"
    clips.mkdir(parents=True)
    sides = []
    with RunwayStandIn(KEY) as runway:
        for scene in (1, 2):
            write_image(scene_picture(scene, 320, 180), tmp_path / f"still{scene}.png")
            settings = {"backend": "runway", "seed": 3, "options": options_for("runway", runway, max_cost=0.30),
                        "width": 320, "height": 180, "fps": "25", "max_duration_s": 2.0, "art_box": None,
                        "encoder": {"crf": 18, "level": "4.0"}}  # fmt: skip
            runtime = {"chain": ["kenburns"], "chain_options": {"kenburns": schema_defaults("animate", "kenburns")}}
            sides.append(animate_scene(tmp_path / f"still{scene}.png", clips / f"scene_00{scene}.mp4",
                                       clips / f"scene_00{scene}.json", settings, runtime=runtime))  # fmt: skip
        assert sum(runway.submissions.values()) == 1
    assert [s["backend"] for s in sides] == ["runway", "kenburns"]
    reason = sides[1]["fallback"]["reason"]
    assert "would bring this episode's runway spend to $0.50, over animate.runway.max_cost ($0.30" in reason
    spent = json.loads((tmp_path / "results" / "ep" / "cloud" / "spent.json").read_text())
    assert [(e["scene"], e["usd"]) for e in spent["runway"].values()] == [("scene_001", 0.25)]
    assert list(spent["runway"].values())[0]["task_id"] == sides[0]["result"]["task_id"]


def test_a_flaky_provider_is_asked_again_and_a_broken_poll_leaves_the_task_for_the_next_run(provider, keys, tmp_path):
    """A 500 on a status request is asked again; a download that drops is fetched again: one run, one task. A
    status that keeps failing fails the scene over, but the task stays on record and the next run polls it."""
    art = scene_picture(6, 320, 180)
    with STANDINS[provider](KEY, fault="flaky") as stand_in:
        made = generate(PROVIDERS[provider], options_for(provider, stand_in), art, 1, tmp_path / "scene_001.mp4")
        assert made.frames == 40 and sum(stand_in.submissions.values()) == 1
    with STANDINS[provider](KEY, fault="poll500") as stand_in:
        options = options_for(provider, stand_in, task_timeout_s=60)
        with pytest.raises(GenerationFailed, match="unavailable \\(500"):
            generate(PROVIDERS[provider], options, art, 1, tmp_path / "scene_002.mp4")
        record = json.loads((tmp_path / f".scene_002.{provider}.task.json").read_text())
        assert record["state"] == "submitted"
        stand_in.fault = None
        made = generate(PROVIDERS[provider], options, art, 1, tmp_path / "scene_002.mp4")
        assert made.resumed and made.task_id == record["task_id"] and sum(stand_in.submissions.values()) == 1


def test_a_task_that_failed_is_not_asked_again_on_snakemakes_retry(keys, tmp_path):
    with RunwayStandIn(KEY, fault="fail") as runway:
        options = options_for("runway", runway)
        for attempt, said in ((1, "failed: The input image was flagged"), (2, "this is Snakemake's retry")):
            with pytest.raises(GenerationFailed, match=said):
                generate(PROVIDERS["runway"], options, scene_picture(1, 320, 180), 1, tmp_path / "s.mp4",
                         attempt=attempt)  # fmt: skip
        assert sum(runway.submissions.values()) == 1
        generate_again = pytest.raises(GenerationFailed, match="failed: The input image")
        with generate_again:  # a new run (attempt 1) asks again: the user chose to
            generate(PROVIDERS["runway"], options, scene_picture(1, 320, 180), 1, tmp_path / "s.mp4")
        assert sum(runway.submissions.values()) == 2


def test_wide_art_goes_to_runways_widest_ratio_within_the_image_ratios_it_takes(keys, tmp_path):
    with RunwayStandIn(KEY) as runway:  # the stand-in refuses an image wider than 2:1, as Runway does
        made = generate(PROVIDERS["runway"], options_for("runway", runway), scene_picture(2, 1200, 500), 1,
                        tmp_path / "wide.mp4")  # fmt: skip
    assert made.plan.shape.name == "1584:672"
    width, height = next(iter_frames_with_time(made.path))[1].shape[1::-1]
    assert (width, height) == (1344, 672)


def test_a_models_impossible_setting_is_one_line_and_no_request(keys, tmp_path):
    with FalStandIn(KEY) as fal:
        with pytest.raises(GenerationFailed, match="makes 5 or 10 s clips"):
            generate(PROVIDERS["fal"], options_for("fal", fal, duration_s=7), scene_picture(1, 64, 36), 1, tmp_path / "c.mp4")
        with pytest.raises(GenerationFailed, match="no price for 'fal-ai/ltx-video/image-to-video'"):
            generate(PROVIDERS["fal"], options_for("fal", fal, model="fal-ai/ltx-video/image-to-video"),
                     scene_picture(1, 64, 36), 1, tmp_path / "c.mp4")  # fmt: skip
        assert fal.requests == []


def test_a_key_echoed_by_a_server_is_never_repeated(keys, tmp_path):
    with RunwayStandIn(KEY, fault="echo") as runway:
        with pytest.raises(GenerationFailed) as caught:
            generate(PROVIDERS["runway"], options_for("runway", runway), scene_picture(1, 64, 36), 1, tmp_path / "c.mp4")
    assert KEY not in str(caught.value) and "Bearer ***" in str(caught.value)
