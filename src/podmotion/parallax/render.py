"""Each frame of a depth move, drawn straight into the encoder's 4:2:0 planes.

For every output pixel of a layer, the picture pixel it shows is the ``u`` that
the move puts there (``motion``): ``u + q(u) * (shift + spread * (u - c)) = p``,
where ``p`` is where the flat window shows it. It is solved by two fixed-point
steps on a coarse grid of nodes, ``NODE_PX`` output pixels apart, where q (the
layer's own depth, smooth) is looked up; the grid is then interpolated to every
luma and chroma pixel (``cv2.resize``: linear, the nodes reaching a cell past
the box so no edge is clamped) and each plane is resampled once
(``cv2.remap``, bilinear, from ``yuv420.Picture``'s oversampled planes). The
layers are laid far to near, each by its own alpha, warped the same way; a
near layer is drawn only over the part of the frame it can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..colour import Colour
from ..yuv420 import Canvas, Picture
from .layers import Layer, Layering

NODE_PX = 8  # the coarse grid's spacing, in output pixels (even)
FIXED_POINT_STEPS = 2


@dataclass(frozen=True)
class _Ready:
    """One layer, made ready to be drawn: its planes (oversampled), its alpha at the luma and chroma planes'
    densities, its depth field and box."""

    picture: Picture
    alpha_luma: np.ndarray | None  # uint8, at the oversampled luma plane's size
    alpha_chroma: np.ndarray | None  # uint8, at the chroma plane's size (the picture's)
    depth: np.ndarray  # float32, analysis size
    depth_scale: float  # depth pixels a picture pixel
    box: tuple[int, int, int, int] | None


def _ready(layer: Layer, colour: Colour) -> _Ready:
    import cv2

    picture = Picture.from_rgb(layer.colour, colour)
    alpha_luma = alpha_chroma = None
    if layer.alpha is not None:
        a8 = np.clip(layer.alpha * 255 + 0.5, 0, 255).astype(np.uint8)
        luma_h, luma_w = picture.planes[0].shape
        alpha_luma = cv2.resize(a8, (luma_w, luma_h), interpolation=cv2.INTER_LINEAR)
        chroma_h, chroma_w = picture.planes[1].shape
        alpha_chroma = a8 if a8.shape == (chroma_h, chroma_w) else cv2.resize(a8, (chroma_w, chroma_h),
                                                                               interpolation=cv2.INTER_AREA)  # fmt: skip
    scale = layer.depth.shape[1] / layer.colour.shape[1]
    return _Ready(picture, alpha_luma, alpha_chroma, layer.depth, scale, layer.box)


class Renderer:
    """Draws a ``Layering`` moved by a window and a depth move into a ``Canvas``'s box."""

    def __init__(self, layering: Layering, canvas: Canvas, colour: Colour):
        self.canvas = canvas
        self.layers = [_ready(layer, colour) for layer in layering.layers]
        x, y, w, h = canvas.box
        self.delta = (x % 2, y % 2)
        s = NODE_PX
        self.nodes = (int(np.ceil((w + 1.5 * s) / s)) + 1, int(np.ceil((h + 1.5 * s) / s)) + 1)
        nx, ny = self.nodes
        # The nodes' box-relative positions (continuous: pixel i spans [i, i + 1)).
        self.node_x = ((np.arange(nx) - 0.5) * s + self.delta[0]).astype(np.float64)
        self.node_y = ((np.arange(ny) - 0.5) * s + self.delta[1]).astype(np.float64)
        cp = canvas.chroma_part
        self.crop_luma = (s - self.delta[0], s - self.delta[1], w, h)
        self.crop_chroma = (s // 2 - self.delta[0], s // 2 - self.delta[1], cp.width, cp.height)

    def _solve(self, ready: _Ready, px: np.ndarray, py: np.ndarray, centre, shift, spread) -> tuple:
        """The picture position each node shows for this layer (see the module)."""
        import cv2

        ux, uy = px, py
        if not spread and not shift[0] and not shift[1]:
            return ux, uy
        for _ in range(FIXED_POINT_STEPS):
            mx = (ux * ready.depth_scale - 0.5).astype(np.float32)
            my = (uy * ready.depth_scale - 0.5).astype(np.float32)
            q = cv2.remap(ready.depth, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float64)
            ux = px - q * (shift[0] + spread * (ux - centre[0]))
            uy = py - q * (shift[1] + spread * (uy - centre[1]))
        return ux, uy

    def draw(self, cx: float, cy: float, win_w: float, shift=(0.0, 0.0), spread: float = 0.0) -> memoryview:
        """The frame whose window is centred on (cx, cy), ``win_w`` picture pixels wide, moved through depth by
        ``shift`` (picture pixels) and ``spread`` for a point of depth 1."""
        canvas = self.canvas
        _, _, w, h = canvas.box
        scale = w / win_w
        left, top = cx - win_w / 2, cy - (win_w * h / w) / 2
        grid_x, grid_y = np.meshgrid(left + self.node_x / scale, top + self.node_y / scale)
        luma_parts = chroma_parts = None
        for ready in self.layers:
            ux, uy = self._solve(ready, grid_x, grid_y, (cx, cy), shift, spread)
            region = (0, 0, *self.nodes) if ready.box is None else self._reach(ready.box, ux, uy, 2 * NODE_PX / scale)
            if region is None:
                continue
            luma, chroma = self._layer_planes(ready, ux, uy, region)
            if luma_parts is None:  # the farthest layer, drawn everywhere: what the others are laid on
                luma_parts, chroma_parts = luma, chroma
                continue
            self._blend(luma_parts, luma, chroma_parts, chroma)
        canvas.put((luma_parts["planes"][0], chroma_parts["planes"][0], chroma_parts["planes"][1]))
        return canvas.data

    def _reach(self, box, ux, uy, pad: float):
        """The nodes (x0, y0, x1, y1) whose picture positions fall inside ``box`` grown by ``pad`` picture pixels
        (two nodes' spacing), or None."""
        x0, y0, x1, y1 = box
        inside = (ux >= x0 - pad) & (ux <= x1 + pad) & (uy >= y0 - pad) & (uy <= y1 + pad)
        rows, cols = np.nonzero(inside)
        if len(rows) == 0:
            return None
        return (max(0, cols.min() - 1), max(0, rows.min() - 1), min(self.nodes[0], cols.max() + 2),
                min(self.nodes[1], rows.max() + 2))  # fmt: skip

    def _layer_planes(self, ready: _Ready, ux, uy, region) -> tuple[dict, dict]:
        """The layer's luma and chroma (and alpha) over ``region`` of the nodes, cropped to the box."""
        import cv2

        nx0, ny0, nx1, ny1 = region
        s = NODE_PX
        out = []
        picture = ready.picture
        for density, crop, factor, alpha, planes in (
            (picture.densities[0], self.crop_luma, s, ready.alpha_luma, picture.planes[:1]),
            (picture.densities[1], self.crop_chroma, s // 2, ready.alpha_chroma, picture.planes[1:]),
        ):
            nodes = np.dstack([ux[ny0:ny1, nx0:nx1] * density - 0.5, uy[ny0:ny1, nx0:nx1] * density - 0.5])
            fine = cv2.resize(nodes.astype(np.float32), ((nx1 - nx0) * factor, (ny1 - ny0) * factor),
                              interpolation=cv2.INTER_LINEAR)  # fmt: skip
            cx0, cy0, cw, ch = crop
            # The box's plane part in the region's own fine array, clipped to what the region covers.
            fx0, fy0 = cx0 - nx0 * factor, cy0 - ny0 * factor
            a, b = max(0, fx0), max(0, fy0)
            e, f = min(fine.shape[1], fx0 + cw), min(fine.shape[0], fy0 + ch)
            if e <= a or f <= b:
                out.append(None)
                continue
            maps = fine[b:f, a:e]
            drawn = [cv2.remap(p, maps, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101) for p in planes]
            weight = None
            if alpha is not None:
                weight = cv2.remap(alpha, maps, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            out.append({"planes": drawn, "alpha": weight, "at": (a - fx0, b - fy0)})
        return out[0], out[1]

    @staticmethod
    def _blend(base_luma, luma, base_chroma, chroma) -> None:
        """Lay one layer's planes over what is drawn, by its alpha."""
        import cv2

        for base, part in ((base_luma, luma), (base_chroma, chroma)):
            if part is None:
                continue
            x0, y0 = part["at"]
            alpha = part["alpha"].astype(np.float32) * (1 / 255)
            for target, plane in zip(base["planes"], part["planes"]):
                h, w = plane.shape
                under = target[y0 : y0 + h, x0 : x0 + w]
                under[...] = cv2.blendLinear(plane, under, alpha, 1 - alpha)
