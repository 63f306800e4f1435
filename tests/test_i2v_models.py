"""The wan and ltx backends, run for real on tiny random-weight pipelines loaded from disk.

The pipelines are diffusers' own WanImageToVideoPipeline (a Wan 2.2 TI2V-5B
layout, and a Wan 2.1 first-last-frame layout with a CLIP image encoder) and
LTXImageToVideoPipeline, with tiny random transformers, VAEs, UMT5/T5 encoders
and a word-level tokenizer, written with save_pretrained and loaded through
podmotion's loader. What reaches the pipeline is read off the real modules
with forward hooks (the text encoder's token ids, the image encoder's images).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO, schema_defaults, tiny_i2v_options
from measure import md5_of_frames, video_facts, video_frames

from podmotion.animate import animate_scene
from podmotion.backends import BACKENDS
from podmotion.errors import GenerationFailed
from podmotion.i2v import faults, loader
from podmotion.i2v.generate import ClipKnobs, generate_clip, seam
from podmotion.i2v.members import MEMBERS
from podmotion.i2v.plan import model_size, pipeline_plan
from podmotion.i2v.weights import ModelSpec
from podmotion.media import write_image
from podmotion.settings import config_problem, load_schema
from synth import scene_picture

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture
def still(tmp_path) -> Path:
    path = tmp_path / "scene_001.png"
    write_image(scene_picture(1, 160, 90), path)
    return path


def run(name: str, still: Path, model: Path, out: Path, *, seed: int = 7, attempt: int = 1, loop: bool = False,
        runtime=None, **knobs) -> dict:  # fmt: skip
    options = tiny_i2v_options(name, model, worker=False, **knobs)
    keys = BACKENDS[name].runtime_keys
    settings = {"backend": name, "seed": seed, "fit": "cover", "max_duration_s": 2.0, "width": 160, "height": 90,
                "fps": "25", "encoder": {"crf": 18, "level": "5.1"},
                "options": {k: v for k, v in options.items() if k not in keys},
                **({"loop": True} if loop else {})}  # fmt: skip
    run_options = {k: options[k] for k in keys}
    run_options["fallback_options"] = schema_defaults("kenburns")
    run_options.update(runtime or {})
    return animate_scene(still, out / "clip.mp4", out / "clip.json", settings, threads=2, attempt=attempt,
                         runtime=run_options)  # fmt: skip


def kept_pipeline(name: str, model: Path):
    """The pipeline podmotion's loader keeps for this model as ``run`` loads it (attempt 1)."""
    return loader.load_pipeline(ModelSpec(str(model), None, None, "fp32", name), loader.Placement("cpu"))


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_compile_reaches_the_transformer_and_is_a_model_of_its_own(name, fixture, request):
    """animate.<member>.compile: the transformer compiled in place (the first call, not run here, compiles)."""
    spec = ModelSpec(str(request.getfixturevalue(fixture)), None, None, "fp32", name)
    plain = loader.load_pipeline(spec, loader.Placement("cpu"))
    assert plain.transformer._compiled_call_impl is None
    compiled = loader.load_pipeline(spec, loader.Placement("cpu"), loader.Preparation.from_options({"compile": True}))
    assert compiled is not plain and compiled.transformer._compiled_call_impl is not None
    assert loader.load_pipeline(spec, loader.Placement("cpu"), loader.Preparation(compile=True)) is compiled  # kept
    loader.release()


# -- pure decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, image, expected",
    [("wan", (1920, 1080), (1248, 704)), ("wan", (1080, 1920), (704, 1248)), ("ltx", (1920, 1080), (864, 480)),
     ("ltx", (1000, 1000), (640, 640)), ("wan", (1024, 768), (1120, 832))],
)  # fmt: skip
def test_sizes_are_multiples_of_32_near_the_members_pixel_budget(name, image, expected):
    m = MEMBERS[name]
    w, h = model_size(*image, pixels=m.pixels, step=m.size_step, max_side=m.max_side)
    assert (w, h) == expected and w % 32 == 0 and h % 32 == 0
    assert model_size(*image, width=100, height=50, pixels=m.pixels, step=m.size_step, max_side=m.max_side) == (96, 64)


def test_frame_counts_are_rounded_down_to_each_members_rule():
    assert [MEMBERS["wan"].frames(n) for n in (5, 8, 9, 10, 121, 500)] == [5, 5, 9, 9, 121, 161]
    assert [MEMBERS["ltx"].frames(n) for n in (9, 16, 17, 121, 300)] == [9, 9, 17, 121, 257]
    assert MEMBERS["svd"].frames(14) == 14


