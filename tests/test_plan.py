"""The run's plan (podmotion.plan): every decision common.smk used to make, called without Snakemake."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import IncompleteCheckpointException
from snakemake.utils import validate
from test_episode import SCENES, write_folder

from podmotion.plan import Plan, startup_problem

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


class Log:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, line: str) -> None:
        self.lines.append(line)

    warning = info


def config_of(tmp_path: Path, **sections) -> dict:
    """The shipped config with ``sections`` over it, checked and given its defaults as a run does."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    source = tmp_path / "ep.mp4"
    source.write_bytes(b"")
    config.update(podcasts={"ep": str(source)}, topics={}, **copy.deepcopy(sections))
    assert startup_problem(config, SCHEMA, validate, Log()) is None
    return config


def plan_of(tmp_path: Path, **sections) -> Plan:
    write_folder(tmp_path / "scenes")
    return Plan(config_of(tmp_path, **sections), lambda name: str(tmp_path / "scenes"), Log().info, Log().info)


def not_detected(name: str) -> str:
    raise IncompleteCheckpointException(None, None)


def test_each_scene_gets_its_backend_and_its_fallbacks(tmp_path):
    weights = tmp_path / "svd"  # a local pipeline folder: what the config check looks for
    weights.mkdir()
    (weights / "model_index.json").write_text('{"_class_name": "StableVideoDiffusionPipeline"}')
    plan = plan_of(tmp_path, animate={"backend": "kenburns", "svd": {"model": str(weights)}},
                   overrides={"ep": {"2": {"animate": {"backend": "svd"}}}})  # fmt: skip
    assert plan.chain("ep", 1) == ["kenburns"]
    assert plan.chain("ep", 2)[0] == "svd" and "kenburns" in plan.chain("ep", 2)
    assert (plan.gpus("ep", 1), plan.gpus("ep", 2)) == (0, 1)
    assert plan.api_slots("ep", 2, "runway") == 0
    assert plan.mem_mb("animate", "ep", 2) > plan.mem_mb("animate", "ep", 1)  # a model's clip holds more


def test_auto_is_decided_once_and_said_once(tmp_path):
    said = Log()
    write_folder(tmp_path / "scenes")
    plan = Plan(config_of(tmp_path), lambda name: str(tmp_path / "scenes"), said.info)
    assert {plan.backend("ep", 1), plan.backend("ep", 2)} == {plan.backend("ep", 1)}
    assert len(said.lines) == 1 and "animate.backend auto ->" in said.lines[0]


def test_a_scene_made_footage_is_passed_through_and_joined_as_such(tmp_path):
    plan = plan_of(tmp_path, overrides={"ep": {"2": {"kind": "footage"}}})
    assert [plan.kind("ep", s.scene) for s in SCENES] == ["still", "footage"]
    assert plan.clips("ep") == ["results/ep/clips/scene_001.mp4", "results/ep/footage/scene_002.mp4"]
    assert plan.joined("ep") == ["results/ep/live/scene_001.mp4", "results/ep/footage/scene_002.mp4"]
    assert plan.sidecars("ep")[1] == "results/ep/footage/scene_002.json"
    assert plan.footage_settings("ep", 2)["n_frames"] == plan.episode("ep").n_frames(2)


def test_a_scene_s_jobs_get_its_frames_its_art_and_the_live_regions(tmp_path):
    plan = plan_of(tmp_path, animate={"backend": "kenburns"})
    settings = plan.animate_settings("ep", 2)
    assert settings["art_box"] == [8, 0, 48, 28] and settings["backend"] == "kenburns"
    assert settings["max_duration_s"] == pytest.approx(plan.episode("ep").n_frames(2) / 25, abs=0.05)
    assert [list(b) for b in plan.live_boxes("ep")] == [[0, 28, 64, 8]]  # the layout's live strip, at the output's size
    assert plan.live_settings("ep", 2)["first_frame"] == plan.episode("ep").frame_ranges[2][0]
    assert plan.pad_settings("ep", 1)["n_frames"] == plan.episode("ep").n_frames(1)
    frozen = plan_of(tmp_path / "frozen", layout={"live": "freeze"})
    assert frozen.live_boxes("ep") == [] and frozen.joined("ep")[0].startswith("results/ep/padded/")


def test_before_detection_the_plan_waits_and_declares_for_1080p(tmp_path):
    plan = Plan(config_of(tmp_path), not_detected, Log().info, Log().info)
    assert "results/ep/scenes" in plan.targets() and "results/ep/ep_animated.mp4" in plan.targets()
    assert plan.sizes("ep") == ((1920, 1080),) * 3
    assert plan.mem_mb("report", "ep") > plan.mem_mb("pad", "ep") > 0
    with pytest.raises(IncompleteCheckpointException):  # a job's input asked for now waits for detection
        plan.still("ep", "001")


