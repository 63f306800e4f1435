"""The camera move: one slow, eased pan and zoom of a window over a picture, with its speed capped.

Two owners use it: the ``kenburns`` backend (the window over the still, the
whole scene long) and the padder's drift (``podmotion.drift``: a smaller move
over an animated clip's art, so a looped or ping-ponged clip never shows the
same frame twice).

- **The window** keeps the output's aspect ratio and always stays inside the
  picture. Its centre and width move on straight lines in eased time: the
  window fits the picture at both ends, and "fits" is linear in (centre,
  width), so it fits all along.
- **The easing** (``eased``) ramps the speed up over ``RAMP_S`` seconds, holds
  it, and ramps it down: a long move travels at one steady speed, as a
  documentary's rostrum-camera move does, and a short one (under two ramps) is
  a plain ease-in-out. Speed is zero at both ends, so nothing jolts where a
  scene starts or ends, and the path never turns back.
- **The speed cap** (``max_speed_widths_per_s``): the fastest-moving pixel of
  the output (a corner, in a zoom) never travels more than this share of the
  frame's width per second. Rostrum moves in documentaries cross a tenth to a
  fifth of the frame in five to ten seconds, about 2 % of the width per
  second; a short scene whose move would be faster gets a smaller move (its
  zoom and pan shrink together), and a 120 s scene glides. Whatever the
  scene's length, the move never sweeps across the picture.
- **Sub-pixel**: each frame is one affine warp with a floating-point matrix
  (``render``), so the camera moves by fractions of a pixel between frames.

Direction (zoom in or out, pan angle) comes from the seed, so a rerun gives
the same frames.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

RAMP_S = 1.0  # the speed ramps up (and down) over this long; a move shorter than two ramps is a plain ease
DEFAULT_MAX_SPEED = 0.02  # frame widths per second, for the fastest-moving pixel


def eased(n_frames: int, ramp_frames: float) -> np.ndarray:
    """Progress 0 → 1 over ``n_frames``, the speed ramping (raised cosine) over ``ramp_frames`` at each end.

    Monotonic: the path never turns back. ``ramp_frames`` at or above half the move gives a plain
    ease-in-out (speed up over the first half, down over the second).
    """
    if n_frames < 2:
        return np.zeros(max(n_frames, 0))
    t = np.arange(n_frames, dtype=np.float64) / (n_frames - 1)
    r = min(0.5, max(ramp_frames / (n_frames - 1), 1e-9))
    head = t / 2 - r / (2 * math.pi) * np.sin(math.pi * np.minimum(t, r) / r)
    tail_t = 1 - t
    tail = tail_t / 2 - r / (2 * math.pi) * np.sin(math.pi * np.minimum(tail_t, r) / r)
    total = 1 - r
    progress = np.where(t < r, head, np.where(t > 1 - r, total - tail, r / 2 + (t - r)))
    return np.clip(progress / total, 0.0, 1.0)


@dataclass(frozen=True)
class Move:
    """A camera move's shape: ``zoom`` at its tight end (1.0: none), ``pan`` (0–1, the share of the room the
    window has that it travels), and the speed cap in frame widths per second (None: uncapped)."""

    zoom: float
    pan: float
    max_speed_widths_per_s: float | None = DEFAULT_MAX_SPEED
    ramp_s: float = RAMP_S


def _ends(image_w: float, image_h: float, aspect: float, seed: int, zoom: float, pan: float):
    """((x, y, width) at the start, at the end) of the window, for this seed."""
    rng = random.Random(seed)
    base_w = min(image_w, image_h * aspect)  # the largest window that fits ("cover")
    z_start, z_end = (1.0, zoom) if rng.random() < 0.5 else (zoom, 1.0)
    angle = rng.uniform(0, 2 * math.pi)
    dir_x, dir_y = math.cos(angle), math.sin(angle)

    def at(z: float, share: float) -> tuple[float, float, float]:
        win_w = base_w / z
        return (image_w / 2 + share * dir_x * (image_w - win_w) / 2,
                image_h / 2 + share * dir_y * (image_h - win_w / aspect) / 2, win_w)  # fmt: skip

    return at(z_start, -pan), at(z_end, pan)


def _path(start, end, progress: np.ndarray) -> np.ndarray:
    a, b = np.asarray(start), np.asarray(end)
    return a[None, :] + progress[:, None] * (b - a)[None, :]


def peak_speed(path: np.ndarray, out_w: int, out_h: int, fps: float) -> float:
    """The fastest any output pixel moves along ``path`` ((x, y, width) rows), in frame widths per second.

    A pixel at offset p from the output's centre (p in output widths) moves at ċ/w + p·ẇ/w
    (c the centre, w the window's width, both in picture pixels): the corners are the fastest.
    """
    if len(path) < 2:
        return 0.0
    mid = (path[1:] + path[:-1]) / 2
    step = np.diff(path, axis=0) * fps
    vx, vy, vw = step[:, 0] / mid[:, 2], step[:, 1] / mid[:, 2], step[:, 2] / mid[:, 2]
    fastest = 0.0
    for sx in (-0.5, 0.5):
        for sy in (-0.5 * out_h / out_w, 0.5 * out_h / out_w):
            fastest = max(fastest, float(np.hypot(vx + sx * vw, vy + sy * vw).max()))
    return fastest


def camera_path(image_w: int, image_h: int, out_w: int, out_h: int, n_frames: int, seed: int, move: Move,
                fps: float) -> np.ndarray:  # fmt: skip
    """Per frame: (centre_x, centre_y, window_width) of the window, in picture pixels, ``(n_frames, 3)``.

    Where ``move`` would be faster than its cap, its zoom and pan shrink together (in log-zoom
    and pan share) until the fastest pixel keeps to the cap.
    """
    aspect = out_w / out_h
    progress = eased(n_frames, move.ramp_s * fps)

    def shaped(k: float) -> np.ndarray:
        start, end = _ends(image_w, image_h, aspect, seed, math.exp(k * math.log(move.zoom)), k * move.pan)
        return _path(start, end, progress)

    path = shaped(1.0)
    cap = move.max_speed_widths_per_s
    if cap is None or peak_speed(path, out_w, out_h, fps) <= cap:
        return path
    low, high = 0.0, 1.0  # bisect the move's size: speed grows with it
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if peak_speed(shaped(mid), out_w, out_h, fps) <= cap else (low, mid)
    return shaped(low)


def render(image: np.ndarray, cx: float, cy: float, win_w: float, out_w: int, out_h: int) -> np.ndarray:
    """Sample the window centred on (cx, cy), ``win_w`` pixels wide, into out_w×out_h (bicubic, 1/32 px)."""
    import cv2

    scale = out_w / win_w
    left, top = cx - win_w / 2, cy - (win_w * out_h / out_w) / 2
    # Pixel centres: output x + 0.5 = (image u + 0.5 - left) * scale
    matrix = np.array(
        [[scale, 0.0, 0.5 * scale - 0.5 - scale * left], [0.0, scale, 0.5 * scale - 0.5 - scale * top]],
        dtype=np.float64,
    )
    return cv2.warpAffine(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)


def reversals(values: np.ndarray, min_step: float) -> int:
    """How often a path's coordinate turns back: sign changes of its steps, ignoring steps under ``min_step``."""
    steps = np.diff(np.asarray(values, dtype=np.float64))
    signs = np.sign(steps[np.abs(steps) >= min_step])
    return int(np.count_nonzero(signs[1:] != signs[:-1])) if len(signs) > 1 else 0
