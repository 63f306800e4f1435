"""The svd speed knobs (animate.svd.compile, channels_last, attention) on the tiny random-weight model.

What each must keep: the same frames as the default for the same seed (up to rounding), a model
prepared one way is never served to a job that asked for another, and the sidecar says how the
model was prepared. Their speed is measured in benchmarks/svd_gpu.py, not here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REPO
from synth import scene_picture
from test_svd import run_svd

from podmotion.media import write_image
from podmotion.settings import config_problem, load_schema
from podmotion.i2v import loader, worker
from podmotion.i2v.generate import Knobs, generate
from podmotion.i2v.weights import ModelSpec

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")
KNOBS = Knobs(width=64, height=64, num_frames=4, fps=6, motion_bucket_id=127, noise_aug_strength=0.02,
              num_inference_steps=2, min_guidance_scale=1.0, max_guidance_scale=3.0, decode_chunk_size=4,
              seed=5)  # fmt: skip


def frames_with(model, preparation: loader.Preparation) -> tuple[np.ndarray, object]:
    pipe = loader.load_pipeline(ModelSpec(str(model), None, None, "fp32"), loader.Placement("cpu"), preparation)
    frames, _report = generate(pipe, scene_picture(2, 64, 64), KNOBS, "knobs")
    return frames, pipe


@pytest.fixture(scope="module")
def default_frames(tiny_svd):
    frames, pipe = frames_with(tiny_svd, loader.Preparation())
    assert loader.attention_kernels(pipe) == ["AttnProcessor2_0"]  # diffusers' default: PyTorch's SDPA
    return frames


def test_classic_attention_gives_the_same_frames_as_sdpa(tiny_svd, default_frames):
    frames, pipe = frames_with(tiny_svd, loader.Preparation(attention="classic"))
    assert loader.attention_kernels(pipe) == ["AttnProcessor"]
    diff = np.abs(frames.astype(int) - default_frames.astype(int))
    assert diff.max() <= 1 and diff.mean() < 0.01  # fp32: at most one uint8 level, on a few pixels


def test_channels_last_gives_the_same_frames(tiny_svd, default_frames):
    import torch

    frames, pipe = frames_with(tiny_svd, loader.Preparation(channels_last=True))
    convs = [m for part in (pipe.unet, pipe.vae) for m in part.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(m.weight.is_contiguous(memory_format=torch.channels_last) for m in convs)
    assert not pipe.unet.conv_in.weight.is_contiguous()  # really reordered (a 3x3 kernel of 8 channels)
    diff = np.abs(frames.astype(int) - default_frames.astype(int))
    assert diff.max() <= 1 and diff.mean() < 0.01


def test_compile_reaches_the_unet_and_is_a_model_of_its_own(tiny_svd):
    """Compiling is not run here: the first call of the compiled tiny UNet takes about two minutes on 2 CPU cores."""
    spec, where = ModelSpec(str(tiny_svd), None, None, "fp32"), loader.Placement("cpu")
    plain = loader.load_pipeline(spec, where)
    assert plain.unet._compiled_call_impl is None
    compiled = loader.load_pipeline(spec, where, loader.Preparation.from_options({"compile": True}))
    assert compiled is not plain and compiled.unet._compiled_call_impl is not None
    assert type(compiled.unet).__name__ == "UNetSpatioTemporalConditionModel"  # in place: the pipeline's own module
    assert loader.load_pipeline(spec, where, loader.Preparation(compile=True)) is compiled  # kept
    loader.release()


def test_an_unknown_attention_is_refused_by_the_loader():
    with pytest.raises(ValueError, match="attention must be one of sdpa, classic"):
        loader.Preparation(attention="flash")


@pytest.mark.parametrize(
    "svd, words",
    [({"attention": "flash"}, "sdpa, classic"), ({"compile": "yes"}, "animate.svd.compile"),
     ({"channels_last": 1}, "animate.svd.channels_last")],
)  # fmt: skip
def test_bad_knob_values_are_refused_in_one_line(svd, words):
    problem = config_problem({"animate": {"backend": "svd", "svd": svd}}, SCHEMA)
    assert problem is not None and words in problem and "\n" not in problem


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    still = tmp_path / "scene_001.png"
    write_image(scene_picture(1, 160, 90), still)
    yield tmp_path, still
    worker.stop(tmp_path)


def test_the_worker_never_serves_a_model_prepared_another_way(folder, tiny_svd):
    tmp, still = folder
    results = {}
    for name, knobs in (("sdpa", {}), ("classic", {"attention": "classic"}), ("again", {"attention": "classic"}),
                        ("channels_last", {"attention": "classic", "channels_last": True})):  # fmt: skip
        (tmp / name).mkdir()
        sidecar = run_svd(still, tiny_svd, tmp / name, **knobs)
        results[name] = sidecar["result"]
        recorded = json.loads((tmp / name / "clip.json").read_text())
        assert recorded["result"]["prepared"] == sidecar["result"]["prepared"]
        assert {k: recorded["settings"]["options"][k] for k in ("compile", "channels_last", "attention")} == {
            "compile": False, "channels_last": False, "attention": "sdpa", **knobs}
    assert len({r["worker_pid"] for r in results.values()}) == 1  # one worker served them all
    assert results["sdpa"]["prepared"] == {"compile": False, "channels_last": False, "attention": "sdpa",
                                           "attention_kernels": ["AttnProcessor2_0"]}  # fmt: skip
    assert results["classic"]["prepared"]["attention_kernels"] == ["AttnProcessor"]  # not the resident SDPA model
    assert results["classic"]["seconds_load"] > 0 and results["channels_last"]["seconds_load"] > 0  # loaded again
    assert results["again"]["seconds_load"] < 0.05  # ... and kept for the next job that asks for the same
    assert results["channels_last"]["prepared"]["channels_last"] is True


# -- the GPU benchmark's own pieces --------------------------------------------------------


def test_the_gpu_benchmark_needs_no_opencv_pyav_ffmpeg_or_snakemake(tiny_svd):
    """The GPU machine has PyTorch, transformers and accelerate, and is given diffusers alone."""
    import subprocess
    import sys

    code = ("import sys\nsys.path.insert(0, sys.argv[1])\nimport svd_gpu\n"
            "import podmotion.i2v.loader, podmotion.i2v.generate, podmotion.i2v.random_model, podmotion.i2v.worker\n"
            "from pathlib import Path\nprint(svd_gpu.model_flops(Path(sys.argv[2]), 64, 64, 4)['batch'])\n"
            "print(sorted(m for m in ('cv2', 'av', 'imageio_ffmpeg', 'snakemake', 'jsonschema') if m in sys.modules))\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code, str(REPO / "benchmarks"), str(tiny_svd)], capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.split("\n")[:2] == ["2", "[]"]


def test_flops_are_counted_from_the_configs_on_the_meta_device(tmp_path):
    import sys

    import torch
    from diffusers import AutoencoderKLTemporalDecoder, UNetSpatioTemporalConditionModel

    from podmotion.i2v.random_model import FULL

    sys.path.insert(0, str(REPO / "benchmarks"))
    from svd_gpu import model_flops

    with torch.device("meta"):  # the published SVD-XT's configs, no weights
        UNetSpatioTemporalConditionModel(**FULL.unet).save_config(tmp_path / "unet")
        AutoencoderKLTemporalDecoder(**FULL.vae).save_config(tmp_path / "vae")
    guided = model_flops(tmp_path, 1024, 576, 25)
    unguided = model_flops(tmp_path, 1024, 576, 25, guided=False)
    assert guided["unet_flop_per_step"] == 2 * unguided["unet_flop_per_step"]  # guidance doubles the batch
    assert 155e12 < guided["unet_flop_per_step"] < 165e12  # 159.9 TFLOP per step at 1024x576, 25 frames
    assert 6.5e12 < guided["vae_flop_per_frame"] < 7.5e12  # 6.94 TFLOP to decode one frame
    assert model_flops(tmp_path, 1024, 576, 14)["vae_flop_per_frame"] == guided["vae_flop_per_frame"]
