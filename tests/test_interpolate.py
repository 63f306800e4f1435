"""Playing a 6 fps clip at 30 fps: the same frame count and timing in every mode; flow rebuilds motion best."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest

from podmotion.interpolate import positions, resample
from podmotion.timeline import resample_indices


@pytest.mark.parametrize(("n", "clip_fps", "out_fps"), [(14, 6, 25), (25, 7, 30), (25, 6, Fraction(30000, 1001)),
                                                        (1, 6, 25), (8, 25, 25)])  # fmt: skip
def test_positions_keep_the_repeat_timeline(n, clip_fps, out_fps):
    spots = positions(n, Fraction(clip_fps), Fraction(out_fps))
    assert [i for i, _ in spots] == resample_indices(n, Fraction(clip_fps), Fraction(out_fps))
    assert all(0.0 <= a < 1.0 for _, a in spots) and spots[0] == (0, 0.0)


def _pan(n_frames: int, fps: float) -> list[np.ndarray]:
    """A textured picture with a word on it, zooming and panning: what Ken Burns or SVD motion looks like."""
    rng = np.random.default_rng(0)
    big = cv2.GaussianBlur((rng.random((600, 900, 3)) * 255).astype(np.uint8), (0, 0), 3)
    cv2.putText(big, "podmotion", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 4, (255, 255, 255), 8)
    frames = []
    for j in range(n_frames):
        t = j / fps
        matrix = np.float32([[1 + 0.1 * t, 0, -60 * t], [0, 1 + 0.1 * t, -20 * t]])
        frames.append(cv2.warpAffine(big, matrix, (480, 270), flags=cv2.INTER_LINEAR))
    return frames


def test_flow_rebuilds_dropped_frames_better_than_blend_and_repeat():
    truth = _pan(61, 30.0)
    kept = truth[::5]  # 6 fps, as SVD makes them
    psnr = {}
    for mode in ("repeat", "blend", "flow"):
        out = list(resample(kept, Fraction(6), Fraction(30), mode))
        # repeat holds the last frame for its 1/6 s; blend and flow end on it (no stall at a ping-pong turn)
        held = 4 if mode == "repeat" else 0
        assert len(out) == 5 * (len(kept) - 1) + 1 + held
        assert len(resample_indices(len(kept), Fraction(6), Fraction(30))) == 5 * len(kept)
        assert all(np.array_equal(out[5 * k], kept[k]) for k in range(len(kept)))  # kept frames pass untouched
        psnr[mode] = np.mean([cv2.PSNR(out[j], truth[j]) for j in range(60) if j % 5])
    assert psnr["flow"] > psnr["blend"] + 6 and psnr["blend"] > psnr["repeat"] + 2, psnr


def test_a_clip_at_the_output_rate_passes_through():
    frames = _pan(10, 25.0)
    out = list(resample(frames, Fraction(25), Fraction(25), "flow"))
    assert len(out) == 10 and all(np.array_equal(a, b) for a, b in zip(out, frames))
