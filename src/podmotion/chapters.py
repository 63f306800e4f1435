"""Chapters: one per scene, in the finished file and as a list a video site reads.

A chapter spans its scene's output frames exactly (``Episode.frame_ranges``),
so the file's chapters carry the frame grid's own time base (``1/25``,
``1001/30000``) and no time is rounded. Titles are ``Scene N`` (``Scene 3`` in a
detected episode; a topic's scene label, ``Scene 01``, as its narration file is
numbered), or the ``title`` given for the scene in ``overrides``.

``chapters.txt`` is the form video sites read in a description: one line per
chapter, ``00:00 Scene 1``, its start rounded down to the second (``h:mm:ss``
once the episode lasts an hour or more).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .atomic import atomic_output


@dataclass(frozen=True)
class Chapter:
    scene: int
    start_frame: int  # output frames, end exclusive
    end_frame: int
    title: str


def scene_title(scene: int, label: str | None, titles: dict[int, str]) -> str:
    """The scene's chapter title: its own from ``overrides``; else ``Scene`` and the topic's
    label (``Scene 01``, as its narration file is numbered), or the scene number."""
    given = titles.get(scene)
    if given:
        return " ".join(given.split())  # one line, single spaces
    return f"Scene {label or scene}"


def episode_chapters(frame_ranges: dict[int, tuple[int, int]], titles: dict[int, str] | None = None,
                     topic_labels: dict[int, str] | None = None) -> list[Chapter]:  # fmt: skip
    """One chapter per scene that owns output frames, in order. ``topic_labels``: a topic's
    scene labels, which name its chapters; a detected episode's are numbered."""
    titles, topic_labels = titles or {}, topic_labels or {}
    out = []
    for scene, (start, end) in sorted(frame_ranges.items(), key=lambda item: item[1]):
        if end > start:
            out.append(Chapter(scene, start, end, scene_title(scene, topic_labels.get(scene), titles)))
    return out


def _escape(text: str) -> str:
    """FFMETADATA escapes ``=``, ``;``, ``#``, ``\\`` and newlines with a backslash."""
    for ch in ("\\", "=", ";", "#", "\n"):
        text = text.replace(ch, "\\" + ch)
    return text


def ffmetadata(chapters: list[Chapter], fps: Fraction) -> str:
    """The chapters as an FFMETADATA file, timed in frames of the output's rate (exact)."""
    lines = [";FFMETADATA1"]
    for ch in chapters:
        lines += ["[CHAPTER]", f"TIMEBASE={fps.denominator}/{fps.numerator}", f"START={ch.start_frame}",
                  f"END={ch.end_frame}", f"title={_escape(ch.title)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def description_lines(chapters: list[Chapter], fps: Fraction) -> list[str]:
    """``00:00 Scene 1``: each chapter's start, rounded down to the second."""
    if not chapters:
        return []
    long_form = Fraction(chapters[-1].end_frame) / fps >= 3600
    out = []
    for ch in chapters:
        whole_s = int(Fraction(ch.start_frame) / fps)
        h, rest = divmod(whole_s, 3600)
        m, s = divmod(rest, 60)
        stamp = f"{h}:{m:02d}:{s:02d}" if long_form else f"{m:02d}:{s:02d}"
        out.append(f"{stamp} {ch.title}")
    return out


def write_description(chapters: list[Chapter], fps: Fraction, path: str | os.PathLike) -> None:
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(description_lines(chapters, fps)) + "\n", encoding="utf-8")
