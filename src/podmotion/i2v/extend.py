"""Extension: a generated clip continued from its own last frames until it reaches ``extend_s``.

An image-to-video model makes a few seconds. With ``animate.<member>.extend_s``
(svd, wan, ltx) the backend keeps going: each next segment is generated from
where the clip so far ends, and only the finished clip is padded.

- **Conditioning.** svd and wan take the clip's last frame as the next
  segment's image. An ``LTXConditionPipeline`` (LTX-Video 0.9.5 and later)
  takes the clip's last ``LTX_CONTEXT_FRAMES`` frames as a video condition at
  frame 0, so the motion carries on and not just the picture. The first frames
  of a segment reproduce its conditioning and are dropped, so the join neither
  stalls nor repeats.
- **Colour drift.** Chained clips drift: colours shift and the picture darkens
  or brightens a little more with each segment. Each segment is measured
  against the still (``colour_drift``: the largest shift of a channel's mean,
  and of the brightness, on 0-255); what decides is how far its colours have
  moved from the first segment's (the model's own answer from the still, which
  the extension must not wander from). Past ``CORRECT_LEVELS``, the
  segment's histograms are matched to the still's (one lookup table per
  channel for the whole segment, so it does not flicker); past ``STOP_LEVELS``
  the model has wandered too far for a correction to be honest, and the
  extension stops with the clip made so far.
- **The record.** The sidecar's ``extension`` lists each segment (its seed,
  frames kept, drift before and after correction, what was done) and the joins
  (the step across each, against the median step between neighbours).

Each segment's seed is the scene's plus its index, so a rerun gives the same clip.
"""

from __future__ import annotations

import logging
import math
from typing import Callable

import numpy as np

from ..repetition import step_ratio
from . import faults

log = logging.getLogger(__name__)

CORRECT_LEVELS = 4.0  # a segment whose channel means or brightness moved this far from the first segment's: corrected
STOP_LEVELS = 16.0  # ... and one that moved this far ends the extension
LTX_CONTEXT_FRAMES = 9  # frames of the clip so far an LTX video condition takes (1 + 8k: one latent frame per 8)


def extension_frames(extend_s: float | None, fps: int, scene_s: float) -> int:
    """The frames a clip at ``fps`` is extended to: ``extend_s`` long, or just the scene's length where that is
    shorter (a clip's frames are instants: the scene's last one is at ``scene_s``); 0 for no extension."""
    if not extend_s:
        return 0
    return max(1, min(round(float(extend_s) * fps), math.ceil(scene_s * fps - 1e-9) + 1))


def colour_drift(frames: np.ndarray, still: np.ndarray) -> float:
    """How far ``frames`` (uint8, ``(F, H, W, 3)``) have moved from ``still`` (a picture, or frames) in colour:
    the largest shift of a channel's mean or of the brightness (BT.709 luma mean), on 0-255."""
    seg = frames.reshape(-1, 3).astype(np.float64).mean(axis=0)
    ref = still.reshape(-1, 3).astype(np.float64).mean(axis=0)
    weights = np.array([0.2126, 0.7152, 0.0722])
    return float(max(np.abs(seg - ref).max(), abs(float((seg - ref) @ weights))))


def match_histograms(frames: np.ndarray, still: np.ndarray) -> np.ndarray:
    """``frames`` with each channel's histogram (pooled over the segment) mapped onto the still's."""
    out = np.empty_like(frames)
    for c in range(3):
        src = np.bincount(frames[..., c].ravel(), minlength=256).cumsum().astype(np.float64)
        ref = np.bincount(still[..., c].ravel(), minlength=256).cumsum().astype(np.float64)
        src, ref = src / src[-1], ref / ref[-1]
        lut = np.clip(np.searchsorted(ref, src, side="left"), 0, 255).astype(np.uint8)
        out[..., c] = lut[frames[..., c]]
    return out


def extend(first: np.ndarray, still: np.ndarray, target_frames: int, make_segment: Callable[[np.ndarray, int], np.ndarray],
           context: int = 1, about: str = "") -> tuple[np.ndarray, dict]:  # fmt: skip
    """The clip ``first`` continued to ``target_frames`` by ``make_segment(context_frames, index)``.

    ``make_segment`` returns a new segment (uint8 frames) whose first ``len(context_frames)`` frames
    reproduce ``context_frames``; they are dropped. Returns (frames, the record for the sidecar).
    """
    clip = [first]
    total = len(first)
    segments = [{"index": 0, "frames": len(first), "drift": round(colour_drift(first, still), 3), "action": "first"}]
    joins: list[int] = []
    stopped = None
    index = 0
    while total < target_frames:
        index += 1
        tail = np.concatenate(clip)[-context:]
        made = faults.after_segment(make_segment(tail, index), index, about)
        new = made[len(tail) :]
        if not len(new):
            stopped = f"segment {index} added no frame"
            break
        moved = colour_drift(new, first)
        record = {"index": index, "frames": 0, "drift": round(colour_drift(new, still), 3), "moved": round(moved, 3)}
        if moved > STOP_LEVELS:
            record["action"] = (f"stopped: colour moved {moved:.1f} levels from the first segment's "
                                f"(limit {STOP_LEVELS:g})")  # fmt: skip
            segments.append(record)
            stopped = record["action"]
            log.warning("%s: extension segment %d %s; the clip ends at %d frames", about, index, record["action"],
                        total)  # fmt: skip
            break
        if moved > CORRECT_LEVELS:
            new = match_histograms(new, still)
            record["action"] = "histograms matched to the still"
            record["drift_corrected"] = round(colour_drift(new, still), 3)
        else:
            record["action"] = "kept"
        new = new[: target_frames - total]
        record["frames"] = len(new)
        segments.append(record)
        joins.append(total)
        clip.append(new)
        total += len(new)
    frames = np.concatenate(clip)
    joined = step_ratio(list(frames), joins) if joins else {"median": None, "joins": [], "worst_ratio": None}
    return frames, {"target_frames": target_frames, "frames": len(frames), "segments": segments,
                    "join_frames": joins, "join_steps": joined, "stopped": stopped}  # fmt: skip
