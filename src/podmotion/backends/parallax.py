"""The ``parallax`` backend: the camera's tour of the still, moved through the picture's depth, on the CPU.

The still is looked at as ``kenburns`` looks at it (``podmotion.framing``: text
lines, faces, the salient region) and toured by the same camera
(``podmotion.camera``: framings that keep every title and face whole, a steady
pace, the scene's whole length). The depth (the scene's depth file, made once
per scene by the depth job from the model or the user's depth image; here, from
the model, when the backend runs alone) splits the picture into layers
(``podmotion.parallax.layers``), and the tour's moves become a real camera's:
near layers slide further than far ones (``parallax.motion``), what they
uncover filled from the background's texture, each frame drawn straight into
the encoder's planes (``parallax.render``). The tour keeps a margin inside the
picture where the depth at its edge would shift past it.

A flat depth (or none: no depth image and no model, or a model that failed)
gives the flat move, with a warning in the sidecar: never a broken clip.

Options (config ``animate.parallax``): the camera's ``zoom``, ``pan``,
``pace_widths_per_s`` and ``max_speed_widths_per_s`` (as ``kenburns``'),
``depth_pace_widths_per_s`` (how fast near and far part), ``max_shift_share``
(the depth shift's cap), ``max_layers``, and the depth's ``model`` (null: depth
images only) and ``depth_image`` (a scene's own).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np

from ..camera import Move, plan_tour
from ..compose import feather_px
from ..errors import GenerationFailed
from ..ffmpeg import encode_yuv420p
from ..framing import find_framing
from ..media import read_image
from ..parallax import layers, motion
from ..parallax.render import Renderer
from ..settings import schema_defaults
from ..yuv420 import Canvas, Planes
from . import AnimateRequest
from .kenburns import _prescale, clip_frames, clip_size

log = logging.getLogger(__name__)


def scene_depth(request: AnimateRequest, image: np.ndarray, opts: dict) -> tuple[np.ndarray | None, str, str]:
    """The depth of the picture at its size: (depth or None, where it came from, a warning or "")."""
    height, width = image.shape[:2]
    if request.depth_path is not None:
        from ..depth.image import read_depth_image
        from ..depth.scene import depth_warning

        return read_depth_image(request.depth_path, width, height), str(request.depth_path), \
            depth_warning(request.depth_path)
    if not opts.get("model"):
        return None, "none", "no depth image and animate.parallax.model is null: a flat move"
    from ..depth.model import DepthSpec, estimate

    spec = DepthSpec.from_options(opts)
    try:
        return estimate(image, spec, threads=request.threads), spec.model, ""
    except GenerationFailed as exc:
        return None, spec.model, f"the depth model failed ({exc.problem}): a flat move"


def shifted(framing, dx: float, dy: float, width: int, height: int):
    """``framing`` seen in the picture's part from (dx, dy), ``width`` x ``height``."""
    move = lambda boxes: tuple((x - dx, y - dy, w, h) for x, y, w, h in boxes)  # noqa: E731
    salient = None if framing.salient is None else move((framing.salient,))[0]
    return dataclasses.replace(framing, width=width, height=height, text=move(framing.text),
                               faces=move(framing.faces), salient=salient)  # fmt: skip


@dataclass
class Scene:
    """One scene's depth move, planned: its frames are drawn one at a time (``frame``), so a contact sheet can
    draw any of them without the others."""

    renderer: Renderer
    path: np.ndarray  # (n, 3): each frame's window, picture pixels
    depth_move: motion.DepthMove
    report: dict  # what the sidecar says of the move, the framing and the depth

    def frame(self, k: int) -> memoryview:
        """Frame ``k``, drawn in the encoder's planes (the canvas's buffer: valid until the next frame)."""
        cx, cy, ww = self.path[k]
        return self.renderer.draw(cx, cy, ww, self.depth_move.shift_px[k], float(self.depth_move.spread[k]))


