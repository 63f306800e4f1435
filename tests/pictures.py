"""Pictures as podcasts publish them, for the camera's tests: flat cartoon illustrations with a title line, real
photos (scikit-image's, shipped in its wheel) with small text, and a square cover with its own title.

Each maker returns the RGB picture and the boxes of the text it drew, (x, y, width, height) in its pixels, so a
test knows where every title is without detecting it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Box = tuple[int, int, int, int]


def draw_text(rgb: np.ndarray, text: str, xy: tuple[int, int], size_px: int, fill=(255, 255, 255),
              anchor: str = "la", outline_px: int = 0) -> tuple[np.ndarray, Box]:  # fmt: skip
    """``rgb`` with ``text`` drawn in Pillow's own TrueType font (with a dark outline, as captions on photos
    have), and the box of its ink."""
    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size_px)
    draw.text(xy, text, font=font, fill=fill, anchor=anchor, stroke_width=outline_px, stroke_fill=(0, 0, 0))
    x0, y0, x1, y1 = draw.textbbox(xy, text, font=font, anchor=anchor, stroke_width=outline_px)
    return np.asarray(image).copy(), (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def flat_illustration(index: int, width: int, height: int, title: str | None = None,
                      title_at: str = "top") -> tuple[np.ndarray, list[Box]]:  # fmt: skip
    """A children's-book picture: a flat sky and ground, a sun, a house and two figures of flat colour, with an
    optional title line (``title_at``: top, bottom or edge: from one side of the picture to the other)."""
    import cv2

    rng = np.random.default_rng(500 + index)
    sky = rng.integers(120, 230, 3)
    ground = rng.integers(40, 160, 3)
    img = np.empty((height, width, 3), np.uint8)
    horizon = int(height * rng.uniform(0.55, 0.7))
    img[:horizon], img[horizon:] = sky, ground
    s = min(width, height)
    cv2.circle(img, (int(width * rng.uniform(0.65, 0.9)), int(height * 0.22)), int(s * 0.08), (250, 220, 60), -1)
    hx = int(width * rng.uniform(0.08, 0.3))
    cv2.rectangle(img, (hx, horizon - int(s * 0.25)), (hx + int(s * 0.3), horizon), tuple(int(v) for v in rng.integers(0, 255, 3)), -1)
    roof = np.array([[hx - int(s * 0.03), horizon - int(s * 0.25)], [hx + int(s * 0.15), horizon - int(s * 0.4)],
                     [hx + int(s * 0.33), horizon - int(s * 0.25)]], np.int32)  # fmt: skip
    cv2.fillPoly(img, [roof], (150, 40, 40))
    for k in range(2):  # figures: a head and a body, flat colours
        fx = int(width * rng.uniform(0.45, 0.85))
        body = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.ellipse(img, (fx, horizon - int(s * 0.05)), (int(s * 0.05), int(s * 0.1)), 0, 0, 360, body, -1)
        cv2.circle(img, (fx, horizon - int(s * 0.19)), int(s * 0.045), (240, 200, 170), -1)
        cv2.circle(img, (fx - int(s * 0.015), horizon - int(s * 0.2)), max(1, int(s * 0.006)), (20, 20, 20), -1)
        cv2.circle(img, (fx + int(s * 0.015), horizon - int(s * 0.2)), max(1, int(s * 0.006)), (20, 20, 20), -1)
    boxes: list[Box] = []
    if title:
        size = max(10, round(height * 0.07))
        if title_at == "edge":
            img, box = draw_text(img, title, (width // 2, int(height * 0.03)), size, (30, 30, 30), "mt")
            # stretch to the edges: repeat the title until it spans nearly the whole width
            while box[2] < 0.9 * width:
                title = title + " " + title.split()[0]
                img = np.asarray(Image.fromarray(img))
                img, box = draw_text(img, title, (width // 2, int(height * 0.03)), size, (30, 30, 30), "mt")
        elif title_at == "bottom":
            img, box = draw_text(img, title, (width // 2, int(height * 0.95)), size, (255, 255, 255), "mb")
        else:
            img, box = draw_text(img, title, (width // 2, int(height * 0.06)), size, (30, 30, 30), "mt")
        boxes.append(box)
    return img, boxes


def photo(name: str, width: int, height: int, caption: str | None = None) -> tuple[np.ndarray, list[Box]]:
    """One of scikit-image's real photos (astronaut, coffee, chelsea, rocket), cropped to cover width x height,
    with an optional small caption near its lower left corner."""
    import cv2
    import skimage.data

    rgb = getattr(skimage.data, name)()
    h, w = rgb.shape[:2]
    scale = max(width / w, height / h)
    big = cv2.resize(rgb, (max(width, round(w * scale)), max(height, round(h * scale))), interpolation=cv2.INTER_AREA)
    top, left = (big.shape[0] - height) // (2 if name != "astronaut" else 8), (big.shape[1] - width) // 2
    img = np.ascontiguousarray(big[top : top + height, left : left + width])
    boxes: list[Box] = []
    if caption:
        img, box = draw_text(img, caption, (int(width * 0.04), int(height * 0.94)), max(9, round(height * 0.04)),
                             (255, 255, 255), "lb", max(1, round(height / 360)))  # fmt: skip
        boxes.append(box)
    return img, boxes


def cover(width: int, height: int, title: str = "THE LONG WALK") -> tuple[np.ndarray, list[Box]]:
    """A square podcast cover: a flat illustration with its own title line near its top."""
    return flat_illustration(99, width, height, title, "top")
