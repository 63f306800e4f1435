"""The ``kenburns`` backend: a camera tour of the still, the whole scene long, at a pace a viewer sees.

The still is looked at once (``podmotion.framing``: its text lines, faces and
salient region); the tour is ``podmotion.camera``'s: framings chosen from the
picture, every one keeping the text and faces whole, joined by a smooth path
at a steady pace, sub-pixel, from the scene's seed. Each frame is drawn
straight into the encoder's 4:2:0 planes (``podmotion.yuv420``: the art's
box only, the rest of the still filled once) and handed to x264 as it is: no
RGB frame and no colour conversion per frame. By default it lasts the
scene's exact length, so the clip needs no padding: no turn-back, no repeated
frame. With ``duration_s`` set, it is the old, cheaper way: a tour of that
length, padded to the scene by ``pad.strategy`` (ping-pong glides back).

Options (config ``animate.kenburns``):
- ``duration_s``: null (the scene's length), or the length of one tour.
- ``zoom``: zoom factor of the tightest framing (1.0 = no zoom).
- ``pan``: the share of the room the window's centre may use (0–1).
- ``pace_widths_per_s``: the tour's speed, the fastest pixel's (``camera``).
- ``max_speed_widths_per_s``: the cap on that speed, for short scenes' moves.
"""

from __future__ import annotations

import numpy as np

from ..camera import Move, plan_tour
from ..compose import feather_px
from ..ffmpeg import encode_yuv420p
from ..framing import find_framing
from ..media import even, read_image
from ..settings import schema_defaults
from ..yuv420 import Canvas, Picture, Planes
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
    move = Move(float(opts["zoom"]), float(opts["pan"]), opts["max_speed_widths_per_s"],
                pace_widths_per_s=float(opts["pace_widths_per_s"]))  # fmt: skip
    framing = find_framing(image)
    tour = plan_tour(w, h, out_w, out_h, n_frames, request.seed, move, float(request.fps), framing)
    colour = request.encoder.colour  # the episode's: the source's own reading
    source = Picture.from_rgb(image, colour)  # the picture as the encoder's planes, once: each frame drawn from them
    if request.paste_into is None:
        canvas = Canvas((out_w, out_h), (0, 0, out_w, out_h))
    else:  # each frame pasted into the still: the art moves, rendered and encoded once
        still_path, box = request.paste_into
        still = read_image(still_path)
        canvas = Canvas((still.shape[1], still.shape[0]), box, Planes.from_rgb(still, colour), feather_px(box))
    frames = (canvas.draw(source, cx, cy, ww) for cx, cy, ww in tour.path)
    count = encode_yuv420p(frames, request.out_path, coded_width=canvas.size[0], coded_height=canvas.size[1],
                           fps=request.fps, filters=(), encoder=request.encoder)  # fmt: skip
    return {
        "backend": "kenburns",
        "frames": count,
        "fps": str(request.fps),
        "seed": request.seed,
        "options": opts,
        # What the tour came to: its framings, pace, zoom and fastest pixel, and whether the picture was tight.
        "move": {"scene_long": opts["duration_s"] is None, **tour.describe(out_w, out_h, float(request.fps))},
        # What it kept whole and went toward, in the picture's pixels (the art's, where only the art moves).
        "framing": {"size": [w, h], **framing.describe()},
    }
