"""The padder on real files: frame order, exact counts, fitting, resampling, cost."""

from fractions import Fraction

import numpy as np
import pytest
from measure import distinct_packets, video_facts, video_frames

from podmotion.ffmpeg import EncoderSettings, encode_frames
from podmotion.pad import pad_scene

ENC = EncoderSettings(crf=10, preset="veryfast", keyint_frames=25)


def marker_clip(path, n, fps, width=96, height=64):
    """Frame i is a flat grey of level 10 + 20·i: the index survives compression."""
    frames = [np.full((height, width, 3), 10 + 20 * i, np.uint8) for i in range(n)]
    encode_frames(frames, path, width=width, height=height, fps=fps, encoder=ENC)


def indices(path) -> list[int]:
    return [int(round((f[8:-8, 8:-8].mean() - 10) / 20)) for f in video_frames(path)]


def pad(tmp_path, n_frames, strategy, **kw):
    args = dict(n_frames=n_frames, width=96, height=64, fps=Fraction(25), clip_fps=Fraction(25), strategy=strategy,
                fit="cover", encoder=ENC)  # fmt: skip
    args.update(kw)
    out = tmp_path / "padded.mp4"
    report = pad_scene(tmp_path / "clip.mp4", out, **args)
    return out, report


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("pingpong", [0, 1, 2, 3, 4, 3, 2, 1] * 12 + [0, 1, 2, 3, 4, 3, 2]),
        ("loop", [0, 1, 2, 3, 4] * 20 + [0, 1, 2]),
        ("freeze", [0, 1, 2, 3, 4] + [4] * 98),
    ],
)
def test_frame_order_and_exact_count(tmp_path, strategy, expected):
    marker_clip(tmp_path / "clip.mp4", 5, Fraction(25))
    out, report = pad(tmp_path, 103, strategy)
    assert indices(out) == expected
    facts = video_facts(out)
    assert facts["frames"] == 103 and facts["fps"] == 25 and len(facts["pts_steps"]) == 1
    assert report["encoded_frames"] < 103
    assert distinct_packets(out) <= report["encoded_frames"]  # repeats are copies of encoded packets


def test_trims_a_clip_longer_than_the_scene(tmp_path):
    marker_clip(tmp_path / "clip.mp4", 10, Fraction(25))
    out, _ = pad(tmp_path, 4, "pingpong")
    assert indices(out) == [0, 1, 2, 3]


def test_a_slow_clip_is_played_at_its_own_speed(tmp_path):
    marker_clip(tmp_path / "clip.mp4", 4, Fraction(10))  # 0.4 s at 10 fps
    out, report = pad(tmp_path, 10, "loop", interpolate="repeat", clip_fps=Fraction(10))
    assert report["clip_fps"] == "10" and report["interpolate"] == "repeat"
    assert indices(out) == [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]  # 2.5 output frames per clip frame


@pytest.mark.parametrize("mode", ["blend", "flow"])
def test_a_slow_clip_is_interpolated_between_its_frames(tmp_path, mode):
    """The in-between frames lie between their neighbours, the last is not held, and ping-pong turns smoothly."""
    marker_clip(tmp_path / "clip.mp4", 4, Fraction(10))  # levels 10, 30, 50, 70 at 0, 0.1, 0.2, 0.3 s
    out, report = pad(tmp_path, 20, "pingpong", interpolate=mode, clip_fps=Fraction(10))
    assert report["interpolate"] == mode
    levels = [f[8:-8, 8:-8].mean() for f in video_frames(out)]
    # Played: frame j at j/25 s is clip position j*0.4, j = 0..7 (the last at 2.8, then 3.0 would be past the
    # clip's last frame), level 10 + 8j; then back down and up again.
    played = [10 + 8 * j for j in range(8)]
    want = (played + played[-2:0:-1]) * 2
    assert len(levels) == 20
    assert np.abs(np.array(levels) - want[:20]).max() < 2.5, (levels, want[:20])
    assert all(abs(a - b) > 4 for a, b in zip(levels, levels[1:])), levels  # no frame shown twice: no stall


def test_an_hour_long_scene_costs_a_couple_of_periods(tmp_path):
    marker_clip(tmp_path / "clip.mp4", 5, Fraction(25))
    n = 25 * 60 * 60
    out, report = pad(tmp_path, n, "pingpong", encoder=EncoderSettings(crf=18, preset="ultrafast", keyint_frames=100))
    assert report["encoded_frames"] <= 2 * 104  # a period is 8 frames, unrolled to 104
    assert distinct_packets(out) <= 2 * 104  # measured in the file: 90000 frames, a couple hundred packets
    facts = video_facts(out)
    assert facts["frames"] == n and len(facts["pts_steps"]) == 1


