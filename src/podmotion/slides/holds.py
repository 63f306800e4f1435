"""Step 7 of the slides detector: holds and the cuts between them.

Input: a ``Compare`` over the episode's grids. Output: the holds (runs of frames that agree for at least the
settle time), the cut between each two that differ (a hard cut's first frame, a dissolve's middle), and the
scenes they make with the footage spans (``scenes_of``).
"""

from __future__ import annotations

import numpy as np

from .. import segments
from .compare import Compare


HARD_CUT_SHARE = 0.6  # one frame-to-frame step that makes this share of the change between two holds is the cut
CUT_MIN_LEVELS = 20.0  # a step that changes the cells by this many grey levels on average is another picture
MOVE_MIN_SHARE = 0.01  # a step that changes this share of the cells moves the picture


def snap_to_cut(cmp_: "Compare", frame: int, reach: int, n: int) -> int:
    """``frame``, or the hard cut within ``reach`` frames of it: the frame-to-frame step that changes the
    most of the frame, where it changes a ``FOOTAGE_MIN_AREA`` share or more and at least three times as
    much as any other step there. A picture that drifts on its own (a producer's slow zoom) never holds
    exactly, so where its span starts or ends is only known to within a hold; the cut beside it is exact."""
    if frame <= 0 or frame >= n:
        return frame
    steps = []
    for t in range(max(1, frame - reach), min(n, frame + reach + 1)):
        changed = cmp_.changed(t - 1, t)
        steps.append((float(changed.mean()), segments.largest_patch_share(changed), t))
    steps.sort(reverse=True)
    (share, area, t), runner_up = steps[0], steps[1][0] if len(steps) > 1 else 0.0
    return t if area >= segments.FOOTAGE_MIN_AREA and share >= 3 * runner_up else frame


def scenes_of(cmp_: "Compare", holds: list[tuple[int, int]], footage: list[tuple[int, int]], n: int,
            min_len_frames: int, fps: float) -> tuple[list[int], list[tuple[int, int]], list[str]]:  # fmt: skip
    """Cuts, each scene's hold (a footage scene: its span) and kind.

    Each footage span is a scene, cut at its first and last frame. The still
    spans between are cut by their holds (``_cuts``); one with no hold at all
    (a fade into a clip) joins the footage beside it, and so do the holds at
    their ends that are the footage's (``_held_shots_joined``: a shot the film
    holds). A scene whose picture drifts from its start to its end (a
    producer's zoom) is footage too.
    """
    pieces: list[list] = []  # [kind, start, end]
    at = 0
    for a, b in footage:
        if a > at:
            pieces.append(["still", at, a])
        pieces.append(["footage", a, b])
        at = b
    if at < n:
        pieces.append(["still", at, n])
    inside = {id(p): [(max(h0, p[1]), min(h1, p[2])) for h0, h1 in holds if min(h1, p[2]) > max(h0, p[1])]
              for p in pieces}  # fmt: skip
    merged: list[list] = []
    joins_next = False
    for piece in pieces:  # a still piece without a hold joins the footage before it (or after it)
        if piece[0] == "still" and not inside[id(piece)] and len(pieces) > 1:
            if merged and merged[-1][0] == "footage":
                merged[-1][2] = piece[2]
                continue
            piece[0], joins_next = "footage", True
            merged.append(piece)
            continue
        if joins_next and piece[0] == "footage":
            merged[-1][2] = piece[2]
        else:
            merged.append(piece)  # footage spans side by side stay apart: split at a drifting slide's cut
        joins_next = False
    merged = _held_shots_joined(cmp_, merged, holds, min_len_frames, fps)
    cuts, scene_holds, kinds = [], [], []
    for kind, start, end in merged:
        if start > 0:
            cuts.append(start)
        if kind == "footage":
            scene_holds.append((start, end))
            kinds.append("footage")
            continue
        found = [h for h in holds if min(h[1], end) > max(h[0], start)]
        got_cuts, got_holds = _cuts(cmp_, [(max(a, start), min(b, end)) for a, b in found], end, min_len_frames,
                                    start=start)  # fmt: skip
        if not found:
            got_holds = [(start, end)]
        got_kinds = ["footage" if _drifts(cmp_, a, b) else "still" for a, b in got_holds]
        # A drifting picture that goes on past a gap between its holds is one scene, and so is its tail (or
        # head) too short to be a slide: where no hard cut parts them.
        spans = [(a, b) for a, b in zip([start, *got_cuts], [*got_cuts, end])]
        k = 0
        while k + 1 < len(got_kinds):
            pair = got_kinds[k : k + 2]
            short = min(spans[k][1] - spans[k][0], spans[k + 1][1] - spans[k + 1][0]) < segments.FOOTAGE_MIN_S * fps
            if "footage" in pair and (pair[0] == pair[1] or short) and not _is_hard_cut(cmp_, got_cuts[k]):
                del got_cuts[k]
                got_kinds[k : k + 2] = ["footage"]
                got_holds[k : k + 2] = [(got_holds[k][0], got_holds[k + 1][1])]
                spans[k : k + 2] = [(spans[k][0], spans[k + 1][1])]
            else:
                k += 1
        cuts += got_cuts
        scene_holds += got_holds
        kinds += got_kinds
    return cuts, scene_holds, kinds


