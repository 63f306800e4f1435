"""Drift: a slow camera move laid over a padded clip, so a loop or a ping-pong never shows a frame twice.

A generated clip lasts a few seconds; the padder repeats it to fill a scene of
a minute or two, and every output frame then has an identical twin elsewhere
in the scene. With drift, the padded frames are seen through a camera window
that tours the art over the whole scene: ``podmotion.camera``'s tour, smaller
(``pad.drift_zoom``, its centre using ``DRIFT_PAN`` of the room the zoom
leaves), at the same pace and under the same cap as Ken Burns. No two frames of
the scene are then the same, and a loop's seam is softened by the motion
around it.

- **Only the art moves.** The window moves inside the art box (the layout's
  art region at the output size; the whole picture when there is none), and
  the moved art is pasted back with the same feathered edge as the backend's
  paste (``podmotion.compose``): every pixel outside the box is the padded
  frame's own.
- **Deterministic.** The move's direction comes from the scene's seed: a rerun
  gives the same frames.
- **When.** ``pad.drift: auto`` (the default) drifts the clips of the
  generated backends (svd, wan, ltx: the sidecar says which one made the
  clip, so a scene that fell back to kenburns does not drift); ``true`` and
  ``false`` force it. A Ken Burns clip is one move already.
- **Cost.** Every output frame is warped and encoded: the padder's
  repeat-by-stream-copy no longer applies (``docs/benchmarks.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from .camera import DEFAULT_MAX_SPEED, DEFAULT_PACE, Move, plan_tour, render
from .compose import edge_alpha, feather_px, paste

DRIFT_PAN = 0.8  # the share of the room the zoom leaves that the window's centre may use
# The drift's speed ramps over half a second, not Ken Burns' one: the scene starts and ends on a cut, and a
# long ramp is a second of near-stillness, long enough for a frozen clip's frames to repeat.
DRIFT_RAMP_S = 0.5
MIN_BOX_PX = 16  # a smaller art box is not drifted


def wanted(mode, generated: bool) -> bool:
    """Whether a clip drifts under ``pad.drift`` = ``mode`` (True, False or "auto"); ``generated``: it was
    made by an image-to-video model (``Backend.generated``)."""
    if mode == "auto":
        return generated
    return bool(mode)


@dataclass(frozen=True)
class Drift:
    """One scene's drift: the window's path over the art box, frame by frame."""

    box: tuple[int, int, int, int]  # x, y, width, height at the output size
    path: np.ndarray  # (n_frames, 3): centre x, centre y, width, in box pixels
    fps: float
    summary: dict | None = None

    @classmethod
    def plan(cls, box, n_frames: int, seed: int, zoom: float, fps: float,
             max_speed_widths_per_s: float | None = DEFAULT_MAX_SPEED,
             pace_widths_per_s: float = DEFAULT_PACE, framing=None) -> "Drift | None":  # fmt: skip
        """The scene's drift, or None where there is nothing to drift (no zoom, a tiny box). ``framing``
        (``podmotion.framing``, of the art at the box's size): the text and faces every window keeps whole."""
        x, y, w, h = (int(v) for v in box)
        if zoom <= 1.0 or min(w, h) < MIN_BOX_PX or n_frames < 2:
            return None
        move = Move(zoom, DRIFT_PAN, max_speed_widths_per_s, DRIFT_RAMP_S, pace_widths_per_s)
        tour = plan_tour(w, h, w, h, n_frames, seed, move, fps, framing)
        summary = tour.describe(w, h, fps)
        if framing is not None:
            summary["framing"] = {"size": [w, h], **framing.describe()}
        return cls((x, y, w, h), tour.path, fps, summary)

    def apply(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Each frame with its art seen through the window at that frame."""
        x, y, w, h = self.box
        alpha = edge_alpha(w, h, feather_px(self.box))
        for (cx, cy, win_w), frame in zip(self.path, frames, strict=True):
            art = np.ascontiguousarray(frame[y : y + h, x : x + w])
            yield paste(frame, render(art, cx, cy, win_w, w, h), self.box, alpha)

    def describe(self) -> dict:
        return {"box": list(self.box), **(self.summary or {})}
