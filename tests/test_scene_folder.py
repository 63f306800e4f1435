"""The scene folder: every file round-trips, boundaries stay exact, both kinds of folder read back alike."""

from __future__ import annotations

import json
import os
import re
from fractions import Fraction

import numpy as np
import pytest
from conftest import image_and_audio_folders
from synth import make_podcast, scene_picture

from podmotion.episode import Episode
from podmotion.errors import PodmotionError
from podmotion.layout import Layout
from podmotion.media import SourceInfo, read_image, write_image
from podmotion.scene_folder import (
    STAMPED,
    NarrationSpan,
    Scene,
    SceneFolder,
    detected_scenes,
    folder_stamp,
    narrated_scenes,
    read_narration,
    write_narration,
    write_prompts,
    write_scene_folder,
)
from podmotion.timeline import frame_at


def source(fps: str = "25/1", duration_s: float = 12.0, **kw) -> SourceInfo:
    fields = dict(path="/data/ep.mp4", width=64, height=36, sample_aspect_ratio="1/1", rotation_deg=0,
                  display_width=64, display_height=36, fps=fps, is_vfr=False, duration_s=duration_s,
                  has_audio=True, audio_codec="aac", video_start_s=0.0)  # fmt: skip
    return SourceInfo(**{**fields, **kw})


def write_folder(path, scenes: list[Scene], info: SourceInfo, labels: dict[int, str] | None = None,
                 spans: list[NarrationSpan] | None = None, layout: Layout | None = None) -> SceneFolder:  # fmt: skip
    labels = labels or {s.scene: f"{s.scene:03d}" for s in scenes}
    with write_scene_folder(path) as folder:
        for s in scenes:
            write_image(scene_picture(s.scene, 64, 36), folder.still_path(labels[s.scene]))
        folder.write_timestamps(scenes)
        folder.write_source(info)
        if spans is not None:
            folder.write_narration(spans)
        if layout is not None:
            folder.write_layout(layout, scene_picture(0, 64, 36))
    return SceneFolder(path)


@pytest.mark.parametrize("fps", ["30000/1001", "25/1"])
def test_timestamps_round_trip_exact_in_frames(tmp_path, fps):
    rate = Fraction(fps)
    edges = [0, 48, 101, 170, 300]
    info = source(fps, duration_s=float(300 / rate))  # 10.01 s at 29.97 fps, 12 s at 25
    scenes = detected_scenes(edges, info)
    folder = write_folder(tmp_path / "scenes", scenes, info)
    back = folder.scenes()
    assert back == scenes
    assert [(s.start_frame, s.end_frame) for s in back] == list(zip(edges, edges[1:]))
    assert [s.start_s for s in back[1:]] == [Fraction(f) / rate for f in edges[1:-1]]  # exact, not 6 decimals
    assert all(frame_at(s.start_s, rate) == s.start_frame for s in back)
    rows = [line.split(",") for line in (folder.path / "timestamps.csv").read_text().splitlines()]
    assert rows[0] == ["scene", "start_frame", "end_frame", "start_time", "end_time", "duration", "kind"]
    assert rows[3][:4] == ["3", "101", "170", f"{101 / float(rate):.6f}"]  # for people: seconds, six decimals
    ep = Episode.load(folder.path, {})
    assert list(ep.frame_ranges.values()) == list(zip(edges, edges[1:]))


def test_a_lead_and_the_source_end_bound_the_timeline(tmp_path):
    info = source("25/1", duration_s=5.5, video_start_s=0.4)  # audio before the first frame and after the last
    folder = write_folder(tmp_path / "scenes", detected_scenes([0, 25, 100], info), info)
    bounds = [(s.start_s, s.end_s) for s in folder.scenes()]
    assert bounds == [(0, Fraction(7, 5)), (Fraction(7, 5), Fraction(11, 2))]  # 0.4 s + 25 frames; the source's end


def test_a_variable_rate_folder_keeps_its_times_to_the_microsecond(tmp_path):
    info = source("200/7", duration_s=3.5, is_vfr=True)
    scenes = detected_scenes([0, 30, 68, 100], info, [0.0, 1.05, 1 / 3 + 2, 3.49])
    assert [s.start_s for s in scenes] == [0, Fraction("1.05"), Fraction("2.333333")]
    assert scenes[-1].end_s == Fraction("3.5")  # the source's end, not the last frame's
    assert write_folder(tmp_path / "scenes", scenes, info).scenes() == scenes


def test_narration_spans_round_trip_in_samples(tmp_path):
    spans = [NarrationSpan(1, "01", "/audio/scene_01.mp3", 0, 20020), NarrationSpan(2, "02", None, 20020, 68020),
             NarrationSpan(9, "09", "/audio/scene_09.wav", 68020, 68021)]  # fmt: skip
    write_narration(spans, tmp_path / "narration.csv")
    assert list(read_narration(tmp_path / "narration.csv").values()) == spans
    assert spans[0].end_s == Fraction(20020, 48000) and spans[2].duration_s == Fraction(1, 48000)