@pytest.mark.parametrize("fit", ["cover", "contain"])
def test_fit_cover_crops_and_contain_letterboxes(tmp_path, fit):
    frame = np.full((64, 64, 3), 200, np.uint8)  # a square clip into a 96x64 output
    frame[:8], frame[-8:] = 0, 0  # black top and bottom rows: cover must crop them away
    encode_frames([frame], tmp_path / "clip.mp4", width=64, height=64, fps=Fraction(25), encoder=ENC)
    out, _ = pad(tmp_path, 3, "loop", fit=fit)
    first = video_frames(out)[0].astype(float)
    assert first.shape == (64, 96, 3)
    if fit == "cover":  # scaled to 96x96, centre 64 rows kept: the black rows (12 px when scaled) are gone
        assert first[:3].mean() > 170 and first[-3:].mean() > 170 and first[:, :8].mean() > 170
    else:  # 64x64 centred: 16 px black bands left and right, the black rows kept
        assert first[:, :14].mean() < 20 and first[:, -14:].mean() < 20
        assert first[20:44, 18:78].mean() > 170 and first[:6, 18:78].mean() < 30


def test_a_broken_clip_is_one_line_naming_it_and_leaves_nothing(tmp_path):
    from podmotion.errors import PodmotionError

    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x17" * 500)
    with pytest.raises(PodmotionError) as err:
        pad(tmp_path, 10, "loop")
    assert str(err.value).startswith(f"{tmp_path / 'clip.mp4'}: ") and "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_a_broken_still_is_one_line_naming_it(tmp_path):
    from podmotion.backends import BACKENDS, AnimateRequest
    from podmotion.errors import PodmotionError

    image = tmp_path / "scene_001.png"
    image.write_text("not a picture")
    request = AnimateRequest(image, tmp_path / "clip.mp4", 96, 64, Fraction(25), 1.0, seed=1, encoder=ENC)
    for name in ("still", "kenburns"):
        with pytest.raises(PodmotionError, match=f"^{image}: not a readable image$"):
            BACKENDS[name].animate(request)


def test_a_clip_at_an_odd_output_rate_is_not_resampled(tmp_path):
    odd = Fraction(787500, 26277)  # ~29.969 fps: a rate the MP4 timescale cannot hold exactly
    marker_clip(tmp_path / "clip.mp4", 12, odd)
    out, _ = pad(tmp_path, 30, "pingpong", fps=odd, clip_fps=odd)
    assert indices(out) == list(range(12)) + list(range(10, 0, -1)) + list(range(8))


def test_a_final_scene_long_clip_is_passed_on_without_a_second_encode(tmp_path):
    """A clip made with the output's encoder, with the scene's frames at its size and rate, is the padded scene
    byte for byte; one frame short, or made another way, it is encoded again."""
    marker_clip(tmp_path / "clip.mp4", 9, Fraction(25))
    out, report = pad(tmp_path, 9, "pingpong", clip_encoder=ENC)
    assert report["encoded_frames"] == 0 and "passed_on" in report
    assert out.read_bytes() == (tmp_path / "clip.mp4").read_bytes()
    out, report = pad(tmp_path, 10, "pingpong", clip_encoder=ENC)  # the scene has one frame more
    assert report["encoded_frames"] == 10 and indices(out) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 7]
    other = EncoderSettings(crf=12, preset="veryfast", keyint_frames=250)
    _, report = pad(tmp_path, 9, "pingpong", clip_encoder=other)
    assert report["encoded_frames"] == 9 and "passed_on" not in report
    _, report = pad(tmp_path, 9, "pingpong", clip_encoder=ENC, drift_zoom=1.05)  # drift changes every frame
    assert report["encoded_frames"] == 9 and report["drift"] is not None


def test_a_clip_with_the_scenes_frames_at_another_size_is_streamed_and_fitted(tmp_path):
    """A scene-long clip that is not the output's size (``fit: contain``, a pasted still larger than the output)
    is decoded, fitted and encoded frame by frame, not spilled whole to scratch."""
    marker_clip(tmp_path / "clip.mp4", 12, Fraction(25), width=192, height=128)
    out, report = pad(tmp_path, 12, "pingpong")
    assert "streamed" in report and report["encoded_frames"] == 12
    assert indices(out) == list(range(12))
    assert (video_facts(out)["width"], video_facts(out)["height"]) == (96, 64)
