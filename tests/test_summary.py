"""The run's closing line per episode (podmotion.summary.closing_line): by what exists."""

from podmotion.summary import closing_line, write_summary

SUMMARY = {"episode": "ep", "output": "results/ep/ep_animated.mp4", "scenes": 2, "duration_s": 12.0,
           "backends": {"kenburns": 2}, "fallbacks": [], "stage_seconds": {"animate": 3.0}, "total_seconds": 3.0,
           "timed_jobs": 2, "scene_table": []}  # fmt: skip


def test_a_finished_episode_gets_its_summary_line_and_the_missing_report_pages(tmp_path):
    video, summary, page = tmp_path / "ep_animated.mp4", tmp_path / "summary.json", tmp_path / "overview.html"
    video.write_bytes(b"x")
    write_summary(SUMMARY, summary)
    level, line = closing_line("ep", video, summary, [page])
    assert level == "info" and line.startswith("ep: 2 scenes, 12.0 s; kenburns 2; no fallback")
    assert line.endswith(f"; report not made ({page})")
    page.write_text("<html>")
    assert "report not made" not in closing_line("ep", video, summary, [page])[1]  # nothing missing: nothing said
    write_summary({**SUMMARY, "fallbacks": [{"scene": 1, "from": "svd", "to": "kenburns", "reason": "oom"}]}, summary)
    assert closing_line("ep", video, summary, [page])[0] == "warning"


def test_a_video_asked_for_on_its_own_is_built_and_nothing_is_not_finished(tmp_path):
    video = tmp_path / "ep_animated.mp4"
    assert closing_line("ep", video, tmp_path / "summary.json", []) == ("info", f"ep: not finished (no {video})")
    video.write_bytes(b"x")
    level, line = closing_line("ep", video, tmp_path / "summary.json", [])
    assert line == f"ep: built {video} (its run summary and report were not asked for)"


def test_a_summary_that_is_not_one_is_named_not_read(tmp_path):
    """An empty or foreign summary.json (summarise writes whole files; something else made this one): the
    closing line names the file and the problem, and the run's end does not fail on it."""
    summary = tmp_path / "summary.json"
    for text in ("", "[]", '{"episode": "ep"}'):
        summary.write_text(text)
        level, line = closing_line("ep", tmp_path / "ep.mp4", summary, [])
        assert level == "warning" and line.startswith(f"ep: {summary}: not a run summary ("), line
