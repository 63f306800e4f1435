"""Make docs/images/long_scene_before_after.png: a 60 s scene, before and after, as contact sheets and camera paths.

One 60 s scene on the demo's first picture, made three ways with the real backend and padder, at 640x360,
30 fps: Ken Burns as before (one 8 s move, ping-ponged), Ken Burns the scene long (the default), and an
SVD-shaped clip (``benchmarks/repetition.py``'s stand-in) ping-ponged with drift. Each row: twelve frames, one
every 5 s, and under them the camera's zoom measured in the pixels (``podmotion.repetition.camera_track``),
from the scene's start to its end.

    .venv/bin/python docs/images/make_long_scene_figure.py
"""

from __future__ import annotations

import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

from repetition import demo_scenes, make_scene, thumbnails  # noqa: E402

from podmotion.ffmpeg import EncoderSettings  # noqa: E402
from podmotion.repetition import camera_track  # noqa: E402

ROWS = [("kenburns-8s-pingpong", "before: Ken Burns, one 8 s move ping-ponged"),
        ("kenburns-scene", "after: Ken Burns, one move the scene long"),
        ("svd-pingpong-drift", "generated clip (SVD-shaped), ping-pong with drift")]  # fmt: skip
TILES, TILE_H, GRAPH_H = 12, 68, 70


def label(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.putText(out, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def graph(log_zoom: np.ndarray, width: int) -> np.ndarray:
    """The cumulative zoom (log scale) over the scene, as a line on white."""
    panel = np.full((GRAPH_H, width, 3), 255, np.uint8)
    span = max(float(np.ptp(log_zoom)), 1e-6)
    xs = np.linspace(4, width - 4, len(log_zoom))
    ys = GRAPH_H - 6 - (log_zoom - log_zoom.min()) / span * (GRAPH_H - 12)
    cv2.polylines(panel, [np.stack([xs, ys], 1).astype(np.int32)], False, (200, 40, 40), 2, cv2.LINE_AA)
    cv2.putText(panel, "zoom, measured", (8, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (90, 90, 90), 1, cv2.LINE_AA)
    return panel


def main() -> None:
    fps, width, height = Fraction(30), 640, 360
    encoder = EncoderSettings(crf=18, preset="veryfast", keyint_frames=120)
    panels = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        still = demo_scenes(work, fps)[0][0]
        for row, title in ROWS:
            padded, _, _ = make_scene(row, still, 60 * 30, 1, work, width, height, fps, encoder)
            small = thumbnails(padded, width=240)
            picks = np.linspace(0, len(small) - 1, TILES).round().astype(int)
            tiles = []
            for i in picks:
                tile = cv2.resize(small[i], (round(TILE_H * 16 / 9), TILE_H), interpolation=cv2.INTER_AREA)
                cv2.putText(tile, f"{i / 30:.0f} s", (4, TILE_H - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255),
                            1, cv2.LINE_AA)  # fmt: skip
                tiles.append(tile)
            sheet = label(np.hstack(tiles), title)
            zoom = np.concatenate([[0.0], np.cumsum(camera_track(small)[:, 2])])
            panels += [sheet, graph(zoom, sheet.shape[1]), np.full((8, sheet.shape[1], 3), 255, np.uint8)]
    out = REPO / "docs" / "images" / "long_scene_before_after.png"
    cv2.imwrite(str(out), cv2.cvtColor(np.vstack(panels), cv2.COLOR_RGB2BGR))
    print(out)


if __name__ == "__main__":
    main()
