"""End to end on template episodes: real Snakemake runs, every slide kept, only the art moves, live regions live."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from conftest import Workflow
from measure import audio_packet_md5, frame_part_errors, video_facts, video_frames
from templates import make_template_episode

HOLDS = [60, 45, 70, 55, 50]


def _box(frame: np.ndarray, box) -> np.ndarray:
    x, y, w, h = box
    return frame[y : y + h, x : x + w].astype(np.float64)


OPTIONS = {"waveform": {"live": "waveform"}, "dissolve": {"dissolve_frames": 10},
           "timer": {"live": "timer", "dissolve_frames": 6}}  # mm:ss from 09:55: ticks every second, 10:00 at 5 s  # fmt: skip
LIVE = ("waveform", "timer")


@pytest.fixture(scope="module", params=sorted(OPTIONS))
def finished(request, tmp_path_factory):
    options = OPTIONS[request.param]
    folder = tmp_path_factory.mktemp(f"template-{request.param}")
    source = folder / "template episode.mp4"
    truth = make_template_episode(source, hold_frames=HOLDS, width=480, height=270, fps=Fraction(25), **options)
    wf = Workflow(folder / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    wf.run()
    out = wf.result("ep", "ep_animated.mp4")
    return request.param, wf, source, truth, video_frames(out), video_frames(source)


def test_every_slide_is_a_scene(finished):
    name, wf, _, truth, _, _ = finished
    rows = wf.result("ep", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    starts = [int(r.split(",")[1]) for r in rows]
    assert len(starts) == len(truth["cut_frames"]) + 1
    for got, want in zip(starts[1:], truth["cut_frames"]):
        assert abs(got - want) <= 1, (starts, truth["cut_frames"])


def test_layout_files_name_the_art_and_live_regions(finished):
    name, wf, _, truth, _, _ = finished
    layout = json.loads(wf.result("ep", "scenes", "layout.json").read_text())
    assert layout["mode"] == "detected"
    ax, ay, aw, ah = truth["boxes"]["art"]
    for entry in layout["art"]:
        assert abs(entry["x"] - ax) <= 6 and abs(entry["y"] - ay) <= 6, entry
        assert abs(entry["width"] - aw) <= 12 and abs(entry["height"] - ah) <= 12, entry
    assert (len(layout["live"]) > 0) == (name in LIVE)
    assert wf.result("ep", "scenes", "layout.png").stat().st_size > 1000


def test_output_lasts_as_long_with_the_same_audio(finished):
    _, wf, source, truth, out_frames, _ = finished
    out = wf.result("ep", "ep_animated.mp4")
    assert len(out_frames) == truth["total_frames"]
    assert abs(video_facts(out)["duration_s"] - video_facts(source)["duration_s"]) <= 1 / 25
    assert audio_packet_md5(out) == audio_packet_md5(source)


def test_each_scene_shows_its_own_slide_and_the_art_moves(finished):
    _, _, _, truth, out_frames, _ = finished
    art = truth["boxes"]["art"]
    for k, (a, b) in enumerate(truth["hold_spans"]):
        middle = _box(out_frames[(a + b) // 2], art)
        errors = [np.abs(middle - p).mean() for p in truth["art_pictures"]]
        assert int(np.argmin(errors)) == k, (k, errors)
        moved = np.abs(_box(out_frames[a + 2], art) - _box(out_frames[b - 3], art)).mean()
        assert moved > 2, (k, moved)  # Ken Burns moved the picture within the slot


def test_the_frame_stays_exactly_as_the_source_shows_it(finished):
    _, _, _, truth, out_frames, src_frames = finished
    boxes = truth["boxes"]
    for k, (a, b) in enumerate(truth["hold_spans"]):
        for f in (a + 1, (a + b) // 2, b - 2):
            for part in ("header", "logo", "caption"):
                err, moved = frame_part_errors(out_frames[f], src_frames[f], boxes[part])
                # Re-encoding noise only: a 2-pixel drift of the same picture costs over twice as much.
                assert err < 8 and moved > 2 * err, (part, f, err, moved)


def test_live_regions_follow_the_source_frame_by_frame(finished):
    name, _, _, truth, out_frames, src_frames = finished
    if name not in LIVE:
        pytest.skip("no live region in this episode")
    live = truth["boxes"]["live"]
    same, shifted = [], []
    for f in range(5, truth["total_frames"] - 5):
        now, later = _box(src_frames[f], live), _box(src_frames[f + 2], live)
        moving = np.abs(now - later).max(axis=2) > 40  # the bars or digits that differ two frames on
        if moving.mean() < 0.01:
            continue  # the source's live region does not change over these two frames (a timer between ticks)
        out = _box(out_frames[f], live)
        same.append(np.abs(out - now)[moving].mean())
        shifted.append(np.abs(out - later)[moving].mean())
    # Each frame's waveform or reading is the source's at that frame (re-encoding noise only), not two frames off.
    assert len(same) >= 8 and all(a < b for a, b in zip(same, shifted)), (same, shifted)
    assert np.mean(same) < 0.4 * np.mean(shifted), (np.mean(same), np.mean(shifted))