def _held_shots_joined(cmp_: "Compare", pieces: list[list], holds: list[tuple[int, int]], min_len_frames: int,
                       fps: float) -> list[list]:  # fmt: skip
    """``pieces`` ([kind, start, end], in order) with the holds at a still piece's ends that are the footage's
    beside it joined to that footage:

    - a held shot (``segments.held_shot_is_footage``): footage runs into it or out of it with no cut (the film
      stops on a frame, or starts moving from one), and footage surrounds it or it is shorter than a slide. It
      is every hold of one picture there (``_one_picture``: the encoder may refine a held picture after a while);
    - a clip's last shot held for less than a scene's shortest length after it (passing a few more source
      frames through is never wrong), unless a cut starts it and its picture goes on past it (a producer's
      zoom on the slide after the clip holds only roughly at first: it starts at its own cut).
    """
    out: list[list] = []
    absorb = False  # the footage piece next joins the one before it: a held shot inside footage between them
    for k, piece in enumerate(pieces):
        kind, start, end = piece
        if absorb:
            out[-1][2], absorb = end, False
            continue
        found = sorted((max(a, start), min(b, end)) for a, b in holds if min(b, end) > max(a, start))
        if kind != "still" or not found:
            out.append(piece)
            continue
        one = [_one_picture(cmp_, h0[1], h1[0]) for h0, h1 in zip(found, found[1:])]
        after_clip = bool(out) and out[-1][0] == "footage"
        before_clip = k + 1 < len(pieces) and pieces[k + 1][0] == "footage"
        first, last = 0, len(found)  # the holds that stay the still piece's: found[first:last]
        # A cut into the hold: the picture it brought is the hold's, no step since moving it (out of it, likewise).
        cut_in = after_clip and _cut_beside_footage(cmp_, start, -1) and _unmoved(cmp_, start, found[0][0])
        cut_out = before_clip and _cut_beside_footage(cmp_, end, 1) and _unmoved(cmp_, found[-1][1] - 1, end - 1)
        if after_clip:
            shot = 1 + next((i for i, same in enumerate(one) if not same), len(one))  # its holds
            held = not cut_in and segments.held_shot_is_footage(found[shot - 1][1] - start, fps,
                                                                before_clip and shot == len(found))  # fmt: skip
            short_tail = len(found) > 1 and found[0][1] - start < min_len_frames and not (cut_in and one[0])
            first = shot if held else int(short_tail)
        if before_clip and last > first and not cut_out:
            shot = 1 + next((i for i, same in enumerate(one[first : last - 1][::-1]) if not same), last - first - 1)
            if segments.held_shot_is_footage(end - found[last - shot][0], fps, after_clip and shot == last - first):
                last -= shot
        if first == last:  # all of it the footage's: one span with the footage beside it, but a zoom's cut stays
            if after_clip and not (cut_in and _drifting(cmp_, *out[-1][1:])):
                out[-1][2] = end
            else:
                out.append(["footage", start, end])
            absorb = before_clip and not (cut_out and _drifting(cmp_, *pieces[k + 1][1:]))
            continue
        if first:
            out[-1][2] = start = _cut_between(cmp_, found[first - 1][1], found[first][0])
        if last < len(found):
            end = pieces[k + 1][1] = _cut_between(cmp_, found[last - 1][1], found[last][0])
        out.append(["still", start, end])
    return out


