"""What the end of a failed run cleans up beside the episodes that did finish (podmotion.assemble.leftover_parts)."""

from __future__ import annotations

import os

from podmotion.assemble import leftover_parts


def test_only_joined_videos_older_than_the_finished_episode_are_leftovers(tmp_path):
    final = tmp_path / "ep_animated.mp4"
    video, other = (tmp_path / n for n in ("ep_video.mp4", "ep_notes.mp4"))
    for path, mtime_s in ((video, 300), (other, 100), (final, 200)):
        path.write_bytes(b"x")
        os.utime(path, (mtime_s, mtime_s))
    assert leftover_parts(final, "ep") == []  # the joined video is newer: a run is remaking the episode
    os.utime(video, (200, 200))
    assert leftover_parts(final, "ep") == [video]  # never the files that are not joined parts
    final.unlink()
    assert leftover_parts(final, "ep") == []  # not finished: its parts are still needed
