"""Frame math: which output frames each scene owns.

Scene k covers output frames ``[frame_at(start_k), frame_at(end_k))``. Every
boundary is rounded on its own from its exact time, so rounding never
accumulates: after any number of scenes the cut is still within half a frame
of its true time and the frame ranges tile the timeline with no gap or overlap.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from typing import Sequence


def frame_at(time_s: float | Fraction, fps: Fraction) -> int:
    """Index of the output frame at which something starting at ``time_s`` starts.

    Rounds half up, exactly: a float is taken as the decimal it prints as
    (0.06 is 3/50, not 0.05999…), then Fraction arithmetic has no error.
    """
    exact = Fraction(repr(time_s)) if isinstance(time_s, float) else Fraction(time_s)
    return math.floor(exact * Fraction(fps) + Fraction(1, 2))


def scene_frame_ranges(boundaries_s: Sequence[float | Fraction], fps: Fraction) -> list[tuple[int, int]]:
    """Output frame ranges ``(start_frame, end_frame)`` for consecutive scenes.

    ``boundaries_s`` holds every scene start plus the end of the last scene.
    """
    frames = [frame_at(t, fps) for t in boundaries_s]
    if any(b < a for a, b in zip(frames, frames[1:])):
        raise ValueError("scene boundaries must not decrease")
    return list(zip(frames, frames[1:]))


def resample_indices(n_clip_frames: int, clip_fps: Fraction, out_fps: Fraction) -> list[int]:
    """Which clip frame each output frame shows when a clip is played at ``out_fps``.

    Output frame j is at time j/out_fps; it shows the clip frame on screen at
    that instant. The result lasts as long as the clip (at least one frame).
    """
    if n_clip_frames < 1:
        raise ValueError("a clip needs at least one frame")
    n_out = max(1, frame_at(Fraction(n_clip_frames) / Fraction(clip_fps), out_fps))
    ratio = Fraction(clip_fps) / Fraction(out_fps)
    return [min(n_clip_frames - 1, math.floor(j * ratio)) for j in range(n_out)]


def scene_seed(global_seed: int, scene_number: int) -> int:
    """A stable 32-bit seed for one scene, derived from the global seed and the scene number."""
    digest = hashlib.sha256(f"podmotion:{int(global_seed)}:{int(scene_number)}".encode()).digest()
    return int.from_bytes(digest[:4], "little")
