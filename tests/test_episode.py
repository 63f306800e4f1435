"""The episode kept per state of its scene folder (podmotion.episode): read again whenever a file it comes from
changes, and each episode's folder asked of the checkpoint only until it is done."""

from __future__ import annotations

import os

import pytest
from synth import scene_picture

from podmotion.episode import DoneFolders, Episode
from podmotion.layout import Layout
from podmotion.media import SourceInfo, write_image
from podmotion.scene_folder import Scene, scene_label, write_scene_folder

SCENES = [Scene(1, 0, 50, 0.0, 2.0), Scene(2, 50, 100, 2.0, 4.0)]


def source(width: int = 64, height: int = 36) -> SourceInfo:
    return SourceInfo(path="ep.mp4", width=width, height=height, sample_aspect_ratio="1/1", rotation_deg=0,
                      display_width=width, display_height=height, fps="25/1", is_vfr=False, duration_s=4.0,
                      has_audio=True, audio_codec="aac")  # fmt: skip


def write_folder(path, art=(8, 0, 48, 28)):
    layout = Layout(64, 36, {s.scene: art for s in SCENES}, ((0, 28, 64, 8),))
    with write_scene_folder(path) as folder:
        for s in SCENES:
            write_image(scene_picture(s.scene, 64, 36), folder.still_path(scene_label(s.scene)))
        folder.write_layout(layout, scene_picture(0, 64, 36))
        folder.write_timestamps(SCENES)
        folder.write_source(source())


def edit_in_place(path, old: str, new: str):
    """Rewrite the file's text where it is (the same inode, as an editor saving in place), a second later."""
    before = os.stat(path)
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


def test_an_episode_is_kept_while_its_folder_is_unchanged(tmp_path):
    write_folder(tmp_path / "scenes")
    first = Episode.of_folder(tmp_path / "scenes", {"fps": 5})
    assert Episode.of_folder(str(tmp_path / "scenes"), {"fps": 5}) is first  # the same folder, however named
    other = Episode.of_folder(tmp_path / "scenes", {"fps": 10})
    assert other is not first and other.frame_ranges == {1: (0, 20), 2: (20, 40)}
    assert Episode.of_folder(tmp_path / "scenes", {"fps": 5}) is first  # each output config keeps its own


def test_a_layout_edited_in_place_is_read_again(tmp_path):
    """Its scene table untouched: the episode is kept by every file it is read from, not by the table alone."""
    write_folder(tmp_path / "scenes")
    table = tmp_path / "scenes" / "timestamps.csv"
    table_before = os.stat(table)
    first = Episode.of_folder(tmp_path / "scenes", {})
    assert first.art_box(1) == [8, 0, 48, 28] and first.live_boxes() == [[0, 28, 64, 8]]
    edit_in_place(tmp_path / "scenes" / "layout.json", '"x": 8,', '"x": 10,')
    again = Episode.of_folder(tmp_path / "scenes", {})
    assert again is not first and again.art_box(1) == [10, 0, 48, 28]
    assert os.stat(table).st_mtime_ns == table_before.st_mtime_ns  # what the episode was kept by before


def test_a_source_edited_in_place_is_read_again(tmp_path):
    write_folder(tmp_path / "scenes")
    assert Episode.of_folder(tmp_path / "scenes", {}).output.width == 64
    edit_in_place(tmp_path / "scenes" / "source.json", '"display_width": 64', '"display_width": 128')
    assert Episode.of_folder(tmp_path / "scenes", {}).output.width == 128


def test_a_folder_written_again_is_read_again(tmp_path):
    write_folder(tmp_path / "scenes")
    first = Episode.of_folder(tmp_path / "scenes", {})
    write_folder(tmp_path / "scenes", art=(16, 0, 32, 28))  # detected again: new files, however soon
    assert Episode.of_folder(tmp_path / "scenes", {}).art_box(2) == [16, 0, 32, 28] != first.art_box(2)


class NotDone(Exception):
    pass


def test_a_scene_folder_is_asked_for_until_its_checkpoint_is_done_then_kept():
    done, asked = set(), []

    def ask(name):
        asked.append(name)
        if name not in done:
            raise NotDone(name)
        return f"results/{name}/scenes"

    folders = DoneFolders(ask)
    for _ in range(2):
        with pytest.raises(NotDone):
            folders("ep1")
    done.add("ep1")
    assert [folders("ep1") for _ in range(3)] == ["results/ep1/scenes"] * 3
    with pytest.raises(NotDone):
        folders("ep2")  # each episode its own
    assert asked == ["ep1", "ep1", "ep1", "ep2"]
