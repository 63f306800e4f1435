"""Outputs appear under their name only when complete."""

import pytest

from podmotion.atomic import atomic_output


def test_success_renames_into_place(tmp_path):
    with atomic_output(tmp_path / "out.mp4") as tmp:
        assert tmp.suffix == ".mp4" and tmp.name.startswith(".")
        tmp.write_text("done")
        assert not (tmp_path / "out.mp4").exists()
    assert (tmp_path / "out.mp4").read_text() == "done"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_failure_leaves_nothing_and_keeps_the_old_file(tmp_path):
    (tmp_path / "out.mp4").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(tmp_path / "out.mp4") as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert (tmp_path / "out.mp4").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_folders_too(tmp_path):
    with atomic_output(tmp_path / "scenes") as tmp:
        tmp.mkdir()
        (tmp / "a.png").write_text("x")
    assert (tmp_path / "scenes" / "a.png").exists()


def test_leftovers_of_killed_writers_are_removed_by_the_next_one(tmp_path):
    # What `kill -9` during a write leaves: hidden partials of the same output from other processes.
    (tmp_path / ".scene_001.partial-4242.mp4").write_text("half")
    (tmp_path / ".scenes.partial-4243").mkdir()
    (tmp_path / ".scenes.partial-4243" / "scene_001.png").write_text("half")
    (tmp_path / ".scene_0010.partial-4244.mp4").write_text("another output's: kept")
    with atomic_output(tmp_path / "scene_001.mp4") as tmp:
        tmp.write_text("done")
    with atomic_output(tmp_path / "scenes") as tmp:
        tmp.mkdir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".scene_0010.partial-4244.mp4", "scene_001.mp4", "scenes"]
