"""A picture split by its depth into layers, far to near, each ready to be moved by its own depth.

Depth here is nearness in [0, 1] (1: nearest), as ``podmotion.depth`` gives it.

- **Denoised first**: a median, then a slight blur (``SMOOTH_SHARE`` of the
  picture's longer side), so the grain of a dithered or compressed depth
  image is not taken for edges; an edge's middle stays where it was.
- **Text is flat**: each text line (and its margin) takes its own surface's
  depth (the median under it), feathered into the surface around, so a title
  moves as one piece with what it is written on and is never warped.
- **The plane that stays** (``reference``): the depth the camera's window is
  set on, which the parallax does not shift: the biggest text line's, so the
  title moves exactly as the flat camera moves it; with no text, the faces'
  depth; else the picture's median depth.
- **Splits**: where the depth jumps by ``JUMP`` or more between pixels a few
  apart (an object's edge, not a slope), the jump's midpoint is a candidate;
  the most common midpoints, ``JUMP`` apart at least, split the picture into at
  most ``max_layers`` layers. A slope (a ground plane) has no jump: it stays
  one layer, each of its pixels shifted by its own depth, so nothing tears.
- **Each layer** is drawn where its depth range is, and where it lies behind the
  layers in front of it (the pixels hidden there whose nearest visible
  neighbour is this layer's). Its colour there is filled from its own pixels
  (``fill.mirror_fill``: its texture, not its edge's colour), and its depth is
  its own, extended smoothly (``fill.smooth_fill``). The farthest layer is
  drawn everywhere, so a move never shows a hole.
- A picture whose depth spreads less than ``FLAT_SPREAD`` (5th to 95th
  percentile) is **flat**: one layer, shifted nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fill import mirror_fill, nearest_known, smooth_fill

ANALYSIS_SIDE_PX = 384  # depth is split and its layers' depths kept at most this size a side
JUMP = 0.08  # a depth jump this big (of the whole range) between pixels JUMP_SPAN_SHARE apart is an edge
JUMP_SPAN_SHARE = 0.015  # of the analysis copy's longer side
MIN_EDGE_SHARE = 0.003  # a split needs edge pixels making at least this share of the analysis copy
FLAT_SPREAD = 0.05  # depth spread under this: the picture is flat
EDGE_PX_SHARE = 0.001  # a layer's soft edge, and its fringe left to the layer in front: this share of the longer side
SMOOTH_SHARE = 0.001  # the depth's blur (sigma) before it is split, as a share of the picture's longer side


@dataclass(frozen=True)
class Layer:
    colour: np.ndarray  # RGB uint8 at the picture's size: what the layer shows, filled behind nearer layers
    alpha: np.ndarray | None  # float32 [0, 1] at the picture's size: where it is drawn (None: everywhere)
    depth: np.ndarray  # float32 at the analysis size: depth minus the reference (the parallax's q), smooth
    box: tuple[int, int, int, int] | None  # (x0, y0, x1, y1): where alpha > 0, picture pixels (None: all)
    range: tuple[float, float]  # the depths it holds


@dataclass(frozen=True)
class Layering:
    layers: list[Layer]  # far to near
    reference: float  # the depth that does not move
    spread: float  # 5th to 95th percentile of depth
    splits: tuple[float, ...]
    depth: np.ndarray  # float32 at the analysis size: the whole picture's depth minus the reference, text flat
    reason: str = ""  # why the move is flat, where it is
    text_depths: tuple[float, ...] = ()  # each text line's depth less the reference (framing.text's order)

    @property
    def flat(self) -> bool:
        return bool(self.reason)

    def describe(self) -> dict:
        return {"layers": len(self.layers), "reference": round(self.reference, 4), "spread": round(self.spread, 4),
                "splits": [round(s, 4) for s in self.splits], "flat": self.flat,
                **({"reason": self.reason} if self.reason else {})}  # fmt: skip


def analysis_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, ANALYSIS_SIDE_PX / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


def flat_text(depth: np.ndarray, boxes, margin_px: float) -> tuple[np.ndarray, list[float]]:
    """``depth`` with each text box (grown by ``margin_px``) set to its own surface's depth, the median under it,
    falling back to the depth around over another ``margin_px``; and each box's depth."""
    import cv2

    height, width = depth.shape
    out, levels = depth.copy(), []
    m = int(round(margin_px))
    for x, y, w, h in boxes:
        x0, y0, x1, y1 = max(0, x - m), max(0, y - m), min(width, x + w + m), min(height, y + h + m)
        if x1 <= x0 or y1 <= y0:
            levels.append(float(np.median(depth)))
            continue
        level = float(np.median(depth[y0:y1, x0:x1]))
        inside = np.zeros((height, width), np.uint8)
        inside[y0:y1, x0:x1] = 1
        distance = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
        weight = np.clip(1 - distance / max(margin_px, 1.0), 0, 1)
        out = (out * (1 - weight) + level * weight).astype(np.float32)
        levels.append(level)
    return out, levels


