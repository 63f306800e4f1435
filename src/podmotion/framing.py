"""What a picture holds that the camera must respect: its lines of text, its faces and its most salient region.

The camera (``podmotion.camera``) tours a window over the picture. This module
looks at the picture once, on a copy at most ``ANALYSIS_MAX_SIDE_PX`` a side,
and says what every window must hold and where the move should go:

- **Text lines** (``text_lines``): strong, dense edges joined along a line
  (a morphological gradient, closed with a wide and short kernel), each a
  component short for the picture, at least twice as wide as tall, and crossed
  by many vertical strokes (letters), which a horizon, a fence top or a table
  edge are not. A title, a label, a caption on the art.
- **Faces** (``faces``): OpenCV's frontal-face Haar cascade, which ships in the
  ``opencv-python`` wheel, so it runs offline on the CPU.
- **The salient region** (``salient_box``): spectral residual saliency (Hou &
  Zhang, CVPR 2007) on a 64 px copy: what stands out of the picture's usual
  texture. The box around its strongest part.

``Framing.keep`` is the union of every text line and face, grown by a margin
(``MARGIN_SHARE`` of the picture's smaller side): every window of the move
contains it, so no title and no face is ever cut. ``Framing.subjects`` are
where the tour goes: the faces, else the salient region.

Boxes are (x, y, width, height) in the picture's own pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Box = tuple[int, int, int, int]

ANALYSIS_MAX_SIDE_PX = 640  # faces and saliency look at a copy this size at most
TEXT_MAX_SIDE_PX = 1280  # text at this size at most: a small caption keeps its strokes
MARGIN_SHARE = 0.03  # text and faces keep this share of the picture's smaller side clear of the window's edge
TEXT_MIN_HEIGHT_SHARE = 0.02  # a text line is at least this share of the picture's height ...
TEXT_MAX_HEIGHT_SHARE = 0.14  # ... and at most this
TEXT_STROKE_LEVELS = (60, 110)  # a thin stroke this much brighter or darker (of 255) than around it is a letter's
STROKE_KERNEL_SHARE = 0.014  # strokes thinner than this share of the picture's longer side are letters'
TEXT_STROKES_PER_HEIGHT = 1.3  # vertical strokes crossed along a word's middle, per line height of its width
TEXT_MIN_STROKES = 3  # a word has at least this many
TEXT_CONTRAST = 70  # and its ink differs from its ground by this much (of 255)
SALIENT_SIDE_PX = 64


@dataclass(frozen=True)
class Framing:
    """One picture's text lines, faces and salient box, at the picture's size."""

    width: int
    height: int
    text: tuple[Box, ...] = ()
    faces: tuple[Box, ...] = ()
    salient: Box | None = None
    margin_px: float = field(default=0.0)

    @property
    def keep(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1): what every window must contain, text and faces with their margin, inside the
        picture; None when there is nothing to keep."""
        boxes = [*self.text, *self.faces]
        if not boxes:
            return None
        m = self.margin_px
        return (max(0.0, min(b[0] for b in boxes) - m), max(0.0, min(b[1] for b in boxes) - m),
                min(float(self.width), max(b[0] + b[2] for b in boxes) + m),
                min(float(self.height), max(b[1] + b[3] for b in boxes) + m))  # fmt: skip

    @property
    def subjects(self) -> tuple[Box, ...]:
        """Where the move goes: the faces, biggest first, else the salient region."""
        if self.faces:
            return tuple(sorted(self.faces, key=lambda b: -b[2] * b[3]))
        return (self.salient,) if self.salient is not None else ()

    def describe(self) -> dict:
        """For the sidecar: what was found, and why the windows are where they are."""
        keep = self.keep
        return {"text": [list(b) for b in self.text], "faces": [list(b) for b in self.faces],
                "salient": list(self.salient) if self.salient else None,
                "keep": [round(v, 1) for v in keep] if keep else None}  # fmt: skip


