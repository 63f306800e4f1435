"""Segments: which spans of a source are stills and which are footage.

A podcast video is not only slides. Between and around them it may carry
footage: an animated intro, a clip played mid-episode, an outro, a cut to the
studio camera. Footage must come out as the source shows it, so detection
labels every span of the source with a *kind*:

- ``still``: a picture that holds (a slide), possibly with small live regions
  that move all the time (a waveform, a clock, a GIF-like loop);
- ``footage``: video, where a large part of the picture keeps changing and
  never holds.

The rule, on the holds the ``slides`` detector finds (runs of frames that
agree for at least 0.2 s) and its coarse luma grids (``podmotion.slides``):

1. **Unsettled stretches.** The frames outside every hold: between two
   slides, the transition; in footage, everything, since video never holds.
2. **Footage** is a stretch lasting at least ``FOOTAGE_MIN_S`` (1 s) whose
   moving area is large: the cells that change between any frame of the
   stretch and the frame ``MOTION_LAG_S`` (half a second) before it, within
   the stretch (outside the live mask; a slow zoom changes little from one
   frame to the next), closed with a 3x3 kernel
   (a textured picture changes in fragments) and split into connected
   patches, have a patch whose bounding box covers at least
   ``FOOTAGE_MIN_AREA`` (a fifth) of the frame. A waveform strip (an eighth
   of the frame), a subtitle line, a host's camera box or a looping logo stay
   under it however long they move: they are live regions of a still, never
   footage. An art slot that zooms or pans on its own (a quarter of the frame
   or more) is above it. A slide change lasts a frame, or its dissolve; a
   dissolve slower than a second is passed through as the source shows it,
   which is what a viewer saw.
3. **Boundaries, to the frame.** A footage span runs from the end of the hold
   before it (its first frame differs from the held picture) to the start of
   the hold after it (the first frame of the next picture that holds).
4. **A producer's own motion.** A slide whose art zooms or pans slowly in
   the source holds only roughly: its frames agree with their neighbours,
   but its picture at the end differs from its picture at the start. When
   that difference reaches over ``FOOTAGE_MIN_AREA`` or more of the frame
   (``drifts``; a slow zoom changes only where the picture has edges, so its
   reach is measured, not its area), the scene is footage: kept as the
   source shows it. Such scenes that follow each other with no hard cut
   between are one; a footage span is split at a hard cut with such a slow
   drift on one side (``drifting``: small frame-to-frame steps, inside a
   frame that holds), so a zooming slide is never joined to the clip after
   it, while a clip's own shot cuts stay inside it. Its cuts are the slide changes, to the frame (the
   ``slides`` detector puts a span's edges on the hard cut beside them).
5. **Pauses.** Two footage spans apart by less than ``FOOTAGE_MIN_S`` are one:
   a clip's static shot or a pause is not a slide. So is a span that starts
   less than that after the source's start, or ends less than that before its
   end: it reaches it.
6. **Held shots.** A hold that footage runs into or out of with no cut (a
   film that stops on a frame, or starts moving from one) is the footage's
   when footage surrounds it, however long, or when it is shorter than a
   slide would be (``HELD_SHOT_MAX_S``, 2 s; ``held_shot_is_footage``). A
   hold that a cut brings after footage is a slide, and a zooming one starts
   at that cut, however roughly it holds at first.

So, for motion inside a slide, the rule is how much of the frame moves and
for how long: a GIF-like loop, a looping logo, a waveform, a subtitle line or
a camera box (under a fifth of the frame, however long) is a live region of
the still, taken from the source frame by frame; a motion graphic over a
fifth of the frame or more is footage if it goes on for a second or more (it
is kept as the source shows it), and part of a transition if it does not.

The functions here work on grids alone (arrays of cell means), so the rule is
tested without decoding anything.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

KINDS = ("still", "footage")
FOOTAGE_MIN_AREA = 0.2  # share of the frame a moving patch's bounding box must cover to be footage
MOTION_LAG_S = 0.5  # a stretch's motion: each frame against the one this long before it
DRIFT_MAX_STEP_SHARE = 0.05  # footage whose frame-to-frame steps change fewer cells than this (median) ...
DRIFT_MAX_REACH = 0.8  # ... and whose change from start to end reaches over less of the frame than this, drifts
FOOTAGE_MIN_S = 1.0  # an unsettled stretch at least this long may be footage; a pause shorter than it is not a slide
HELD_SHOT_MAX_S = 2.0  # a shot that footage stops on (or starts from) with no cut, held for less, is the footage's


def largest_patch_share(changed: np.ndarray) -> float:
    """The share of the grid covered by the bounding box of the largest patch of changed cells."""
    import cv2

    if not changed.any():
        return 0.0
    closed = cv2.morphologyEx(changed.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, boxes, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if n <= 1:
        return 0.0
    areas = boxes[1:, 2].astype(np.int64) * boxes[1:, 3]
    return float(areas.max()) / changed.size


def unsettled(holds: Sequence[tuple[int, int]], n_frames: int) -> list[tuple[int, int]]:
    """The stretches of ``[0, n_frames)`` outside every hold, ``[start, end)``, in order."""
    out, at = [], 0
    for a, b in sorted(holds):
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < n_frames:
        out.append((at, n_frames))
    return out


def moving_area(grids: Sequence[np.ndarray], keep: np.ndarray, step: float, lag: int = 1) -> float:
    """``largest_patch_share`` of the cells (where ``keep``) that change between any grid and the one ``lag``
    before it (a slow zoom changes little from one frame to the next, a lot over a second): how much of the
    frame a stretch moves in."""
    union = np.zeros(keep.shape, bool)
    lag = max(1, min(lag, len(grids) - 1))
    for before, after in zip(grids, grids[lag:]):
        union |= np.abs(after - before) > step
    return largest_patch_share(union & keep)


def footage_spans(holds: Sequence[tuple[int, int]], n_frames: int, fps: float,
                  area_of: Callable[[int, int], float]) -> list[tuple[int, int]]:  # fmt: skip
    """The footage spans, ``[start, end)`` in frames (see the module docstring).

    ``holds``: the runs of frames that agree, ``[start, end)``. ``area_of(a, b)``:
    the moving area of frames ``a`` to ``b`` (``moving_area`` over their grids).
    """
    min_frames = max(1, int(round(FOOTAGE_MIN_S * fps)))
    spans: list[list[int]] = []
    for a, b in unsettled(holds, n_frames):
        if b - a < min_frames or area_of(a, b) < FOOTAGE_MIN_AREA:
            continue
        if spans and a - spans[-1][1] < min_frames:  # a pause inside a clip
            spans[-1][1] = b
        else:
            spans.append([a, b])
    if spans and spans[0][0] < min_frames:  # a clip's first or last shot, held: no slide is that short
        spans[0][0] = 0
    if spans and n_frames - spans[-1][1] < min_frames:
        spans[-1][1] = n_frames
    return [(a, b) for a, b in spans]


def held_shot_is_footage(held_frames: int, fps: float, footage_on_both_sides: bool) -> bool:
    """Whether a held shot, a hold that footage runs into or out of with no cut (a film that stops on a frame,
    or starts moving from one), is the footage's: when footage surrounds it, or when it is shorter than a slide
    would be (``HELD_SHOT_MAX_S``). A longer one at a clip's end is a still scene of its own."""
    return footage_on_both_sides or held_frames < HELD_SHOT_MAX_S * fps


