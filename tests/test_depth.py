"""Depth maps for the parallax move: a real (random-weight) Depth Anything model loaded from disk, and depth images.

The model is transformers' own DepthAnythingForDepthEstimation with random
weights, saved with save_pretrained beside Depth-Anything-V2-Small-hf's image
processor settings, and loaded through podmotion's ``load`` as a downloaded one is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from synth import scene_picture

from podmotion.depth import DEFAULT_MODEL
from podmotion.depth.image import depth_image_problem, read_depth_image, write_depth_png
from podmotion.depth.model import DepthSpec, estimate, load
from podmotion.depth.random_model import build_model, build_processor, save_random_model
from podmotion.depth.weights import weights_present, weights_problem
from podmotion.errors import GenerationFailed, PodmotionError

KEY = "animate.parallax.model"


@pytest.fixture(scope="module")
def tiny_depth(tmp_path_factory) -> Path:
    return save_random_model(tmp_path_factory.mktemp("depth") / "tiny")


@pytest.fixture(scope="module")
def picture() -> np.ndarray:
    return scene_picture(3, 200, 120)  # HxWx3 uint8, not square


@pytest.fixture
def threads_restored():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def one_line(text: str) -> bool:
    return "\n" not in text and text.strip() == text and len(text) > 0


# --- the model ---------------------------------------------------------------------------------------------------


def test_spec_from_options_defaults_and_key():
    assert DepthSpec.from_options({}) == DepthSpec(DEFAULT_MODEL, None, "cpu")
    spec = DepthSpec.from_options({"model": "/models/da", "revision": "abc", "device": "cuda"})
    assert (spec.model, spec.revision, spec.device, spec.key) == ("/models/da", "abc", "cuda", KEY)


def test_estimate_gives_a_near_is_one_map_of_the_picture_size(tiny_depth, picture, threads_restored):
    spec = DepthSpec(str(tiny_depth))
    depth = estimate(picture, spec, threads=2)
    assert torch.get_num_threads() == 2
    assert depth.shape == (120, 200) and depth.dtype == np.float32
    assert depth.min() >= 0.0 and depth.max() <= 1.0
    assert depth.min() == 0.0 and depth.max() == 1.0  # 1st/99th percentiles stretched to the ends, clipped
    assert np.array_equal(depth, estimate(picture, spec))  # deterministic

    # The model's own prediction (larger = nearer) keeps its sign: near = 1.
    processor, model = load(spec)
    with torch.inference_mode():
        raw = model(**processor(images=picture, return_tensors="pt")).predicted_depth[0].numpy()
    raw = cv2.resize(raw, (200, 120), interpolation=cv2.INTER_CUBIC)
    assert np.corrcoef(raw.ravel(), depth.ravel())[0, 1] > 0.95


def test_load_keeps_one_model_per_spec(tiny_depth):
    spec = DepthSpec(str(tiny_depth))
    processor, model = load(spec)
    again = load(DepthSpec(str(tiny_depth)))
    assert again[0] is processor and again[1] is model
    assert not model.training and next(model.parameters()).device.type == "cpu"
    assert type(model).__name__ == "DepthAnythingForDepthEstimation"
    assert processor.size == {"height": 518, "width": 518} and processor.keep_aspect_ratio
    assert list(processor.image_mean) == [0.485, 0.456, 0.406] and processor.resample == 3


def _saved_with_head(folder: Path, bias: float) -> Path:
    """A tiny model whose last convolution ignores its input: a constant prediction (or NaN everywhere)."""
    model = build_model()
    with torch.no_grad():
        model.head.conv3.weight.zero_()
        model.head.conv3.bias.fill_(bias)
    model.save_pretrained(folder)
    build_processor(140).save_pretrained(folder)
    return folder


def test_flat_prediction_gives_zeros(tmp_path, picture):
    depth = estimate(picture, DepthSpec(str(_saved_with_head(tmp_path / "flat", 2.0))))
    assert depth.shape == (120, 200) and depth.dtype == np.float32
    assert np.array_equal(depth, np.zeros((120, 200), np.float32))


def test_non_finite_prediction_is_an_error(tmp_path, picture):
    folder = _saved_with_head(tmp_path / "nan", float("nan"))
    with pytest.raises(GenerationFailed) as caught:
        estimate(picture, DepthSpec(str(folder)))
    assert one_line(str(caught.value)) and "not finite" in str(caught.value)


def test_load_of_a_folder_that_is_not_a_model_is_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GenerationFailed) as caught:
        load(DepthSpec(str(empty)))
    text = str(caught.value)
    assert one_line(text) and text.startswith(str(empty)) and KEY in text and "config.json" in text
    assert f"hf download {DEFAULT_MODEL} --local-dir {empty}" in text

    broken = tmp_path / "broken"  # every file a model folder has, none of them a model
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    (broken / "preprocessor_config.json").write_text("{}")
    (broken / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(GenerationFailed) as caught:
        load(DepthSpec(str(broken)))
    assert one_line(str(caught.value)) and "could not load the depth model" in str(caught.value)


def test_modules_import_without_torch():
    code = ("import sys, podmotion.depth.model, podmotion.depth.weights, podmotion.depth.image; "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


# --- the weights, checked before any job runs -----------------------------------------------------------------------


def test_weights_of_local_folders(tiny_depth, tmp_path):
    assert weights_present(DepthSpec(str(tiny_depth))) and weights_problem(DepthSpec(str(tiny_depth))) is None

    missing = tmp_path / "nowhere"
    text = weights_problem(DepthSpec(str(missing)))
    assert one_line(text) and text.startswith(f"{KEY} = {missing}: no such folder")
    assert f"`hf download {DEFAULT_MODEL} --local-dir {missing}`" in text
    assert not weights_present(DepthSpec(str(missing)))

    no_config = tmp_path / "no_config"
    no_config.mkdir()
    (no_config / "model.safetensors").write_bytes(b"")
    text = weights_problem(DepthSpec(str(no_config)))
    assert one_line(text) and text.startswith(f"{KEY} = {no_config}: not a transformers model folder (no config.json)")
    assert f"`hf download {DEFAULT_MODEL} --local-dir {no_config}`" in text

    no_weights = tmp_path / "no_weights"
    no_weights.mkdir()
    (no_weights / "config.json").write_text("{}")
    assert "no weights file" in weights_problem(DepthSpec(str(no_weights)))


@pytest.fixture
def empty_hf_cache(tmp_path, monkeypatch) -> Path:
    """An offline Hugging Face home in tmp_path (the cache path constant is read at import, so it is set too)."""
    from huggingface_hub import constants

    cache = tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def test_weights_of_a_hub_id(tiny_depth, empty_hf_cache):
    spec = DepthSpec()
    assert not weights_present(spec)
    text = weights_problem(spec)
    assert one_line(text)
    assert text == (f"{KEY} = {DEFAULT_MODEL}: depth model weights not found in the Hugging Face cache "
                    f"({empty_hf_cache}); fetch them once with `hf download {DEFAULT_MODEL}`, or set {KEY} to a "
                    "local folder")  # fmt: skip
    assert f"`hf download {DEFAULT_MODEL} --revision v2`" in weights_problem(DepthSpec(DEFAULT_MODEL, "v2"))

    # The same id once the cache holds it, laid out as `hf download` leaves it.
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = empty_hf_cache / f"models--{DEFAULT_MODEL.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    for file in tiny_depth.iterdir():
        (snapshot / file.name).symlink_to(file)
    assert weights_present(spec) and weights_problem(spec) is None
    (snapshot / "model.safetensors").unlink()
    assert "incomplete" in weights_problem(spec)


# --- depth images --------------------------------------------------------------------------------------------------


def test_depth_png_round_trip(tmp_path):
    yy, xx = np.mgrid[0:90, 0:160]
    depth = ((xx / 159.0) * 0.7 + (yy / 89.0) * 0.3).astype(np.float32)
    path = tmp_path / "depth.png"
    write_depth_png(path, depth)
    assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert list(tmp_path.iterdir()) == [path]  # no partial file left
    back = read_depth_image(path, 160, 90)
    assert back.dtype == np.float32 and back.shape == (90, 160)
    assert np.abs(back - depth).max() <= 2 / 65535
    assert depth_image_problem(path) is None


def test_depth_image_8_bit_rgb_and_resized(tmp_path):
    levels = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (36, 1))  # 64x36: 16:9, a ramp from far to near
    gray = tmp_path / "gray.png"
    cv2.imwrite(str(gray), levels)
    assert np.array_equal(read_depth_image(gray, 64, 36), levels / np.float32(255))

    rgb = tmp_path / "rgb.png"
    cv2.imwrite(str(rgb), np.dstack([levels] * 3))
    assert np.allclose(read_depth_image(rgb, 64, 36), levels / 255.0, atol=1 / 255)

    bigger = read_depth_image(gray, 1280, 720)  # up: linear
    assert bigger.shape == (720, 1280) and bigger.dtype == np.float32
    assert np.all(np.diff(bigger[360]) >= 0) and bigger[:, :10].mean() < 0.05 and bigger[:, -10:].mean() > 0.95
    smaller = read_depth_image(gray, 32, 18)  # down: area
    assert smaller.shape == (18, 32) and np.allclose(smaller[0], (levels[0, ::2] / 510.0 + levels[0, 1::2] / 510.0))
    assert read_depth_image(gray, 700, 400).shape == (400, 700)  # 1.6 % off the still's aspect ratio: allowed


def test_bad_depth_images_are_one_line_errors(tmp_path):
    text_file = tmp_path / "notes.png"
    text_file.write_text("not a picture\n")
    float_tiff = tmp_path / "float.tiff"
    assert cv2.imwrite(str(float_tiff), np.full((90, 160), 0.5, np.float32))
    square = tmp_path / "square.png"
    cv2.imwrite(str(square), np.zeros((400, 400), np.uint8))
    cases = {
        tmp_path / "missing.png": "depth image not found",
        text_file: "not an image",
        float_tiff: "not an 8- or 16-bit image",
        square: "is 400x400, the still is 1280x720: a depth image has the still's aspect ratio",
    }
    for path, problem in cases.items():
        with pytest.raises(PodmotionError) as caught:
            read_depth_image(path, 1280, 720)
        text = str(caught.value)
        assert one_line(text) and text.startswith(f"{path}: ") and problem in text
        found = depth_image_problem(path)
        if path == square:
            assert found is None  # the aspect ratio needs the still
        else:
            assert found == text
