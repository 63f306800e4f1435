"""What each scene's animate and pad jobs get (podmotion.job_settings): the decisions common.smk used to make."""

from __future__ import annotations

from fractions import Fraction

import pytest

from podmotion.episode import Episode, OutputSettings
from podmotion.ffmpeg import EncoderSettings
from podmotion.job_settings import BackendChoice, animate_job_settings, pad_job_settings, seed_of
from podmotion.media import SourceInfo
from podmotion.scene_folder import Scene, scene_label, write_scene_folder
from podmotion.settings import schema_defaults
from podmotion.timeline import scene_seed

BT709 = {"matrix": "bt709", "range": "tv", "primaries": "bt709", "transfer": "bt709", "said": True}  # the default colour
OUT = OutputSettings(320, 180, Fraction(30000, 1001), EncoderSettings(crf=20, preset="slow", keyint_frames=120,
                                                                     level="4.0"))  # fmt: skip


def config(**overrides) -> dict:
    animate = schema_defaults("animate")
    for name in ("kenburns", "svd", "wan", "ltx"):
        animate[name] = schema_defaults("animate", name)
    return {"animate": {**animate, "seed": 7}, "pad": schema_defaults("pad"), "overrides": overrides}


def test_the_seed_is_derived_per_scene_unless_the_scene_sets_its_own():
    cfg = config(ep={"2": {"animate": {"seed": 99}}})
    assert seed_of(cfg, "ep", 1) == scene_seed(7, 1) != scene_seed(7, 3) == seed_of(cfg, "ep", 3)
    assert seed_of(cfg, "ep", 2) == 99


def test_animate_settings_keep_what_shapes_the_clip_and_drop_how_to_run_it():
    cfg = config(ep={"1": {"animate": {"svd": {"motion_bucket_id": 180, "offload": "model"}}}})
    got = animate_job_settings(cfg, "ep", 1, "svd", output=OUT, n_frames=91, art_box=[0, 0, 64, 64])
    assert got["options"]["motion_bucket_id"] == 180
    assert not {"offload", "retries", "worker", "device", "on_error", "fallback"} & set(got["options"])
    assert got["seed"] == scene_seed(7, 1) and got["art_box"] == [0, 0, 64, 64]
    assert got["max_duration_s"] == pytest.approx(91 * 1001 / 30000)
    assert (got["width"], got["height"], got["fps"]) == (320, 180, "30000/1001")
    assert got["encoder"] == {"crf": 20, "level": "4.0", "colour": BT709}  # the clip is re-encoded by the padder: quality only
    assert "loop" not in got


def test_a_seedless_backend_gets_seed_zero_so_a_new_seed_does_not_rerun_it():
    assert animate_job_settings(config(), "ep", 4, "still", output=OUT, n_frames=10, art_box=None)["seed"] == 0


def test_loop_is_a_setting_only_for_a_backend_it_shapes():
    cfg = config(ep={"1": {"pad": {"strategy": "loop"}}, "2": {"pad": {"strategy": "loop"}}})
    assert animate_job_settings(cfg, "ep", 1, "wan", output=OUT, n_frames=10, art_box=None)["loop"] is True
    assert "loop" not in animate_job_settings(cfg, "ep", 2, "kenburns", output=OUT, n_frames=10, art_box=None)


def test_a_scene_prompt_file_is_under_the_override_and_over_the_default():
    cfg = config(ep={"2": {"animate": {"wan": {"prompt": "from the override"}}}})
    one = animate_job_settings(cfg, "ep", 1, "wan", output=OUT, n_frames=10, art_box=None, scene_prompt="from the file")
    two = animate_job_settings(cfg, "ep", 2, "wan", output=OUT, n_frames=10, art_box=None, scene_prompt="from the file")
    three = animate_job_settings(cfg, "ep", 3, "wan", output=OUT, n_frames=10, art_box=None)
    default = schema_defaults("animate", "wan")["prompt"]
    assert [s["options"]["prompt"] for s in (one, two, three)] == ["from the file", "from the override", default]
    assert default.startswith("gentle natural motion")
    svd = animate_job_settings(cfg, "ep", 1, "svd", output=OUT, n_frames=10, art_box=None, scene_prompt="from the file")
    assert "prompt" not in svd["options"]  # svd takes no prompt: its scenes don't rerun when a file changes


def test_pad_settings_carry_the_frame_count_strategy_and_the_full_encoder():
    cfg = config(ep={"3": {"pad": {"strategy": "freeze"}, "animate": {"interpolate": "blend"}}})
    got = pad_job_settings(cfg, "ep", 3, output=OUT, n_frames=77)
    assert (got["n_frames"], got["strategy"], got["fit"], got["interpolate"]) == (77, "freeze", "cover", "blend")
    assert got["encoder"] == {"crf": 20, "preset": "slow", "keyint_frames": 120, "level": "4.0", "colour": BT709}
    assert pad_job_settings(cfg, "ep", 1, output=OUT, n_frames=5)["strategy"] == "pingpong"


