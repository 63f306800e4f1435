"""Comparing two frames' grids, and the episode's own noise.

Input: ``Signatures`` and the live cells to leave out. Output: ``Compare`` (how many cells differ between two
frames, by more than the step), the noise step (``noise_step``) learnt from pairs of frames that should agree
(``quiet_pairs``, ``still_pairs``).
"""

from __future__ import annotations

import numpy as np

from .. import segments
from .grids import Signatures


MIN_CELLS = 3  # cells that must differ: one or two noisy cells are not a change
MIN_STEP = 5.0  # grey levels: the smallest difference that can count
NOISE_FACTOR = 4.0


def _kth_largest(diff: np.ndarray, k: int) -> float:
    flat = diff.ravel()
    if flat.size < k:
        return float(flat.max(initial=0))
    return float(np.partition(flat, flat.size - k)[flat.size - k])


class Compare:
    """Masked comparisons between recorded frames (unrecorded frames repeat the one before)."""

    def __init__(self, sigs: Signatures, live: np.ndarray, step: float):
        self.sigs, self.keep, self.step = sigs, ~live, step
        self.frames = sorted(sigs.by_frame)
        self.held: dict[tuple[int, int], list[tuple[int, int]]] = {}  # holds_of, once per (frames, settle)

    def changed(self, a: int, b: int) -> np.ndarray:
        """The cells outside the live mask that differ between frames ``a`` and ``b`` by more than the step."""
        return (np.abs(self.at(b) - self.at(a)) > self.step) & self.keep

    def same_as(self, live: np.ndarray, step: float) -> bool:
        """Whether this compares with the same mask and step (and so finds the same holds)."""
        return step == self.step and np.array_equal(~live, self.keep) and len(self.frames) == len(self.sigs.by_frame)

    def at(self, index: int) -> np.ndarray:
        k = np.searchsorted(self.frames, index, side="right") - 1
        return self.sigs.by_frame[self.frames[max(k, 0)]]

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return _kth_largest(np.abs(a - b)[self.keep], MIN_CELLS)

    def same(self, a: np.ndarray, b: np.ndarray) -> bool:
        return self.distance(a, b) <= self.step


def noise_step(sigs: Signatures, quiet_pairs: list[tuple[int, int]], live: np.ndarray, threshold: float | None) -> float:
    """The grey-level step that counts as a change: fixed by the user, or from the episode's noise."""
    if threshold is not None:
        return float(threshold)
    keep = ~live
    noise = [_kth_largest(np.abs(sigs.by_frame[a] - sigs.by_frame[b])[keep], MIN_CELLS) for a, b in quiet_pairs]
    typical = float(np.median(noise)) if noise else 0.0
    return max(MIN_STEP, NOISE_FACTOR * typical)


def still_pairs(sigs: Signatures, events: np.ndarray, reorder: int, footage: list[tuple[int, int]],
                 near_events: bool = False) -> list[tuple[int, int]]:  # fmt: skip
    """Consecutive decoded frames that show a still: outside ``footage``, and not changing like footage
    (the whole-frame motion of a clip says nothing of a slide's live regions or its noise). Only the quiet
    ones (``_quiet_pairs``: no standing-out packet near them) unless ``near_events``: subtitles that change
    word by word make a standing-out packet every few frames, and a live region is told from a slide change
    by how often it changes (``find_live_mask``), not by its packets."""
    inside = np.zeros(len(events), bool)
    for a, b in footage:
        inside[a:b] = True
    if near_events:
        frames = sorted(sigs.by_frame)
        candidates = [(a, b) for a, b in zip(frames, frames[1:]) if b == a + 1]
    else:
        candidates = _quiet_pairs(sigs, events, reorder)
    pairs = []
    for a, b in candidates:
        if inside[a] or inside[b]:
            continue
        changed = np.abs(sigs.by_frame[a] - sigs.by_frame[b]) > MIN_STEP
        if segments.largest_patch_share(changed) < segments.FOOTAGE_MIN_AREA:
            pairs.append((a, b))
    return pairs


def _quiet_pairs(sigs: Signatures, events: np.ndarray, reorder: int) -> list[tuple[int, int]]:
    """Consecutive decoded frames with no standing-out packet near them."""
    near = np.convolve(events.astype(int), np.ones(2 * reorder + 3, int), mode="same") > 0
    frames = sorted(sigs.by_frame)
    return [(a, b) for a, b in zip(frames, frames[1:]) if b == a + 1 and not near[a] and not near[b]]