def test_pipeline_memory_plan_tiles_then_offloads_and_never_turns_down_the_config():
    plans = [pipeline_plan(121, "none", False, level, MEMBERS["wan"].offloads) for level in range(6)]
    assert [(p.vae_tiling, p.offload) for p in plans] == [(False, "none"), (True, "none"), (True, "model"),
                                                          (True, "group"), (True, "sequential"),
                                                          (True, "sequential")]  # fmt: skip
    assert pipeline_plan(121, "sequential", True, 0).offload == "sequential"
    assert pipeline_plan(121, "group", False, 2).offload == "group"  # never back down to model
    assert plans[1].describe() == "vae_tiling on, offload none"
    with pytest.raises(ValueError, match="offload 'group' is not one of none, model, sequential"):
        pipeline_plan(121, "group", False, 0, MEMBERS["svd"].offloads)


def test_group_offload_is_declared_by_the_transformer_members_only():
    assert MEMBERS["wan"].offloads == MEMBERS["ltx"].offloads == ("none", "model", "group", "sequential")
    assert MEMBERS["svd"].offloads == ("none", "model", "sequential")
    assert config_problem({"animate": {"wan": {"offload": "group"}, "ltx": {"offload": "group"}}}, SCHEMA) is None
    problem = config_problem({"animate": {"svd": {"offload": "group"}}}, SCHEMA)
    assert problem is not None and "animate.svd.offload" in problem and "\n" not in problem


@pytest.mark.parametrize(
    "config, words",
    [({"wan": {"num_frames": 3}}, "animate.wan.num_frames = 3"), ({"ltx": {"width": 100}}, "animate.ltx.width"),
     ({"wan": {"guidance_scale": 30}}, "animate.wan.guidance_scale"), ({"ltx": {"num_frames": 300}}, "num_frames"),
     ({"wan": {"flow_shift": 0}}, "animate.wan.flow_shift"), ({"ltx": {"prompt": ""}}, "animate.ltx.prompt"),
     ({"wan": {"fallback": "wan"}}, "kenburns, parallax, still"), ({"backend": "sora"}, "wan, ltx")],
)  # fmt: skip
def test_out_of_range_wan_and_ltx_values_are_refused_in_one_line(config, words):
    problem = config_problem({"animate": config}, SCHEMA)
    assert problem is not None and words in problem and "\n" not in problem
    problem = config_problem({"overrides": {"ep": {"2": {"animate": {"wan": {"retries": 1}}}}}}, SCHEMA)
    assert problem == ("config: overrides.ep.2.animate.wan.retries: retries can only be set globally "
                       "(animate.wan.retries)")  # fmt: skip


@pytest.mark.parametrize("name", ["wan", "ltx"])
def test_runtime_keys_are_the_ones_the_docs_mark_as_run(name):
    doc = (REPO / "config" / "README.md").read_text()
    marked = {line.split("`")[1].removeprefix(f"{name}.") for line in doc.splitlines()
              if "*(run)*" in line and line.startswith(f"| `{name}.")}  # fmt: skip
    assert marked == set(BACKENDS[name].runtime_keys)
    assert set(BACKENDS[name].runtime_keys) < set(schema_defaults(name))


def test_seam_is_the_last_to_first_step_against_the_median_neighbour_step():
    frames = np.zeros((5, 2, 2, 3), np.uint8)
    frames[1:] = [[[[10] * 3] * 2] * 2, [[[20] * 3] * 2] * 2, [[[30] * 3] * 2] * 2, [[[50] * 3] * 2] * 2]
    assert seam(frames) == {"last_to_first": 50.0, "neighbour_median": 10.0, "ratio": 5.0}


# -- the backends on the tiny models ------------------------------------------------------------


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_clip_frames_size_and_same_seed_same_frames(name, fixture, still, tmp_path, request):
    model = request.getfixturevalue(fixture)
    first = run(name, still, model, tmp_path / "a", width=64, height=48, num_frames=11)
    facts = video_facts(tmp_path / "a" / "clip.mp4")
    # 48 is not a multiple of 32: the size snaps to 64x64 (nearest); 11 frames round down to 9
    assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (9, 24, 64, 64)
    result = first["result"]
    assert result["backend"] == name and result["num_frames_asked"] == 11 and result["frames"] == 9
    assert result["memory"] == {"vae_tiling": False, "offload": "none"} and result["redo"] == []
    assert result["prompt"] == schema_defaults(name)["prompt"] and first["fallback"] is None
    assert result["prompt"].startswith("gentle natural motion") and "camera shake" in result["negative_prompt"]
    assert set(result["seam"]) == {"last_to_first", "neighbour_median", "ratio"}
    run(name, still, model, tmp_path / "b", width=64, height=48, num_frames=11)
    run(name, still, model, tmp_path / "c", seed=8, width=64, height=48, num_frames=11)
    same = [md5_of_frames(tmp_path / d / "clip.mp4") for d in "abc"]
    assert same[0] == same[1] and same[0] != same[2]


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_a_scenes_prompt_reaches_the_text_encoder(name, fixture, still, tmp_path, request):
    model = request.getfixturevalue(fixture)
    pipe = kept_pipeline(name, model)
    seen = []
    hook = pipe.text_encoder.register_forward_pre_hook(lambda _m, args, kwargs: seen.append(
        (args[0] if args else kwargs["input_ids"]).clone()), with_kwargs=True)  # fmt: skip
    try:
        sidecar = run(name, still, model, tmp_path, prompt="the sea waves slowly", negative_prompt="fast pan")
    finally:
        hook.remove()
    assert kept_pipeline(name, model) is pipe  # the same kept pipeline served the scene
    words = [pipe.tokenizer.decode(ids[ids > 1].tolist()) for ids in seen]  # no <pad>, no </s>
    assert words == ["the sea waves slowly", "fast pan"]  # the prompt, then the negative prompt (guidance > 1)
    assert sidecar["settings"]["options"]["prompt"] == "the sea waves slowly"
    assert sidecar["result"]["prompt"] == "the sea waves slowly" and sidecar["result"]["negative_prompt"] == "fast pan"


