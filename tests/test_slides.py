"""The slides detector on generated template episodes with known cuts: every cut within one frame, none extra."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from templates import make_template_episode, render_frame

from podmotion import slides
from podmotion.detect import detect_to_folder, find_slides
from podmotion.media import probe, read_image

# Slides of uneven length, none a multiple of 250 frames from the start: no cut lands on a keyframe.
HOLDS = [70, 55, 90, 48, 66, 81]

CASES = {
    "plain": {},
    "dissolve": {"dissolve_frames": 12},
    "waveform": {"live": "waveform"},
    "progress": {"live": "progress"},
    "clock": {"live": "clock"},  # mm:ss.ff, every frame
    "timer": {"live": "timer", "fps": Fraction(30000, 1001)},  # mm:ss, once a second: a hold of its own each time
    "caption_only": {"caption_only": (2, 4)},
    "ntsc_rate": {"fps": Fraction(30000, 1001), "dissolve_frames": 8, "live": "waveform"},
    "fixed_gop": {"x264": "fixed_gop", "hold_frames": [120, 40, 60, 150, 100]},  # cuts 120, 160 and 220 in one GOP
}


@pytest.fixture(scope="module", params=sorted(CASES))
def episode(request, tmp_path_factory):
    options = {"hold_frames": HOLDS, "width": 480, "height": 270, "audio": False, **CASES[request.param]}
    path = tmp_path_factory.mktemp(request.param) / "episode.mp4"
    return request.param, path, make_template_episode(path, **options)


def test_every_cut_within_one_frame_none_extra(episode):
    name, path, truth = episode
    result = slides.scan(path, float(truth["fps"]), min_scene_len_s=0.6)
    assert len(result.cut_frames) == len(truth["cut_frames"]), (name, result.cut_frames, truth["cut_frames"])
    for got, want in zip(result.cut_frames, truth["cut_frames"]):
        assert abs(got - want) <= 1, (name, result.cut_frames, truth["cut_frames"])
    assert result.n_frames == truth["total_frames"]
    if name != "dissolve" and name != "ntsc_rate":
        assert result.cut_frames == truth["cut_frames"]  # hard cuts are exact
    # Each scene's hold lies inside the slide's own fully shown span (never inside a dissolve).
    for (a, b), (s0, s1) in zip(result.holds, truth["hold_spans"]):
        assert s0 - 1 <= a and b <= s1 + 1, (name, result.holds, truth["hold_spans"])


def test_it_decodes_a_fraction_of_the_frames(episode):
    name, path, truth = episode
    result = slides.scan(path, float(truth["fps"]))
    if truth["live"] in ("clock", "timer"):  # a change every second: windows everywhere, sparse or full is a toss-up
        assert result.decoded_frames <= 1.25 * truth["total_frames"], (name, result.mode, result.decoded_frames)
        return
    assert result.mode == "sparse"
    if name not in ("dissolve", "ntsc_rate"):  # references included: keyframes, the P-frames to each window
        assert result.decoded_frames < 0.6 * truth["total_frames"], (name, result.decoded_frames)


def test_live_regions_are_found_and_kept_out(episode):
    name, path, truth = episode
    info = probe(path)
    scenes, holds_s, found_live, _reach = find_slides(path, info, None, 0.6)
    live = [box for box, _kind, _scenes in found_live]
    assert all(kind == "motion" for _, kind, _ in found_live), found_live  # a waveform, a bar, a clock: not text
    want = truth["boxes"]["live"]
    if want is None:
        assert live == [], (name, live)
        return
    assert live, name
    x, y, w, h = want
    found = np.zeros((truth["height"], truth["width"]), bool)
    for bx, by, bw, bh in live:
        found[by : by + bh, bx : bx + bw] = True
    moving = np.zeros_like(found)  # every pixel that changes within a slide's hold, from the rendered source
    for s0, s1 in truth["hold_spans"]:
        for i in range(s0, s1 - 1):
            moving |= np.any(render_frame(truth, i) != render_frame(truth, i + 1), axis=2)
    assert moving.any() and found[moving].mean() > 0.99, (name, found[moving].mean())  # all that moves is live ...
    if truth["live"] in ("waveform", "progress"):
        assert found[y : y + h, x : x + w].mean() > 0.95  # ... the whole bar or strip ...
    ax, ay, aw, ah = truth["boxes"]["art"]
    assert found[ay : ay + ah, ax : ax + aw].mean() < 0.05  # ... and the art slot is not
    assert len(scenes) == len(truth["cut_frames"]) + 1


def test_each_still_shows_its_own_slide_from_the_settled_part(episode, tmp_path):
    name, path, truth = episode
    detect_to_folder(path, tmp_path / "scenes", detector="slides", threshold=None, min_scene_len_s=0.6, candidates=3)
    ax, ay, aw, ah = truth["boxes"]["art"]
    cx, cy, cw, ch = truth["boxes"]["caption"]
    for k, art in enumerate(truth["art_pictures"]):
        still = read_image(tmp_path / "scenes" / f"scene_{k + 1:03d}.png").astype(float)
        err = np.abs(still[ay : ay + ah, ax : ax + aw] - art).mean()
        others = [np.abs(still[ay : ay + ah, ax : ax + aw] - o).mean() for j, o in enumerate(truth["art_pictures"])
                  if o is not art]  # fmt: skip
        assert err < 6 and all(err < o for o in others), (name, k, err, others)
        caption = read_image(tmp_path / "scenes" / f"scene_{k + 1:03d}.png")[cy : cy + ch, cx : cx + cw]
        assert caption.std() > 10  # a caption is there, not a blend of two


def test_full_frame_photos_keep_their_cuts(podcast5):
    from conftest import E2E_CUTS

    path, truth = podcast5
    result = slides.scan(path, float(truth["fps"]))
    assert result.cut_frames == E2E_CUTS
    assert not result.live_mask.any()


def test_a_threshold_from_the_user_replaces_the_noise_estimate(episode):
    name, path, truth = episode
    if name != "caption_only":
        pytest.skip("one episode is enough")
    auto = slides.scan(path, float(truth["fps"]))
    assert auto.step >= slides.MIN_STEP
    blunt = slides.scan(path, float(truth["fps"]), threshold=250)  # nothing differs by more than 250 grey levels
    assert blunt.cut_frames == [] and blunt.step == 250


def test_layout_by_hand_off_and_per_episode(tmp_path):
    import json

    from podmotion.errors import PodmotionError
    from podmotion.settings import layout_settings

    path = tmp_path / "e.mp4"
    make_template_episode(path, hold_frames=[40, 40], width=320, height=180, audio=False)
    detect_to_folder(path, tmp_path / "manual", detector="slides", threshold=None, min_scene_len_s=0.6, candidates=1,
                     layout={"mode": "auto", "art": [10, 20, 100, 60]})  # fmt: skip
    manual = json.loads((tmp_path / "manual" / "layout.json").read_text())
    assert manual["mode"] == "manual" and {(a["x"], a["y"], a["width"], a["height"]) for a in manual["art"]} == {(10, 20, 100, 60)}
    detect_to_folder(path, tmp_path / "off", detector="slides", threshold=None, min_scene_len_s=0.6, candidates=1,
                     layout={"mode": "off"})  # fmt: skip
    off = json.loads((tmp_path / "off" / "layout.json").read_text())
    assert off["mode"] == "off" and all((a["width"], a["height"]) == (320, 180) for a in off["art"])
    with pytest.raises(PodmotionError, match=r"^.*e\.mp4: layout art box .* is not inside the 320x180 frame"):
        detect_to_folder(path, tmp_path / "bad", detector="slides", threshold=None, min_scene_len_s=0.6, candidates=1,
                         layout={"art": [300, 0, 100, 100]})  # fmt: skip
    assert not (tmp_path / "bad").exists()
    config = {"layout": {"mode": "auto", "art": None, "live": "source", "episodes": {"ep2": {"live": "freeze"}}}}
    assert layout_settings(config, "ep1") == {"mode": "auto", "art": None, "live": "source"}
    assert layout_settings(config, "ep2") == {"mode": "auto", "art": None, "live": "freeze"}
