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