def test_a_first_last_frame_model_gets_the_still_as_its_last_frame_and_the_seam_is_recorded(tiny_wan_flf2v, still,
                                                                                            tmp_path):  # fmt: skip
    pipe = kept_pipeline("wan", tiny_wan_flf2v)
    seen = []
    hook = pipe.image_encoder.register_forward_pre_hook(
        lambda _m, args, kwargs: seen.append((args[0] if args else kwargs["pixel_values"]).clone()),
        with_kwargs=True)  # fmt: skip
    try:
        sidecar = run("wan", still, tiny_wan_flf2v, tmp_path, loop=True)
    finally:
        hook.remove()
    [images] = seen
    assert images.shape[0] == 2 and bool((images[0] == images[1]).all())  # first and last: the same still
    result = sidecar["result"]
    assert result["takes_last_frame"] == "required" and result["last_frame"] == "the still"
    assert sidecar["settings"]["loop"] is True
    frames = video_frames(tmp_path / "clip.mp4")
    measured = seam(np.stack(frames))
    assert result["seam"]["neighbour_median"] > 0
    assert result["seam"]["ratio"] == pytest.approx(result["seam"]["last_to_first"] / result["seam"]["neighbour_median"],
                                                    abs=1e-2)  # fmt: skip
    assert measured["last_to_first"] == pytest.approx(result["seam"]["last_to_first"], abs=3)  # after H.264


def test_an_ltx_095_model_loads_as_a_condition_pipeline_and_loops_on_the_still(tiny_ltx_condition, still, tmp_path,
                                                                              monkeypatch):  # fmt: skip
    """A folder saved as LTXConditionPipeline (LTX-Video 0.9.5 and later) runs as one under the ltx backend;
    with pad.strategy loop the still conditions the last frame too: the VAE encodes it twice."""
    pipe = kept_pipeline("ltx", tiny_ltx_condition)
    assert type(pipe).__name__ == "LTXConditionPipeline"
    assert type(kept_pipeline("ltx", tiny_ltx_condition)) is type(pipe)
    encoded = []
    encode = pipe.vae.encode
    monkeypatch.setattr(pipe.vae, "encode", lambda x, *a, **k: encoded.append(x.clone()) or encode(x, *a, **k))
    sidecar = run("ltx", still, tiny_ltx_condition, tmp_path / "loop", loop=True)
    assert len(encoded) == 2 and torch.equal(encoded[0], encoded[1])  # the still, at frame 0 and at frame 8
    result = sidecar["result"]
    assert result["takes_last_frame"] == "optional" and result["last_frame"] == "the still"
    assert sidecar["settings"]["loop"] is True and result["frames"] == 9
    assert video_facts(tmp_path / "loop" / "clip.mp4")["frames"] == 9
    encoded.clear()
    sidecar = run("ltx", still, tiny_ltx_condition, tmp_path / "once")
    assert len(encoded) == 1 and sidecar["result"]["last_frame"] is None  # not a loop: the first frame only
    assert md5_of_frames(tmp_path / "loop" / "clip.mp4") != md5_of_frames(tmp_path / "once" / "clip.mp4")
    run("ltx", still, tiny_ltx_condition, tmp_path / "again")
    assert md5_of_frames(tmp_path / "again" / "clip.mp4") == md5_of_frames(tmp_path / "once" / "clip.mp4")
    loader.release()


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_a_model_without_a_last_frame_never_gets_one(name, fixture, still, tmp_path, request):
    model = request.getfixturevalue(fixture)
    sidecar = run(name, still, model, tmp_path, loop=True)
    assert sidecar["result"]["takes_last_frame"] is None and sidecar["result"]["last_frame"] is None


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_out_of_memory_retries_with_vae_tiling_then_falls_back(name, fixture, still, tmp_path, monkeypatch, request):
    model = request.getfixturevalue(fixture)
    monkeypatch.setenv(faults.ENV, "oom_untiled")
    with pytest.raises(GenerationFailed, match=r"out of memory \(vae_tiling off, offload none\).*attempt 1 of 3"):
        run(name, still, model, tmp_path)
    sidecar = run(name, still, model, tmp_path, attempt=2)
    assert sidecar["backend"] == name and sidecar["result"]["memory"] == {"vae_tiling": True, "offload": "none"}
    monkeypatch.setenv(faults.ENV, "oom_decode_above=0")
    sidecar = run(name, still, model, tmp_path, attempt=3)
    assert sidecar["backend"] == "kenburns" and sidecar["requested_backend"] == name
    assert sidecar["fallback"]["from"] == name and "out of memory (vae_tiling on, offload model)" in \
        sidecar["fallback"]["reason"]  # fmt: skip