def treated_as(detected: str, footage_setting: str, override: str | None) -> str:
    """The kind a scene is handled as: the scene's ``overrides`` kind, else still for every scene under
    ``detect.footage: animate``, else what detection found."""
    if override is not None:
        return override
    return "still" if footage_setting == "animate" else detected


def spread_share(changed: np.ndarray, min_cells: int = 3) -> float:
    """The share of the grid covered by the bounding box of every patch of at least ``min_cells`` changed
    cells: how far a change reaches, even when it is scattered (a slow zoom changes only where the picture
    has edges)."""
    import cv2

    n, _, boxes, _ = cv2.connectedComponentsWithStats(changed.astype(np.uint8), connectivity=8)
    keep = [k for k in range(1, n) if boxes[k][4] >= min_cells]
    if not keep:
        return 0.0
    x0, y0 = min(boxes[k][0] for k in keep), min(boxes[k][1] for k in keep)
    x1, y1 = max(boxes[k][0] + boxes[k][2] for k in keep), max(boxes[k][1] + boxes[k][3] for k in keep)
    return float((x1 - x0) * (y1 - y0)) / changed.size


def drifting(step_shares: Sequence[float], reach_share: float) -> bool:
    """Whether a stretch of footage drifts slowly inside a still frame (a producer's zoom on a slide's art)
    rather than moving like camera video: its frame-to-frame steps change few cells (``step_shares``, the
    share of cells each changes: median under ``DRIFT_MAX_STEP_SHARE``) and what changed from its start to its
    end reaches over part of the frame only (``reach_share``, ``spread_share``: under ``DRIFT_MAX_REACH``; a
    camera's pan moves the whole frame)."""
    slow = len(step_shares) > 0 and float(np.median(step_shares)) < DRIFT_MAX_STEP_SHARE
    return slow and reach_share < DRIFT_MAX_REACH


def drifts(start_to_end_area: float) -> bool:
    """Whether a scene whose picture at its end differs from its start over ``start_to_end_area`` of the
    frame (``spread_share`` of the changed cells) moves on its own, and so is footage."""
    return start_to_end_area >= FOOTAGE_MIN_AREA


def kind_problem(kind: object) -> str | None:
    """Why ``kind`` is not a scene kind, or None."""
    if kind in KINDS:
        return None
    return f"kind {kind!r} is not a scene kind; allowed: {', '.join(KINDS)}"
