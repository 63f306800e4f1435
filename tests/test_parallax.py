"""The depth move's parts on pictures whose depth is known (tests/illustrations.py): layers, fill, motion, render.

Frames are drawn with ``parallax.render.Renderer`` into the encoder's planes and read back as RGB; displacements
are measured by phase correlation on each layer's own region, against what the geometry says: a point of depth q
(its depth less the reference plane's) is shown ``q * shift`` further (``podmotion.parallax.motion``).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from illustrations import CARD_NEAR, CARD_WALL, DEPTH_MAX, card_layers, depth_scene

from podmotion.colour import Colour
from podmotion.framing import Framing, find_framing
from podmotion.parallax import layers, motion
from podmotion.parallax.fill import mirror_fill
from podmotion.parallax.render import Renderer
from podmotion.yuv420 import Canvas, Picture

W, H = 480, 270
COLOUR = Colour()


def frame(layering, shift=(0.0, 0.0), spread=0.0, window=None, size=(W, H)) -> np.ndarray:
    """One frame of the picture's whole width (or ``window``: cx, cy, width), moved by ``shift`` and ``spread``."""
    canvas = Canvas(size, (0, 0, *size))
    renderer = Renderer(layering, canvas, COLOUR)
    cx, cy, width = window or (size[0] / 2, size[1] / 2, size[0])
    renderer.draw(cx, cy, width, shift, spread)
    return canvas.planes.to_rgb(COLOUR)