def _one_picture(cmp_: "Compare", a1: int, b0: int) -> bool:
    """Whether a hold that ends at ``a1`` and the one that starts at ``b0`` show one picture: what changes
    between them (a held picture refined by the encoder, a zoom's step) has no patch over a
    ``FOOTAGE_MIN_AREA`` share of the frame, as a new picture would."""
    return segments.largest_patch_share(cmp_.changed(a1 - 1, b0)) < segments.FOOTAGE_MIN_AREA


def _unmoved(cmp_: "Compare", a: int, b: int) -> bool:
    """Whether no step from frame ``a`` to frame ``b`` moves the picture (``MOVE_MIN_SHARE``): a camera's step
    would; a producer's zoom, a frame at a time, hardly changes a cell."""
    return all(float(cmp_.changed(t - 1, t).mean()) < MOVE_MIN_SHARE for t in range(a + 1, b + 1))


def _cut_beside_footage(cmp_: "Compare", frame: int, side: int, reach: int = 5) -> bool:
    """Whether the step into ``frame`` is a cut, between a hold and the footage on ``side`` of it (-1: before,
    1: after): it changes a ``FOOTAGE_MIN_AREA`` share of the frame, by ``CUT_MIN_LEVELS`` grey levels or three
    times the footage's own steps (a camera's step changes most cells a little, a cut to another picture
    changes them a lot). Only the footage's side counts: against a hold's still frames, the last step of a film
    that stops on a frame would look like a cut."""
    def size(t: int) -> float:  # the mean change of the cells, in grey levels
        return float(np.abs(cmp_.at(t) - cmp_.at(t - 1))[cmp_.keep].mean())

    if segments.largest_patch_share(cmp_.changed(frame - 1, frame)) < segments.FOOTAGE_MIN_AREA:
        return False
    if side < 0:
        steps = range(max(1, frame - reach), frame)
    else:
        steps = range(frame + 1, min(frame + reach, cmp_.frames[-1]) + 1)
    return size(frame) >= min(CUT_MIN_LEVELS, 3 * float(np.median([size(t) for t in steps] or [0.0])))


def _drifting(cmp_: "Compare", start: int, end: int) -> bool:
    """Whether footage from ``start`` to ``end`` drifts slowly inside a still frame (``segments.drifting``)."""
    steps = [float(cmp_.changed(t - 1, t).mean()) for t in range(start + 1, end)]
    return segments.drifting(steps, segments.spread_share(cmp_.changed(start, end - 1)))


def _drifts(cmp_: "Compare", start: int, end: int) -> bool:
    """Whether a scene's picture moves on its own (``segments.drifts``): its held picture at ``end`` against
    at ``start``."""
    changed = cmp_.changed(start, end - 1)
    if not segments.drifts(segments.spread_share(changed)):
        return False
    # Gradually: a scene that holds one picture and then another (a short one joined to it) does not drift.
    lo, hi = np.searchsorted(cmp_.frames, [start + 1, end])
    return not any(_is_hard_cut(cmp_, t) for t in cmp_.frames[lo:hi])


def _is_hard_cut(cmp_: "Compare", frame: int, reach: int = 5) -> bool:
    """Whether the step into ``frame`` from the frame before is a cut: it changes a ``FOOTAGE_MIN_AREA``
    share of the frame, and three times as many cells as the steps within ``reach`` frames of it (a camera's
    motion changes much of the frame at every step)."""
    def cells(t: int) -> np.ndarray:
        return cmp_.changed(t - 1, t)

    changed = cells(frame)
    if segments.largest_patch_share(changed) < segments.FOOTAGE_MIN_AREA:
        return False
    around = [float(cells(t).mean()) for t in range(max(1, frame - reach), frame + reach + 1) if t != frame]
    return float(changed.mean()) >= 3 * float(np.median(around))