def prepare(request: AnimateRequest) -> Scene:
    """The scene's layers, tour and depth move, and the canvas its frames are drawn into."""
    opts = {**schema_defaults("animate", "parallax"), **(request.options or {})}
    image = read_image(request.image_path)
    out_w, out_h = clip_size(image.shape[1], image.shape[0], request)
    cap = float(opts["max_shift_share"])
    image = _prescale(image, out_w, out_h, float(opts["zoom"]) * (1 + 3 * cap))
    height, width = image.shape[:2]
    n_frames = clip_frames(request, None)
    fps = float(request.fps)
    aspect = out_w / out_h
    depth, depth_from, warning = scene_depth(request, image, opts)
    framing = find_framing(image)
    layering = layers.build(image, depth if depth is not None else np.zeros((height, width), np.float32), framing,
                            int(opts["max_layers"]))  # fmt: skip
    if layering.flat and not warning:
        warning = f"{layering.reason}: a flat move"
    found = framing  # what the picture holds, for the sidecar (the tour keeps text grown by its own shift)
    margins = (0.0,) * 4
    if not layering.flat:
        window_w = min(width, height * aspect)
        edges = motion.edge_depth(layering.depth)
        # Text on a nearer or farther surface than the reference moves with it: the window holds it moved too.
        def text_moved(cap: float):
            return dataclasses.replace(found, text=tuple(motion.grown(box, q, window_w, aspect, cap)
                                                         for box, q in zip(found.text, layering.text_depths)))  # fmt: skip

        keep = text_moved(cap).keep or (float(width), float(height), 0.0, 0.0)
        room = (keep[0], keep[1], width - keep[2], height - keep[3])
        limit = (motion.MAX_MARGIN_SHARE * width, motion.MAX_MARGIN_SHARE * height) * 2
        cap = motion.fitting_cap(edges, window_w, aspect, cap, tuple(min(r, m) for r, m in zip(room, limit)))
        framing = text_moved(cap)
        margins = motion.margins_px(edges, window_w, aspect, cap)
    left, top = int(np.ceil(margins[0])), int(np.ceil(margins[1]))
    inner_w = max(2, width - left - int(np.ceil(margins[2])))
    inner_h = max(2, height - top - int(np.ceil(margins[3])))
    # ``zoom`` is the tightest framing's, of the whole picture: the margins have zoomed in part of the way.
    inset = min(inner_w, inner_h * aspect) / min(width, height * aspect)
    move = Move(max(1.0, float(opts["zoom"]) * inset), float(opts["pan"]), opts["max_speed_widths_per_s"],
                pace_widths_per_s=float(opts["pace_widths_per_s"]))  # fmt: skip
    tour = plan_tour(inner_w, inner_h, out_w, out_h, n_frames, request.seed, move, fps,
                     shifted(framing, left, top, inner_w, inner_h))  # fmt: skip
    path = tour.path + np.array([left, top, 0.0])
    if layering.flat:
        depth_move = motion.plan(path, fps, aspect, 0.0, 0.0, 0.0)
    else:
        depth_move = motion.plan(path, fps, aspect, layering.spread, float(opts["depth_pace_widths_per_s"]), cap,
                                 seed=request.seed)  # fmt: skip
    colour = request.encoder.colour
    if request.paste_into is None:
        canvas = Canvas((out_w, out_h), (0, 0, out_w, out_h))
    else:
        still_path, box = request.paste_into
        still = read_image(still_path)
        canvas = Canvas((still.shape[1], still.shape[0]), box, Planes.from_rgb(still, colour), feather_px(box))
    report = {
        "options": opts,
        "move": {"scene_long": True, **_in_picture(tour.describe(out_w, out_h, fps), left, top)},
        "framing": {"size": [width, height], **found.describe()},
        "depth": {"from": depth_from, **layering.describe(), **depth_move.describe(),
                  "margins_px": [round(m, 1) for m in margins], "max_shift_share": round(cap, 5),
                  **({"capped": f"the text and faces to keep whole, or the picture's edge, leave the depth move room "
                                f"for a shift of {cap:.4f} of the width, under {float(opts['max_shift_share'])}"}
                     if cap < float(opts["max_shift_share"]) * 0.999 and not layering.flat else {})},  # fmt: skip
        **({"warning": warning} if warning else {}),
    }
    return Scene(Renderer(layering, canvas, colour), path, depth_move, report)


def _in_picture(described: dict, left: float, top: float) -> dict:
    """The tour's description with its framings in the whole picture's pixels (the tour was planned inside the
    margins)."""
    boxes = [[round(x + left, 1), round(y + top, 1), w, h] for x, y, w, h in described.get("framings", [])]
    return {**described, "framings": boxes}


def animate(request: AnimateRequest) -> dict:
    scene = prepare(request)
    canvas = scene.renderer.canvas
    count = encode_yuv420p((scene.frame(k) for k in range(len(scene.path))), request.out_path,
                           coded_width=canvas.size[0], coded_height=canvas.size[1], fps=request.fps, filters=(),
                           encoder=request.encoder)  # fmt: skip
    if "warning" in scene.report:
        log.warning("%s: parallax: %s", request.clip_path or request.out_path, scene.report["warning"])
    return {"backend": "parallax", "frames": count, "fps": str(request.fps), "seed": request.seed, **scene.report}