def test_a_topic_folder_takes_its_boundaries_from_the_samples(tmp_path):
    """Sample 20020 at 30000/1001 fps is exactly frame 12.5: it rounds up to 13. Its six-decimal time
    (0.417083 s) is frame 12.4999…, which would round down."""
    rate = Fraction(30000, 1001)
    spans = [NarrationSpan(1, "01", "a.wav", 0, 20020), NarrationSpan(2, "02", "b.wav", 20020, 48000)]
    scenes = narrated_scenes(spans, rate)
    info = source("30000/1001", duration_s=1.0)
    folder = write_folder(tmp_path / "scenes", scenes, info, {1: "01", 2: "02"}, spans)
    assert frame_at(float(f"{20020 / 48000:.6f}"), rate) == 12  # what a rounded time would give
    assert folder.scenes()[0].end_s == Fraction(20020, 48000) and folder.scenes()[0].end_frame == 13
    assert Episode.load(folder.path, {}).frame_ranges == {1: (0, 13), 2: (13, 30)}


def test_source_json_round_trips(tmp_path):
    info = source("30000/1001", duration_s=10.010011, video_start_s=0.4, is_vfr=True, rotation_deg=90,
                  sample_aspect_ratio="4/3", audio_codec=None)  # fmt: skip
    scenes = detected_scenes([0, 300], info, [0.0, 10.01])
    folder = write_folder(tmp_path / "scenes", scenes, info)
    assert folder.source() == info
    assert json.loads((folder.path / "source.json").read_text())["fps"] == "30000/1001"


def test_layout_json_round_trips_and_is_optional(tmp_path):
    info = source()
    layout = Layout(64, 36, {1: (8, 4, 40, 28), 2: (10, 4, 38, 28)}, live=((0, 30, 64, 6),), text=((48, 0, 16, 4),))
    folder = write_folder(tmp_path / "with", detected_scenes([0, 50, 300], info), info, layout=layout)
    assert folder.layout() == layout
    assert read_image(folder.path / "layout.png").shape == (36, 64, 3)
    assert write_folder(tmp_path / "without", detected_scenes([0, 300], info), info).layout() is None


def test_a_detected_folder_and_a_topic_folder_read_back_with_their_stills(tmp_path):
    from podmotion.detect import detect_to_folder
    from podmotion.topics import collect_to_folder

    video = tmp_path / "ep.mp4"
    make_podcast(video, [20], 40, width=128, height=72, audio=None)
    scenes = detect_to_folder(video, tmp_path / "detected", detector="content", threshold=None,
                              min_scene_len_s=0.5, candidates=3)  # fmt: skip
    detected = SceneFolder(tmp_path / "detected")
    assert not detected.is_topic and detected.narration() is None
    assert detected.scenes() == scenes and [s.start_frame for s in scenes] == [0, 20]
    assert detected.labels() == {1: "001", 2: "002"}
    assert [detected.still(k).name for k in (1, 2)] == ["scene_001.png", "scene_002.png"]
    assert np.abs(read_image(detected.still(2)).astype(float) - scene_picture(1, 128, 72)).mean() < 6

    images, audio = image_and_audio_folders(tmp_path, {f"scene_{k:02d}_var_01.png": k for k in (1, 2, 9)},
                                            {"scene_01.wav": (300.0, 0.5), "scene_2.wav": (400.0, 0.25)})  # fmt: skip
    collect_to_folder(images, audio, tmp_path / "topic", missing_audio_s=1.0, output_cfg={"fps": "30000/1001"})
    topic = SceneFolder(tmp_path / "topic")
    assert topic.is_topic and topic.layout() is None
    assert topic.labels() == {1: "01", 2: "2", 9: "09"}  # numbered like the narration, else like the image
    assert [topic.still(k).name for k in (1, 2, 9)] == ["scene_01.png", "scene_2.png", "scene_09.png"]
    assert topic.still(9).read_bytes() == (images / "scene_09_var_01.png").read_bytes()
    spans = topic.narration()
    assert [(s.start_sample, s.end_sample) for s in spans.values()] == [(0, 24000), (24000, 36000), (36000, 84000)]
    assert spans[9].audio is None and spans[1].audio == str(audio / "scene_01.wav")
    assert [s.start_s for s in topic.scenes()] == [0, Fraction(1, 2), Fraction(3, 4)]
    assert topic.source().fps == "30000/1001" and topic.narration_audio.stat().st_size > 0


