"""Chapters: exact frame spans, titles, the description list, and chapters in a real muxed file."""

from __future__ import annotations

from fractions import Fraction

import pytest
from measure import chapters as read_chapters
from measure import video_facts
from synth import make_podcast

from podmotion.assemble import mux
from podmotion.chapters import description_lines, episode_chapters, ffmetadata
from podmotion.media import probe

NTSC = Fraction(30000, 1001)


def test_one_chapter_per_scene_that_owns_frames_in_order():
    ranges = {2: (50, 120), 1: (0, 50), 3: (120, 120), 4: (120, 400)}  # scene 3 rounds to no frame
    got = episode_chapters(ranges, {4: "The  end\nof it"})
    assert [(c.scene, c.start_frame, c.end_frame) for c in got] == [(1, 0, 50), (2, 50, 120), (4, 120, 400)]
    assert [c.title for c in got] == ["Scene 1", "Scene 2", "The end of it"]


def test_topic_chapters_are_named_by_their_labels():
    got = episode_chapters({1: (0, 10), 2: (10, 30)}, {}, {1: "01", 2: "02"})
    assert [c.title for c in got] == ["Scene 01", "Scene 02"]


def test_ffmetadata_is_timed_in_exact_frames_and_escapes_titles():
    text = ffmetadata(episode_chapters({1: (0, 1001), 2: (1001, 3003)}, {2: "Q&A = 50% ; #1 \\ end"}), NTSC)
    assert text.splitlines() == [
        ";FFMETADATA1",
        "[CHAPTER]", "TIMEBASE=1001/30000", "START=0", "END=1001", "title=Scene 1",
        "[CHAPTER]", "TIMEBASE=1001/30000", "START=1001", "END=3003", "title=Q&A \\= 50% \\; \\#1 \\\\ end",
    ]  # fmt: skip


def test_description_rounds_starts_down_and_switches_to_hours():
    short = episode_chapters({1: (0, 749), 2: (749, 751), 3: (751, 1800)})  # 29.96 s, 30.04 s at 25 fps
    assert description_lines(short, Fraction(25)) == ["00:00 Scene 1", "00:29 Scene 2", "00:30 Scene 3"]
    long = episode_chapters({1: (0, 25 * 3599), 2: (25 * 3599, 25 * 3700)})
    assert description_lines(long, Fraction(25)) == ["0:00:00 Scene 1", "0:59:59 Scene 2"]


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_muxed_file_carries_the_chapters_at_frame_exact_times(tmp_path, container):
    source = tmp_path / "src.mp4"
    make_podcast(source, [40, 75], 125, width=96, height=64)
    chs = episode_chapters({1: (0, 40), 2: (40, 75), 3: (75, 125)}, {2: "Interview"})
    out = tmp_path / f"out.{container}"
    mux(source, probe(source), out, Fraction(25), chs)
    got = read_chapters(out)
    assert [c["title"] for c in got] == ["Scene 1", "Interview", "Scene 3"]
    want = [(0, 1.6), (1.6, 3.0), (3.0, 5.0)]
    for c, (start_s, end_s) in zip(got, want):
        assert abs(c["start_s"] - start_s) * 1000 < 1 and abs(c["end_s"] - end_s) * 1000 < 1
    assert video_facts(out)["frames"] == 125