def moved(a: np.ndarray, b: np.ndarray, box) -> tuple[float, float]:
    """How far the picture inside ``box`` (x0, y0, x1, y1) moved from ``a`` to ``b`` (phase correlation)."""
    x0, y0, x1, y1 = box
    grey = [cv2.cvtColor(f[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY).astype(np.float32) for f in (a, b)]
    window = cv2.createHanningWindow((x1 - x0, y1 - y0), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(grey[0], grey[1], window)
    return dx, dy


@pytest.fixture(scope="module")
def card():
    rgb, depth, _ = depth_scene("card", W, H, seed=2)
    return rgb, depth.astype(np.float32) / DEPTH_MAX


def test_a_near_card_moves_by_its_depth_and_the_far_wall_by_its_own(card):
    rgb, depth = card
    layering = layers.build(rgb, depth, None, 4)
    assert len(layering.layers) == 2 and layering.splits[0] == pytest.approx((CARD_WALL + CARD_NEAR) / 2, abs=0.05)
    assert layering.reference == pytest.approx(CARD_WALL, abs=0.01)  # the median: the wall
    shift = (-12.0, 6.0)
    still, shifted = frame(layering), frame(layering, shift)
    _, _, mask = card_layers(W, H, seed=2)
    ys, xs = np.nonzero(mask)
    inner = (xs.min() + 12, ys.min() + 12, xs.max() - 12, ys.max() - 12)
    q_card = CARD_NEAR - layering.reference
    dx, dy = moved(still, shifted, inner)
    assert dx == pytest.approx(q_card * shift[0], rel=0.1) and dy == pytest.approx(q_card * shift[1], rel=0.1)
    wall = (4, 4, W // 5, H - 4)  # left of the card: the wall, which is the plane that stays
    wx, wy = moved(still, shifted, wall)
    assert abs(wx) < 0.25 and abs(wy) < 0.25


def test_a_ground_plane_moves_row_by_row_with_its_depth_and_never_tears():
    rgb, depth, _ = depth_scene("ground", W, H, seed=4)
    d = depth.astype(np.float32) / DEPTH_MAX
    layering = layers.build(rgb, d, None, 4)
    assert layering.splits == ()  # a slope, no jump: one layer
    shift = (16.0, 0.0)
    still, shifted = frame(layering), frame(layering, shift)
    measured, expected = [], []
    for y0 in range(20, H - 60, 40):
        band = (40, y0, W - 40, y0 + 40)
        measured.append(moved(still, shifted, band)[0])
        expected.append((float(d[y0 + 20].mean()) - layering.reference) * shift[0])
    assert np.all(np.diff(measured) > 0)  # nearer rows further
    span = max(expected) - min(expected)
    assert np.max(np.abs(np.array(measured) - np.array(expected))) < 0.1 * span


def test_what_the_card_uncovers_is_the_walls_texture_not_its_edge(card):
    rgb, depth = card
    layering = layers.build(rgb, depth, None, 4)
    wall, card_picture, mask = card_layers(W, H, seed=2)
    shift = (-60.0, 0.0)  # the card slides 42 px left: a strip of wall 42 px wide is uncovered at its right
    out = frame(layering, shift)
    ys, xs = np.nonzero(mask)
    x1 = xs.max()
    strip = out[ys.min() + 10 : ys.max() - 10, x1 - 36 : x1 - 4].astype(np.float32)
    around = wall[ys.min() + 10 : ys.max() - 10, x1 + 8 : x1 + 40].astype(np.float32)
    assert np.all(np.isfinite(strip))
    # The same texture: mean and contrast like the wall beside it, and far from the card's edge colour.
    assert np.abs(strip.mean(axis=(0, 1)) - around.mean(axis=(0, 1))).max() < 12
    assert strip.std() == pytest.approx(around.std(), rel=0.3)
    edge = card_picture[ys.min() + 10 : ys.max() - 10, x1 - 2 : x1].astype(np.float32).mean(axis=(0, 1))
    streak = np.abs(strip - edge).mean()
    assert streak > 2 * np.abs(strip - strip.mean(axis=(0, 1))).mean() * 0.5
    # No smear: along each row the fill varies as much as the wall does (a smear repeats the edge pixel).
    row_var = np.abs(np.diff(strip, axis=1)).mean()
    wall_var = np.abs(np.diff(around, axis=1)).mean()
    assert row_var > 0.6 * wall_var


def test_mirror_fill_keeps_a_textures_statistics_in_a_large_hole():
    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (200, 300, 3)).astype(np.uint8), (0, 0), 1.5)
    hole = np.zeros((200, 300), bool)
    hole[50:150, 100:220] = True
    filled = mirror_fill(texture, hole)
    assert (filled[~hole] == texture[~hole]).all()
    inside, outside = filled[hole].astype(np.float32), texture[~hole].astype(np.float32)
    assert abs(inside.mean() - outside.mean()) < 3 and inside.std() == pytest.approx(outside.std(), rel=0.1)


def test_text_stays_flat_on_the_plane_that_does_not_move():
    rgb, depth, boxes = depth_scene("storybook", W, H, seed=3, title="THE LONG WALK")
    d = depth.astype(np.float32) / DEPTH_MAX
    framing = find_framing(rgb)
    layering = layers.build(rgb, d, framing, 4)
    x, y, w, h = boxes[0]
    title = (x - 4, y - 4, x + w + 4, y + h + 4)
    assert abs(layering.reference - float(np.median(d[y : y + h, x : x + w]))) < 0.02
    still = frame(layering)
    for shift, spread in (((14.0, -7.0), 0.0), ((0.0, 0.0), 0.03)):
        out = frame(layering, shift, spread)
        region = (slice(title[1], title[3]), slice(title[0], title[2]))
        assert np.abs(out[region].astype(int) - still[region].astype(int)).mean() < 2.0  # not moved, not warped


def test_a_flat_depth_is_one_layer_that_never_moves(card):
    rgb, _ = card
    layering = layers.build(rgb, np.full((H, W), 0.4, np.float32), None, 4)
    assert layering.flat and "flat" in layering.reason and len(layering.layers) == 1
    path = np.column_stack([np.linspace(200, 260, 50), np.full(50, 135.0), np.full(50, 400.0)])
    plan = motion.plan(path, 25.0, W / H, 0.0, 0.01, 0.04)
    assert plan.amplitude == 0 and not plan.shift_px.any()
    # The render of a flat layering is the flat camera's.
    flat = frame(layering, window=(230.0, 135.0, 400.0))
    canvas = Canvas((W, H), (0, 0, W, H))
    canvas.draw(Picture.from_rgb(rgb, COLOUR), 230.0, 135.0, 400.0)
    assert np.abs(flat.astype(int) - canvas.planes.to_rgb(COLOUR).astype(int)).mean() < 0.6


def test_the_depth_move_keeps_its_pace_in_a_short_and_a_long_scene():
    def tour(n, lap_frames):
        t = np.arange(n)
        return np.column_stack([240 + 30 * np.sin(2 * np.pi * t / lap_frames), 135 + 10 * np.cos(2 * np.pi * t / lap_frames),
                                400 * np.exp(0.05 * np.sin(2 * np.pi * t / (lap_frames * 1.7)))])  # fmt: skip
    for n in (125, 25 * 3600):
        path = tour(n, 25 * 40)
        plan = motion.plan(path, 25.0, 16 / 9, 0.6, 0.004, 0.2, seed=3)
        assert 0.75 * 0.004 <= plan.pace_widths_per_s <= 1.6 * 0.004  # the ramps, and the dolly on top
        assert np.hypot(*plan.shift_px.T).max() <= 0.2 * path[:, 2].mean() * 1.0001  # bounded, however long
        # It never stops: every second, a point of depth 1 moves against the reference plane.
        per_second = np.hypot(*(plan.shift_px[25::25] - plan.shift_px[:-25:25]).T)
        assert per_second[1:-1].min() > 0.2 * 0.004 / 0.6 * 400
    capped = motion.plan(tour(125, 25 * 40), 25.0, 16 / 9, 0.6, 0.5, 0.01)
    assert capped.amplitude == 0.01 and capped.pace_widths_per_s < 0.1  # a turn in 12 s at the fastest
    assert motion.plan(tour(125, 1000), 25.0, 16 / 9, 0.6, 0.004, 0.2, seed=3).shift_px[40].tolist() == \
        motion.plan(tour(125, 1000), 25.0, 16 / 9, 0.6, 0.004, 0.2, seed=3).shift_px[40].tolist()  # the seed's


def test_margins_keep_every_layer_inside_the_picture():
    rgb, depth, _ = depth_scene("ground", W, H, seed=4)
    layering = layers.build(rgb, depth.astype(np.float32) / DEPTH_MAX, None, 4)
    edges = motion.edge_depth(layering.depth)
    assert edges[3] > edges[1] * 0  # the near bottom needs a margin
    left, top, right, bottom = motion.margins_px(edges, W, W / H, 0.04)
    assert bottom > 0 and left > 0
    # A window inside the margins, moved by the cap's worst shift and spread, samples no pixel past the picture.
    inner = (W - left - right, H - top - bottom)
    cx, cy = left + inner[0] / 2, top + inner[1] / 2
    width = min(inner[0], inner[1] * W / H)
    grid_x, grid_y = np.meshgrid(np.linspace(cx - width / 2, cx + width / 2, 9),
                                 np.linspace(cy - width * H / W / 2, cy + width * H / W / 2, 9))  # fmt: skip
    for sx, sy, sp in ((1, 1, 1), (-1, -1, -1), (1, -1, 1), (-1, 1, -1)):
        shift = np.array([sx, sy * motion.ORBIT_FLATTEN]) * motion.SHIFT_WEIGHT * width * 0.04
        spread = sp * 0.04 / motion.corner(W / H)
        q = np.abs(layering.depth).max()
        ux = grid_x - q * (shift[0] + spread * (grid_x - cx))
        uy = grid_y - q * (shift[1] + spread * (grid_y - cy))
        assert ux.min() >= -1 and ux.max() <= W + 1 and uy.min() >= -1 and uy.max() <= H + 1


def test_the_framing_shift_keeps_boxes_in_the_inner_picture():
    from podmotion.backends.parallax import shifted

    framing = Framing(100, 80, text=((10, 5, 30, 10),), faces=(), salient=(20, 20, 10, 10), margin_px=2.0)
    inner = shifted(framing, 4, 3, 90, 70)
    assert inner.text == ((6, 2, 30, 10),) and inner.salient == (16, 17, 10, 10) and inner.width == 90


@pytest.mark.parametrize("box", [(37, 21, 300, 180), (40, 22, 301, 181)])
def test_a_flat_layering_pasted_at_an_odd_box_is_the_flat_cameras_frame(box, card):
    """Only the art moves: into a still, at any offset (odd ones split chroma samples); flat depth draws exactly
    what the flat camera draws, luma and chroma."""
    rgb, _ = card
    x, y, w, h = box
    art = np.ascontiguousarray(rgb[:h, :w])
    still_rgb = np.full((H, W, 3), 90, np.uint8)
    from podmotion.yuv420 import Planes

    still = Planes.from_rgb(still_rgb, COLOUR)
    layering = layers.build(art, np.full(art.shape[:2], 0.5, np.float32), None, 4)
    ours = Canvas((W, H), box, still, 3)
    Renderer(layering, ours, COLOUR).draw(w / 2 + 3.3, h / 2 - 1.7, w * 0.9)
    flat = Canvas((W, H), box, still, 3)
    flat.draw(Picture.from_rgb(art, COLOUR), w / 2 + 3.3, h / 2 - 1.7, w * 0.9)
    for mine, theirs in zip((ours.planes.y, ours.planes.u, ours.planes.v), (flat.planes.y, flat.planes.u, flat.planes.v)):
        assert np.abs(mine.astype(int) - theirs.astype(int)).max() <= 1


def test_a_noisy_depth_image_moves_as_its_clean_depth_does():
    """The grain of a dithered or compressed depth image is not taken for edges: no mosaic of layers."""
    rgb, depth, _ = depth_scene("card", W, H, seed=2)
    clean = depth.astype(np.float32) / DEPTH_MAX
    noisy = np.clip(clean + np.random.default_rng(1).normal(0, 0.04, clean.shape), 0, 1).astype(np.float32)
    flat = frame(layers.build(rgb, np.full_like(clean, 0.5), None, 4))
    for d in (clean, noisy):
        layering = layers.build(rgb, d, None, 4)
        assert len(layering.layers) == 2
        assert np.abs(frame(layering).astype(int) - flat.astype(int)).mean() < 1.0  # unmoved, it is the picture
    a = frame(layers.build(rgb, clean, None, 4), (-12.0, 6.0))
    b = frame(layers.build(rgb, noisy, None, 4), (-12.0, 6.0))
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 2.0


def test_text_on_a_near_card_moves_with_the_card_and_is_not_torn_from_it(card):
    rgb, depth = card
    _, _, mask = card_layers(W, H, seed=2)
    ys, xs = np.nonzero(mask)
    sign = (int(xs.min()) + 30, int(ys.min()) + 30, 60, 20)  # a "text line" on the card, as framing may find one
    framing = Framing(W, H, text=((40, 6, 200, 20), sign), margin_px=6.0)  # the title on the wall is the biggest
    layering = layers.build(rgb, depth, framing, 4)
    assert layering.reference == pytest.approx(CARD_WALL, abs=0.02)
    assert layering.text_depths[1] == pytest.approx(CARD_NEAR - CARD_WALL, abs=0.02)
    shift = (-12.0, 6.0)
    still, shifted = frame(layering), frame(layering, shift)
    q = CARD_NEAR - layering.reference
    x, y, w, h = sign
    dx, dy = moved(still, shifted, (x - 4, y - 4, x + w + 4, y + h + 4))
    assert dx == pytest.approx(q * shift[0], rel=0.1) and dy == pytest.approx(q * shift[1], rel=0.1)
    # The card arrives whole where the shift takes it: its moved picture, not a patch left behind.
    expected = cv2.warpAffine(still, np.array([[1.0, 0, q * shift[0]], [0, 1.0, q * shift[1]]]), (W, H),
                              flags=cv2.INTER_CUBIC)  # fmt: skip
    inner = (slice(int(ys.min()) + 12, int(ys.max()) - 12), slice(int(xs.min()) + 12, int(xs.max()) - 12))
    assert np.abs(shifted[inner].astype(int) - expected[inner].astype(int)).mean() < 4


def test_a_title_at_the_edge_is_kept_whole_and_the_depth_move_shrinks_to_fit(tmp_path):
    """A near branch along the top, above a title: the margin there would cut the title, so the cap gives way."""
    from podmotion.backends import AnimateRequest
    from podmotion.backends.parallax import prepare
    from podmotion.ffmpeg import EncoderSettings
    from podmotion.media import write_image

    rgb, depth, (title,) = depth_scene("storybook", W, H, seed=3, title="THE LONG WALK")
    depth[:8, :] = DEPTH_MAX
    rgb[:8, :] = (20, 90, 20)
    write_image(rgb, tmp_path / "still.png")
    cv2.imwrite(str(tmp_path / "depth.png"), depth)
    request = AnimateRequest(image_path=tmp_path / "still.png", out_path=tmp_path / "c.mp4", width=W, height=H,
                             fps=25, max_duration_s=8.0, seed=1, depth_path=tmp_path / "depth.png",
                             encoder=EncoderSettings(crf=18, preset="veryfast", keyint_frames=250),
                             options={"model": None, "max_shift_share": 0.08})  # fmt: skip
    scene = prepare(request)
    x, y, w, h = title
    left, top = scene.path[:, 0] - scene.path[:, 2] / 2, scene.path[:, 1] - scene.path[:, 2] * H / W / 2
    right, bottom = left + scene.path[:, 2], top + scene.path[:, 2] * H / W
    assert (left <= x).all() and (top <= y).all() and (right >= x + w).all() and (bottom >= y + h).all()
    depth_report = scene.report["depth"]
    assert depth_report["max_shift_share"] < 0.08 and depth_report["margins_px"][1] <= y
    assert "leave the depth move room" in depth_report["capped"]
    assert not depth_report["flat"] and depth_report["pace_widths_per_s"] > 0
