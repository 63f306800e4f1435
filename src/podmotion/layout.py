"""Where the art is in a podcast's stills: the frame / art / live / text layout.

A podcast video is a template: a *frame* held still (background, header, logo,
caption and chapter text, even text that changes), *art* (each scene's picture,
the only part podmotion animates) and *live* regions that move within scenes (a
waveform, a progress bar; found by scene detection). This module finds each
scene's art box from one still per scene, on copies shrunk to at most 640 px:

1. Change. A pixel is *fixed* when it matches the per-pixel median of the stills
   in at least 75 % of scenes. A scene's changed mask holds the pixels that are
   not fixed or that differ from the median in this scene: fixed headers, logos
   and slot borders drop out, and a slot keeps its box in a scene that repeats
   the previous picture.
2. Detail: the mean |Laplacian| over a small window. Sharp photos have it;
   blurred backdrops (a photo letterboxed over a blurred copy of itself) and
   flat fills don't.
3. Shapes. The mask is closed with a wide, short kernel (joining letters into
   lines, but not a caption to the picture above it) and split into connected
   components. Short components that are wide or small are text. The art is the
   bounding box of the largest other component and any at least a quarter its size.
4. Per scene: change alone; if that covers (almost) the whole frame, change and
   detail together; if those reach most of the frame or three of its sides (a
   full-frame photo with a flat sky), or are not edged all round as a picture
   pasted over a backdrop is (a flat illustration: its detail is its figures'
   and title's outlines, its flat sky and ground change from slide to slide
   too), the whole frame. A scene where only text
   changed gets the median of the other scenes' boxes. When at least as many
   scenes are whole-frame as have a box, the episode is one of full-frame
   photos and every scene is whole-frame. A single still cannot be
   compared: detail alone is used, only when it isolates one rectangle, edged
   all round, in flat surroundings; anything else is the whole frame.

Boxes are then cut clear of live boxes and made even, at least 16 px a side.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from .atomic import atomic_output
from .errors import PodmotionError

Box = tuple[int, int, int, int]  # x, y, width, height, in still pixels

MODES = ("detected", "manual", "off", "full_frame")
FRAME_DESCRIPTION = "everything outside art and live: background, header, logo and text, held still"
ANALYSIS_MAX_SIDE_PX = 640
MEDIAN_MAX_SCENES = 31  # the usual frame is the median of at most this many stills
CHANGE_LEVELS = 24  # a channel differing by more than this (of 255) is a change
FIXED_SHARE = 0.75  # a pixel matching the median in this share of scenes is frame
DETAIL_LEVELS = 3.0  # mean |Laplacian| above this is sharp detail
FULL_FRAME_SHARE = 0.85  # art bigger than this share of the frame is the whole frame
TEXT_MAX_HEIGHT_SHARE = 0.12  # a text line is at most this share of the frame height
EDGED_SHARE = 0.75  # a picture pasted into the frame has detail along this share of its sides, on average
MIN_ART_PX = 16
BOX_KEYS = ("x", "y", "width", "height")


@dataclass(frozen=True)
class Layout:
    """An episode's layout: each scene's art box, and the live and text boxes of its frame."""

    width: int
    height: int
    art: dict[int, Box]  # scene number (1-based) -> art box
    live: tuple[Box, ...] = ()
    text: tuple[Box, ...] = ()
    mode: str = "detected"
    # Per live box: "motion" (a waveform, a progress bar, a clock, a camera box) or "text" (burned-in subtitles),
    # and the scenes it moves in (None: not known, every scene). Filled in to one per box.
    live_kinds: tuple[str, ...] = ()
    live_scenes: tuple[tuple[int, ...] | None, ...] = ()

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"unknown layout mode {self.mode!r}; allowed: {', '.join(MODES)}")
        n = len(self.live)  # one kind and one scene list per live box, "motion" and None where not given
        object.__setattr__(self, "live_kinds", tuple(self.live_kinds[:n]) + ("motion",) * (n - len(self.live_kinds)))
        object.__setattr__(self, "live_scenes", tuple(self.live_scenes[:n]) + (None,) * (n - len(self.live_scenes)))

    def art_box(self, scene: int) -> Box:
        """The box to animate in ``scene``; the whole frame when layout is off or has no box for it."""
        if self.mode == "manual" and self.art and scene not in self.art:
            return next(iter(self.art.values()))  # a manual box is the same for every scene
        if self.mode in ("off", "full_frame"):
            return (0, 0, self.width, self.height)
        return self.art.get(scene, (0, 0, self.width, self.height))

    def to_json(self, path: str | os.PathLike) -> None:
        data = {"width": self.width, "height": self.height, "mode": self.mode, "frame": FRAME_DESCRIPTION,
                "art": [{"scene": s, **dict(zip(BOX_KEYS, b))} for s, b in sorted(self.art.items())],
                "live": [{**dict(zip(BOX_KEYS, b)), "kind": self.live_kinds[k],
                          **({"scenes": list(self.live_scenes[k])} if self.live_scenes[k] is not None else {})}
                         for k, b in enumerate(self.live)],
                "text": [dict(zip(BOX_KEYS, b)) for b in self.text]}  # fmt: skip
        with atomic_output(path) as tmp:
            tmp.write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "Layout":
        if not Path(path).exists():
            raise PodmotionError(path, "file not found")
        try:
            data = json.loads(Path(path).read_text())
            box = lambda d: tuple(int(d[k]) for k in BOX_KEYS)  # noqa: E731
            scenes = lambda d: tuple(int(v) for v in d["scenes"]) if "scenes" in d else None  # noqa: E731
            return cls(int(data["width"]), int(data["height"]), {int(d["scene"]): box(d) for d in data["art"]},
                       tuple(map(box, data["live"])), tuple(map(box, data["text"])), data["mode"],
                       tuple(str(d.get("kind", "motion")) for d in data["live"]),
                       tuple(scenes(d) for d in data["live"]))  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise PodmotionError(path, f"not a layout file ({type(exc).__name__}: {exc})") from None


def analyse_layout(stills: Mapping[int, np.ndarray], live: Sequence[Box] = ()) -> Layout:
    """Find each scene's art box from its still (RGB uint8, all one size); see the module docstring."""
    import cv2

    scenes, live = sorted(stills), tuple(tuple(int(v) for v in b) for b in live)
    if not scenes:
        raise ValueError("no stills to find a layout in")
    height, width = stills[scenes[0]].shape[:2]
    scale = min(1.0, ANALYSIS_MAX_SIDE_PX / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = {}
    for s in scenes:  # each still asked for once: a mapping may read it from its file (podmotion.detect.StillFiles)
        still = stills[s]
        if still.shape[:2] != (height, width):
            raise ValueError(f"scene {s} still is {still.shape[1]}x{still.shape[0]}, not {width}x{height}")
        small[s] = cv2.resize(still, size, interpolation=cv2.INTER_AREA)
    keep = np.ones(size[::-1], bool)  # analysis pixels outside every live box
    for x, y, w, h in live:
        keep[max(0, math.floor(y * scale) - 1) : math.ceil((y + h) * scale) + 1,
             max(0, math.floor(x * scale) - 1) : math.ceil((x + w) * scale) + 1] = False  # fmt: skip

    found: dict[int, Box] = {}  # analysis pixels
    whole, words = set(), []
    for s, changed in _changed_masks(small).items() if len(scenes) > 1 else ():
        box, text = _shapes(changed & keep)
        if box is not None and _share(box, size) > FULL_FRAME_SHARE:  # the whole frame changes: use detail
            detail = changed & keep & _detail(small[s])
            box, text = _shapes(detail)
            # a picture over a blurred copy of itself is edged all round; a flat illustration's detail is not
            if box is None or _whole_frame(box, size) or not _edged(detail, box):
                whole.add(s)
                continue
        if box is not None:
            found[s] = box
        words += [t for t in text if box is None or _overlap(t, box) < 0.5 * t[2] * t[3]]
    if len(whole) >= len(found) and whole:  # mostly full-frame pictures: an episode of photos, all art
        found = {}
    if not found and not whole:  # one still, or nothing but text changed: detail alone, strictly
        box, text = _isolated(_detail(small[scenes[0]]) & keep)
        found, words = ({s: box for s in scenes} if box else {}), words or text

    to_still = lambda b: _even(*_corners(b, 1 / scale), width, height)  # noqa: E731
    art = {s: _cut_live(to_still(b), live) for s, b in found.items()}
    typical = _even(*np.median([_corners(b) for b in art.values()], axis=0).astype(int), width, height) if art else None
    for s in scenes:
        art.setdefault(s, typical if typical and s not in whole else (0, 0, width, height))
    return Layout(width, height, dict(sorted(art.items())), live, tuple(_merge([to_still(t) for t in words])),
                  "detected" if found else "full_frame")  # fmt: skip


def clear_of_live(box: Box, live: Sequence[Box], width: int, height: int) -> Box:
    """``box`` made even, inside the frame, and cut clear of the ``live`` boxes, as every art box is."""
    return _cut_live(_even(*_corners(box), width, height), live)


def manual_layout(stills_or_size: Mapping[int, np.ndarray] | tuple[int, int], art_box: Box, live: Sequence[Box] = (),
                  scenes: Iterable[int] = ()) -> Layout:  # fmt: skip
    """The art box set by hand in the config, the same for every scene (the stills', or ``scenes``)."""
    if isinstance(stills_or_size, Mapping):
        (height, width), scenes = next(iter(stills_or_size.values())).shape[:2], list(stills_or_size)
    else:
        width, height = stills_or_size
    x, y, w, h = art_box
    if x < 0 or y < 0 or w < MIN_ART_PX or h < MIN_ART_PX or x + w > width or y + h > height:
        raise ValueError(f"layout art box {tuple(art_box)} (x, y, width, height) is not inside the "
                         f"{width}x{height} frame, or is under {MIN_ART_PX} px a side")  # fmt: skip
    box = _even(x, y, x + w, y + h, width, height)
    return Layout(width, height, {s: box for s in sorted(scenes)}, tuple(map(tuple, live)), (), "manual")


def off_layout(width: int, height: int, scenes: Iterable[int], live: Sequence[Box] = ()) -> Layout:
    """Layout turned off: every scene is all art (the whole frame)."""
    return Layout(width, height, {s: (0, 0, width, height) for s in sorted(scenes)}, tuple(map(tuple, live)), (), "off")


def draw_layout(still: np.ndarray, layout: Layout, scene: int) -> np.ndarray:
    """``still`` with its art box outlined in green, live boxes in red (burned-in subtitles in magenta), text in
    yellow, and a legend."""
    import cv2

    out = np.ascontiguousarray(still.copy())
    h = out.shape[0]
    green, red, yellow, magenta = (40, 220, 60), (230, 40, 40), (250, 210, 0), (230, 60, 230)
    live = [(b, magenta if layout.live_kinds[k] == "text" else red) for k, b in enumerate(layout.live)]
    boxes = [(b, yellow) for b in layout.text] + live + [(layout.art_box(scene), green)]
    for (x, y, bw, bh), colour in boxes:
        cv2.rectangle(out, (x, y), (x + bw - 1, y + bh - 1), colour, max(2, round(min(out.shape[:2]) / 240)))
    row_px = max(10, round(h / 32))
    labels = [(green, f"art ({layout.mode})"), (red, "live"), (magenta, "subtitles (live)"),
              (yellow, "text (frame)")]  # fmt: skip
    out[row_px // 2 : row_px * 4 + row_px // 2, row_px // 2 : row_px * 9] //= 3  # darken behind the legend
    for i, (colour, label) in enumerate(labels):
        top = row_px * (3 + 4 * i) // 4
        cv2.rectangle(out, (row_px - 2, top + 2), (2 * row_px - 8, top + row_px - 4), colour, -1)
        cv2.putText(out, label, (2 * row_px, top + row_px - 6), cv2.FONT_HERSHEY_SIMPLEX, h / 1000, (255, 255, 255), 1,
                    cv2.LINE_AA)  # fmt: skip
    return out


def _changed_masks(small: Mapping[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Per scene, the pixels that are not fixed frame, or that differ from the usual frame in this scene."""
    import cv2

    scenes = list(small)
    picks = np.linspace(0, len(scenes) - 1, min(len(scenes), MEDIAN_MAX_SCENES)).round().astype(int)
    usual = np.median(np.stack([small[scenes[i]] for i in picks]), axis=0).round().astype(np.uint8)
    levels = CHANGE_LEVELS / 2 if len(scenes) == 2 else CHANGE_LEVELS  # two scenes: each is half-way from the mean
    differs = {s: cv2.morphologyEx((cv2.absdiff(small[s], usual).max(axis=2) > levels).astype(np.uint8),
                                   cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0 for s in scenes}  # fmt: skip
    fixed = np.mean(list(differs.values()), axis=0) <= 1 - FIXED_SHARE
    return {s: d | ~fixed for s, d in differs.items()}


def _detail(rgb: np.ndarray) -> np.ndarray:
    """Pixels with sharp detail nearby: mean |Laplacian| of the grey image over a small window."""
    import cv2

    grey = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (3, 3), 0).astype(np.float32)
    window_px = max(3, round(0.015 * min(grey.shape)) | 1)
    return cv2.blur(np.abs(cv2.Laplacian(grey, cv2.CV_32F)), (window_px, window_px)) > DETAIL_LEVELS


def _shapes(mask: np.ndarray) -> tuple[Box | None, list[Box]]:
    """The art box (None if there is none) and the text boxes among the shapes in ``mask``."""
    import cv2

    h, w = mask.shape
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(0.04 * w)) | 1, max(3, round(0.02 * h)) | 1))
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    art, text = [], []
    for x, y, bw, bh, area in cv2.connectedComponentsWithStats(closed, connectivity=8)[2][1:].tolist():
        if area < 0.0005 * w * h:  # specks
            continue
        if bh <= TEXT_MAX_HEIGHT_SHARE * h and (bw >= 2 * bh or area < 0.01 * w * h):
            text.append((x, y, bw, bh))
        else:
            art.append((area, (x, y, bw, bh)))
    biggest = max((area for area, _ in art), default=0)
    return (_union([b for area, b in art if area >= 0.25 * biggest]) if art else None), text


def _isolated(detail: np.ndarray) -> tuple[Box | None, list[Box]]:
    """Art from detail alone: one rectangle, edged all round, in flat surroundings, not the whole frame."""
    box, text = _shapes(detail)
    if box is None or _whole_frame(box, detail.shape[::-1]):
        return None, []
    outside = detail.copy()
    for x, y, w, h in [box, *text]:
        outside[y : y + h, x : x + w] = False
    edged = _edged(detail, box, 0.5)  # a letterboxed picture has detail along its edges
    return (box, text) if edged and outside.mean() < 0.02 else (None, [])


def _edged(detail: np.ndarray, box: Box, share: float = EDGED_SHARE) -> bool:
    """Whether ``box`` is a picture's edge: detail along its sides, on ``share`` of their length on average."""
    x, y, w, h = box
    inside, band_px = detail[y : y + h, x : x + w], max(4, round(0.03 * min(detail.shape)))
    sides = [inside[:band_px].any(0), inside[-band_px:].any(0), inside[:, :band_px].any(1), inside[:, -band_px:].any(1)]
    return float(np.mean([side.mean() for side in sides])) > share


def _share(box: Box, size: tuple[int, int]) -> float:
    return box[2] * box[3] / (size[0] * size[1])


def _whole_frame(detail_box: Box, size: tuple[int, int]) -> bool:
    """Detail over most of the frame, or reaching three of its sides (a full-frame photo with a flat sky)."""
    x, y, w, h = detail_box
    margin_px = 0.02 * max(size)
    sides = (x <= margin_px, y <= margin_px, x + w >= size[0] - margin_px, y + h >= size[1] - margin_px)
    return _share(detail_box, size) > FULL_FRAME_SHARE or sum(sides) >= 3


def _corners(box: Box, scale: float = 1.0) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 of ``box`` times ``scale``, rounded outwards."""
    x, y, w, h = box
    return math.floor(x * scale), math.floor(y * scale), math.ceil((x + w) * scale), math.ceil((y + h) * scale)


def _even(x0: int, y0: int, x1: int, y1: int, width: int, height: int) -> Box:
    """The box with these corners grown to even ones inside the frame, at least ``MIN_ART_PX`` a side."""
    spans = []
    for lo, hi, limit in ((x0, x1, width - width % 2), (y0, y1, height - height % 2)):
        lo, hi = max(0, lo - lo % 2), min(limit, hi + hi % 2)
        if hi - lo < MIN_ART_PX <= limit:  # too small: grow about the middle, inside the frame
            lo = min(max(0, (lo + hi) // 2 - MIN_ART_PX // 2), limit - MIN_ART_PX) // 2 * 2
            hi = lo + MIN_ART_PX
        spans.append((int(lo), int(hi)))
    (x0, x1), (y0, y1) = spans
    return x0, y0, x1 - x0, y1 - y0


def _union(boxes: Sequence[Box]) -> Box:
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def _overlap(a: Box, b: Box) -> int:
    """Area of the intersection of two boxes."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def _cut_live(box: Box, live: Sequence[Box]) -> Box:
    """``box`` less the live boxes it overlaps: each time, the largest part left, right, above or below."""
    for lx, ly, lw, lh in live:
        x0, y0, x1, y1 = _corners(box)
        parts = [(x0, y0, lx, y1), (lx + lw, y0, x1, y1), (x0, y0, x1, ly), (x0, ly + lh, x1, y1)]
        area = lambda p: max(0, p[2] - p[0]) * max(0, p[3] - p[1])  # noqa: E731
        best = max(parts, key=area)
        if _overlap(box, (lx, ly, lw, lh)) and area(best):  # else clear of it, or wholly inside it
            (a0, b0), (a1, b1) = (v + v % 2 for v in best[:2]), (v - v % 2 for v in best[2:])  # even, shrunk in
            box = (a0, b0, a1 - a0, b1 - b0)
    return box


def _merge(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes merged into their union, top to bottom."""
    merged: list[Box] = []
    for box in boxes:
        while hits := [m for m in merged if _overlap(m, box)]:
            merged = [m for m in merged if m not in hits]
            box = _union([box, *hits])
        merged.append(box)
    return sorted(merged, key=lambda b: (b[1], b[0]))