def test_an_incomplete_folder_is_not_written_and_the_old_one_stays(tmp_path):
    info = source()
    old = write_folder(tmp_path / "scenes", detected_scenes([0, 300], info), info)
    before = old.scenes()
    with pytest.raises(PodmotionError, match=r"scenes: incomplete scene folder: no still scene_002\.png$"):
        with write_scene_folder(tmp_path / "scenes") as folder:
            scenes = detected_scenes([0, 100, 300], info)
            write_image(scene_picture(1, 64, 36), folder.still_path("001"))
            folder.write_timestamps(scenes)
            folder.write_source(info)
    assert SceneFolder(tmp_path / "scenes").scenes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenes"]  # no temporary folder left


CORRUPTIONS = {
    "missing table": ("timestamps.csv", None, r"timestamps\.csv: file not found"),
    "missing column": ("timestamps.csv", lambda t: t.replace("end_frame,", ""),
                       r"timestamps\.csv: missing columns: end_frame"),
    "bad frame": ("timestamps.csv", lambda t: t.replace("\n2,50,", "\n2,5O,"),
                  r"timestamps\.csv: line 3: start_frame '5O' is not a whole number"),
    "gap": ("timestamps.csv", lambda t: t.replace("\n2,50,", "\n2,51,"),
            r"timestamps\.csv: line 3: scene 2 starts at frame 51, not where scene 1 ends \(50\)"),
    "empty table": ("timestamps.csv", lambda t: t.splitlines()[0] + "\n", r"timestamps\.csv: no scenes"),
    "bad kind": ("timestamps.csv", lambda t: t.replace(",still\n2,", ",video\n2,"),
                 r"timestamps\.csv: line 2: scene 1: kind 'video' is not a scene kind; allowed: still, footage$"),
    "missing source": ("source.json", None, r"source\.json: file not found"),
    "bad source": ("source.json", lambda t: t.replace('"fps"', '"rate"'),
                   r"source\.json: not a source description \(TypeError: .*'rate'"),
    "narration gap": ("narration.csv", lambda t: t.replace(",48000,60000,", ",48001,60000,"),
                      r"narration\.csv: line 3: scene 2 spans samples 48001 to 60000; it should start at 48000"),
}  # fmt: skip


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_a_missing_or_malformed_file_is_one_line_naming_it(tmp_path, case):
    name, corrupt, message = CORRUPTIONS[case]
    info = source()
    spans = [NarrationSpan(1, "001", "a.wav", 0, 48000), NarrationSpan(2, "002", "b.wav", 48000, 60000)]
    scenes = narrated_scenes(spans, Fraction(25)) if name == "narration.csv" else detected_scenes([0, 50, 300], info)
    folder = write_folder(tmp_path / "scenes", scenes, info, spans=spans if name == "narration.csv" else None)
    path = folder.path / name
    if corrupt is None:
        path.unlink()
    else:
        path.write_text(corrupt(path.read_text()))
    with pytest.raises(PodmotionError) as err:
        Episode.load(folder.path, {})
    assert "\n" not in str(err.value)
    assert re.fullmatch(rf"{re.escape(str(folder.path))}/{message}.*", str(err.value)), str(err.value)


def test_each_scene_keeps_its_kind_and_a_table_without_kinds_is_all_stills(tmp_path):
    info = source()
    scenes = detected_scenes([0, 50, 120, 300], info, kinds=["footage", "still", "footage"])
    folder = write_folder(tmp_path / "scenes", scenes, info)
    assert [s.kind for s in SceneFolder(folder.path).scenes()] == ["footage", "still", "footage"]
    table = folder.path / "timestamps.csv"
    assert table.read_text().splitlines()[1].endswith(",footage")
    old = "\r\n".join(",".join(line.split(",")[:6]) for line in table.read_text().splitlines()) + "\r\n"
    table.write_text(old)
    assert [s.kind for s in SceneFolder(folder.path).scenes()] == ["still"] * 3


def test_the_stamp_changes_with_each_file_the_folder_is_read_from_and_only_those(tmp_path):
    info = source()
    folder = write_folder(tmp_path / "scenes", detected_scenes([0, 50, 300], info), info)
    stamp = folder.stamp()
    assert stamp == folder_stamp(str(folder.path)) == SceneFolder(folder.path).stamp()  # the same folder, same state
    assert [s is None for s in stamp] == [name in ("narration.csv", "layout.json", "prompts.csv") for name in STAMPED]
    write_image(scene_picture(9, 64, 36), folder.still(1))  # a still: not read from
    assert folder.stamp() == stamp
    table = folder.path / "timestamps.csv"
    before = os.stat(table)
    table.write_text(table.read_text())  # the same bytes, in place, a second later: a new mtime
    os.utime(table, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert folder.stamp() != stamp
    stamp = folder.stamp()
    write_prompts({1: "a slow pan"}, folder.prompts_csv)  # a file that was absent
    assert folder.stamp() != stamp