@pytest.mark.parametrize("name, fixture", [("wan", "tiny_wan"), ("ltx", "tiny_ltx")])
def test_group_offload_gives_the_same_frames_and_an_fp32_redo_sticks(name, fixture, monkeypatch, request):
    """offload: group through podmotion's placement (CPU to CPU here; the CUDA streams need a GPU):
    diffusers' hooks on every component, the same frames as the plain pipeline, and the decode redone in
    fp32 after half-precision NaNs with the VAE's weights still fp32 after the call."""
    from diffusers.hooks.group_offloading import _is_group_offload_enabled

    spec = ModelSpec(str(request.getfixturevalue(fixture)), None, None, "bf16", name)
    m = MEMBERS[name]
    still = scene_picture(2, 64, 64)
    knobs = ClipKnobs(width=64, height=64, num_frames=9, fps=24, num_inference_steps=2, seed=5,
                      call=m.call_kwargs(tiny_i2v_options(name, spec.model)))  # fmt: skip
    plain, grouped = loader._from_pretrained(spec), loader._from_pretrained(spec)
    loader.offload(plain, "none", "cpu")
    loader.offload(grouped, "group", "cpu")
    assert all(_is_group_offload_enabled(part) for part in (grouped.transformer, grouped.vae, grouped.text_encoder))
    assert not _is_group_offload_enabled(plain.transformer)
    frames, report = generate_clip(grouped, m.denoiser, still, knobs, "scene_001.png", name=name)
    expected, _ = generate_clip(plain, m.denoiser, still, knobs, "scene_001.png", name=name)
    assert report["redo"] == [] and np.array_equal(frames, expected)

    monkeypatch.setenv(faults.ENV, "nan_decode=half")
    frames, report = generate_clip(grouped, m.denoiser, still, knobs, "scene_001.png", name=name)
    expected, _ = generate_clip(plain, m.denoiser, still, knobs, "scene_001.png", name=name)
    assert report["redo"] == ["decode in fp32: non-finite (NaN or inf) in bf16"]
    assert report["precision"] == {"denoise": "bf16", "decode": "fp32"}
    assert {p.dtype for p in grouped.vae.parameters()} == {torch.float32}
    assert np.array_equal(frames, expected)


@pytest.mark.parametrize("name, model, words", [
    ("wan", "Wan-AI/Wan2.2-TI2V-5B-Diffusers", "hf download Wan-AI/Wan2.2-TI2V-5B-Diffusers"),
    ("ltx", "Lightricks/LTX-Video", "hf download Lightricks/LTX-Video")])  # fmt: skip
def test_missing_weights_are_one_line_per_member(name, model, words, tmp_path, monkeypatch, tiny_svd):
    import subprocess
    import sys

    code = ("import sys\nfrom podmotion.i2v.weights import ModelSpec, missing_before_run\n"
            "print(missing_before_run(ModelSpec(sys.argv[1], member=sys.argv[2])))\n"
            "print(missing_before_run(ModelSpec(sys.argv[3], member=sys.argv[2])))")  # fmt: skip
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code, model, name, str(tiny_svd)], capture_output=True, text=True,
                         env=env, check=True).stdout.splitlines()  # fmt: skip
    assert len(out) == 2 and words in out[0] and f"or set animate.{name}.model to a local folder" in out[0]
    classes = {"wan": "WanImageToVideoPipeline, WanPipeline",
               "ltx": "LTXImageToVideoPipeline, LTXPipeline, LTXConditionPipeline"}[name]  # fmt: skip
    assert out[1] == f"holds a StableVideoDiffusionPipeline, not a {name} pipeline ({classes})"
