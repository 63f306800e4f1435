"""The resident model worker on the tiny random-weight model: reuse, isolation, crashes, hangs, same frames."""

from __future__ import annotations

import os

import pytest
from measure import md5_of_frames
from synth import scene_picture
from test_svd import run_svd

from podmotion.errors import GenerationFailed
from podmotion.media import write_image
from podmotion.i2v import faults, worker


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A workflow folder of its own (so a worker of its own), stopped afterwards."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    worker.stop(tmp_path)


@pytest.fixture
def stills(folder):
    paths = []
    for k in (1, 2):
        path = folder / f"scene_00{k}.png"
        write_image(scene_picture(k, 160, 90), path)
        paths.append(path)
    return paths


def _out(folder, name):
    out = folder / name
    out.mkdir()
    return out


def test_the_model_is_loaded_once_for_every_scene(stills, tiny_svd, folder):
    first = run_svd(stills[0], tiny_svd, _out(folder, "a"))["result"]
    second = run_svd(stills[1], tiny_svd, _out(folder, "b"))["result"]
    assert first["worker_pid"] == second["worker_pid"] != os.getpid()
    assert first["seconds_load"] > 0 and first["seconds_worker_start"] > 0
    assert second["seconds_load"] < 0.05 and second["seconds_worker_start"] == 0  # the model was resident


def test_the_same_frames_with_and_without_the_worker(stills, tiny_svd, folder):
    served = run_svd(stills[0], tiny_svd, _out(folder, "served"), seed=11)
    here = run_svd(stills[0], tiny_svd, _out(folder, "here"), seed=11, runtime={"worker": False})
    assert "worker_pid" in served["result"] and "worker_pid" not in here["result"]
    assert md5_of_frames(folder / "served" / "clip.mp4") == md5_of_frames(folder / "here" / "clip.mp4")


def test_a_model_loaded_another_way_is_never_reused(stills, tiny_svd, folder):
    fp32 = run_svd(stills[0], tiny_svd, _out(folder, "fp32"), dtype="fp32")["result"]
    bf16 = run_svd(stills[0], tiny_svd, _out(folder, "bf16"), dtype="bf16")["result"]
    assert fp32["worker_pid"] == bf16["worker_pid"]
    assert (fp32["dtype"], bf16["dtype"]) == ("fp32", "bf16") and bf16["seconds_load"] > 0  # loaded again


def test_two_workflow_folders_never_share_a_worker(tmp_path):
    assert worker.socket_path(tmp_path / "a") != worker.socket_path(tmp_path / "b")
    assert worker.socket_path(tmp_path / "a") == worker.socket_path(tmp_path / "a" / ".." / "a")


def test_a_crashed_worker_fails_its_scene_in_one_line_and_the_next_starts_fresh(stills, tiny_svd, folder,
                                                                                monkeypatch):  # fmt: skip
    first = run_svd(stills[1], tiny_svd, _out(folder, "before"))["result"]
    monkeypatch.setenv(faults.ENV, "crash@scene_001")
    with pytest.raises(GenerationFailed) as failed:
        run_svd(stills[0], tiny_svd, _out(folder, "crash"), runtime={"on_error": "fail"})
    assert failed.value.retryable and "\n" not in str(failed.value)
    assert "the resident model worker stopped" in str(failed.value) and "the next job starts a fresh one" in str(failed.value)
    monkeypatch.delenv(faults.ENV)
    after = run_svd(stills[0], tiny_svd, _out(folder, "after"))["result"]
    assert after["worker_pid"] != first["worker_pid"] and after["seconds_load"] > 0


def test_a_hung_worker_fails_its_scene_after_the_timeout(stills, tiny_svd, folder, monkeypatch):
    monkeypatch.setenv(faults.ENV, "hang=60@scene_001")
    with pytest.raises(GenerationFailed, match=r"the resident model worker did not answer within 3 s"):
        run_svd(stills[0], tiny_svd, _out(folder, "hang"), runtime={"on_error": "fail", "worker_timeout_s": 3})
    monkeypatch.delenv(faults.ENV)
    assert run_svd(stills[1], tiny_svd, _out(folder, "next"))["result"]["frames"] == 4
