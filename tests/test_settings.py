"""Config: one-line messages, per-scene merging, output size and rate."""

from fractions import Fraction
from pathlib import Path

import pytest

from podmotion.episode import output_settings
from podmotion.media import SourceInfo
from podmotion.settings import config_problem, load_schema, normalise, scene_settings

SCHEMA = load_schema(Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml")


@pytest.mark.parametrize(
    ("config", "line"),
    [
        ({"animate": {"backend": "magic"}}, "config: animate.backend = 'magic' is not allowed; allowed values: auto, svd, wan, ltx, runway, fal, kenburns, parallax, still"),
        ({"animate": {"bakend": "still"}}, "config: unknown key animate.bakend; allowed keys here: backend, fal, fallback, interpolate, kenburns, ltx, parallax, runway, seed, svd, wan"),
        ({"output": {"crf": 60}}, "config: output.crf = 60: 60 is greater than the maximum of 51"),
        ({"overrides": {"ep": {3: {"pad": {"strategy": "zigzag"}}}}}, "config: overrides.ep.3.pad.strategy = 'zigzag' is not allowed; allowed values: pingpong, loop, freeze"),
        ({"podcasts": {"my episode": "a.mp4"}}, "config: podcasts: 'my episode' does not match"),
        ({"output": {"fps": "100000/1"}}, "config: output.fps = '100000/1' is not allowed; allowed: 1 to 240 frames per second"),
        ({"output": {"fps": "1/5000"}}, "config: output.fps = '1/5000' is not allowed; allowed: 1 to 240"),
        ({"output": {"fps": 0.5}}, "config: output.fps = 0.5: 0.5 is less than the minimum of 1"),
    ],
)
def test_problems_are_one_line_naming_the_key(config, line):
    message = config_problem(normalise(config), SCHEMA)
    assert message.startswith(line) and "\n" not in message


def test_a_valid_config_has_no_problem():
    config = {"podcasts": {"ep-1.x": "a b.mp4"}, "overrides": {"ep-1.x": {12: {"animate": {"seed": 5}}}}}
    assert config_problem(normalise(config), SCHEMA) is None


def test_an_override_changes_only_what_it_names():
    config = {
        "animate": {"backend": "kenburns", "seed": 0, "kenburns": {"duration_s": 8.0, "zoom": 1.15, "pan": 0.6}},
        "pad": {"strategy": "pingpong", "fit": "cover"},
        "overrides": {"ep": {"2": {"animate": {"kenburns": {"zoom": 1.5}}, "pad": {"fit": "contain"}}}},
    }
    two, three = scene_settings(config, "ep", 2), scene_settings(config, "ep", 3)
    assert two["animate"]["kenburns"] == {"duration_s": 8.0, "zoom": 1.5, "pan": 0.6}
    assert two["pad"] == {"strategy": "pingpong", "fit": "contain"}
    assert three["animate"]["kenburns"]["zoom"] == 1.15 and three["pad"]["fit"] == "cover"


def source(**kw):
    base = dict(path="x.mp4", width=1440, height=1080, sample_aspect_ratio="4/3", rotation_deg=0, display_width=1920,
                display_height=1080, fps="30000/1001", is_vfr=False, duration_s=10.0, has_audio=True, audio_codec="aac")  # fmt: skip
    base.update(kw)
    return SourceInfo(**base)


def test_output_defaults_to_the_source_display_size_and_rate():
    out = output_settings({"keyframe_interval_s": 2.0}, source())
    assert (out.width, out.height, out.fps) == (1920, 1080, Fraction(30000, 1001))
    assert out.encoder.keyint_frames == 60


def test_one_dimension_given_the_other_follows_the_aspect():
    assert (output_settings({"width": 1280}, source()).height) == 720
    assert (output_settings({"height": 480}, source()).width) == 854
    assert output_settings({"fps": "24000/1001"}, source()).fps == Fraction(24000, 1001)
    assert output_settings({"fps": 12.5}, source()).fps == Fraction(25, 2)
    assert output_settings({"fps": "90000/3001"}, source()).fps == Fraction(90000, 3001)  # exact, not approximated
    assert output_settings({"fps": 29.97}, source()).fps == Fraction(2997, 100)


def test_a_scene_too_short_for_the_output_rate_owns_no_frame_and_is_skipped(tmp_path):
    from podmotion.episode import Episode
    from podmotion.scene_folder import Scene, scene_label, write_scene_folder

    scenes = [Scene(1, 0, 50, 0.0, 2.0), Scene(2, 50, 51, 2.0, 2.04), Scene(3, 51, 100, 2.04, 4.0)]
    with write_scene_folder(tmp_path / "scenes") as folder:
        folder.write_timestamps(scenes)
        folder.write_source(source(duration_s=4.0, fps="25/1"))
        for s in scenes:
            folder.still_path(scene_label(s.scene)).write_bytes(b"")
    ep = Episode.load(tmp_path / "scenes", {"fps": 5})
    assert ep.frame_ranges == {1: (0, 10), 2: (10, 10), 3: (10, 20)}
    assert ep.playable_scenes() == [1, 3]
    assert Episode.load(tmp_path / "scenes", {}).playable_scenes() == [1, 2, 3]  # at the source's 25 fps it has one


def test_an_episode_named_off_must_be_quoted():
    import yaml

    config = yaml.safe_load("podcasts:\n  off: a.mp4\n")
    assert config_problem(normalise(config), SCHEMA).startswith("config: podcasts: episode name False is not text")
    config = yaml.safe_load("podcasts:\n  'off': a.mp4\noverrides:\n  off: {2: {pad: {fit: contain}}}\n")
    assert config_problem(normalise(config), SCHEMA).startswith("config: overrides: episode name False is not text")


def test_a_scene_s_settings_share_nothing_with_the_config():
    """Each job gets its own copy: changing one scene's settings changes neither the config nor another scene's."""
    config = {
        "animate": {"backend": "svd", "svd": {"prompt_list": ["a", "b"], "guidance": {"min": 1.0}}},
        "pad": {"strategy": "pingpong", "drift": None},
        "overrides": {"ep": {"2": {"animate": {"svd": {"guidance": {"max": 3.0}, "extra": [1]}}}}},
    }
    one, two = scene_settings(config, "ep", 1), scene_settings(config, "ep", 2)
    assert two["animate"]["svd"] == {"prompt_list": ["a", "b"], "guidance": {"min": 1.0, "max": 3.0}, "extra": [1]}
    one["animate"]["svd"]["prompt_list"].append("c")
    one["animate"]["svd"]["guidance"]["min"] = 9.0
    two["animate"]["svd"]["extra"].append(2)
    assert config["animate"]["svd"] == {"prompt_list": ["a", "b"], "guidance": {"min": 1.0}}
    assert config["overrides"]["ep"]["2"]["animate"]["svd"]["extra"] == [1]
    assert scene_settings(config, "ep", 1) == {"animate": {"backend": "svd", "svd": {"prompt_list": ["a", "b"],
                                               "guidance": {"min": 1.0}}}, "pad": {"strategy": "pingpong", "drift": None}}  # fmt: skip
