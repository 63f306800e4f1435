"""Extension (``animate.<member>.extend_s``): generated clips continued from their own last frames, on the
tiny random-weight svd, wan and LTX-condition pipelines, through the real backend and loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import schema_defaults, tiny_i2v_options, tiny_svd_options
from measure import video_facts
from synth import scene_picture

import podmotion.backends.i2v as i2v_backend
from podmotion.animate import animate_scene
from podmotion.backends import BACKENDS
from podmotion.errors import GenerationFailed
from podmotion.i2v import extend as extend_module
from podmotion.i2v import faults, loader
from podmotion.i2v.extend import CORRECT_LEVELS, STOP_LEVELS, colour_drift, extension_frames, match_histograms
from podmotion.i2v.weights import ModelSpec
from podmotion.media import write_image


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "scene_001.png"
    write_image(scene_picture(1, 160, 90), path)
    return path


def options_for(name: str, model: Path, **knobs) -> dict:
    if name == "svd":
        return tiny_svd_options(model, worker=False, **knobs)
    return tiny_i2v_options(name, model, worker=False, **knobs)


def run(name: str, still: Path, model: Path, out: Path, *, attempt: int = 1, scene_s: float = 4.0, **knobs) -> dict:
    options = options_for(name, model, **knobs)
    keys = BACKENDS[name].runtime_keys
    settings = {"backend": name, "seed": 3, "fit": "cover", "max_duration_s": scene_s, "width": 160, "height": 90,
                "fps": "25", "encoder": {"crf": 18, "level": "5.1"},
                "options": {k: v for k, v in options.items() if k not in keys}}  # fmt: skip
    runtime = {k: options[k] for k in keys}
    runtime["fallback_options"] = schema_defaults("kenburns")
    return animate_scene(still, out / "clip.mp4", out / "clip.json", settings, threads=2, attempt=attempt,
                         runtime=runtime)  # fmt: skip


@pytest.fixture
def first_clips(monkeypatch):
    """The first segment of every extended clip, as the backend hands it to ``extend``."""
    seen = []
    real = i2v_backend.extend

    def spy(first, *args, **kwargs):
        seen.append(first.copy())
        return real(first, *args, **kwargs)

    monkeypatch.setattr(i2v_backend, "extend", spy)
    return seen


def encoder_inputs(pipe, monkeypatch) -> list[torch.Tensor]:
    """Every tensor the pipeline's VAE encodes, in order."""
    seen = []
    encode = pipe.vae.encode
    monkeypatch.setattr(pipe.vae, "encode", lambda x, *a, **k: seen.append(x.detach().clone()) or encode(x, *a, **k))
    return seen


def as_model_input(frame: np.ndarray) -> torch.Tensor:
    """A uint8 frame as the pipelines' video processors hand it to the VAE: (3, H, W) on [-1, 1]."""
    return torch.from_numpy(frame).permute(2, 0, 1).float() / 127.5 - 1


@pytest.mark.parametrize("name, fixture, fps", [("svd", "tiny_svd", 6), ("wan", "tiny_wan", 24),
                                                ("ltx", "tiny_ltx_condition", 24)])  # fmt: skip
def test_the_clip_reaches_extend_s_within_a_frame_and_records_its_segments(name, fixture, fps, still, tmp_path,
                                                                            request):  # fmt: skip
    model = request.getfixturevalue(fixture)
    extend_s = 1.5 if name == "svd" else 0.9
    sidecar = run(name, still, model, tmp_path, extend_s=extend_s)
    target = round(extend_s * fps)
    result = sidecar["result"]
    made = video_facts(tmp_path / "clip.mp4")["frames"]
    assert abs(made - extend_s * fps) <= 1 and made == result["frames"] == target
    record = result["extension"]
    assert record["target_frames"] == target and record["stopped"] is None
    assert len(record["segments"]) >= 3 and sum(s["frames"] for s in record["segments"]) == target
    assert record["join_frames"] == list(np.cumsum([s["frames"] for s in record["segments"]])[:-1])
    assert record["join_steps"]["worst_ratio"] is not None  # the joins are measured
    loader.release()


def test_an_extension_never_outlasts_its_scene():
    assert extension_frames(10.0, 6, scene_s=2.0) == 13  # the scene's instants 0 .. 2 s at 6 fps
    assert extension_frames(1.0, 6, scene_s=2.0) == 6
    assert extension_frames(None, 6, scene_s=2.0) == 0


