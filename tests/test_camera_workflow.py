"""The camera through a real Snakemake run, on the episodes podcasters publish most: a children's story of flat
illustrations with a title line on each, and one cover held for the whole episode over a dark frame with the
show's name under it. Every output frame keeps each title whole; the pictures move at a pace a viewer sees; the
show's name, which is frame, stays as the source shows it."""

from __future__ import annotations

import json
from fractions import Fraction

import cv2
import numpy as np
import pytest
from measure import video_frames
from pictures import cover, draw_text, flat_illustration
from synth import make_podcast

from podmotion.camera import MIN_PACE

W, H, FPS = 480, 270, Fraction(25)


def title_match(frame: np.ndarray, region, still: np.ndarray, title) -> float:
    """How well the title, cut from the still, is found whole inside ``region`` (x, y, w, h) of an output frame,
    at the zooms the camera uses: the best normalised correlation over scales 1.0 to 1.3. A title cut by the
    frame's edge has no placement that holds it whole, and scores low."""
    tx, ty, tw, th = title
    soft = lambda rgb: cv2.GaussianBlur(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY), (0, 0), 1.2)  # noqa: E731
    patch = soft(still[ty - 2 : ty + th + 2, tx - 2 : tx + tw + 2])  # softened: sub-pixel shifts and x264 aside
    x, y, w, h = region
    grey = soft(frame[y : y + h, x : x + w])
    best = -1.0
    for scale in np.arange(1.0, 1.305, 0.005):
        sized = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        if sized.shape[0] <= grey.shape[0] and sized.shape[1] <= grey.shape[1]:
            best = max(best, float(cv2.matchTemplate(grey, sized, cv2.TM_CCOEFF_NORMED).max()))
    return best


def test_a_cut_title_scores_low():
    """The check itself: the title slid half out of the frame is not found whole."""
    picture, (title,) = flat_illustration(0, W, H, "Chapter 1: The Fox", "top")
    assert title_match(picture, (0, 0, W, H), picture, title) > 0.99
    slid = np.roll(picture, -(title[0] + title[2] // 2), axis=1)
    slid[:, W - (title[0] + title[2] // 2) :] = picture[0, 0]  # the sky, where the title went out of frame
    assert title_match(slid, (0, 0, W, H), picture, title) < 0.7


@pytest.fixture(scope="module")
def flats_run(tmp_path_factory):
    from conftest import Workflow

    folder = tmp_path_factory.mktemp("flats")
    made = [flat_illustration(i, W, H, f"Chapter {i + 1}: The Fox", ("top", "bottom")[i % 2]) for i in range(3)]
    make_podcast(folder / "story.mp4", [100, 200], 300, width=W, height=H, fps=FPS, pictures=[p for p, _ in made])
    wf = Workflow(folder)
    wf.config.update({"podcasts": {"ep": "story.mp4"}})
    wf.run()
    return wf, made


def test_flat_illustrations_are_whole_frame_art_and_keep_their_titles_whole(flats_run):
    wf, made = flats_run
    layout = json.loads(wf.result("ep", "scenes", "layout.json").read_text())
    assert layout["mode"] == "full_frame"
    frames = video_frames(wf.result("ep", "ep_animated.mp4"))
    assert len(frames) == 300
    for scene, (_, (title,)) in enumerate(made):
        own = frames[scene * 100 + 2 : scene * 100 + 98 : 8]  # inside the scene, clear of the cuts
        still = made[scene][0]
        assert min(title_match(f, (0, 0, W, H), still, title) for f in own) > 0.9, scene
        # the whole picture moves as one: at least 80 % of its detail (edges) changes at some point of the scene
        grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.int16) for f in own]
        edges = np.abs(cv2.Laplacian(grey[0].astype(np.float32), cv2.CV_32F)) > 20
        changed = np.max([np.abs(g - grey[0]) for g in grey[1:]], axis=0) > 10
        assert changed[edges].mean() >= 0.8, scene
        sidecar = json.loads(wf.result("ep", "clips", f"scene_{scene + 1:03d}.json").read_text())["result"]
        assert sidecar["move"]["pace_widths_per_s"] >= MIN_PACE and sidecar["framing"]["text"]


@pytest.fixture(scope="module")
def cover_run(tmp_path_factory):
    from conftest import Workflow

    folder = tmp_path_factory.mktemp("cover")
    frame = np.full((H, W, 3), (18, 20, 28), np.uint8)
    side = 200
    x0, y0 = (W - side) // 2, 10
    art, (title,) = cover(side, side)
    frame[y0 : y0 + side, x0 : x0 + side] = art
    frame, name = draw_text(frame, "The Long Walk Podcast | Episode 12", (W // 2, y0 + side + 38), 16,
                            (220, 220, 220), "ms")  # fmt: skip
    make_podcast(folder / "cover.mp4", [], 500, width=W, height=H, fps=FPS, pictures=[frame])
    wf = Workflow(folder)
    wf.config.update({"podcasts": {"ep": "cover.mp4"}})
    wf.run()
    return wf, frame, (x0, y0, side, side), (x0 + title[0], y0 + title[1], title[2], title[3]), name


def test_a_cover_held_for_the_episode_moves_with_its_title_whole_and_the_show_name_still(cover_run):
    wf, still, cover_box, title, name = cover_run
    layout = json.loads(wf.result("ep", "scenes", "layout.json").read_text())
    art = layout["art"][0]
    x, y, w, h = art["x"], art["y"], art["width"], art["height"]
    assert x <= cover_box[0] and y <= cover_box[1] and x + w >= cover_box[0] + cover_box[2]
    assert y + h <= name[1]  # the show's name is frame
    frames = video_frames(wf.result("ep", "ep_animated.mp4"))
    assert len(frames) == 500
    sampled = frames[::10]
    assert min(title_match(f, (x, y, w, h), still, title) for f in sampled) > 0.9
    nx, ny, nw, nh = name
    for f in sampled:  # the show's name as the source shows it (x264 on both sides: a few levels)
        assert np.abs(f[ny : ny + nh, nx : nx + nw].astype(int) - still[ny : ny + nh, nx : nx + nw].astype(int)).mean() < 4
    # the cover moves every second: frames a second apart differ inside the art
    steps = [np.abs(a[y : y + h, x : x + w].astype(int) - b[y : y + h, x : x + w].astype(int)).mean()
             for a, b in zip(frames[25::25], frames[50::25])]  # fmt: skip
    assert min(steps) > 0.5
    result = json.loads(wf.result("ep", "clips", "scene_001.json").read_text())["result"]
    assert 0.0075 <= result["move"]["pace_widths_per_s"] <= 0.02 and not result["move"]["tight"]  # 20 s: once across, or the pace
