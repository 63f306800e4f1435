"""The run's closing line per episode (podmotion.summary.closing_line): by what exists."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from podmotion.errors import PodmotionError
from podmotion.jobs import run_job
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


def test_an_unfinished_episode_says_which_job_failed_and_why_until_that_job_succeeds(tmp_path, monkeypatch):
    """run_job keeps a failed job's one line (logs/failed/NAME/); the closing line carries it; the job's next
    success removes it."""
    monkeypatch.chdir(tmp_path)
    video = Path("results/ep/ep_animated.mp4")
    job = SimpleNamespace(rule="animate_scene", wildcards=SimpleNamespace(name="ep", scene="003"), output=[],
                          log=[str(tmp_path / "logs" / "animate.log")])  # fmt: skip

    def fails():
        raise PodmotionError("results/ep/scenes/scene_003.png", "not a readable image")

    for _ in range(2):  # a failed retry leaves one line, not two
        with pytest.raises(SystemExit):
            run_job(job, fails)
    level, line = closing_line("ep", video, "results/ep/summary.json", [])
    assert (level, line) == ("warning", f"ep: not finished (no {video}): animate_scene (scene 003): "
                                        "results/ep/scenes/scene_003.png: not a readable image")  # fmt: skip
    run_job(job, lambda: None)
    assert closing_line("ep", video, "results/ep/summary.json", []) == ("info", f"ep: not finished (no {video})")