def test_a_cloud_scene_is_in_the_estimate_and_waits_for_it(tmp_path, monkeypatch):
    monkeypatch.setenv("FAL_KEY", "test-key")
    plan = plan_of(tmp_path, animate={"backend": "kenburns"}, overrides={"ep": {"1": {"animate": {"backend": "fal"}}}})
    entries = plan.cloud_plan("ep")
    assert [(e["scene"], e["provider"]) for e in entries] == [(1, "fal")]
    assert entries[0]["still"].endswith("scene_001.png") and entries[0]["price_per_s"] > 0
    assert (plan.waits_for_estimate("ep", 1), plan.waits_for_estimate("ep", 2)) == (True, False)
    assert plan.api_slots("ep", 1, "fal") == 1


def test_the_closing_lines_name_the_episodes_the_run_touched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = config_of(tmp_path)
    config["podcasts"]["other"] = config["podcasts"]["ep"]
    plan = Plan(config, not_detected, Log().info, Log().info)
    assert plan.touched(None, []) == ["ep", "other"]
    assert plan.touched({"other"}, []) == ["other"]
    assert plan.touched(set(), ["results/ep/ep_animated.mp4"]) == ["ep"]
    said = plan.finish(False, {"ep"}, [])
    assert said == [("info", "podmotion: ep: not finished (no results/ep/ep_animated.mp4)")]


def test_a_bad_config_stops_the_run_in_one_line_and_a_missing_source_warns(tmp_path):
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["podcasts"] = {"gone": str(tmp_path / "gone.mp4")}
    log = Log()
    assert startup_problem(copy.deepcopy(config), SCHEMA, validate, log) is None
    assert log.lines == [f"podcasts: gone: {tmp_path / 'gone.mp4'}: file not found; this episode will fail, "
                         "the others are built"]  # fmt: skip
    config["animate"]["backend"] = "warp"
    problem = startup_problem(config, SCHEMA, validate, log)
    assert problem and "\n" not in problem and "warp" in problem


def test_the_source_is_one_input_file_or_none_when_missing(tmp_path):
    config = config_of(tmp_path)
    plan = Plan(config, not_detected, Log().info, Log().info)
    assert plan.source("ep") == config["podcasts"]["ep"]  # a path, not a list: the rule's input.source is one file
    Path(config["podcasts"]["ep"]).unlink()
    assert plan.source("ep") == [] and plan.audio_source("ep") == []


def test_only_a_scene_that_may_move_through_depth_gets_a_depth_and_its_settings_say_what_makes_it(tmp_path):
    """Parallax per scene and as a fallback: the depth job's file is the animate job's input only there; a scene
    with its own depth image needs no model (the model is left out of its settings, so changing it reruns nothing);
    the memory of a depth job and of a parallax clip is declared."""
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "d2.png"), np.zeros((9, 16), np.uint16))
    assert plan_of(tmp_path, animate={"backend": "kenburns"}).depth_for("ep", 1) == []
    plan = plan_of(tmp_path, animate={"backend": "kenburns", "parallax": {"model": None}},
                   overrides={"ep": {"1": {"animate": {"backend": "still", "fallback": ["parallax"]}},
                                     "2": {"animate": {"backend": "parallax",
                                                       "parallax": {"depth_image": str(tmp_path / "d2.png")}}}}})  # fmt: skip
    assert plan.depth_for("ep", 1) == "results/ep/depth/scene_001.png"  # a fallback moves through depth too
    assert plan.depth_for("ep", 2) == "results/ep/depth/scene_002.png"
    assert plan.depth_input("ep", 2) == str(tmp_path / "d2.png") and plan.depth_input("ep", 1) == []
    assert plan.depth_settings("ep", 2) == {"art_box": plan.episode("ep").art_box(2),
                                            "depth_image": str(tmp_path / "d2.png")}  # fmt: skip
    assert plan.depth_settings("ep", 1)["model"] is None  # no model and no image: a flat move, with a warning
    assert "model" not in plan.animate_settings("ep", 2)["options"]  # the depth job's, not the clip's
    from podmotion import memory

    (out_w, out_h), (still_w, still_h), _ = plan.sizes("ep")
    assert plan.mem_mb("animate", "ep", 2) == memory.animate_mb(out_w, out_h, still_w, still_h, generated=False,
                                                                depth=True)  # its layers  # fmt: skip
    assert memory.animate_mb(1920, 1080, 1920, 1080, generated=False, depth=True) >= \
        memory.animate_mb(1920, 1080, 1920, 1080, generated=False) + 200
    assert plan.mem_mb("depth", "ep", 2) >= 1000  # the model, where it runs
