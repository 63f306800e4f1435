"""Ken Burns: a tour the scene long, deterministic per seed, inside the picture, smooth, never turning back on
itself, and never faster than its cap."""

import math
from fractions import Fraction

import numpy as np
import pytest
from measure import md5_of_frames, video_facts, video_frames
from synth import fast_encoder, scene_picture

from podmotion.backends import AnimateRequest
from podmotion.backends.kenburns import animate
from podmotion.camera import Move, camera_path, eased, peak_speed
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


def test_an_old_style_move_is_capped_by_the_scene(still, tmp_path):
    report = animate(request(still, tmp_path / "k.mp4", 1))
    facts = video_facts(tmp_path / "k.mp4")
    assert report["frames"] == facts["frames"] == 30  # 1.2 s at 25 fps, not the 8 s pass
    assert (facts["width"], facts["height"]) == (160, 90)


@pytest.mark.parametrize("seed", range(20))
def test_window_stays_inside_the_image_and_keeps_the_aspect(seed):
    for cx, cy, w in camera_path(400, 300, 160, 90, 50, seed, Move(1.5, 1.0, None), fps=25):
        h = w * 90 / 160
        assert w / 2 - 1e-6 <= cx <= 400 - w / 2 + 1e-6
        assert h / 2 - 1e-6 <= cy <= 300 - h / 2 + 1e-6


def test_motion_is_smooth_sub_pixel_and_eases_at_both_ends():
    path = camera_path(1920, 1080, 640, 360, 200, 3, Move(1.2, 0.8), fps=25)  # at the default cap
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
                    options={"duration_s": 2.0, "zoom": 1.0, "pan": 1.0, "max_speed_widths_per_s": 0.05}))  # fmt: skip
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


def test_by_default_one_move_fills_the_scene_exactly_with_no_repeated_frame(still, tmp_path):
    """The default (``duration_s`` null): the clip is the scene's exact frame count, so nothing is padded,
    and no frame has a near twin (luma PSNR above 45 dB) a second or more away."""
    from podmotion.repetition import repeated_share

    fps = Fraction(25)
    n_scene = 87  # 3.48 s: not a whole number of seconds
    report = animate(request(still, tmp_path / "k.mp4", 4, max_duration_s=float(n_scene / fps),
                            options={"duration_s": None}))  # fmt: skip
    assert report["frames"] == video_facts(tmp_path / "k.mp4")["frames"] == n_scene
    assert report["move"]["scene_long"] is True
    frames = video_frames(tmp_path / "k.mp4")
    assert repeated_share(frames, fps) == 0.0


def test_the_tour_never_turns_back_on_itself():
    """The path turns, gently: its direction a second later is never more than 120 degrees from now (in window
    widths and log-zoom), and it never holds still between the ramps."""
    for seed in range(10):
        path = camera_path(1600, 900, 640, 360, 1500, seed, Move(1.15, 0.6), fps=25)  # 60 s
        step = np.diff(path, axis=0)
        v = np.stack([step[:, 0] / path[1:, 2], step[:, 1] / path[1:, 2], step[:, 2] / path[1:, 2]], axis=1)
        speed = np.linalg.norm(v, axis=1)
        assert speed[25:-25].min() > 0.05 * speed.max(), seed  # never holds still
        unit = v / speed[:, None]
        turn = np.einsum("ij,ij->i", unit[25:-50], unit[50:-25])
        assert turn.min() > math.cos(math.radians(120)), (seed, turn.min())
    progress = eased(1500, 50)
    assert np.all(np.diff(progress) >= 0) and progress[0] == 0 and progress[-1] == 1


def test_a_long_move_travels_at_one_steady_speed_between_short_ramps():
    progress = eased(3000, 50)  # 120 s at 25 fps, 2 s ramps
    speed = np.diff(progress)
    middle = speed[60:-60]
    assert middle.max() - middle.min() < 1e-12  # steady
    assert speed[0] < 0.01 * middle.max() and speed[-1] < 0.01 * middle.max()  # eases at both ends
    assert np.abs(np.diff(speed)).max() < 0.05 * middle.max()  # no jerk anywhere


@pytest.mark.parametrize("seconds, cap", [(3.0, 0.02), (120.0, 0.005)])
def test_the_speed_cap_holds_short_and_long(seconds, cap):
    """The biggest move the config allows, asked of a 120 s scene under a tight cap (and of a 3 s one under
    the default), keeps its fastest pixel to the cap, measured on the path in output widths per second; an
    uncapped move of the same size is faster."""
    fps, n = 25, round(seconds * 25)
    capped = camera_path(1600, 900, 640, 360, n, 2, Move(3.0, 1.0, cap), fps=fps)
    free = camera_path(1600, 900, 640, 360, n, 2, Move(3.0, 1.0, None), fps=fps)
    assert peak_speed(capped, 640, 360, fps) <= cap * 1.0001
    assert peak_speed(free, 640, 360, fps) > 1.5 * cap
    assert peak_speed(capped, 640, 360, fps) > 0.9 * cap  # it still moves, at the cap


def test_a_slow_enough_move_is_not_shrunk():
    path = camera_path(1600, 900, 640, 360, 3000, 5, Move(1.15, 0.6, 0.02), fps=25)
    free = camera_path(1600, 900, 640, 360, 3000, 5, Move(1.15, 0.6, None), fps=25)
    assert np.array_equal(path, free)


def test_the_rendered_120_s_move_keeps_to_the_cap_in_its_pixels(tmp_path):
    """Measured in the encoded frames: the shift between frames a second apart (phase correlation at the
    frame's centre, plus the zoom's share at its corners), against the cap."""
    import cv2

    path = tmp_path / "still.png"
    write_image(scene_picture(6, 1280, 720), path)
    fps = Fraction(10)
    report = animate(request(path, tmp_path / "k.mp4", 9, width=320, height=180, fps=fps, max_duration_s=120.0,
                             options={"duration_s": None, "zoom": 1.5, "pan": 1.0, "pace_widths_per_s": 0.02,
                                      "max_speed_widths_per_s": 0.01}))  # a pace over the cap: the cap wins
    assert report["frames"] == 1200
    assert report["move"]["peak_speed_widths_per_s"] <= 0.01 * 1.0001
    frames = video_frames(tmp_path / "k.mp4")
    gray = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float64) for f in frames[::10]]  # one per second
    shifts = [math.hypot(*cv2.phaseCorrelate(a, b)[0]) / 320 for a, b in zip(gray, gray[1:])]
    assert max(shifts) <= 0.01 + 2 / 320  # widths per second, within the measurement's two pixels
    assert max(shifts) > 0.002  # and it does move
