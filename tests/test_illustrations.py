"""The parallax tests' material and measure: textured illustrations with their true depth, and how far a
video's motion is from a flat pan-and-zoom. No podmotion backend is involved."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from illustrations import (
    CARD_NEAR,
    CARD_WALL,
    DEPTH_MAX,
    FOREGROUND,
    HILLS,
    HORIZON,
    KINDS,
    SKY,
    card_layers,
    depth_level,
    depth_scene,
    make_depth_episode,
)
from measure import frames_of, nonrigid_motion, similarity_residuals_px, video_facts

FPS = 25


@pytest.mark.parametrize("kind", KINDS)
def test_scene_shapes_and_determinism(kind):
    rgb, depth, boxes = depth_scene(kind, 320, 180, seed=3)
    assert rgb.shape == (180, 320, 3) and rgb.dtype == np.uint8
    assert depth.shape == (180, 320) and depth.dtype == np.uint16
    assert boxes == []
    again = depth_scene(kind, 320, 180, seed=3)
    assert np.array_equal(rgb, again[0]) and np.array_equal(depth, again[1])
    assert not np.array_equal(rgb, depth_scene(kind, 320, 180, seed=4)[0])
    assert rgb.std() > 20  # textured, not flat colour


def test_card_has_two_depth_levels_and_a_middle_card():
    rgb, depth, _ = depth_scene("card", 640, 360)
    assert set(np.unique(depth).tolist()) == {depth_level(CARD_WALL), depth_level(CARD_NEAR)}
    ys, xs = np.nonzero(depth == depth_level(CARD_NEAR))
    assert 0.27 < (xs.max() - xs.min() + 1) / 640 < 0.33
    assert abs(xs.mean() - 320) < 30 and abs(ys.mean() - 180) < 20
    wall, card, mask = card_layers(640, 360)
    assert np.array_equal(np.where(mask[..., None] > 0, card, wall), rgb)


def test_ground_grows_nearer_down_the_rows():
    _, depth, _ = depth_scene("ground", 640, 360)
    assert (depth == depth[:, :1]).all()  # one depth a row
    rows = depth[:, 0].astype(np.int64)
    assert (np.diff(rows) > 0).all()
    assert abs(rows[0] / DEPTH_MAX - 0.1) < 0.01 and rows[-1] == DEPTH_MAX


def test_storybook_figures_stand_on_the_ground():
    rgb, depth, boxes = depth_scene("storybook", 640, 360, seed=2, title="THE LONG WALK")
    share = depth / DEPTH_MAX
    assert set(np.unique(depth[: 360 // 3]).tolist()) == {depth_level(SKY)}  # sky (and title) above the hills
    assert (share[-1] == FOREGROUND).all()
    x, y, w, h = boxes[0]
    assert y < 40 and w > 100 and (depth[y : y + h, x : x + w] == depth_level(SKY)).all()
    assert (rgb[y : y + h, x : x + w].min(axis=2) < 60).sum() > 100  # dark ink
    # the ground: from HORIZON on the first row nothing farther reaches down to, to FOREGROUND at the bottom
    horizon = int(np.nonzero((depth >= depth_level(HORIZON)).all(axis=1))[0].min())
    ground = np.median(share[horizon:], axis=1)  # the figures are narrow: a row's median is its ground
    assert abs(ground[0] - HORIZON) < 0.01 and (np.diff(ground) > 0).all()
    above = np.unique(depth[:horizon])
    assert {depth_level(SKY), depth_level(HILLS)} <= set(above.tolist())  # and the heads of figures
    assert all(v in (depth_level(SKY), depth_level(HILLS)) or v >= depth_level(HORIZON) for v in above.tolist())
    # the figures: a constant depth each, the ground's at the row of their feet
    figures = (depth[horizon:] != np.rint(ground * DEPTH_MAX).astype(np.uint16)[:, None]).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(figures)
    found = 0
    for k in range(1, count):
        if stats[k, cv2.CC_STAT_AREA] < 200:
            continue
        values = np.unique(share[horizon:][labels == k])
        assert len(values) == 1, values
        feet_row = stats[k, cv2.CC_STAT_TOP] + stats[k, cv2.CC_STAT_HEIGHT] - 1
        assert abs(values[0] - ground[feet_row + 1]) <= 0.01 * ground[feet_row + 1]
        found += 1
    assert 2 <= found <= 3


def pan_and_zoom(picture: np.ndarray, width: int, height: int, seconds: float) -> list[np.ndarray]:
    """Frames of a flat camera move over ``picture`` (larger than width x height): zoom 1.0 to 1.04 about its
    middle and pan 20 px to the right, over ``seconds`` at FPS, both ends included."""
    count = int(round(seconds * FPS)) + 1
    cy, cx = (picture.shape[0] - 1) / 2, (picture.shape[1] - 1) / 2
    frames = []
    for k in range(count):
        t = k / (count - 1)
        zoom, pan_px = 1.0 + 0.04 * t, 20.0 * t
        m = np.array([[zoom, 0, (width - 1) / 2 - zoom * (cx + pan_px)],
                      [0, zoom, (height - 1) / 2 - zoom * cy]])  # fmt: skip
        frames.append(cv2.warpAffine(picture, m, (width, height), flags=cv2.INTER_LINEAR))
    return frames


def two_layers(width: int, height: int, seconds: float, wall_px_s: float, card_px_s: float) -> list[np.ndarray]:
    """Frames of the card scene with its layers moving apart: the wall ``wall_px_s`` to the right, the card
    ``card_px_s``, pasted over the wall by its own (moved) mask. Cut from layers 64 px wider, so no edge shows."""
    wall, card, mask = card_layers(width + 64, height)
    frames = []

    def shift(layer, x_px):
        m = np.array([[1.0, 0, x_px - 32], [0, 1, 0]])
        return cv2.warpAffine(layer, m, (width, height), flags=cv2.INTER_LINEAR)

    for k in range(int(round(seconds * FPS)) + 1):
        t = k / FPS
        moved = [shift(wall, wall_px_s * t), shift(card, card_px_s * t), shift(mask, card_px_s * t)]
        alpha = moved[2][..., None].astype(np.float32) / 255
        frames.append(np.rint(moved[1] * alpha + moved[0] * (1 - alpha)).astype(np.uint8))
    return frames


def test_similarity_fit_is_exact_on_a_similarity():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 600, (100, 2))
    angle, scale = 0.1, 1.07
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    assert similarity_residuals_px(src, src @ rot.T + [13.0, -4.0]).max() < 1e-9


def test_flat_pan_and_zoom_is_rigid():
    picture, _, _ = depth_scene("storybook", 704, 396, seed=1)
    got = nonrigid_motion(pan_and_zoom(picture, 640, 360, 2.0), FPS)
    print("flat pan and zoom", got)
    assert len(got["per_pair"]) == 2 and got["points"] > 300
    assert got["p90_widths_per_s"] < 0.0005


def test_two_layers_sliding_apart_are_not():
    got = nonrigid_motion(two_layers(640, 360, 2.0, 2.0, 8.0), FPS)
    print("two layers", got, "differential", 6.0 / 640)
    assert len(got["per_pair"]) == 2 and got["points"] > 300
    assert got["p90_widths_per_s"] > 0.003
    assert got["p90_widths_per_s"] < 6.0 / 640 * 1.3  # no more than the layers' whole difference in speed


def test_depth_episode(tmp_path):
    truth = make_depth_episode(tmp_path, ["card", "storybook"], 2.0, width=320, height=180,
                               titles=[None, "THE LONG WALK"])  # fmt: skip
    facts = video_facts(tmp_path / "episode.mp4")
    assert facts["frames"] == 2 * 2 * 25 and (facts["width"], facts["height"]) == (320, 180)
    assert facts["audio"] == ["aac"] and truth["cut_frames"] == [50]
    assert [p.name for p in truth["depth_paths"]] == ["depth_01.png", "depth_02.png"]
    for path, kind in zip(truth["depth_paths"], ["card", "storybook"]):
        depth = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        assert depth.dtype == np.uint16 and depth.shape == (180, 320)
    assert truth["title_boxes"][0] == [] and len(truth["title_boxes"][1]) == 1
    assert np.array_equal(cv2.imread(str(truth["depth_paths"][1]), cv2.IMREAD_UNCHANGED),
                          depth_scene("storybook", 320, 180, seed=2, title="THE LONG WALK")[1])  # fmt: skip
    held = frames_of(tmp_path / "episode.mp4", 0.4, 1.2)
    assert len(held) == 30
    still = nonrigid_motion(held, FPS, step_s=0.4)  # a held picture: encoding noise alone
    print("held picture, encoded", still)
    assert still["p90_widths_per_s"] < 0.0005, still