def test_svd_continues_from_the_last_frame_it_made(tiny_svd, still, tmp_path, monkeypatch, first_clips):
    """What reaches the VAE's encoder for the second segment is the first segment's last frame (plus SVD's own
    noise augmentation), not the still."""
    pipe = loader.load_pipeline(ModelSpec(str(tiny_svd), None, None, "fp32", "svd"), loader.Placement("cpu"))
    encoded = encoder_inputs(pipe, monkeypatch)
    run("svd", still, tiny_svd, tmp_path, extend_s=1.0, noise_aug_strength=0.0)
    [first] = first_clips
    assert len(encoded) >= 2
    second = encoded[1][0]
    assert torch.allclose(second, as_model_input(first[-1]), atol=2 / 127.5)
    assert not torch.allclose(encoded[0][0], second, atol=0.1)  # the still is not what the second segment saw
    loader.release()


def test_ltx_continues_from_the_last_frames_as_a_video_condition(tiny_ltx_condition, still, tmp_path, monkeypatch,
                                                                 first_clips):  # fmt: skip
    pipe = loader.load_pipeline(ModelSpec(str(tiny_ltx_condition), None, None, "fp32", "ltx"), loader.Placement("cpu"))
    encoded = encoder_inputs(pipe, monkeypatch)
    run("ltx", still, tiny_ltx_condition, tmp_path, extend_s=0.9, num_frames=17)
    [first] = first_clips
    video = encoded[1][0]  # (3, frames, H, W): the condition video of segment 1
    context = video.shape[1]
    assert context == 9
    expected = torch.stack([as_model_input(f) for f in first[-context:]], dim=1)
    assert torch.allclose(video, expected, atol=2 / 127.5)
    loader.release()


def test_a_drifting_segment_is_corrected_and_one_that_drifts_far_stops_the_extension(tiny_svd, still, tmp_path,
                                                                                      monkeypatch):  # fmt: skip
    monkeypatch.setenv(faults.ENV, f"drift={CORRECT_LEVELS + 6:g}")
    record = run("svd", still, tiny_svd, tmp_path / "corrected", extend_s=1.5)["result"]["extension"]
    later = record["segments"][1:]
    assert later and all(s["action"] == "histograms matched to the still" for s in later)
    assert all(s["moved"] > CORRECT_LEVELS and s["drift_corrected"] < s["drift"] for s in later)
    assert record["frames"] == record["target_frames"]

    monkeypatch.setenv(faults.ENV, f"drift={STOP_LEVELS + 20:g}")
    sidecar = run("svd", still, tiny_svd, tmp_path / "stopped", extend_s=1.5)
    record = sidecar["result"]["extension"]
    assert record["stopped"].startswith("stopped: colour moved") and record["segments"][-1]["frames"] == 0
    assert record["frames"] == 4 < record["target_frames"]  # the first segment alone: nothing drifted is kept
    assert video_facts(tmp_path / "stopped" / "clip.mp4")["frames"] == 4
    loader.release()


def test_a_retry_after_running_out_of_memory_still_extends(tiny_wan, still, tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, "oom_untiled")
    with pytest.raises(GenerationFailed, match="out of memory.*attempt 1 of 3"):
        run("wan", still, tiny_wan, tmp_path, extend_s=0.9)
    sidecar = run("wan", still, tiny_wan, tmp_path, attempt=2, extend_s=0.9)
    assert sidecar["backend"] == "wan" and sidecar["result"]["memory"]["vae_tiling"] is True
    assert sidecar["result"]["frames"] == round(0.9 * 24) and sidecar["result"]["extension"]["stopped"] is None
    loader.release()


def test_histogram_matching_brings_a_shifted_segment_back_to_the_still():
    still = scene_picture(3, 64, 36)
    shifted = np.clip(np.stack([still] * 4).astype(int) + [20, -10, 5], 0, 255).astype(np.uint8)
    assert colour_drift(shifted, still) > 9
    assert colour_drift(match_histograms(shifted, still), still) < 1.5


def test_the_module_constants_order_correction_before_stopping():
    assert 0 < extend_module.CORRECT_LEVELS < extend_module.STOP_LEVELS