def reference_depth(depth: np.ndarray, framing, text_levels: list[float]) -> float:
    """The depth that stays still: the biggest text line's, else the faces' (the median under them), else the
    picture's median (``depth`` at the framing's picture's size)."""
    if text_levels:
        areas = [w * h for _, _, w, h in framing.text]
        return text_levels[int(np.argmax(areas))]
    if framing is not None and framing.faces:
        mask = np.zeros(depth.shape, bool)
        for x, y, w, h in framing.faces:
            mask[max(0, y) : y + h, max(0, x) : x + w] = True
        if mask.any():
            return float(np.median(depth[mask]))
    return float(np.median(depth))


def find_splits(depth: np.ndarray, max_layers: int) -> tuple[float, ...]:
    """The depths at which the picture splits into layers (see the module), nearest last."""
    import cv2

    if max_layers < 2:
        return ()
    span = max(1, round(JUMP_SPAN_SHARE * max(depth.shape)))
    kernel = np.ones((2 * span + 1, 2 * span + 1), np.uint8)
    high, low = cv2.dilate(depth, kernel), cv2.erode(depth, kernel)
    jump = high - low
    edge = jump >= JUMP
    if edge.sum() < MIN_EDGE_SHARE * depth.size:
        return ()
    middles = ((high + low) / 2)[edge]
    histogram, bins = np.histogram(middles, bins=64, range=(0.0, 1.0))
    histogram = np.convolve(histogram.astype(np.float64), [0.25, 0.5, 0.25], mode="same")
    centres = (bins[:-1] + bins[1:]) / 2
    splits: list[float] = []
    for index in np.argsort(-histogram):
        if histogram[index] < MIN_EDGE_SHARE * depth.size or len(splits) >= max_layers - 1:
            break
        level = float(centres[index])
        if all(abs(level - s) >= JUMP for s in splits):
            splits.append(level)
    return tuple(sorted(splits))


def snapped(depth: np.ndarray, span_px: int) -> np.ndarray:
    """``depth`` with each pixel on a jump (a soft edge of ``JUMP`` or more within ``span_px``) set to the near or
    the far side's depth, whichever it is closer to: an edge's pixels go with one side, none is left between
    (where a layer of its own would draw it as a ring)."""
    import cv2

    kernel = np.ones((2 * span_px + 1, 2 * span_px + 1), np.uint8)
    high, low = cv2.dilate(depth, kernel), cv2.erode(depth, kernel)
    on_edge = (high - low) >= JUMP
    side = np.where(depth - low < high - depth, low, high)
    return np.where(on_edge, side, depth).astype(np.float32)


def _grow(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    if px <= 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def _soft(mask: np.ndarray, px: int) -> np.ndarray:
    """A mask's soft edge, anti-aliased as a drawn edge is: a half at the mask's border, 0 a pixel or so past it."""
    import cv2

    return np.clip(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), max(0.5, px / 3)), 0, 1)