def find_framing(image: np.ndarray) -> Framing:
    """The text lines, faces and salient region of ``image`` (RGB uint8)."""
    import cv2

    height, width = image.shape[:2]
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    text_scale, scale = (min(1.0, side / max(width, height)) for side in (TEXT_MAX_SIDE_PX, ANALYSIS_MAX_SIDE_PX))
    shrunk = lambda f: grey if f == 1.0 else cv2.resize(grey, (max(1, round(width * f)), max(1, round(height * f))),
                                                        interpolation=cv2.INTER_AREA)  # noqa: E731
    small = shrunk(scale)
    text = [_scaled(b, 1 / text_scale, width, height) for b in text_lines(shrunk(text_scale))]
    back = lambda b: _scaled(b, 1 / scale, width, height)  # noqa: E731
    return Framing(width, height, tuple(text), tuple(back(b) for b in faces(small)),
                   (back(s) if (s := salient_box(small)) else None), MARGIN_SHARE * min(width, height))  # fmt: skip


def text_lines(grey: np.ndarray) -> list[Box]:
    """Lines of text in a grey picture: see the module docstring."""
    import cv2

    h, w = grey.shape
    stroke_px = max(5, round(STROKE_KERNEL_SHARE * max(h, w))) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (stroke_px, stroke_px))
    thin = np.maximum(cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, kernel), cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel))
    gap_px = max(3, round(0.006 * w)) | 1
    words = []
    for levels in TEXT_STROKE_LEVELS:  # faint strokes on a flat ground; strong ones on a textured ground
        strong = (thin > levels).astype(np.uint8)
        joined = cv2.morphologyEx(strong, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap_px, 3)))
        for x, y, bw, bh, area in cv2.connectedComponentsWithStats(joined, connectivity=8)[2][1:].tolist():
            if not TEXT_MIN_HEIGHT_SHARE * h <= bh <= TEXT_MAX_HEIGHT_SHARE * h or bw < 1.2 * bh:
                continue
            strokes, contrast = _strokes(grey[y : y + bh, x : x + bw])
            if strokes >= TEXT_MIN_STROKES and strokes >= TEXT_STROKES_PER_HEIGHT * bw / bh and contrast >= TEXT_CONTRAST:
                words.append((x, y, bw, bh))
    pad = lambda b: (b[0] - b[3] // 5, b[1] - b[3] // 5, b[2] + 2 * (b[3] // 5), b[3] + 2 * (b[3] // 5))  # noqa: E731
    return [_scaled(pad(b), 1.0, w, h) for b in _lines(words)]  # antialiased edges and accents


def _strokes(patch: np.ndarray) -> tuple[float, int]:
    """(how many ink strokes a line of the patch's middle third crosses on average, the ink's contrast with its
    ground), the patch split into ink and ground by Otsu's threshold, the ink being the smaller part."""
    import cv2

    if int(patch.max()) - int(patch.min()) < TEXT_CONTRAST:
        return 0.0, 0
    _, ink = cv2.threshold(patch, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if ink.mean() > 0.5:
        ink = 1 - ink
    h = patch.shape[0]
    rows = ink[max(0, h // 2 - h // 6) : h // 2 + h // 6 + 1].astype(np.int8)
    strokes = float(np.mean(np.count_nonzero(np.diff(rows, axis=1) == 1, axis=1)))
    ground = patch[cv2.dilate(ink, np.ones((3, 3), np.uint8)) == 0]
    if not ground.size:
        return strokes, 0
    return strokes, abs(int(np.median(patch[ink > 0])) - int(np.median(ground)))


def faces(grey: np.ndarray) -> list[Box]:
    """Frontal faces, by the Haar cascade that ships with OpenCV."""
    import cv2

    cascade = _cascade()
    side = min(grey.shape)
    found = cascade.detectMultiScale(cv2.equalizeHist(grey), scaleFactor=1.1, minNeighbors=6,
                                     minSize=(max(20, side // 20),) * 2)  # fmt: skip
    return [tuple(int(v) for v in f) for f in (found if len(found) else [])]


def salient_box(grey: np.ndarray) -> Box | None:
    """The box around the strongest part of the spectral residual saliency map, or None for a flat picture."""
    import cv2

    h, w = grey.shape
    scale = SALIENT_SIDE_PX / max(h, w)
    small = cv2.resize(grey, (max(4, round(w * scale)), max(4, round(h * scale))), interpolation=cv2.INTER_AREA)
    values = small.astype(np.float64)
    if values.std() < 1.0:
        return None
    spectrum = np.fft.fft2(values)
    log_amplitude = np.log(np.abs(spectrum) + 1e-9)
    residual = log_amplitude - cv2.blur(log_amplitude, (3, 3), borderType=cv2.BORDER_REPLICATE)
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    saliency = cv2.GaussianBlur(saliency, (0, 0), 2.5)
    strong = (saliency >= 3 * saliency.mean()).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strong, connectivity=8)
    if count < 2:
        return None
    weights = [saliency[labels == k].sum() for k in range(1, count)]
    x, y, bw, bh, _ = stats[1 + int(np.argmax(weights))].tolist()
    return _scaled((x, y, bw, bh), 1 / scale, w, h)


_CASCADE = None


def _cascade():
    global _CASCADE
    if _CASCADE is None:
        import cv2

        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
        _CASCADE = cv2.CascadeClassifier(path)
        if _CASCADE.empty():
            raise RuntimeError(f"{path}: OpenCV's face cascade could not be read")
    return _CASCADE


def _scaled(box, factor: float, width: int, height: int) -> Box:
    """``box`` times ``factor``, rounded outwards, inside width x height."""
    x0, y0 = max(0, math.floor(box[0] * factor)), max(0, math.floor(box[1] * factor))
    x1, y1 = min(width, math.ceil((box[0] + box[2]) * factor)), min(height, math.ceil((box[1] + box[3]) * factor))
    return x0, y0, x1 - x0, y1 - y0


def _lines(words: list[Box]) -> list[Box]:
    """Words joined into lines: boxes that overlap, or sit side by side on one line less than 1.5 heights apart."""
    merged: list[Box] = []
    for box in sorted(words, key=lambda b: (b[1], b[0])):
        while True:
            for i, m in enumerate(merged):
                shared_h = min(m[1] + m[3], box[1] + box[3]) - max(m[1], box[1])
                gap = max(m[0], box[0]) - min(m[0] + m[2], box[0] + box[2])
                if shared_h > 0.5 * min(m[3], box[3]) and gap < 1.5 * max(m[3], box[3]) or (shared_h > 0 and gap < 0):
                    x0, y0 = min(m[0], box[0]), min(m[1], box[1])
                    box = (x0, y0, max(m[0] + m[2], box[0] + box[2]) - x0, max(m[1] + m[3], box[1] + box[3]) - y0)
                    del merged[i]
                    break
            else:
                merged.append(box)
                break
    return sorted(merged, key=lambda b: (b[1], b[0]))


def draw_framing(still: np.ndarray, result: dict) -> np.ndarray | None:
    """``still`` with what the camera kept whole and where it went, from an animate sidecar's ``result``: text
    lines in yellow, faces in cyan, the salient region in orange, the tour's first framings in white, and its
    pace under them. None when the backend recorded no framing (not a camera tour)."""
    import cv2

    framing, move = result.get("framing"), result.get("move") or {}
    if not framing:
        return None
    out = np.ascontiguousarray(still.copy())
    x0, y0, art_w, art_h = result.get("art_box") or (0, 0, still.shape[1], still.shape[0])
    sx, sy = art_w / framing["size"][0], art_h / framing["size"][1]
    to_still = lambda b: (round(x0 + b[0] * sx), round(y0 + b[1] * sy), round(x0 + (b[0] + b[2]) * sx) - 1,  # noqa: E731
                          round(y0 + (b[1] + b[3]) * sy) - 1)  # fmt: skip
    thin, thick = max(1, round(min(out.shape[:2]) / 360)), max(2, round(min(out.shape[:2]) / 180))
    for box in move.get("framings", []):
        x_a, y_a, x_b, y_b = to_still(box)
        cv2.rectangle(out, (x_a, y_a), (x_b, y_b), (255, 255, 255), thin, cv2.LINE_AA)
    marks = [(b, (250, 210, 0)) for b in framing.get("text", [])] + [(b, (0, 220, 255)) for b in framing.get("faces", [])]
    if framing.get("salient"):
        marks.append((framing["salient"], (255, 140, 0)))
    for box, colour in marks:
        x_a, y_a, x_b, y_b = to_still(box)
        cv2.rectangle(out, (x_a, y_a), (x_b, y_b), colour, thick, cv2.LINE_AA)
    pace = move.get("pace_widths_per_s")
    words = f"pace {100 * pace:.2f} %/s" if pace is not None else ""
    if move.get("tight"):
        words += ", tight: " + str(move.get("reason", ""))[:60]
    h = out.shape[0]
    cv2.putText(out, words, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, h / 700, (0, 0, 0), 4, cv2.LINE_AA)
    cv2.putText(out, words, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, h / 700, (255, 255, 255), 1, cv2.LINE_AA)
    return out
