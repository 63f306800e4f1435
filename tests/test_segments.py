"""The still/footage rule on frame signatures alone (coarse luma grids), no decoding."""

from __future__ import annotations

import numpy as np
import pytest

from podmotion import segments, slides

GRID_W, GRID_H = 80, 45  # cells
FPS = 25.0


def _slide(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(20, 230, (GRID_H, GRID_W)).astype(np.int16)


def _footage(n: int, seed: int) -> list[np.ndarray]:
    """A pan over a textured world: every frame shifted one cell from the one before."""
    world = np.random.default_rng(seed).integers(0, 255, (GRID_H, GRID_W + n)).astype(np.int16)
    return [world[:, k : k + GRID_W].copy() for k in range(n)]


def _camera(n: int, seed: int) -> list[np.ndarray]:
    """A camera's pan over a smooth world, a cell a frame: each step changes many cells a little (a cut to
    another picture changes them a lot)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:GRID_H, 0 : GRID_W + n]
    fx, fy, phase = rng.uniform(0.1, 0.2), rng.uniform(0.1, 0.2), rng.uniform(0, 2 * np.pi)
    world = (128 + 60 * np.sin(fx * x + phase) + 40 * np.sin(fy * y) * np.cos(0.07 * x)).astype(np.int16)
    return [world[:, k : k + GRID_W].copy() for k in range(n)]


def _with_box(grid: np.ndarray, frame: int, box=(60, 30, 12, 8)) -> np.ndarray:
    """A live box (a host's camera, 2.7% of the frame) whose content changes every frame."""
    x, y, w, h = box
    out = grid.copy()
    out[y : y + h, x : x + w] = np.random.default_rng(frame).integers(0, 255, (h, w))
    return out


def _analyse(grids: list[np.ndarray]) -> slides.SlideScan:
    sigs = slides.Signatures(GRID_W * 4, GRID_H * 4)
    assert sigs.grid == (GRID_W, GRID_H)
    for t, g in enumerate(grids):
        sigs.by_frame[t] = g
        sigs.exact.add(t)
    return slides.analyse(sigs, np.zeros(len(grids), bool), 1, FPS, min_scene_len_s=0.6)


def test_unsettled_is_what_no_hold_covers():
    assert segments.unsettled([(5, 10), (12, 20)], 25) == [(0, 5), (10, 12), (20, 25)]
    assert segments.unsettled([(0, 25)], 25) == []
    assert segments.unsettled([], 7) == [(0, 7)]


def test_moving_area_is_large_for_a_pan_and_small_for_a_live_box():
    keep = np.ones((GRID_H, GRID_W), bool)
    assert segments.moving_area(_footage(10, 1), keep, 5.0) == 1.0
    boxed = [_with_box(_slide(1), t) for t in range(30)]
    area = segments.moving_area(boxed, keep, 5.0)
    assert 0 < area < segments.FOOTAGE_MIN_AREA, area
    strip = []
    for t in range(30):  # a waveform: the bottom eighth, all along
        g = _slide(2)
        g[-6:, 2:-2] = np.random.default_rng(t).integers(0, 255, (6, GRID_W - 4))
        strip.append(g)
    assert segments.moving_area(strip, keep, 5.0) < segments.FOOTAGE_MIN_AREA
    assert segments.moving_area([_slide(3)] * 5, keep, 5.0) == 0.0


@pytest.mark.parametrize(
    ("length", "area", "footage"),
    [(40, 1.0, True), (24, 1.0, False), (10, 1.0, False), (200, 0.05, False), (25, 0.2, True)],
    ids=["clip", "just-under-a-second", "dissolve", "camera-box", "a-second-of-art"],
)
def test_a_long_stretch_that_moves_in_a_large_area_is_footage(length, area, footage):
    holds = [(0, 50), (50 + length, 150 + length)]
    got = segments.footage_spans(holds, 150 + length, FPS, lambda a, b: area)
    assert got == ([(50, 50 + length)] if footage else [])


def test_footage_spans_apart_by_a_pause_are_one_and_spans_at_the_ends_reach_them():
    holds = [(30, 40), (100, 200)]  # a 10-frame static shot inside the clip; then a slide
    assert segments.footage_spans(holds, 260, FPS, lambda a, b: 1.0) == [(0, 100), (200, 260)]
    holds = [(5, 20), (50, 150), (240, 250)]  # a clip's first shot and last shot held still
    assert segments.footage_spans(holds, 255, FPS, lambda a, b: 1.0) == [(0, 50), (150, 255)]


def test_slides_and_footage_cut_to_the_frame_from_grids():
    a, b, c = _slide(10), _slide(11), _slide(12)
    grids = [a] * 50 + _footage(40, 5) + [b] * 45 + [c] * 40 + _footage(30, 6)
    result = _analyse(grids)
    assert result.cut_frames == [50, 90, 135, 175]
    assert result.kinds == ["still", "footage", "still", "still", "footage"]
    assert result.holds[1] == (50, 90) and result.holds[4] == (175, 205)
    assert not result.live_mask.any()  # footage teaches nothing about live regions


def test_footage_first_does_not_make_the_whole_frame_live():
    a, b = _slide(20), _slide(21)
    grids = _footage(60, 7) + [_with_box(a, t) for t in range(50)] + [_with_box(b, t) for t in range(50, 100)]
    result = _analyse(grids)
    assert result.kinds == ["footage", "still", "still"], (result.cut_frames, result.kinds)
    assert result.cut_frames == [60, 110]
    assert 0 < result.live_mask.mean() < 0.1  # the camera box, learnt from the slides


CAMERA = _camera(100, 8)
HELD = {  # a film that stops on a frame (no cut into or out of it), between two slides: grids and the cuts
    "first-second": ([_slide(50)] * 50 + [CAMERA[0]] * 25 + CAMERA[:60] + [_slide(51)] * 50, [50, 135]),
    "last-second": ([_slide(50)] * 50 + CAMERA[:60] + [CAMERA[59]] * 25 + [_slide(51)] * 50, [50, 135]),
    "inside-three-seconds": ([_slide(50)] * 50 + CAMERA[:40] + [CAMERA[39]] * 75 + CAMERA[39:] + [_slide(51)] * 50,
                             [50, 226]),  # fmt: skip
}


@pytest.mark.parametrize("case", sorted(HELD))
def test_a_shot_a_film_holds_is_the_films(case):
    """Held for less than a slide would be at a clip's start or end, or however long inside it: footage."""
    grids, cuts = HELD[case]
    result = _analyse(grids)
    assert result.cut_frames == cuts and result.kinds == ["still", "footage", "still"], (result.cut_frames,
                                                                                       result.kinds)  # fmt: skip


def test_a_shot_held_longer_than_a_slide_at_a_clips_end_is_a_still():
    result = _analyse([_slide(50)] * 50 + CAMERA[:60] + [CAMERA[59]] * 75 + [_slide(51)] * 50)
    assert segments.HELD_SHOT_MAX_S * FPS < 75
    assert result.cut_frames == [50, 109, 185] and result.kinds == ["still", "footage", "still", "still"], (
        result.cut_frames, result.kinds)  # fmt: skip


def _with_words(grid: np.ndarray, words: int) -> np.ndarray:
    """A subtitle line near the bottom showing its first ``words`` words (each 6 cells wide, 3 high)."""
    out = grid.copy()
    for w in range(words):
        out[38:41, 4 + 7 * w : 10 + 7 * w] = 250 - 30 * (w % 3)
    return out


def test_subtitles_word_by_word_are_live_text_and_never_cuts():
    rng = np.random.default_rng(3)
    slides_ = [_slide(30), _slide(31), _slide(32)]
    grids, words, hold = [], 0, 0
    for k, slide in enumerate(slides_):
        for _ in range(80):  # each slide 3.2 s; a new word every 5 to 15 frames, six to a line
            if hold == 0:
                words, hold = words % 6 + 1, int(rng.integers(5, 16))
            hold -= 1
            grids.append(_with_words(slide, words))
    result = _analyse(grids)
    assert result.cut_frames == [80, 160] and result.kinds == ["still"] * 3, result.cut_frames
    assert result.text_mask is not None and result.text_mask[38:41, 11:46].mean() > 0.9  # word 1 never changes
    assert slides.live_kinds(result) == ["text"]
    assert result.live_scenes == [[1, 2, 3]]


def test_a_slide_whose_picture_drifts_is_footage_cut_at_its_slide_changes():
    a, c = _slide(40), _slide(41)
    world = np.random.default_rng(42).integers(0, 255, (GRID_H, GRID_W + 200)).astype(np.int16)
    drift = [world[:, k // 4 : k // 4 + GRID_W].copy() for k in range(120)]  # a pan of a cell every 4 frames
    result = _analyse([a] * 60 + drift + [c] * 60)
    assert result.cut_frames == [60, 180] and result.kinds == ["still", "footage", "still"], (result.cut_frames,
                                                                                             result.kinds)
