"""Textured flat illustrations with their true depth, for the parallax camera's tests.

Each picture comes with a 16-bit depth map, near = bright: 0 is the farthest a picture holds, 65535 the nearest.
Every layer is textured with noise at several scales and small shapes, so optical flow finds and tracks hundreds
of points on each of them, and everything is drawn from ``seed`` alone: the same seed gives the same pixels.

- ``card``: a far textured wall and a near card in the middle (two depth levels, ``card_layers`` gives both);
- ``ground``: a grassy ground plane in perspective, far at the top, near at the bottom;
- ``storybook``: a children's-book picture: sky and clouds, distant hills, a grass ground and figures standing on
  it, each as near as the ground at its feet, with an optional title line on the sky.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from pictures import Box, draw_text
from synth import make_podcast

DEPTH_MAX = 65535
KINDS = ("card", "ground", "storybook")

# The depth of each layer, as a share of DEPTH_MAX.
CARD_WALL, CARD_NEAR = 0.2, 0.9
GROUND_TOP, GROUND_BOTTOM = 0.1, 1.0
SKY, HILLS, HORIZON, FOREGROUND = 0.1, 0.3, 0.35, 1.0


def depth_level(share: float) -> int:
    """A depth share (0 far … 1 near) as the 16-bit value the depth maps hold."""
    return int(round(share * DEPTH_MAX))


def fractal_noise(rng: np.random.Generator, height: int, width: int, cells_px=(48, 16, 6, 2),
                  weights=(0.45, 0.3, 0.3, 0.2), periodic: bool = False) -> np.ndarray:  # fmt: skip
    """Smooth random noise summed over several feature sizes (``cells_px``), about -1 … 1: the grain every layer
    gets, so there are corners to track at every scale. ``periodic``: it tiles seamlessly (every cell size must
    then divide the height and the width)."""
    out = np.zeros((height, width), np.float32)
    for cell_px, weight in zip(cells_px, weights):
        if periodic:
            grid = rng.standard_normal((height // cell_px, width // cell_px)).astype(np.float32)
            grid = np.tile(grid, (3, 3))  # interpolated across the seams from the other side
            big = cv2.resize(grid, (grid.shape[1] * cell_px, grid.shape[0] * cell_px), interpolation=cv2.INTER_CUBIC)
            out += weight * big[height : 2 * height, width : 2 * width]
            continue
        grid = rng.standard_normal((height // cell_px + 3, width // cell_px + 3)).astype(np.float32)
        big = cv2.resize(grid, (grid.shape[1] * cell_px, grid.shape[0] * cell_px), interpolation=cv2.INTER_CUBIC)
        oy, ox = rng.integers(0, cell_px, 2)
        out += weight * big[oy : oy + height, ox : ox + width]
    return out / max(1e-6, float(np.sqrt(sum(w * w for w in weights))) * 1.5)


def textured(rng: np.random.Generator, height: int, width: int, rgb, amount: float, cells_px=(48, 16, 6, 2),
             tint: float = 0.35, periodic: bool = False) -> np.ndarray:  # fmt: skip
    """A float RGB area of colour ``rgb`` with ``amount`` levels of fractal-noise grain (mostly in lightness,
    ``tint`` of it in each channel on its own)."""
    light = fractal_noise(rng, height, width, cells_px, periodic=periodic)
    out = np.empty((height, width, 3), np.float32)
    for c in range(3):
        own = fractal_noise(rng, height, width, cells_px[:2], (0.6, 0.4), periodic)
        out[..., c] = rgb[c] + amount * ((1 - tint) * light + tint * own)
    return out


def as_uint8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def colour(rng: np.random.Generator, low: int = 30, high: int = 230) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(low, high, 3))


def scatter_shapes(rng: np.random.Generator, img: np.ndarray, count: int, size_px: tuple[int, int],
                   palette=None) -> None:  # fmt: skip
    """Draw ``count`` random filled circles, rectangles and triangles (``size_px``: smallest and largest) into
    ``img`` in place: the blots and marks a painted texture has."""
    height, width = img.shape[:2]
    for _ in range(count):
        fill = palette[rng.integers(len(palette))] if palette is not None else colour(rng)
        fill = tuple(float(np.clip(v + rng.normal(0, 12), 0, 255)) for v in fill)
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(size_px[0], size_px[1] + 1))
        shape = rng.integers(3)
        if shape == 0:
            cv2.circle(img, (x, y), r, fill, -1, cv2.LINE_AA)
        elif shape == 1:
            cv2.rectangle(img, (x - r, y - r // 2), (x + r, y + r // 2), fill, -1, cv2.LINE_AA)
        else:
            pts = np.array([[x, y - r], [x + r, y + r], [x - r, y + r]], np.int32)
            cv2.fillPoly(img, [pts], fill, cv2.LINE_AA)


def card_layers(width: int, height: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two layers of the ``card`` scene, for tests that move them apart: the far wall (RGB, the whole
    picture), the near card (RGB, the whole picture, meaningful inside its mask) and the card's mask (uint8, 255
    on the card, 0 elsewhere): a rectangle about 30 % of the width, roughly in the middle."""
    rng = np.random.default_rng(7000 + seed)
    wall = textured(rng, height, width, colour(rng, 90, 170), 45, (40, 14, 5))
    scatter_shapes(rng, wall, max(8, width * height // 2500), (max(2, width // 160), max(4, width // 40)))
    wall = wall + 10 * fractal_noise(rng, height, width, (3,), (1.0,))[..., None]

    card_w, card_h = int(round(width * 0.3)), int(round(height * rng.uniform(0.45, 0.55)))
    x0 = (width - card_w) // 2 + int(rng.integers(-width // 40, width // 40 + 1))
    y0 = (height - card_h) // 2 + int(rng.integers(-height // 40, height // 40 + 1))
    yy, xx = np.mgrid[0:height, 0:width]
    check_px = max(4, width // 48)
    checks = ((xx // check_px + yy // check_px) % 2).astype(np.float32)
    stripes = 0.5 + 0.5 * np.sin((xx + 2 * yy) * (2 * np.pi / max(6, width // 24))).astype(np.float32)
    ink, paper = np.array(colour(rng, 20, 110), np.float32), np.array(colour(rng, 170, 250), np.float32)
    pattern = (0.6 * checks + 0.4 * stripes)[..., None]
    card = paper * (1 - pattern) + ink * pattern + textured(rng, height, width, (0, 0, 0), 28, (12, 4, 2))
    scatter_shapes(rng, card, max(4, card_w * card_h // 1500), (max(2, width // 200), max(3, width // 70)))
    mask = np.zeros((height, width), np.uint8)
    mask[y0 : y0 + card_h, x0 : x0 + card_w] = 255
    cv2.rectangle(card, (x0, y0), (x0 + card_w - 1, y0 + card_h - 1), tuple(float(v) for v in ink), 2)
    return as_uint8(wall), as_uint8(card), mask


def grass_texture(rng: np.random.Generator, size_px: int = 512) -> np.ndarray:
    """A square, seamlessly tiling float RGB texture of grass (``size_px`` a multiple of 32): green grain, blades,
    a few flowers and stones."""
    tex = textured(rng, size_px, size_px, (70, 135, 55), 40, (32, 8, 4), periodic=True)
    greens = [(50, 110, 35), (95, 165, 60), (35, 85, 30), (130, 180, 80)]
    for _ in range(size_px * size_px // 60):
        x, y = rng.uniform(0, size_px, 2)
        length, lean = rng.uniform(5, 14), rng.normal(0, 0.35)
        tip = (x + length * np.sin(lean), y - length * np.cos(lean))
        fill = tuple(float(v + rng.normal(0, 10)) for v in greens[rng.integers(len(greens))])
        for dx in (-size_px, 0, size_px):  # drawn three times across each seam so the tile wraps
            for dy in (-size_px, 0, size_px):
                cv2.line(tex, (int(x + dx), int(y + dy)), (int(tip[0] + dx), int(tip[1] + dy)), fill, 1, cv2.LINE_AA)
    for _ in range(size_px * size_px // 2500):
        x, y = (int(v) for v in rng.integers(4, size_px - 4, 2))
        if rng.random() < 0.6:  # a flower
            cv2.circle(tex, (x, y), int(rng.integers(2, 4)), colour(rng, 150, 255), -1, cv2.LINE_AA)
            cv2.circle(tex, (x, y), 1, (240, 220, 60), -1)
        else:  # a stone
            cv2.ellipse(tex, (x, y), (int(rng.integers(3, 6)), int(rng.integers(2, 4))), 0, 0, 360,
                        (float(rng.integers(110, 170)),) * 3, -1, cv2.LINE_AA)  # fmt: skip
    wrapped = np.pad(tex, ((4, 4), (4, 4), (0, 0)), mode="wrap")  # blurred across the seams too
    return np.ascontiguousarray(cv2.GaussianBlur(wrapped, (0, 0), 0.6)[4:-4, 4:-4])


def ground_plane(rng: np.random.Generator, width: int, rows: int, far: float, near: float
                 ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """A grass plane in perspective, ``rows`` high: (float RGB, depth share a row). The depth share grows
    linearly from ``far`` on the top row to ``near`` on the bottom one; the texture is magnified with the square
    root of it (mild perspective, so the far rows keep features big enough to track)."""
    tex = grass_texture(rng)
    share = np.linspace(far, near, rows, dtype=np.float64)
    scale = 1.6 * (width / 640) * np.sqrt(share / near)  # screen pixels per texture pixel, a row
    v = np.cumsum(1.0 / scale) + rng.uniform(0, tex.shape[0])
    u = (np.arange(width) - width / 2)[None, :] / scale[:, None] + rng.uniform(0, tex.shape[1])
    map_x = (u % tex.shape[1]).astype(np.float32)
    map_y = np.broadcast_to((v % tex.shape[0])[:, None], (rows, width)).astype(np.float32)
    rgb = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    return rgb, share


def figure(rng: np.random.Generator, img: np.ndarray, mask: np.ndarray, foot_x: int, foot_y: int,
           height_px: int) -> None:  # fmt: skip
    """Draw a flat-coloured standing figure (legs, a patterned body, arms, a head with hair and eyes) whose feet
    touch row ``foot_y``, into ``img`` (float RGB) and ``mask`` (255 where drawn), in place."""
    h = height_px
    clothes = [(200, 50, 50), (50, 90, 200), (230, 190, 40), (150, 60, 170), (240, 130, 40), (60, 170, 200)]
    body, trousers = tuple(float(v) for v in clothes[rng.integers(len(clothes))]), colour(rng, 20, 120)
    skin = tuple(float(v) for v in rng.choice([(240, 200, 170), (200, 150, 110), (140, 95, 65)]))
    hair = tuple(float(v) for v in rng.choice([(40, 25, 15), (120, 70, 30), (220, 180, 90)]))
    leg_w, leg_top = max(2, h // 14), foot_y - int(h * 0.38)
    body_top, head_r = foot_y - int(h * 0.78), max(3, int(h * 0.12))
    head_c = (foot_x, body_top - int(head_r * 0.9))
    shapes = np.zeros_like(img)
    for side in (-1, 1):
        x = foot_x + side * leg_w
        cv2.rectangle(shapes, (x - leg_w // 2, leg_top), (x + leg_w // 2, foot_y - 1), trousers, -1)
        cv2.line(shapes, (foot_x + side * int(h * 0.13), body_top + int(h * 0.06)),
                 (foot_x + side * int(h * 0.26), body_top + int(h * 0.34)), skin, max(2, h // 20))  # fmt: skip
    body_poly = np.array([[foot_x - int(h * 0.12), body_top], [foot_x + int(h * 0.12), body_top],
                          [foot_x + int(h * 0.2), leg_top + int(h * 0.04)],
                          [foot_x - int(h * 0.2), leg_top + int(h * 0.04)]], np.int32)  # fmt: skip
    cv2.fillPoly(shapes, [body_poly], body)
    cv2.circle(shapes, head_c, head_r, skin, -1)
    cv2.ellipse(shapes, head_c, (head_r, head_r), 0, 180, 360, hair, -1)
    drawn = shapes.any(axis=2)
    # a pattern on the clothes (stripes) and grain everywhere, then the eyes on top
    yy = np.arange(img.shape[0])[:, None]
    stripes = (np.sin(yy * 2 * np.pi / max(3, h // 10)) > 0.3) & (np.abs(shapes - np.array(body)).sum(axis=2) < 1)
    shapes[stripes] *= 0.7
    grain = textured(rng, img.shape[0], img.shape[1], (0, 0, 0), 22, (8, 3, 2))
    shapes += grain
    for side in (-1, 1):
        cv2.circle(shapes, (head_c[0] + side * head_r // 3, head_c[1] + head_r // 5), max(1, head_r // 6),
                   (20, 20, 20), -1)  # fmt: skip
    img[drawn] = shapes[drawn]
    mask[drawn] = 255


def card_scene(width: int, height: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    wall, card, mask = card_layers(width, height, seed)
    rgb = np.where(mask[..., None] > 0, card, wall)
    depth = np.where(mask > 0, depth_level(CARD_NEAR), depth_level(CARD_WALL)).astype(np.uint16)
    return rgb, depth


def ground_scene(width: int, height: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(8000 + seed)
    rgb, share = ground_plane(rng, width, height, GROUND_TOP, GROUND_BOTTOM)
    haze = np.linspace(0.35, 0.0, height, dtype=np.float32)[:, None, None]  # far rows paler, as air makes them
    rgb = rgb * (1 - haze) + np.array([190, 205, 215], np.float32) * haze
    depth = np.broadcast_to(np.rint(share * DEPTH_MAX)[:, None], (height, width)).astype(np.uint16)
    return as_uint8(rgb), depth


def storybook_scene(width: int, height: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(9000 + seed)
    horizon = int(round(height * rng.uniform(0.5, 0.56)))
    img = np.empty((height, width, 3), np.float32)
    depth = np.empty((height, width), np.float64)

    # sky: a gradient with a watercolour grain, soft clouds and a sun
    top, low = np.array([95, 150, 225], np.float32), np.array([190, 220, 245], np.float32)
    ramp = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    img[:horizon] = top * (1 - ramp) + low * ramp + textured(rng, horizon, width, (0, 0, 0), 36, (30, 10, 4, 2))
    clouds = np.zeros((horizon, width), np.float32)
    for _ in range(int(rng.integers(3, 6))):
        cx, cy = rng.uniform(0.05, 0.95) * width, rng.uniform(0.2, 0.6) * horizon
        for _ in range(int(rng.integers(3, 6))):  # a cloud is a few puffs
            r = rng.uniform(0.04, 0.08) * width
            cv2.ellipse(clouds, (int(cx + rng.normal(0, r)), int(cy + rng.normal(0, r * 0.3))),
                        (int(r), int(r * 0.55)), 0, 0, 360, 1.0, -1)  # fmt: skip
    clouds = cv2.GaussianBlur(clouds, (0, 0), max(1.0, width / 200)) * (0.75 + 0.25 * fractal_noise(
        rng, horizon, width, (20, 6)))  # fmt: skip
    img[:horizon] += clouds[..., None] * (np.array([250, 250, 250], np.float32) - img[:horizon])
    sun = (int(width * rng.choice([0.12, 0.88])), int(horizon * 0.3))
    cv2.circle(img, sun, max(3, int(min(width, height) * 0.06)), (250, 215, 80), -1, cv2.LINE_AA)
    depth[:horizon] = SKY

    # distant hills: a wavy band above the horizon, bluish green, with dots of trees
    xs = np.arange(width)
    ridge = np.zeros(width)
    for k in range(3):
        ridge += rng.uniform(0.3, 1.0) * np.sin(xs * (k + 1) * 2 * np.pi / width * rng.uniform(0.8, 1.6)
                                                + rng.uniform(0, 2 * np.pi))  # fmt: skip
    ridge = horizon - height * (0.07 + 0.04 * ridge / np.abs(ridge).max())
    hills = np.arange(height)[:, None] >= ridge[None, :]
    hills[horizon:] = False
    hill_rgb = textured(rng, height, width, (95, 140, 120), 30, (24, 8, 3))
    scatter_shapes(rng, hill_rgb, max(10, width * height // 300), (max(1, width // 320), max(2, width // 110)),
                   [(55, 95, 70), (70, 115, 80), (130, 165, 130)])  # fmt: skip
    img[hills] = hill_rgb[hills]
    depth[hills] = HILLS

    # the ground: grass in perspective from the horizon down
    ground_rgb, share = ground_plane(rng, width, height - horizon, HORIZON, FOREGROUND)
    img[horizon:] = ground_rgb
    depth[horizon:] = share[:, None]

    # figures standing on the ground, each as near as the ground at its feet; the farthest drawn first
    count = int(rng.integers(2, 4))
    slots = rng.permutation(count)
    feet = sorted((int(horizon + (height - horizon) * rng.uniform(0.3, 0.85)), int(slot)) for slot in slots)
    for foot_y, slot in feet:
        foot_x = int(width * (slot + 0.5 + rng.uniform(-0.2, 0.2)) / count)
        mask = np.zeros((height, width), np.uint8)
        at_feet = share[foot_y - horizon]
        figure(rng, img, mask, foot_x, foot_y, int(height * 0.5 * at_feet))
        depth[mask > 0] = at_feet
    return as_uint8(img), np.rint(depth * DEPTH_MAX).astype(np.uint16)


def depth_scene(kind: str, width: int, height: int, seed: int = 0, title: str | None = None
                ) -> tuple[np.ndarray, np.ndarray, list[Box]]:  # fmt: skip
    """One textured picture of ``kind`` (``KINDS``) with its true depth: (RGB uint8 height x width x 3, depth
    uint16 height x width, near = bright, and the boxes (x, y, w, h) of the title text drawn). ``title``: a dark
    title line at the top, on the sky in a storybook (and there as far as the sky), on whatever is there in the
    other kinds (their depth there unchanged)."""
    makers = {"card": card_scene, "ground": ground_scene, "storybook": storybook_scene}
    if kind not in makers:
        raise ValueError(f"no depth scene of kind {kind!r}: one of {', '.join(KINDS)}")
    rgb, depth = makers[kind](width, height, seed)
    boxes: list[Box] = []
    if title:
        rgb, box = draw_text(rgb, title, (width // 2, int(height * 0.06)), max(10, round(height * 0.07)),
                             (30, 30, 30), "mt")  # fmt: skip
        boxes.append(box)
    return np.ascontiguousarray(rgb), np.ascontiguousarray(depth), boxes


def write_depth_png(path: Path, depth_uint16: np.ndarray) -> None:
    """Write a depth map as a 16-bit grey PNG (what depth estimators write and the parallax camera reads)."""
    if depth_uint16.dtype != np.uint16 or depth_uint16.ndim != 2:
        raise ValueError(f"a depth map is a 2-D uint16 array, not {depth_uint16.dtype} {depth_uint16.shape}")
    if not cv2.imwrite(str(path), depth_uint16):
        raise OSError(f"could not write {path}")


def make_depth_episode(folder: Path, kinds: list[str], scene_s: float, *, width: int = 640, height: int = 360,
                       fps: Fraction = Fraction(25), titles: list[str | None] | None = None) -> dict:  # fmt: skip
    """A slideshow podcast of one ``depth_scene`` a kind, ``scene_s`` each, hard cuts, over a tone whose pitch
    changes at each cut: ``folder/episode.mp4``, and each scene's true depth as ``folder/depth_01.png`` …
    Returns ``make_podcast``'s truth plus "path", "depth_paths", "pictures" (RGB) and "title_boxes" (a list a
    scene)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    titles = titles or [None] * len(kinds)
    if len(titles) != len(kinds):
        raise ValueError(f"{len(titles)} titles for {len(kinds)} scenes")
    pictures, depth_paths, title_boxes = [], [], []
    for k, (kind, title) in enumerate(zip(kinds, titles), start=1):
        rgb, depth, boxes = depth_scene(kind, width, height, seed=k, title=title)
        path = folder / f"depth_{k:02d}.png"
        write_depth_png(path, depth)
        pictures.append(rgb)
        depth_paths.append(path)
        title_boxes.append(boxes)
    scene_frames = int(round(scene_s * fps))
    cut_frames = [scene_frames * k for k in range(1, len(kinds))]
    path = folder / "episode.mp4"
    truth = make_podcast(path, cut_frames, scene_frames * len(kinds), width=width, height=height, fps=fps,
                         pictures=pictures)  # fmt: skip
    return {**truth, "path": path, "depth_paths": depth_paths, "pictures": pictures, "title_boxes": title_boxes}
