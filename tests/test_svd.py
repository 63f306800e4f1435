"""The svd backend, run for real on a tiny random-weight pipeline loaded from disk.

The pipeline is diffusers' own StableVideoDiffusionPipeline with small random
UNet, VAE and CLIP parts, written with save_pretrained and loaded through
podmotion's loader, the path a downloaded model takes. Out-of-memory and fp16
overflow can't happen on a CPU, so PODMOTION_I2V_FAULT makes the decode or the
denoise fail the way they do on a GPU, inside the real code path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, schema_defaults, tiny_svd_options
from measure import md5_of_frames, video_facts, video_frames

from podmotion.animate import animate_scene
from podmotion.errors import GenerationFailed, PodmotionError
from podmotion.media import write_image
from podmotion.settings import config_problem, load_schema
from podmotion.i2v import faults
from podmotion.i2v.plan import MODEL_PIXELS, memory_plan, model_size
from podmotion.timeline import scene_seed
from synth import scene_picture

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")


# -- size and memory decisions -------------------------------------------------------------


@pytest.mark.parametrize(
    "image, expected",
    [((1920, 1080), (1024, 576)), ((1080, 1920), (576, 1024)), ((1024, 768), (832, 640)),
     ((768, 1024), (640, 832)), ((1000, 1000), (768, 768)), ((2560, 1080), (1216, 512))],
)  # fmt: skip
def test_model_size_is_the_nearest_multiple_of_64_near_the_pixel_budget(image, expected):
    w, h = model_size(*image)
    assert (w, h) == expected
    assert w % 64 == 0 and h % 64 == 0
    assert abs(w * h / MODEL_PIXELS - 1) < 0.12
    # the aspect is kept to within 6% (4:3 -> 832x640 is 1.30), so the centre crop loses little
    assert abs(np.log((w / h) / (image[0] / image[1]))) < 0.06


def test_model_size_with_one_side_given_follows_the_aspect():
    assert model_size(1080, 1920, width=64) == (64, 128)
    assert model_size(1920, 1080, height=576) == (1024, 576)
    assert model_size(1920, 1080, width=512, height=512) == (512, 512)
    assert model_size(1080, 1920, width=2048) == (1152, 2048)  # the long side stays within 2048, aspect kept


def test_memory_plan_saves_more_on_each_retry_and_never_less_than_configured():
    plans = [memory_plan(8, 25, "none", False, level) for level in range(4)]
    assert [p.decode_chunk_size for p in plans] == [8, 4, 2, 1]
    assert [memory_plan(25, 25, "none", False, level).decode_chunk_size for level in range(4)] == [25, 12, 6, 1]
    assert [p.forward_chunking for p in plans] == [False, True, True, True]
    assert [p.offload for p in plans] == ["none", "none", "model", "sequential"]
    assert memory_plan(8, 25, "sequential", True, 0).offload == "sequential"
    assert memory_plan(64, 14, "none", False, 0).decode_chunk_size == 14  # never more than the frames


def test_fault_hooks_apply_only_to_their_scene(monkeypatch):
    monkeypatch.setenv(faults.ENV, "oom_decode_above=2@scene_002, black@scene_003")
    assert faults.active("scene_002.png") == {"oom_decode_above": "2"}
    assert faults.active("scene_003.png") == {"black": ""}
    assert faults.active("scene_001.png") == {}
    monkeypatch.delenv(faults.ENV)
    assert faults.active("scene_002.png") == {}


# -- config ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svd, words",
    [({"motion_bucket_id": 256}, "motion_bucket_id"), ({"width": 100}, "animate.svd.width"),
     ({"num_frames": 1}, "num_frames"), ({"dtype": "fp8"}, "fp16, bf16, fp32"),
     ({"device": "gpu"}, "animate.svd.device"), ({"noise_aug_strength": 1.5}, "noise_aug_strength"),
     ({"min_guidance_scale": 4.0}, "min_guidance_scale 4.0 is above max_guidance_scale 3.0"),
     ({"fallback": "svd"}, "kenburns, parallax, still"), ({"decode_chunk_size": 0}, "decode_chunk_size")],
)  # fmt: skip
def test_out_of_range_svd_values_are_refused_in_one_line(svd, words):
    problem = config_problem({"animate": {"backend": "svd", "svd": svd}}, SCHEMA)
    assert problem is not None and words in problem and "\n" not in problem


def test_per_scene_svd_settings_are_checked_too():
    override = {"ep": {"3": {"animate": {"svd": {"max_guidance_scale": 1.0, "min_guidance_scale": 2.0}}}}}
    problem = config_problem({"overrides": override}, SCHEMA)
    assert problem == "config: overrides.ep.3.animate.svd: min_guidance_scale 2.0 is above max_guidance_scale 1.0"
    problem = config_problem({"overrides": {"ep": {"3": {"animate": {"svd": {"retries": 1}}}}}}, SCHEMA)
    assert "retries can only be set globally" in problem


def test_runtime_keys_are_the_ones_the_docs_mark_as_run():
    from podmotion.backends import BACKENDS

    doc = (REPO / "config" / "README.md").read_text()
    marked = {line.split("`")[1].removeprefix("svd.") for line in doc.splitlines()
              if "*(run)*" in line and line.startswith("| `svd.")}  # fmt: skip
    assert marked == set(BACKENDS["svd"].runtime_keys)
    assert set(BACKENDS["svd"].runtime_keys) < set(schema_defaults("svd"))


# -- the backend on the tiny model ---------------------------------------------------------


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "scene_001.png"
    write_image(scene_picture(1, 160, 90), path)
    return path


def run_svd(still: Path, model: Path, out: Path, *, seed: int = 7, attempt: int = 1, runtime=None, **knobs) -> dict:
    options = tiny_svd_options(model, **knobs)
    runtime_keys = ("device", "offload", "forward_chunking", "retries", "on_error", "fallback")
    settings = {
        "backend": "svd", "seed": seed, "fit": "cover", "max_duration_s": 2.0, "width": 160, "height": 90,
        "fps": "25", "encoder": {"crf": 18, "level": "5.1"},
        "options": {k: v for k, v in options.items() if k not in runtime_keys},
    }  # fmt: skip
    run = {k: options[k] for k in runtime_keys}
    run["fallback_options"] = schema_defaults("kenburns")
    run.update(runtime or {})
    return animate_scene(still, out / "clip.mp4", out / "clip.json", settings, threads=2, attempt=attempt,
                         runtime=run)  # fmt: skip


def test_clip_has_the_asked_frames_rate_and_size(still, tiny_svd, tmp_path):
    sidecar = run_svd(still, tiny_svd, tmp_path)
    facts = video_facts(tmp_path / "clip.mp4")
    assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (4, 6, 64, 64)
    assert json.loads((tmp_path / "clip.json").read_text()) == json.loads(json.dumps(sidecar, default=str))
    result = sidecar["result"]
    assert sidecar["backend"] == "svd" and sidecar["fallback"] is None and sidecar["seed"] == 7
    assert result["model"] == str(tiny_svd) and result["device"] == "cpu" and result["redo"] == []
    assert result["memory"] == {"decode_chunk_size": 4, "forward_chunking": False, "offload": "none"}
    assert result["seconds_denoise"] > 0 and result["seconds_decode"] > 0 and result["peak_gpu_bytes"] is None


def test_same_seed_gives_identical_frames_and_another_scene_another_clip(still, tiny_svd, tmp_path):
    runs = {}
    for name, seed in (("a", scene_seed(0, 1)), ("b", scene_seed(0, 1)), ("c", scene_seed(0, 2))):
        (tmp_path / name).mkdir()
        run_svd(still, tiny_svd, tmp_path / name, seed=seed)
        runs[name] = md5_of_frames(tmp_path / name / "clip.mp4")
    assert scene_seed(0, 1) != scene_seed(0, 2)
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_a_portrait_still_is_generated_at_a_portrait_size(tiny_svd, tmp_path):
    still = tmp_path / "scene_004.png"
    write_image(scene_picture(4, 90, 160), still)
    sidecar = run_svd(still, tiny_svd, tmp_path, width=64, height=None)
    assert (sidecar["result"]["width"], sidecar["result"]["height"]) == (64, 128)
    facts = video_facts(tmp_path / "clip.mp4")
    assert (facts["width"], facts["height"]) == (64, 128)


def test_out_of_memory_fails_the_attempt_then_the_retry_decodes_in_smaller_chunks(still, tiny_svd, tmp_path,
                                                                                   monkeypatch):  # fmt: skip
    monkeypatch.setenv(faults.ENV, "oom_decode_above=2")
    with pytest.raises(GenerationFailed) as failed:
        run_svd(still, tiny_svd, tmp_path, attempt=1)
    assert failed.value.retryable
    assert "out of memory" in str(failed.value) and "attempt 1 of 3" in str(failed.value)
    assert not (tmp_path / "clip.mp4").exists() and not (tmp_path / "clip.json").exists()
    sidecar = run_svd(still, tiny_svd, tmp_path, attempt=2)
    assert sidecar["backend"] == "svd" and sidecar["attempt"] == 2
    assert sidecar["result"]["memory"] == {"decode_chunk_size": 2, "forward_chunking": True, "offload": "none"}
    assert video_facts(tmp_path / "clip.mp4")["frames"] == 4


def test_out_of_memory_on_the_last_attempt_falls_back_to_kenburns(still, tiny_svd, tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, "oom_decode_above=0")
    sidecar = run_svd(still, tiny_svd, tmp_path, attempt=3)
    assert sidecar["backend"] == "kenburns" and sidecar["requested_backend"] == "svd"
    assert sidecar["fallback"]["attempt"] == 3 and "out of memory" in sidecar["fallback"]["reason"]
    facts = video_facts(tmp_path / "clip.mp4")
    assert (facts["width"], facts["height"], facts["fps"]) == (160, 90, 25)  # kenburns works at the output size
    assert facts["frames"] == 50  # the 2 s scene at 25 fps


def test_one_black_frame_is_enough_to_refuse_a_clip():
    import torch

    from podmotion.i2v.generate import _frame_problem

    lit = np.full((8, 8, 3), 200, np.uint8)
    frames = torch.full((4, 3, 8, 8), 0.5)
    assert _frame_problem(frames, lit) is None
    frames[2] = 0.01
    assert _frame_problem(frames, lit) == "black in 1 of 4 frames"
    assert _frame_problem(torch.zeros(4, 3, 8, 8), lit) == "all black"
    assert _frame_problem(torch.zeros(4, 3, 8, 8), np.zeros((8, 8, 3), np.uint8)) is None  # a black still may stay black
    frames[1, 0, 0, 0] = float("nan")
    assert _frame_problem(frames, lit) == "non-finite (NaN or inf)"


def test_black_output_is_never_written(still, tiny_svd, tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, "black")
    with pytest.raises(PodmotionError, match="on_error is fail: the decoded clip is all black"):
        run_svd(still, tiny_svd, tmp_path, runtime={"on_error": "fail"})
    assert list(tmp_path.glob("clip*")) == []
    sidecar = run_svd(still, tiny_svd, tmp_path)  # on_error: fallback
    assert sidecar["backend"] == "kenburns" and "all black" in sidecar["fallback"]["reason"]
    assert min(float(f.max()) for f in video_frames(tmp_path / "clip.mp4")) > 32


def test_fp16_overflow_in_denoising_is_redone_in_bf16(still, tiny_svd, tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, "nan_latents=fp16")
    sidecar = run_svd(still, tiny_svd, tmp_path, dtype="fp16")
    assert sidecar["backend"] == "svd"
    assert sidecar["result"]["redo"] == ["denoise in bf16: non-finite latents in fp16"]
    assert sidecar["result"]["precision"] == {"denoise": "bf16", "decode": "bf16"}
    frames = video_frames(tmp_path / "clip.mp4")
    assert len(frames) == 4 and max(float(f.max()) for f in frames) > 32


def test_nan_in_a_half_precision_decode_is_redone_in_fp32(still, tiny_svd, tmp_path, monkeypatch):
    monkeypatch.setenv(faults.ENV, "nan_decode=half")
    sidecar = run_svd(still, tiny_svd, tmp_path, dtype="bf16")
    assert sidecar["result"]["redo"] == ["decode in fp32: non-finite (NaN or inf) in bf16"]
    assert sidecar["result"]["precision"] == {"denoise": "bf16", "decode": "fp32"}
    assert video_facts(tmp_path / "clip.mp4")["frames"] == 4


# -- loading -------------------------------------------------------------------------------


def test_the_model_is_loaded_once_per_process(tiny_svd):
    from diffusers import StableVideoDiffusionPipeline

    from podmotion.i2v import loader
    from podmotion.i2v.weights import ModelSpec

    spec, where = ModelSpec(str(tiny_svd), None, None, "fp32"), loader.Placement("cpu")
    first = loader.load_pipeline(spec, where)
    assert isinstance(first, StableVideoDiffusionPipeline)
    assert loader.load_pipeline(spec, where) is first


def test_fp16_variant_files_load_in_half_precision(tmp_path):
    import torch

    from podmotion.i2v import loader
    from podmotion.i2v.random_model import save_pipeline
    from podmotion.i2v.weights import ModelSpec

    folder = save_pipeline(tmp_path / "m16", variant="fp16")
    assert (folder / "unet" / "diffusion_pytorch_model.fp16.safetensors").is_file()
    pipe = loader.load_pipeline(ModelSpec(str(folder), None, "fp16", "fp16"), loader.Placement("cpu"))
    assert pipe.unet.dtype == torch.float16 and pipe.vae.dtype == torch.float16
    with pytest.raises(PodmotionError, match="has no 'bf16' variant files; set animate.svd.variant: null"):
        loader.load_pipeline(ModelSpec(str(folder), None, "bf16", "fp16"), loader.Placement("cpu"))


def one_line_load_error(model: str, hf_home: Path, offline: bool) -> str:
    """The error a job prints when it can't load ``model`` (a fresh process: the hub reads its env once)."""
    code = ("import sys\nfrom podmotion.errors import PodmotionError\nfrom podmotion.i2v import loader\n"
            "from podmotion.i2v.weights import ModelSpec\n"
            "try:\n    loader.load_pipeline(ModelSpec(sys.argv[1]), loader.Placement('cpu'))\n"
            "except PodmotionError as exc:\n    print(exc)\n")  # fmt: skip
    # Online, the hub is a closed local port: refused at once, whatever network the machine has.
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_ENDPOINT": "http://127.0.0.1:9"}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("HF_TOKEN", None)
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    out = subprocess.run([sys.executable, "-c", code, model], capture_output=True, text=True, env=env, timeout=300)
    return out.stdout


