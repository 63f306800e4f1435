"""Padding plans: how a short clip fills a scene's exact number of frames.

A plan is a list of segments, each a sequence of clip frame indices played
``repeats`` times in a row. The padder encodes every segment once and repeats
it by stream copy, so the cost grows with the clip's unique frames, not with
the scene's length.

Strategies:

- ``loop``: 0, 1, …, n-1, 0, 1, … (a jump back to the first frame each period).
- ``pingpong``: forward then backward, 0 … n-1 … 1, 0 …: no jump.
- ``freeze``: the clip once, then its last frame held.

A clip longer than the scene is trimmed to the scene.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STRATEGIES = ("loop", "pingpong", "freeze")


@dataclass(frozen=True)
class Segment:
    frames: tuple[int, ...]
    repeats: int = 1


@dataclass(frozen=True)
class PaddingPlan:
    segments: tuple[Segment, ...]

    def expand(self) -> list[int]:
        """The full frame sequence: the tests' oracle for what the padder writes."""
        out: list[int] = []
        for seg in self.segments:
            out.extend(seg.frames * seg.repeats)
        return out

    @property
    def encoded_frames(self) -> int:
        """Frames that must actually be encoded (each segment once)."""
        return sum(len(s.frames) for s in self.segments)


def _cycle(n_clip_frames: int, strategy: str) -> tuple[list[int], list[int]]:
    """(head played once, cycle repeated after it)."""
    forward = list(range(n_clip_frames))
    if strategy == "loop":
        return [], forward
    if strategy == "pingpong":
        return [], forward + forward[-2:0:-1]
    if strategy == "freeze":
        return forward, [n_clip_frames - 1]
    raise ValueError(f"unknown padding strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")


def plan_padding(n_clip_frames: int, n_scene_frames: int, strategy: str, min_period_frames: int = 1) -> PaddingPlan:
    """Plan ``n_scene_frames`` output frames from a clip of ``n_clip_frames``.

    A cycle shorter than ``min_period_frames`` is unrolled until it is at least
    that long, so repeated segments don't each cost a key frame every few frames.
    """
    if n_clip_frames < 1:
        raise ValueError("a clip needs at least one frame")
    if n_scene_frames < 1:
        raise ValueError("a scene needs at least one frame")
    head, cycle = _cycle(n_clip_frames, strategy)
    if n_scene_frames <= n_clip_frames:
        return PaddingPlan((Segment(tuple(range(n_scene_frames))),))
    period = cycle * max(1, math.ceil(min_period_frames / len(cycle)))
    remaining = n_scene_frames - len(head)
    repeats, tail = divmod(remaining, len(period))
    segments = [Segment(tuple(head))] if head else []
    if repeats >= 2:
        segments.append(Segment(tuple(period), repeats))
        if tail:
            segments.append(Segment(tuple(period[:tail])))
    else:
        # One period or less: cheaper to encode the frames straight through.
        segments.append(Segment(tuple((period * 2)[:remaining])))
    return PaddingPlan(tuple(segments))
