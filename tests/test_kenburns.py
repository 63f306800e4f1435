"""Ken Burns: deterministic per seed, stays inside the picture, moves smoothly by sub-pixel steps."""

import math
from fractions import Fraction

import numpy as np
import pytest
from measure import md5_of_frames, video_facts, video_frames
from synth import fast_encoder, scene_picture

from podmotion.backends import AnimateRequest
from podmotion.backends.kenburns import animate, camera_path
from podmotion.fit import fit_frame
from podmotion.media import read_image, write_image


@pytest.fixture
def still(tmp_path):
    path = tmp_path / "still.png"
    write_image(scene_picture(3, 400, 300), path)
    return path


def request(still, out, seed, **kw):
    args = dict(image_path=still, out_path=out, width=160, height=90, fps=Fraction(25), max_duration_s=1.2,
                seed=seed, options={"duration_s": 8.0, "zoom": 1.2, "pan": 0.8},
                encoder=fast_encoder())  # fmt: skip
    args.update(kw)
    return AnimateRequest(**args)


def test_same_seed_same_clip_other_seed_other_clip(still, tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        animate(request(still, tmp_path / f"{name}.mp4", seed))
    assert md5_of_frames(tmp_path / "a.mp4") == md5_of_frames(tmp_path / "b.mp4")
    assert md5_of_frames(tmp_path / "a.mp4") != md5_of_frames(tmp_path / "c.mp4")


def test_clip_length_is_capped_by_the_scene(still, tmp_path):
    report = animate(request(still, tmp_path / "k.mp4", 1))
    facts = video_facts(tmp_path / "k.mp4")
    assert report["frames"] == facts["frames"] == 30  # 1.2 s at 25 fps, not the 8 s pass
    assert (facts["width"], facts["height"]) == (160, 90)


@pytest.mark.parametrize("seed", range(20))
def test_window_stays_inside_the_image_and_keeps_the_aspect(seed):
    for cx, cy, w in camera_path(400, 300, 160, 90, 50, seed, zoom=1.5, pan=1.0):
        h = w * 90 / 160
        assert w / 2 - 1e-6 <= cx <= 400 - w / 2 + 1e-6
        assert h / 2 - 1e-6 <= cy <= 300 - h / 2 + 1e-6


def test_motion_is_smooth_sub_pixel_and_eases_at_both_ends():
    path = camera_path(1920, 1080, 640, 360, 200, seed=3, zoom=1.2, pan=0.8)
    scale = [640 / w for _, _, w in path]
    # Camera speed in output pixels per frame: small, fractional, no whole-pixel steps.
    speed = [math.hypot((b[0] - a[0]) * s, (b[1] - a[1]) * s) for a, b, s in zip(path, path[1:], scale)]
    assert max(speed) < 1.5
    fractional = [v for v in speed if abs(v - round(v)) > 0.05]
    assert len(fractional) > 0.8 * len(speed)
    assert speed[0] < 0.05 * max(speed) and speed[-1] < 0.05 * max(speed)  # eases in and out
    accel = np.abs(np.diff(speed))
    assert accel.max() < 0.05  # no jerks


def test_rendered_frames_move_by_fractions_of_a_pixel(still, tmp_path):
    """Measure the motion in the pixels themselves: phase correlation between frames."""
    import cv2

    animate(request(still, tmp_path / "k.mp4", 5, width=320, height=180, max_duration_s=2.0,
                    options={"duration_s": 2.0, "zoom": 1.0, "pan": 1.0}))  # fmt: skip
    frames = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float64) for f in video_frames(tmp_path / "k.mp4")]
    shifts = [cv2.phaseCorrelate(a, b)[0] for a, b in zip(frames, frames[1:])]
    moves = [math.hypot(*s) for s in shifts]
    assert max(moves) > 0.3  # it does move
    middle = moves[len(moves) // 4 : 3 * len(moves) // 4]
    assert any(0.1 < abs(m - round(m)) < 0.9 for m in middle)  # by fractions of a pixel
    assert max(np.abs(np.diff(middle))) < 0.5  # and evenly, not in whole-pixel lurches


def test_contain_moves_over_the_whole_picture_at_its_own_aspect(tmp_path):
    square = tmp_path / "square.png"
    write_image(scene_picture(5, 300, 300), square)
    animate(request(square, tmp_path / "k.mp4", 3, fit="contain", options={"duration_s": 1.0, "zoom": 1.0, "pan": 1.0}))
    facts = video_facts(tmp_path / "k.mp4")
    assert (facts["width"], facts["height"]) == (90, 90)  # the padder letterboxes it into 160x90
    frames = [f.astype(float) for f in video_frames(tmp_path / "k.mp4")]
    whole = fit_frame(read_image(square), 90, 90, "contain").astype(float)
    assert np.abs(frames[0] - whole).mean() < 15  # the whole picture, not a 16:9 crop of it
    assert max(np.abs(f - frames[0]).mean() for f in frames) < 2  # no zoom, no room: it stays still