def test_auto_is_decided_once_per_run_and_said_once():
    decided, said = [], []

    def decide(svd_options):
        decided.append(svd_options)
        return "kenburns", "PyTorch sees no CUDA device"

    choose = BackendChoice({"model": "m"}, said.append, decide=decide)
    assert [choose("auto"), choose("svd"), choose("auto"), choose("still")] == ["kenburns", "svd", "kenburns", "still"]
    assert decided == [{"model": "m"}]
    assert said == ["podmotion: animate.backend auto -> kenburns (PyTorch sees no CUDA device)"]
    # the real decision on this machine, which has no CUDA device
    said.clear()
    assert BackendChoice(schema_defaults("animate", "svd"), said.append)("auto") == "kenburns"
    assert len(said) == 1 and said[0].startswith("podmotion: animate.backend auto -> kenburns (")


def test_an_episode_is_loaded_once_per_state_of_its_scene_folder(tmp_path):
    info = SourceInfo(path="x.mp4", width=320, height=180, sample_aspect_ratio="1/1", rotation_deg=0,
                      display_width=320, display_height=180, fps="25/1", is_vfr=False, duration_s=4.0,
                      has_audio=True, audio_codec="aac")  # fmt: skip
    scenes = [Scene(1, 0, 50, 0.0, 2.0), Scene(2, 50, 100, 2.0, 4.0)]

    def write(cuts):
        with write_scene_folder(tmp_path / "scenes") as folder:
            folder.write_timestamps(cuts)
            folder.write_source(info)
            for s in cuts:
                folder.still_path(scene_label(s.scene)).write_bytes(b"")

    write(scenes)
    first = Episode.of_folder(tmp_path / "scenes", {"fps": 5})
    assert Episode.of_folder(tmp_path / "scenes", {"fps": 5}) is first  # kept
    assert Episode.of_folder(tmp_path / "scenes", {"fps": 10}).frame_ranges == {1: (0, 20), 2: (20, 40)}
    assert first.frame_ranges == {1: (0, 10), 2: (10, 20)}
    write([Scene(1, 0, 75, 0.0, 3.0), Scene(2, 75, 100, 3.0, 4.0)])  # detected again: a new folder state
    again = Episode.of_folder(tmp_path / "scenes", {"fps": 5})
    assert again is not first and again.frame_ranges == {1: (0, 15), 2: (15, 20)}


def test_a_scene_long_ken_burns_clip_is_encoded_as_the_output_is():
    """kenburns the scene long: its clip is final, so it gets the output's whole encoder (the padder passes it
    on); an 8 s move, padded, and a generated clip get the near-lossless clip quality only."""
    scene_long = animate_job_settings(config(), "ep", 1, "kenburns", output=OUT, n_frames=91, art_box=None)
    assert scene_long["final"] is True
    assert scene_long["encoder"] == {"crf": 20, "preset": "slow", "keyint_frames": 120, "level": "4.0", "colour": BT709}
    cfg = config(ep={"2": {"animate": {"kenburns": {"duration_s": 8.0}}}})
    short = animate_job_settings(cfg, "ep", 2, "kenburns", output=OUT, n_frames=91, art_box=None)
    assert "final" not in short and short["encoder"] == {"crf": 20, "level": "4.0", "colour": BT709}
    assert "final" not in animate_job_settings(config(), "ep", 1, "svd", output=OUT, n_frames=91, art_box=None)


def test_a_scene_long_clip_is_final_only_where_it_comes_out_at_the_output_size():
    cfg = config(ep={"2": {"pad": {"fit": "contain"}}})
    art = [10, 10, 100, 60]
    assert animate_job_settings(cfg, "ep", 1, "kenburns", output=OUT, n_frames=9, art_box=art,
                                still_size=(320, 180))["final"] is True  # fmt: skip
    for scene, box, size in ((1, art, (640, 360)), (1, art, None), (2, None, (320, 180))):
        got = animate_job_settings(cfg, "ep", scene, "kenburns", output=OUT, n_frames=9, art_box=box, still_size=size)
        assert "final" not in got and got["encoder"] == {"crf": 20, "level": "4.0", "colour": BT709}, (scene, box, size)


def test_with_live_regions_a_scene_is_encoded_at_the_output_settings_once():
    """The live pass encodes every frame of a still scene again at the output's settings: before it, a scene-long
    clip and its padded file get a backend clip's near-lossless, fast encoder (one and the same, so the padder
    still passes the clip on), not the output's; a short clip still gets the output's crf to start from."""
    near_lossless = {"crf": 14, "preset": "veryfast", "keyint_frames": 250, "level": "4.0", "colour": BT709}
    scene_long = animate_job_settings(config(), "ep", 1, "kenburns", output=OUT, n_frames=91, art_box=None, live=True)
    padded = pad_job_settings(config(), "ep", 1, output=OUT, n_frames=91, live=True)
    assert scene_long["final"] is True and scene_long["encoder"] == padded["encoder"] == near_lossless
    assert pad_job_settings(config(), "ep", 1, output=OUT, n_frames=91)["encoder"]["preset"] == "slow"
    cfg = config(ep={"2": {"animate": {"kenburns": {"duration_s": 8.0}}}})
    short = animate_job_settings(cfg, "ep", 2, "kenburns", output=OUT, n_frames=91, art_box=None, live=True)
    assert short["encoder"] == {"crf": 20, "level": "4.0", "colour": BT709}
