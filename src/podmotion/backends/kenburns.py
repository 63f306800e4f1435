"""The ``kenburns`` backend: a slow, smooth pan and zoom over the still.

Each frame is one affine warp of the image with a floating-point matrix, so
the camera moves by fractions of a pixel between frames (OpenCV samples at
1/32 pixel): none of the whole-pixel stepping that ffmpeg's zoompan shows.
The motion eases in and out (zero speed at both ends), so the ``pingpong``
padding turns around without a jolt. Zoom direction and pan direction come
from the scene's seed, so a rerun gives the same clip.

Options (config ``animate.kenburns``):
- ``duration_s``: length of one pass; a shorter scene gets a shorter pass.
- ``zoom``: zoom factor at the tight end of the move (1.0 = no zoom).
- ``pan``: how much of the room the zoom leaves is used for panning (0–1).
"""

from __future__ import annotations

import math
import random

import numpy as np

from ..ffmpeg import encode_frames
from ..media import even, read_image
from ..settings import schema_defaults
from . import AnimateRequest



def ease(t: float) -> float:
    """Cosine ease-in-out on [0, 1]: zero speed at both ends."""
    return 0.5 - 0.5 * math.cos(math.pi * t)


def camera_path(
    image_w: int, image_h: int, out_w: int, out_h: int, n_frames: int, seed: int, zoom: float, pan: float
) -> list[tuple[float, float, float]]:
    """Per frame: (centre_x, centre_y, window_width) of the crop window, in image pixels.

    The window keeps the output's aspect ratio and always stays inside the image.
    """
    rng = random.Random(seed)
    aspect = out_w / out_h
    base_w = min(image_w, image_h * aspect)  # largest window that fits ("cover")
    z_start, z_end = (1.0, zoom) if rng.random() < 0.5 else (zoom, 1.0)
    angle = rng.uniform(0, 2 * math.pi)
    dir_x, dir_y = math.cos(angle), math.sin(angle)

    def centre(win_w: float, share: float) -> tuple[float, float]:
        # Offset from the image centre as a share of the room a window this wide has.
        return (
            image_w / 2 + share * dir_x * (image_w - win_w) / 2,
            image_h / 2 + share * dir_y * (image_h - win_w / aspect) / 2,
        )

    w_start, w_end = base_w / z_start, base_w / z_end
    (x_start, y_start), (x_end, y_end) = centre(w_start, -pan), centre(w_end, pan)
    # Centre and width move on straight lines in eased time. The window fits the
    # image at both ends, and "fits" is linear in (centre, width), so it fits all along.
    path = []
    for i in range(n_frames):
        t = ease(i / (n_frames - 1)) if n_frames > 1 else 0.0
        path.append((x_start + t * (x_end - x_start), y_start + t * (y_end - y_start), w_start + t * (w_end - w_start)))
    return path


def render_frame(image: np.ndarray, cx: float, cy: float, win_w: float, out_w: int, out_h: int) -> np.ndarray:
    """Sample the window centred on (cx, cy), ``win_w`` pixels wide, into out_w×out_h."""
    import cv2

    scale = out_w / win_w
    left, top = cx - win_w / 2, cy - (win_w * out_h / out_w) / 2
    # Pixel centres: output x + 0.5 = (image u + 0.5 - left) * scale
    matrix = np.array(
        [[scale, 0.0, 0.5 * scale - 0.5 - scale * left], [0.0, scale, 0.5 * scale - 0.5 - scale * top]],
        dtype=np.float64,
    )
    return cv2.warpAffine(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101)


def _prescale(image: np.ndarray, out_w: int, out_h: int, zoom: float) -> np.ndarray:
    """Shrink a large image once (area filter) so the per-frame warp never minifies much."""
    import cv2

    h, w = image.shape[:2]
    needed = max(out_w / w, out_h / h) * max(zoom, 1.0) * 1.25
    if needed >= 1.0:
        return image
    return cv2.resize(image, (max(2, round(w * needed)), max(2, round(h * needed))), interpolation=cv2.INTER_AREA)


def clip_size(image_w: int, image_h: int, request: AnimateRequest) -> tuple[int, int]:
    """``cover``: the output size. ``contain``: the image's own aspect, inside the output
    (the padder letterboxes it), so the camera moves over the whole picture."""
    if request.fit != "contain":
        return request.width, request.height
    scale = min(request.width / image_w, request.height / image_h)
    return min(request.width, even(image_w * scale)), min(request.height, even(image_h * scale))


def animate(request: AnimateRequest) -> dict:
    opts = {**schema_defaults("animate", "kenburns"), **(request.options or {})}
    image = read_image(request.image_path)
    out_w, out_h = clip_size(image.shape[1], image.shape[0], request)
    image = _prescale(image, out_w, out_h, float(opts["zoom"]))
    duration_s = max(1 / float(request.fps), min(float(opts["duration_s"]), float(request.max_duration_s)))
    n_frames = max(1, round(duration_s * request.fps))
    h, w = image.shape[:2]
    path = camera_path(w, h, out_w, out_h, n_frames, request.seed, float(opts["zoom"]), float(opts["pan"]))
    frames = (render_frame(image, cx, cy, ww, out_w, out_h) for cx, cy, ww in path)
    count = encode_frames(frames, request.out_path, width=out_w, height=out_h, fps=request.fps, encoder=request.encoder)
    return {
        "backend": "kenburns",
        "frames": count,
        "fps": str(request.fps),
        "seed": request.seed,
        "options": opts,
    }
