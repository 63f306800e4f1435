"""Layout: art, live and text boxes found from stills made here (templates, the demo style, full frames)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from podmotion.errors import PodmotionError
from podmotion.layout import Layout, analyse_layout, draw_layout, manual_layout, off_layout

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "resources" / "demo"))
import make_demo  # noqa: E402  (the demo podcast's own slide style)

W, H = 640, 360  # template stills
SLOT = (160, 70, 320, 180)  # the template's picture slot: a quarter of the frame
HEADER = (0, 0, W, 40)
LOGO = (572, 4, 32, 32)
CAPTION_Y_PX = 290  # caption baseline


def photo(width: int, height: int, seed: int) -> np.ndarray:
    """A synthetic photograph: a colour gradient, bold shapes and fine texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    img = np.stack([rng.uniform(40, 200) + rng.uniform(-60, 60) * (xx + c * yy) for c in range(3)], axis=-1)
    for _ in range(8):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        radius = int(rng.integers(5, max(6, min(width, height) // 4)))
        cv2.circle(img, centre, radius, rng.uniform(0, 255, 3).tolist(), -1)
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def overlap(a, b) -> int:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def template_still(picture: np.ndarray, caption: str) -> np.ndarray:
    """A fixed template: gradient background, header with a title, a logo, the slot and a caption line."""
    img = np.zeros((H, W, 3), np.uint8)
    img[:] = np.linspace(60, 110, H, dtype=np.uint8)[:, None, None] * np.array([1, 0.8, 1.2]).clip(0, 2)
    img[: HEADER[3]] = (20, 24, 40)
    cv2.putText(img, "THE BIG PODCAST", (16, 28), cv2.FONT_HERSHEY_DUPLEX, 0.8, (250, 250, 250), 1, cv2.LINE_AA)
    cv2.circle(img, (LOGO[0] + 16, LOGO[1] + 16), 15, (240, 160, 20), -1)
    cv2.putText(img, "BP", (LOGO[0] + 5, LOGO[1] + 22), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 2)
    x, y, w, h = SLOT
    cv2.rectangle(img, (x - 3, y - 3), (x + w + 2, y + h + 2), (230, 230, 230), -1)  # a fixed border
    img[y : y + h, x : x + w] = picture
    cv2.putText(img, caption, (160, CAPTION_Y_PX), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
    return img


CAPTIONS = ["Chapter 1: the launch", "Chapter 2: in orbit", "Chapter 3: docking", "Chapter 4: coming home",
            "Chapter 5: what next"]  # fmt: skip


@pytest.fixture(scope="module")
def template_stills() -> dict[int, np.ndarray]:
    """Five scenes; the fifth changes only its caption (the slot repeats the fourth picture)."""
    pictures = [photo(SLOT[2], SLOT[3], seed) for seed in range(4)] + [photo(SLOT[2], SLOT[3], 3)]
    return {i + 1: template_still(p, c) for i, (p, c) in enumerate(zip(pictures, CAPTIONS))}


def test_template_slot_is_the_art_of_every_scene(template_stills):
    layout = analyse_layout(template_stills)
    assert layout.mode == "detected"
    assert sorted(layout.art) == [1, 2, 3, 4, 5]
    for scene in layout.art:
        box = layout.art_box(scene)
        assert all(abs(a - b) <= 4 for a, b in zip(box, SLOT)), (scene, box)
        assert all(v % 2 == 0 for v in box)
        assert overlap(box, HEADER) == 0 and overlap(box, LOGO) == 0
    captions = [t for t in layout.text if t[1] <= CAPTION_Y_PX <= t[1] + t[3]]
    assert len(captions) == 1  # the caption line, found and held still
    x, y, w, h = captions[0]  # where the captions differ: after "Chapter "
    assert abs(x - 160 - cv2.getTextSize("Chapter ", cv2.FONT_HERSHEY_SIMPLEX, 0.7, 2)[0][0]) <= 6
    assert x + w >= 160 + cv2.getTextSize(CAPTIONS[3], cv2.FONT_HERSHEY_SIMPLEX, 0.7, 2)[0][0] - 4 and h <= 40
    assert all(overlap(t, layout.art_box(s)) == 0 for t in layout.text for s in layout.art)


def test_a_scene_where_only_the_caption_changed_gets_the_usual_box():
    """The slot shows one picture in three scenes of four: it is frame there; those scenes borrow scene 4's box."""
    pictures = [photo(SLOT[2], SLOT[3], 5)] * 3 + [photo(SLOT[2], SLOT[3], 6)]
    layout = analyse_layout({i + 1: template_still(p, c) for i, (p, c) in enumerate(zip(pictures, CAPTIONS))})
    assert layout.mode == "detected"
    assert all(abs(a - b) <= 4 for s in (1, 2, 3, 4) for a, b in zip(layout.art_box(s), SLOT)), layout.art
    assert layout.text and all(overlap(t, SLOT) == 0 for t in layout.text)


def test_live_boxes_are_kept_out_of_the_art(template_stills):
    live = (SLOT[0], SLOT[1] + SLOT[3], SLOT[2], 14)  # a waveform right under the slot, different in each still
    stills = {}
    for scene, still in template_stills.items():
        still = still.copy()
        heights = np.random.default_rng(scene).integers(2, 14, 40)
        for i, bar_px in enumerate(heights):
            x = live[0] + 8 * i
            cv2.rectangle(still, (x, live[1] + 14 - int(bar_px)), (x + 5, live[1] + 13), (90, 255, 120), -1)
        stills[scene] = still
    layout = analyse_layout(stills, live=[live])
    assert layout.live == (live,)
    for scene in stills:
        box = layout.art_box(scene)
        assert overlap(box, live) == 0
        assert all(abs(a - b) <= 4 for a, b in zip(box, SLOT)), (scene, box)
    # a live box across the slot cuts the art down to the larger side
    across = (SLOT[0], SLOT[1] + 140, SLOT[2], 10)
    layout = analyse_layout(template_stills, live=[across])
    box = layout.art_box(1)
    assert overlap(box, across) == 0
    assert abs(box[1] - SLOT[1]) <= 4 and across[1] - 4 <= box[1] + box[3] <= across[1]


# The project's demo style (resources/demo/make_demo.py compose_slide()): each photograph letterboxed over
# a blurred, darkened copy of itself, with a caption line at the bottom. The whole frame changes.
DEMO_W, DEMO_H = make_demo.WIDTH, make_demo.HEIGHT
demo_slide = make_demo.compose_slide  # (photo, caption) -> (the slide, where the photo went: x, y, width, height)
DEMO_CAPTION_TOP_PX = DEMO_H - 32 - cv2.getTextSize("Ag|/", cv2.FONT_HERSHEY_DUPLEX, 1.1, 2)[0][1] - 2
PHOTO_SIZES = [(800, 600), (427, 640), (1000, 420), (600, 600)]  # landscape, portrait, wide, square


@pytest.fixture(scope="module")
def demo_slides():
    slides = [demo_slide(photo(w, h, 10 + i), f"Looking Up  |  episode 1  |  {i + 1}/4")
              for i, (w, h) in enumerate(PHOTO_SIZES)]  # fmt: skip
    return {i + 1: s for i, (s, _) in enumerate(slides)}, {i + 1: r for i, (_, r) in enumerate(slides)}


def test_demo_style_art_is_the_sharp_photo_not_the_blur_or_caption(demo_slides):
    stills, photos = demo_slides
    layout = analyse_layout(stills)
    assert layout.mode == "detected"
    for scene, truth in photos.items():
        box = layout.art_box(scene)
        assert overlap(box, truth) >= 0.95 * truth[2] * truth[3], (scene, box, truth)
        assert box[2] * box[3] <= 1.15 * truth[2] * truth[3], (scene, box, truth)  # not the blurred backdrop
        assert box[1] + box[3] < DEMO_CAPTION_TOP_PX  # the caption is frame
    # the caption is text; its top within the analysis's 2 px grid and closing (OpenCV 4 and 5 draw it 2 px apart)
    assert any(t[1] + t[3] >= DEMO_H - 32 and t[1] >= DEMO_CAPTION_TOP_PX - 12 for t in layout.text)


def test_single_demo_still_uses_detail_alone(demo_slides):
    stills, photos = demo_slides
    layout = analyse_layout({7: stills[2]})
    box, truth = layout.art_box(7), photos[2]
    assert layout.mode == "detected"
    assert overlap(box, truth) >= 0.95 * truth[2] * truth[3] and box[2] * box[3] <= 1.15 * truth[2] * truth[3]


def test_full_frame_photos_are_all_art():
    stills = {i: photo(W, H, 30 + i) for i in (1, 2, 3)}
    layout = analyse_layout(stills)
    assert layout.mode == "full_frame"
    assert [layout.art_box(s) for s in stills] == [(0, 0, W, H)] * 3
    single = analyse_layout({1: stills[1]})  # one full-frame still: nothing to isolate
    assert single.mode == "full_frame" and single.art_box(1) == (0, 0, W, H)
    for scene, still in stills.items():  # a flat sky, different in each: detail reaches three sides
        still[: H // 3] = np.linspace(220, 150, H // 3)[:, None, None] * np.array([0.5, 0.7, 1.0]) * (0.3 + scene / 4)
    assert analyse_layout(stills).mode == "full_frame"
    assert analyse_layout({1: stills[1]}).mode == "full_frame"


def test_json_round_trip(tmp_path, template_stills):
    layout = analyse_layout(template_stills, live=[(0, 340, 640, 20)])
    path = tmp_path / "layout.json"
    layout.to_json(path)
    data = json.loads(path.read_text())
    assert {"width", "height", "mode", "art", "live", "text", "frame"} <= set(data)
    assert data["art"][0] == {"scene": 1, **dict(zip(("x", "y", "width", "height"), layout.art[1]))}
    assert Layout.from_json(path) == layout
    path.write_text('{"width": 640}')
    with pytest.raises(PodmotionError, match="not a layout file") as err:
        Layout.from_json(path)
    assert "\n" not in str(err.value)


def test_manual_and_off_layouts(template_stills):
    manual = manual_layout(template_stills, (101, 50, 200, 151))
    assert manual.mode == "manual"
    assert set(manual.art.values()) == {(100, 50, 202, 152)}  # grown to even corners
    assert manual.art_box(99) == (100, 50, 202, 152)  # the same box for any scene
    by_size = manual_layout((W, H), (0, 0, 320, 180), scenes=[1, 2])
    assert by_size.art == {1: (0, 0, 320, 180), 2: (0, 0, 320, 180)}
    off = off_layout(W, H, [1, 2, 3], live=[(0, 0, 10, 10)])
    assert off.mode == "off" and off.art_box(2) == off.art_box(42) == (0, 0, W, H) and off.live == ((0, 0, 10, 10),)


@pytest.mark.parametrize("box", [(600, 300, 100, 100), (-2, 0, 100, 100), (0, 0, 8, 100)])
def test_a_manual_box_outside_the_frame_is_refused(box):
    with pytest.raises(ValueError, match="not inside the 640x360 frame") as err:
        manual_layout((W, H), box)
    assert "\n" not in str(err.value)


def test_draw_layout_marks_only_box_edges_and_a_legend(template_stills):
    layout = analyse_layout(template_stills, live=[(20, 300, 100, 20)])
    still = template_stills[2]
    drawn = draw_layout(still, layout, 2)
    assert drawn.shape == still.shape and drawn.dtype == np.uint8
    changed = (drawn != still).any(axis=2)
    near_edges = np.zeros((H, W), np.uint8)
    for x, y, w, h in [layout.art_box(2), *layout.live, *layout.text]:
        cv2.rectangle(near_edges, (x, y), (x + w - 1, y + h - 1), 1, 8)
    outside = changed & ~near_edges.astype(bool)
    ys, xs = np.nonzero(outside)
    assert xs.max() < 0.2 * W and ys.max() < 0.15 * H  # the legend, top left
    x, y, w, h = layout.art_box(2)
    assert changed[y + h // 2, x] and changed[y, x + w // 2]  # the art box is outlined
    assert not changed[y + h // 2, x + w // 2]  # and its inside left alone


def test_flat_illustrations_are_whole_frame_art():
    """A children's story podcast: flat sky and ground, figures, a title line on each picture. The whole frame
    changes from slide to slide and the detail is not a picture edged all round: every scene is whole-frame
    art, not a strip around the figures (which would slice them and the titles)."""
    from pictures import flat_illustration

    stills = {i + 1: flat_illustration(i, 1280, 720, f"Chapter {i + 1}: The Fox and the Moon",
                                       ("top", "bottom")[i % 2])[0] for i in range(6)}  # fmt: skip
    layout = analyse_layout(stills)
    assert layout.mode == "full_frame"
    assert all(layout.art_box(s) == (0, 0, 1280, 720) for s in stills)


def test_photos_with_a_title_line_are_whole_frame_art():
    from pictures import photo

    names = [("astronaut", "Eileen Collins, 1998"), ("chelsea", "Chelsea the cat"), ("rocket", "Launch day"),
             ("coffee", "Morning coffee")]  # fmt: skip
    stills = {i + 1: photo(name, 1280, 720, caption)[0] for i, (name, caption) in enumerate(names)}
    assert all(analyse_layout(stills).art_box(s) == (0, 0, 1280, 720) for s in stills)


def test_a_cover_held_for_the_episode_is_the_art_and_the_show_name_under_it_is_frame():
    """One still for the whole episode: a square flat cover over a dark frame, the show's name under it. The art
    box holds the whole cover, its own title included, and stops above the show's name."""
    from pictures import cover, draw_text

    frame = np.full((720, 1280, 3), (18, 20, 28), np.uint8)
    side = 560
    x0, y0 = (1280 - side) // 2, 28
    frame[y0 : y0 + side, x0 : x0 + side] = cover(side, side)[0]
    frame, name = draw_text(frame, "The Long Walk Podcast  |  Episode 12", (640, 660), 36, (220, 220, 220), "ms")
    layout = analyse_layout({1: frame})
    x, y, w, h = layout.art_box(1)
    assert x <= x0 and y <= y0 and x + w >= x0 + side and y + h >= y0 + side  # the whole cover
    assert w * h <= 1.1 * side * side
    assert y + h <= name[1]  # the show's name is frame
