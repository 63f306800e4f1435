"""Frame math: scene frame ranges, rounding, resampling, seeds."""

from fractions import Fraction

import pytest

from podmotion.timeline import frame_at, resample_indices, scene_frame_ranges, scene_seed

NTSC = Fraction(30000, 1001)


def test_frame_at_rounds_half_up_exactly():
    assert frame_at(0.02, Fraction(25)) == 1  # 0.5 frames -> 1 (not banker's 0)
    assert frame_at(0.06, Fraction(25)) == 2  # 1.5 -> 2
    assert frame_at(Fraction(1001, 30000) * 7, NTSC) == 7
    assert frame_at(0, NTSC) == 0


def test_ranges_tile_the_timeline_without_gaps_or_overlaps():
    bounds = [0.0, 1.3, 2.71, 2.72, 9.999, 12.0]
    ranges = scene_frame_ranges(bounds, Fraction(24))
    assert ranges[0][0] == 0 and ranges[-1][1] == frame_at(12.0, Fraction(24)) == 288
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert ranges == [(0, 31), (31, 65), (65, 65), (65, 240), (240, 288)]  # a 10 ms scene can own no frame


def test_no_drift_over_a_thousand_scenes():
    # 1000 scenes of 3.337 s each at 29.97 fps: per-scene rounding would drift by
    # hundreds of frames; independent rounding stays within half a frame everywhere.
    bounds = [k * 3.337 for k in range(1001)]
    ranges = scene_frame_ranges(bounds, NTSC)
    for k, (start, _) in enumerate(ranges):
        assert abs(start / NTSC - bounds[k]) <= 0.5 / NTSC + 1e-9
    assert ranges[-1][1] == round(3337 * NTSC)


def test_decreasing_boundaries_are_refused():
    with pytest.raises(ValueError):
        scene_frame_ranges([0.0, 2.0, 1.0], Fraction(25))


@pytest.mark.parametrize(
    ("n", "clip_fps", "out_fps", "expected"),
    [
        (4, Fraction(25), Fraction(25), [0, 1, 2, 3]),
        (3, Fraction(10), Fraction(25), [0, 0, 0, 1, 1, 2, 2, 2]),  # 0.3 s -> 8 frames (7.5 rounds up)
        (6, Fraction(30), Fraction(15), [0, 2, 4]),
        (1, Fraction(25), Fraction(25), [0]),
    ],
)
def test_resample_shows_the_clip_frame_on_screen(n, clip_fps, out_fps, expected):
    assert resample_indices(n, clip_fps, out_fps) == expected


def test_svd_clip_at_seven_fps_keeps_its_duration_at_thirty():
    idx = resample_indices(25, Fraction(7), Fraction(30))
    assert len(idx) == round(25 / 7 * 30) == 107
    assert idx[0] == 0 and idx[-1] == 24 and sorted(idx) == idx


def test_scene_seed_is_stable_and_differs_per_scene():
    assert scene_seed(0, 1) == scene_seed(0, 1)
    seeds = {scene_seed(0, k) for k in range(1, 200)}
    assert len(seeds) == 199
    assert scene_seed(1, 5) != scene_seed(0, 5)
    assert all(0 <= s < 2**32 for s in seeds)
