"""The ``kenburns`` backend: one slow, smooth pan and zoom over the still, the whole scene long.

The move is ``podmotion.camera``'s: eased, sub-pixel, its speed capped, its
direction from the scene's seed. By default it lasts the scene's exact length,
so the clip needs no padding: no turn-back, no repeated frame. With
``duration_s`` set, it is the old, cheaper way: one move of that length, padded
to the scene by ``pad.strategy`` (ping-pong glides back).

Options (config ``animate.kenburns``):
- ``duration_s``: null (the scene's length), or the length of one move.
- ``zoom``: zoom factor at the tight end of the move (1.0 = no zoom).
- ``pan``: how much of the room the zoom leaves is used for panning (0–1).
- ``max_speed_widths_per_s``: the cap on the fastest pixel's speed (``camera``).
"""

from __future__ import annotations

import numpy as np

from ..camera import Move, camera_path, peak_speed, render
from ..compose import edge_alpha, feather_px, paste
from ..fit import fit_frame
from ..ffmpeg import encode_frames
from ..media import even, read_image
from ..settings import schema_defaults
from . import AnimateRequest


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


def clip_frames(request: AnimateRequest, duration_s: float | None) -> int:
    """The scene's frames (``duration_s`` None), or one move of ``duration_s``, never longer than the scene."""
    scene_frames = max(1, round(request.max_duration_s * request.fps))
    if duration_s is None:
        return scene_frames
    return max(1, min(scene_frames, round(float(duration_s) * request.fps)))


def animate(request: AnimateRequest) -> dict:
    opts = {**schema_defaults("animate", "kenburns"), **(request.options or {})}
    image = read_image(request.image_path)
    out_w, out_h = clip_size(image.shape[1], image.shape[0], request)
    image = _prescale(image, out_w, out_h, float(opts["zoom"]))
    n_frames = clip_frames(request, opts["duration_s"])
    h, w = image.shape[:2]
    move = Move(float(opts["zoom"]), float(opts["pan"]), opts["max_speed_widths_per_s"])
    path = camera_path(w, h, out_w, out_h, n_frames, request.seed, move, float(request.fps))
    frames = (render(image, cx, cy, ww, out_w, out_h) for cx, cy, ww in path)
    if request.paste_into is not None:  # each frame pasted into the still: the art moves, rendered and encoded once
        still_path, box = request.paste_into
        still = read_image(still_path)
        alpha = edge_alpha(box[2], box[3], feather_px(box))
        frames = (paste(still, fit_frame(rgb, box[2], box[3], "cover"), box, alpha) for rgb in frames)
    size = (out_w, out_h) if request.paste_into is None else (still.shape[1], still.shape[0])
    count = encode_frames(frames, request.out_path, width=size[0], height=size[1], fps=request.fps,
                          encoder=request.encoder)  # fmt: skip
    return {
        "backend": "kenburns",
        "frames": count,
        "fps": str(request.fps),
        "seed": request.seed,
        "options": opts,
        # What the move came to after the speed cap: its zoom, and its fastest pixel.
        "move": {"scene_long": opts["duration_s"] is None, "zoom": round(float(path[:, 2].max() / path[:, 2].min()), 4),
                 "peak_speed_widths_per_s": round(peak_speed(path, out_w, out_h, float(request.fps)), 5)},
    }
