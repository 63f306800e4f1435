"""The whole workflow with the wan and ltx backends, on tiny random-weight pipelines, with real Snakemake retries.

One episode, three scenes, three models:

1. wan (Wan 2.2 TI2V-5B style), with its own prompt in ``overrides``;
2. ltx, whose untiled VAE decode runs out of memory on the first attempt:
   Snakemake's retry runs it with VAE tiling;
3. wan with a first-last-frame model (Wan 2.1 FLF2V style) and
   ``pad.strategy: loop``: the still is the clip's last frame too.

The episode must keep the source's frame count, cuts and audio packets.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from conftest import schema_defaults, tiny_i2v_options
from measure import audio_packet_md5, scenes_unlike_their_padded_clips, video_facts
from synth import make_podcast


FPS = 25
CUTS = [40, 80]
FRAMES = 130


@pytest.fixture(scope="module")
def i2v_run(tmp_path_factory, tiny_wan, tiny_ltx, tiny_wan_flf2v):
    from conftest import Workflow

    folder = tmp_path_factory.mktemp("i2v e2e")
    source = folder / "three models.mp4"
    make_podcast(source, CUTS, FRAMES, width=160, height=90, fps=Fraction(FPS))
    wf = Workflow(folder / "work")
    wf.workdir.mkdir()
    wan = {k: v for k, v in tiny_i2v_options("wan", tiny_wan).items() if k != "device"}  # auto -> cpu here
    ltx = {k: v for k, v in tiny_i2v_options("ltx", tiny_ltx).items() if k != "device"}
    overrides = {"ep": {
        1: {"animate": {"wan": {"prompt": "the sea waves slowly"}}},
        2: {"animate": {"backend": "ltx"}},
        3: {"animate": {"wan": {"model": str(tiny_wan_flf2v)}}, "pad": {"strategy": "loop"}},
    }}  # fmt: skip
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "wan", "seed": 5, "wan": wan, "ltx": ltx},
                      "overrides": overrides})  # fmt: skip
    proc = wf.run(env={"PODMOTION_I2V_FAULT": "oom_untiled@scene_002"})
    return wf, source, proc


def sidecar(wf, scene: int) -> dict:
    return json.loads(wf.result("ep", "clips", f"scene_{scene:03d}.json").read_text())


def test_each_scene_was_made_by_its_model_with_its_settings(i2v_run):
    wf, _, _ = i2v_run
    first, second, third = (sidecar(wf, k) for k in (1, 2, 3))
    assert [s["backend"] for s in (first, second, third)] == ["wan", "ltx", "wan"]
    assert [s["fallback"] for s in (first, second, third)] == [None, None, None]
    assert first["result"]["prompt"] == "the sea waves slowly"
    assert third["result"]["prompt"] == schema_defaults("wan")["prompt"]  # the default, not scene 1's
    # ltx ran out of memory without tiling; Snakemake's second attempt tiled the VAE decode
    assert second["attempt"] == 2 and second["result"]["memory"] == {"vae_tiling": True, "offload": "none"}
    # the first-last-frame model got the still as its last frame, for a loop without a jump
    assert third["result"]["last_frame"] == "the still" and third["result"]["takes_last_frame"] == "required"
    assert first["result"]["last_frame"] is None and first["result"]["takes_last_frame"] is None
    assert third["result"]["seam"]["neighbour_median"] > 0


def test_clips_have_each_models_frames_size_and_rate(i2v_run):
    wf, _, _ = i2v_run
    for scene, (width, height) in ((1, (64, 32)), (2, (64, 32)), (3, (64, 32))):
        side = sidecar(wf, scene)["result"]
        facts = video_facts(wf.result("ep", "clips", f"scene_{scene:03d}.mp4"))
        assert (facts["frames"], facts["width"], facts["height"]) == (9, width, height), scene
        assert Fraction(facts["fps"]).limit_denominator(1001) == Fraction(side["fps"]), scene


def test_padded_scenes_own_exactly_their_frames(i2v_run):
    wf, _, _ = i2v_run
    for k, (start, end) in enumerate(zip([0, *CUTS], [*CUTS, FRAMES]), start=1):
        facts = video_facts(wf.result("ep", "padded", f"scene_{k:03d}.mp4"))
        assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (end - start, FPS, 160, 90)


def test_the_episode_keeps_the_frame_count_cuts_and_audio(i2v_run):
    wf, source, _ = i2v_run
    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert (facts["frames"], facts["fps"]) == (FRAMES, FPS)
    assert abs(facts["duration_s"] - video_facts(source)["duration_s"]) * 1000 <= 1000 / FPS
    # output frames [start, end) of scene k are exactly its padded clip's frames (joined by stream copy)
    assert scenes_unlike_their_padded_clips(out, wf.result("ep", "padded"), [0, *CUTS, FRAMES]) == []
    assert audio_packet_md5(out) == audio_packet_md5(source)


def test_the_summary_counts_the_backends(i2v_run):
    wf, _, proc = i2v_run
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    assert summary["backends"] == {"ltx": 1, "wan": 2} and summary["fallbacks"] == []
    assert "Traceback" not in proc.stderr