@pytest.mark.parametrize("offline, why", [(True, "HF_HUB_OFFLINE is set"), (False, "the hub could not be reached")])
def test_unreachable_weights_give_one_line_that_says_where_and_how(tmp_path, offline, why):
    model = "stabilityai/stable-video-diffusion-img2vid-xt"
    text = one_line_load_error(model, tmp_path / "hf", offline)
    assert text.count("\n") == 1, text
    assert text.startswith(f"{model}: model weights not found: not in the Hugging Face cache ({tmp_path / 'hf' / 'hub'})")
    assert why in text
    for how in ("accept the licence at https://huggingface.co/" + model, "hf auth login", f"hf download {model}",
                "set animate.svd.model to a local folder"):  # fmt: skip
        assert how in text


def test_a_local_folder_that_is_not_a_pipeline_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    text = one_line_load_error(str(tmp_path / "empty"), tmp_path / "hf", True)
    assert text == f"{tmp_path / 'empty'}: animate.svd.model: not a diffusers pipeline folder (no model_index.json); " \
        "fill it with `hf download MODEL --local-dir FOLDER` or save_pretrained\n"  # fmt: skip
    text = one_line_load_error(str(tmp_path / "missing"), tmp_path / "hf", True)
    assert text == f"{tmp_path / 'missing'}: animate.svd.model: no such folder (and not a hub id like owner/name)\n"


def test_torch_and_diffusers_are_imported_only_by_the_svd_job():
    code = ("import sys\nimport podmotion.animate, podmotion.backends, podmotion.backends.kenburns, "
            "podmotion.backends.still, podmotion.pad, podmotion.detect, podmotion.assemble, podmotion.settings, "
            "podmotion.i2v.plan, podmotion.i2v.weights, podmotion.i2v.loader, podmotion.i2v.faults\n"
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