def holds_of(cmp_: Compare, n: int, settle_frames: int) -> list[tuple[int, int]]:
    """Runs of frames that agree with their run's first frame and last at least ``settle_frames``."""
    if (n, settle_frames) not in cmp_.held:
        cmp_.held[(n, settle_frames)] = _find_holds(cmp_, n, settle_frames)
    return list(cmp_.held[(n, settle_frames)])


def _find_holds(cmp_: Compare, n: int, settle_frames: int) -> list[tuple[int, int]]:
    points = cmp_.frames + [n]
    holds: list[tuple[int, int]] = []
    start = None
    anchor = None
    for i, t in enumerate(points[:-1]):
        sig = cmp_.sigs.by_frame[t]
        if anchor is not None and cmp_.same(anchor, sig):
            continue
        if start is not None and t - start >= settle_frames:
            holds.append((start, t))
        start, anchor = t, sig
    if start is not None and n - start >= settle_frames:
        holds.append((start, n))
    # A hold began at a frame still moving: trim it to where it agrees with its end.
    return [_settled(cmp_, a, b) for a, b in holds]


def _settled(cmp_: Compare, start: int, end: int) -> tuple[int, int]:
    last = cmp_.at(end - 1)
    frames = [t for t in cmp_.frames if start <= t < end]
    for t in frames:
        if cmp_.same(cmp_.sigs.by_frame[t], last):
            return t, end
    return start, end


def _cuts(cmp_: Compare, holds: list[tuple[int, int]], n: int, min_len_frames: int, start: int = 0):
    """One cut between each two holds that differ (see ``_cut_between``), in frames ``start`` to ``n``."""
    if not holds:
        return [], [(start, n)]
    merged = [holds[0]]
    for a, b in holds[1:]:
        if cmp_.same(cmp_.at(merged[-1][1] - 1), cmp_.at(a)):
            merged[-1] = (merged[-1][0], b)  # the same picture came back: a flash, not a cut
        else:
            merged.append((a, b))
    cuts, scene_holds = [], [merged[0]]
    for (a0, a1), (b0, b1) in zip(merged, merged[1:]):
        cut = _cut_between(cmp_, a1, b0)
        if cuts and cut - cuts[-1] < min_len_frames or not cuts and min_len_frames and cut - start < min_len_frames:
            scene_holds[-1] = (scene_holds[-1][0], b1)  # too short after the last cut: one scene
            continue
        cuts.append(cut)
        scene_holds.append((b0, b1))
    return cuts, scene_holds


def _cut_between(cmp_: Compare, a1: int, b0: int) -> int:
    """The cut between a hold that ends at ``a1`` and one that starts at ``b0``.

    Over the cells the two pictures differ in, the first frame nearer the new
    picture than the old: a hard cut's first frame (even when the encoder
    sharpens the new picture over the next frames), a dissolve's middle. A
    transition that passes far from both pictures (a fade through black) is
    cut at its middle. Where one frame-to-frame step makes most of the change
    (``HARD_CUT_SHARE``), that step is the cut.
    """
    old, new = cmp_.at(a1 - 1), cmp_.at(b0)
    changed = (np.abs(old - new) > cmp_.step) & cmp_.keep
    if b0 <= a1 or not changed.any():
        return b0
    span = float(np.abs(old - new)[changed].mean())
    # A picture that drifts on its own (a producer's zoom) holds only roughly: one step that makes most of the
    # change between the two holds is the hard cut, wherever the holds were found to end and start.
    steps = [(float(np.abs(cmp_.at(t) - cmp_.at(t - 1))[changed].mean()), t) for t in range(a1, b0 + 1)]
    jump, at_frame = max(steps)
    if jump >= HARD_CUT_SHARE * span:
        return at_frame
    first_nearer, through = b0, False
    for t in range(a1, b0):
        sig = cmp_.at(t)
        to_old, to_new = float(np.abs(sig - old)[changed].mean()), float(np.abs(sig - new)[changed].mean())
        through |= to_old + to_new > 1.5 * span
        if to_new < to_old and first_nearer == b0:
            first_nearer = t
    return a1 + (b0 - a1) // 2 if through else first_nearer