def build(image: np.ndarray, depth: np.ndarray, framing=None, max_layers: int = 3) -> Layering:
    """The picture's layers (see the module). ``image``: RGB HxWx3; ``depth``: nearness at any size of the same
    aspect; ``framing``: the picture's ``podmotion.framing.Framing`` (its text lines and faces), or None."""
    import cv2

    height, width = image.shape[:2]
    depth = np.asarray(depth)
    if np.issubdtype(depth.dtype, np.integer):  # 8- or 16-bit levels, as a PNG holds them
        depth = depth / float(np.iinfo(depth.dtype).max)
    depth = np.nan_to_num(depth.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    full = np.clip(cv2.resize(depth, (width, height), interpolation=cv2.INTER_LINEAR), 0, 1)
    full = cv2.GaussianBlur(cv2.medianBlur(full, 5), (0, 0), max(1.0, SMOOTH_SHARE * max(width, height)))
    small_w, small_h = analysis_size(width, height)
    text_levels: list[float] = []
    if framing is not None and framing.text:
        full, text_levels = flat_text(full, framing.text, framing.margin_px)
    reference = reference_depth(full, framing, text_levels)
    small = cv2.resize(full, (small_w, small_h), interpolation=cv2.INTER_AREA)
    spread = float(np.percentile(small, 95) - np.percentile(small, 5))
    relative = (small - reference).astype(np.float32)
    if spread < FLAT_SPREAD:
        flat = Layer(image, None, np.zeros_like(small), None, (0.0, 1.0))
        return Layering([flat], reference, spread, (), np.zeros_like(small),
                        f"the depth is flat (it spreads {spread:.3f}, under {FLAT_SPREAD})")  # fmt: skip
    splits = find_splits(small, max_layers)
    full = snapped(full, max(2, round(JUMP_SPAN_SHARE / 3 * max(width, height))))
    bounds = [-np.inf, *splits, np.inf]
    edge_px = max(1, round(EDGE_PX_SHARE * max(width, height)))
    layers = []
    for index in range(len(bounds) - 1):
        lo, hi = bounds[index], bounds[index + 1]
        own_small = (small >= lo) & (small < hi)
        field = smooth_fill(small, own_small) - reference
        own = (full >= lo) & (full < hi)
        nearer = full >= hi
        if index == len(bounds) - 2:
            if index > 0 and not own.any():
                continue
            layers.append(_layer(image, own, nearer, None if index == 0 else own, field, (lo, hi), edge_px))
            continue
        # Behind the nearer layers: the hidden pixels whose nearest visible neighbour is this layer's.
        near_y, near_x = nearest_known(nearer)
        behind = nearer & own[near_y, near_x]
        drawn = None if index == 0 else (own | behind)
        if drawn is not None and not drawn.any():
            continue  # a layer with nothing to draw at this size
        layers.append(_layer(image, own, nearer, drawn, field, (lo, hi), edge_px))
    return Layering(layers, reference, spread, tuple(splits), relative,
                    text_depths=tuple(level - reference for level in text_levels))


def _layer(image, own, nearer, drawn, field, depth_range, edge_px) -> Layer:
    """One layer: its colour filled from its own pixels away from the nearer layers' edges, its soft alpha."""
    sources = own & ~_grow(nearer, edge_px)  # a nearer layer's fringe is its own
    if not sources.any():
        sources = own
    colour = mirror_fill(image, ~sources) if (~sources).any() and sources.any() else image
    lo, hi = depth_range
    if drawn is None:
        return Layer(colour, None, field, None, (float(max(lo, 0.0)), float(min(hi, 1.0))))
    alpha = _soft(drawn, edge_px)
    ys, xs = np.nonzero(alpha > 0)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(ys) else (0, 0, 0, 0)
    return Layer(colour, alpha, field, box, (float(max(lo, 0.0)), float(min(hi, 1.0))))
