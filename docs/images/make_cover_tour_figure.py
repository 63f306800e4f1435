"""Make docs/images/cover_tour.png: a cover held for 3 minutes, as the camera tours it, with its pace.

The commonest podcast video: a square cover (a flat illustration with its own title line) over a plain dark
frame, the show's name under it. The layout is found from the still (``podmotion.layout``), and the real Ken
Burns backend tours the cover's art with the defaults, pasted back into the frame, at 640x360, 25 fps, for
180 s. The figure: twelve frames, one every 15 s, each stamped with its time; the camera panel of the report's
card (the title kept whole, the salient region, the first framings); and under them the pace, the fastest
pixel's top speed in each 10 s window, in % of the art's width a second.

    .venv/bin/python docs/images/make_cover_tour_figure.py
"""

from __future__ import annotations

import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from pictures import cover, draw_text  # noqa: E402

from podmotion.backends import AnimateRequest  # noqa: E402
from podmotion.backends.kenburns import animate  # noqa: E402
from podmotion.camera import Move, corner_speeds, plan_tour  # noqa: E402
from podmotion.compose import crop  # noqa: E402
from podmotion.ffmpeg import EncoderSettings  # noqa: E402
from podmotion.framing import draw_framing, find_framing  # noqa: E402
from podmotion.layout import analyse_layout  # noqa: E402
from podmotion.media import iter_frames_with_time, write_image  # noqa: E402

W, H, FPS, SECONDS = 640, 360, 25, 180
TILES, TILE_W = 12, 240


def cover_frame() -> np.ndarray:
    """The still: the cover centred near the top of a dark frame, the show's name under it."""
    frame = np.full((H, W, 3), (18, 20, 28), np.uint8)
    side = int(H * 0.78)
    art, _ = cover(side, side)
    x0, y0 = (W - side) // 2, int(H * 0.04)
    frame[y0 : y0 + side, x0 : x0 + side] = art
    frame, _ = draw_text(frame, "The Long Walk Podcast  |  Episode 12", (W // 2, y0 + side + int(H * 0.1)),
                         int(H * 0.05), (220, 220, 220), "ms")  # fmt: skip
    return frame


def stamp(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def pace_graph(path: np.ndarray, art_w: int, width: int, height: int = 90) -> np.ndarray:
    speeds = corner_speeds(path, art_w, art_w) * FPS * 100
    n = 10 * FPS
    windows = [speeds[i : i + n].max() for i in range(0, len(speeds) - n + 1, n)]
    graph = np.full((height, width, 3), 255, np.uint8)
    top = 2.0  # % a second: the cap
    y = lambda v: int(height - 14 - (height - 24) * v / top)  # noqa: E731
    for level, colour in ((0.25, (200, 60, 60)), (2.0, (120, 120, 120))):
        cv2.line(graph, (0, y(level)), (width - 1, y(level)), colour, 1)
    xs = np.linspace(4, width - 4, len(windows)).astype(int)
    for (xa, va), (xb, vb) in zip(zip(xs, windows), zip(xs[1:], windows[1:])):
        cv2.line(graph, (int(xa), y(va)), (int(xb), y(vb)), (20, 90, 200), 2, cv2.LINE_AA)
    words = (f"pace per 10 s window: {min(windows):.2f}-{max(windows):.2f} % of the art's width a second "
             "(red: the 0.25 % floor; grey: the 2 % cap)")  # fmt: skip
    cv2.putText(graph, words, (6, height - 2), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (20, 20, 20), 1, cv2.LINE_AA)
    return graph


def main() -> None:
    still = cover_frame()
    layout = analyse_layout({1: still})
    box = layout.art_box(1)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_image(still, folder / "still.png")
        write_image(crop(still, box), folder / "art.png")
        request = AnimateRequest(image_path=folder / "art.png", out_path=folder / "clip.mp4", width=box[2],
                                 height=box[3], fps=Fraction(FPS), max_duration_s=SECONDS, seed=1,
                                 encoder=EncoderSettings(crf=18, preset="veryfast", keyint_frames=250),
                                 options={"duration_s": None},
                                 paste_into=(folder / "still.png", tuple(box)))  # fmt: skip
        result = animate(request)
        result["art_box"] = list(box)
        wanted = {round(k * SECONDS / TILES * FPS) for k in range(TILES)}
        tiles = [stamp(cv2.resize(rgb, (TILE_W, TILE_W * H // W), interpolation=cv2.INTER_AREA), f"{t:.0f} s")
                 for k, (t, rgb) in enumerate(iter_frames_with_time(folder / "clip.mp4")) if k in wanted]  # fmt: skip
    rows = [np.hstack(tiles[r * 6 : (r + 1) * 6]) for r in range(2)]
    camera = cv2.resize(draw_framing(still, result), (TILE_W * 2, TILE_W * 2 * H // W), interpolation=cv2.INTER_AREA)
    art = crop(still, box)  # the backend's tour, planned again (the same picture, seed and options)
    opts = result["options"]
    tour = plan_tour(box[2], box[3], box[2], box[3], SECONDS * FPS, 1,
                     Move(opts["zoom"], opts["pan"], opts["max_speed_widths_per_s"],
                          pace_widths_per_s=opts["pace_widths_per_s"]), FPS, find_framing(art))  # fmt: skip
    sheet = np.vstack(rows)
    side = np.vstack([stamp(camera, "title (yellow), salient (orange), framings"),
                      np.full((sheet.shape[0] - camera.shape[0], camera.shape[1], 3), 255, np.uint8)])  # fmt: skip
    top = np.hstack([sheet, np.full((sheet.shape[0], 8, 3), 255, np.uint8), side])
    figure = np.vstack([top, pace_graph(tour.path, box[2], top.shape[1])])
    write_image(figure, REPO / "docs" / "images" / "cover_tour.png")
    print(f"docs/images/cover_tour.png: {figure.shape[1]}x{figure.shape[0]}, art box {box}, "
          f"pace {result['move']['pace_widths_per_s']}, framings {result['move']['framings_count']}")


if __name__ == "__main__":
    main()
