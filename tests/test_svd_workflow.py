"""The whole workflow with backend svd, on a tiny random-weight pipeline, with real Snakemake retries.

Three scenes: the first animates at once; the second runs out of memory on its
first attempt and succeeds on Snakemake's retry with a smaller decode chunk
(the attempt reaches the job through the attempt-dependent memory_level
resource); the third runs out of memory on every attempt and falls back to
kenburns. The episode completes, in sync, with the source's audio.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
from conftest import assert_episode_in_sync, planned_jobs, scene_rerun_jobs, tiny_svd_options
from measure import video_facts
from synth import make_podcast

from podmotion.timeline import scene_seed

FPS = 25
CUTS = [40, 90]
FRAMES = 140
FAULTS = "oom_decode_above=2@scene_002,oom_decode_above=0@scene_003"
SCENE_KNOBS = {"ep": {2: {"animate": {"svd": {"num_frames": 3, "motion_bucket_id": 60}}}}}


@pytest.fixture(scope="module")
def svd_run(tmp_path_factory, tiny_svd):
    from conftest import Workflow

    folder = tmp_path_factory.mktemp("svd e2e")
    source = folder / "three scenes.mp4"
    make_podcast(source, CUTS, FRAMES, width=160, height=90, fps=Fraction(FPS))
    wf = Workflow(folder / "work")
    wf.workdir.mkdir()
    svd = {k: v for k, v in tiny_svd_options(tiny_svd).items() if k != "device"}  # device: auto -> cpu here
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "svd", "seed": 11, "svd": svd},
                      "overrides": SCENE_KNOBS})  # fmt: skip
    proc = wf.run(env={"PODMOTION_I2V_FAULT": FAULTS})
    return wf, source, proc


def sidecar(wf, scene: int) -> dict:
    return json.loads(wf.result("ep", "clips", f"scene_{scene:03d}.json").read_text())


def test_clips_have_the_model_frames_and_rate_with_per_scene_knobs(svd_run):
    wf, _, _ = svd_run
    for scene, frames in ((1, 4), (2, 3)):  # scene 2 asks for 3 frames in its override
        facts = video_facts(wf.result("ep", "clips", f"scene_{scene:03d}.mp4"))
        assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (frames, 6, 64, 64)
    assert sidecar(wf, 2)["settings"]["options"]["motion_bucket_id"] == 60


def test_sidecars_record_backend_seed_attempt_and_memory(svd_run):
    wf, _, _ = svd_run
    first, second, third = (sidecar(wf, k) for k in (1, 2, 3))
    assert [s["seed"] for s in (first, second, third)] == [scene_seed(11, k) for k in (1, 2, 3)]
    assert first["backend"] == "svd" and first["attempt"] == 1 and first["fallback"] is None
    assert first["result"]["memory"] == {"decode_chunk_size": 4, "forward_chunking": False, "offload": "none"}
    assert first["result"]["device"] == "cpu" and first["result"]["model"] == wf.config["animate"]["svd"]["model"]
    assert first["settings"]["options"]["motion_bucket_id"] == 127
    # out of memory on attempt 1 (3 frames at once); Snakemake's retry ran with half the decode chunk
    assert second["backend"] == "svd" and second["attempt"] == 2
    assert second["result"]["memory"] == {"decode_chunk_size": 1, "forward_chunking": True, "offload": "none"}
    # out of memory on every attempt: the third and last fell back to kenburns
    assert third["backend"] == "kenburns" and third["requested_backend"] == "svd" and third["attempt"] == 3
    assert third["fallback"]["from"] == "svd" and "out of memory" in third["fallback"]["reason"]
    assert third["result"]["frames"] == FRAMES - CUTS[1]


def test_retries_show_on_the_console_in_one_line(svd_run):
    _, _, proc = svd_run
    lines = [line for line in proc.stderr.splitlines() if "Snakemake will retry with less memory" in line]
    assert any("scene_002.png" in line and "attempt 1 of 3" in line for line in lines)
    assert any("scene_003.png" in line and "attempt 2 of 3" in line for line in lines)
    assert "Traceback" not in proc.stderr


def test_the_fallback_is_in_the_summary_the_console_and_the_report(svd_run):
    wf, _, proc = svd_run
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    assert summary["backends"] == {"kenburns": 1, "svd": 2}
    [fell] = summary["fallbacks"]
    assert (fell["scene"], fell["from"], fell["to"]) == (3, "svd", "kenburns") and "out of memory" in fell["reason"]
    line = [x for x in proc.stderr.splitlines() if x.startswith("podmotion: ep:")]
    assert len(line) == 1 and "1 fallback (scene 3 svd -> kenburns: " in line[0] and "out of memory" in line[0]
    page = wf.result("ep", "report", "overview.html").read_text()
    marked = re.findall(r"<tr class='fallback'>(.*?)</tr>", page, re.S)
    assert len(marked) == 1 and "<td>3</td>" in marked[0] and "from svd: " in marked[0] and "out of memory" in marked[0]


def test_the_episode_completes_in_sync_with_the_source_audio(svd_run):
    wf, source, _ = svd_run
    # Random weights make noise that changes every clip frame, so cuts are found by identity instead:
    # output frames [start, end) of scene k are exactly its padded clip's frames (joined by stream copy)
    assert_episode_in_sync(wf, source, CUTS, FRAMES, FPS)


def test_run_settings_do_not_remake_clips_but_knobs_do(svd_run):
    wf, _, _ = svd_run
    assert planned_jobs(wf) == set()
    wf.config["animate"]["svd"].update(offload="model", forward_chunking=True, on_error="fail")
    assert planned_jobs(wf) == set()
    wf.config["overrides"] = {"ep": {**SCENE_KNOBS["ep"], 1: {"animate": {"svd": {"motion_bucket_id": 180}}}}}
    assert planned_jobs(wf) == scene_rerun_jobs("scene_001")


def test_missing_weights_stop_the_run_before_any_job(svd_run, tmp_path):
    wf, _, _ = svd_run
    wf.config.pop("overrides", None)
    wf.config["animate"]["svd"]["model"] = "stabilityai/stable-video-diffusion-img2vid-xt"
    proc = wf.run("--dry-run", check=False, env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")})
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.startswith("config:")]
    assert lines == [
        "config: animate.svd.model = stabilityai/stable-video-diffusion-img2vid-xt: model weights not found: "
        f"not in the Hugging Face cache ({tmp_path / 'hf' / 'hub'}) and HF_HUB_OFFLINE is set; to get them, "
        "accept the licence at https://huggingface.co/stabilityai/stable-video-diffusion-img2vid-xt, log in with "
        "`hf auth login` (or set HF_TOKEN), then run `hf download stabilityai/stable-video-diffusion-img2vid-xt`; "
        "or set animate.svd.model to a local folder holding the pipeline"
    ]
    assert "Traceback" not in proc.stderr


def test_padded_svd_scenes_drift_so_no_frame_repeats(svd_run, tmp_path):
    """pad.drift auto: the svd scenes' padded clips have no frame with a twin a second or more away (luma PSNR
    above 45 dB), where the same clip padded without drift repeats; the kenburns fallback is one move, undrifted."""
    from measure import video_frames

    from podmotion.ffmpeg import EncoderSettings
    from podmotion.pad import pad_scene
    from podmotion.repetition import repeated_share

    wf, _, _ = svd_run
    for scene, n_frames in ((1, CUTS[0]), (2, CUTS[1] - CUTS[0])):
        padded = wf.result("ep", "padded", f"scene_{scene:03d}.mp4")
        assert repeated_share(video_frames(padded), FPS) == 0.0
        plain = tmp_path / f"plain_{scene}.mp4"
        pad_scene(wf.result("ep", "clips", f"scene_{scene:03d}.mp4"), plain, n_frames=n_frames, width=160, height=90,
                  fps=Fraction(FPS), clip_fps=Fraction(6), strategy="pingpong", fit="cover",
                  encoder=EncoderSettings(crf=1, preset="medium", keyint_frames=100))  # fmt: skip
        assert repeated_share(video_frames(plain), FPS) > 0.1  # near-lossless, so x264 hides few twins
    log = (wf.workdir / "logs" / "pad_scene" / "ep" / "scene_001.log").read_text()
    assert "'drift': {'box': [0, 0, 160, 90]" in log
    fallback_log = (wf.workdir / "logs" / "pad_scene" / "ep" / "scene_003.log").read_text()
    assert "'drift': None" in fallback_log


def test_the_report_shows_each_generated_scenes_loop_seam(svd_run):
    wf, _, _ = svd_run
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    rows = {r["scene"]: r for r in summary["scene_table"]}
    for scene in (1, 2):
        assert rows[scene]["seam_ratio"] == sidecar(wf, scene)["result"]["seam"]["ratio"] is not None
    assert rows[3]["seam_ratio"] is None  # the kenburns fallback: one move, no loop
    page = wf.result("ep", "report", "overview.html").read_text()
    assert "loop seam (× step)" in page and f"<td>{rows[1]['seam_ratio']}" in page
