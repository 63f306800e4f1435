"""Make docs/images/parallax_before_after.png and docs/images/parallax_hour.png: the depth move, seen.

The picture: a textured storybook illustration with a title line and its true depth (``tests/illustrations.py``),
at 640x360, 25 fps. Both backends make a 20 s scene from it with their defaults (parallax from the true depth).

- ``parallax_before_after.png``: the still, its depth map (near = bright) and the layers it was split into; what
  no pan-and-zoom explains, one second apart (tracked points' distance from the best-fitting similarity, drawn
  15x as arrows), for Ken Burns and for parallax; then each backend's frames at 0, 5, 10, 15 and 20 s.
- ``parallax_hour.png``: the same picture held for an hour: one frame every 5 minutes, drawn by the real
  backend's plan (``backends.parallax.prepare``) without rendering the rest.

    .venv/bin/python docs/images/make_parallax_figure.py
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from illustrations import depth_scene, write_depth_png  # noqa: E402
from measure import similarity_residual_vectors, video_frames  # noqa: E402

from podmotion.backends import BACKENDS, AnimateRequest  # noqa: E402
from podmotion.backends.parallax import prepare  # noqa: E402
from podmotion.colour import Colour  # noqa: E402
from podmotion.ffmpeg import EncoderSettings  # noqa: E402
from podmotion.media import write_image  # noqa: E402

W, H, FPS, SECONDS, TILE_W = 640, 360, Fraction(25), 20, 320
TILE_H = TILE_W * H // W
LAYER_COLOURS = [(40, 40, 160), (40, 160, 40), (200, 160, 40), (200, 60, 60), (160, 60, 200), (60, 200, 200)]


def tile(rgb: np.ndarray, text: str) -> np.ndarray:
    out = cv2.resize(rgb, (TILE_W, TILE_H), interpolation=cv2.INTER_AREA)
    cv2.putText(out, text, (6, TILE_H - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, TILE_H - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def residual_arrows(frames: list[np.ndarray], at_s: float, label: str) -> np.ndarray:
    """Frame ``at_s`` with each tracked point's distance from the best similarity to 1 s later, drawn 15x."""
    a, b = frames[round(at_s * FPS)], frames[round((at_s + 1) * FPS)]
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in (a, b)]
    points = cv2.goodFeaturesToTrack(grey[0], 400, 0.01, 12)
    moved, status, _ = cv2.calcOpticalFlowPyrLK(grey[0], grey[1], points, None)
    keep = status.ravel() == 1
    src, dst = points.reshape(-1, 2)[keep], moved.reshape(-1, 2)[keep]
    vectors = similarity_residual_vectors(src, dst)
    residuals = np.hypot(*vectors.T)
    out = (a * 0.55).astype(np.uint8)
    for p, v in zip(src, vectors):
        end = p + v * 15
        cv2.arrowedLine(out, tuple(int(v) for v in p), tuple(int(v) for v in end), (255, 230, 60), 1, cv2.LINE_AA,
                        tipLength=0.25)  # fmt: skip
    p90 = float(np.percentile(residuals, 90)) / W
    return tile(out, f"{label}: off one pan-zoom, p90 {p90 * 100:.2f}%/s")


def layers_picture(request: AnimateRequest) -> np.ndarray:
    from podmotion.depth.image import read_depth_image
    from podmotion.framing import find_framing
    from podmotion.media import read_image
    from podmotion.parallax import layers

    image = read_image(request.image_path)
    depth = read_depth_image(request.depth_path, image.shape[1], image.shape[0])
    layering = layers.build(image, depth, find_framing(image), 4)
    out = np.zeros_like(image)
    for index, layer in enumerate(layering.layers):
        alpha = np.ones(image.shape[:2], np.float32) if layer.alpha is None else layer.alpha
        colour = np.array(LAYER_COLOURS[index % len(LAYER_COLOURS)], np.float32)
        out = (out * (1 - alpha[..., None]) + (image * 0.35 + colour * 0.65) * alpha[..., None]).astype(np.uint8)
    return tile(out, f"{len(layering.layers)} layers, far to near")


def main() -> None:
    out_dir = REPO / "docs" / "images"
    with tempfile.TemporaryDirectory(prefix="parallax-figure-") as scratch:
        folder = Path(scratch)
        rgb, depth, _ = depth_scene("storybook", W, H, seed=3, title="THE LONG WALK")
        write_image(rgb, folder / "still.png")
        write_depth_png(folder / "depth.png", depth)
        request = AnimateRequest(image_path=folder / "still.png", out_path=folder / "k.mp4", width=W, height=H,
                                 fps=FPS, max_duration_s=SECONDS, seed=11, depth_path=folder / "depth.png",
                                 encoder=EncoderSettings(crf=16, preset="veryfast", keyint_frames=250))  # fmt: skip
        frames = {}
        for name in ("kenburns", "parallax"):
            BACKENDS[name].animate(dataclasses.replace(request, out_path=folder / f"{name}.mp4"))
            frames[name] = video_frames(folder / f"{name}.mp4")
        depth_rgb = cv2.cvtColor((depth >> 8).astype(np.uint8), cv2.COLOR_GRAY2RGB)
        top = [tile(rgb, "the still"), tile(depth_rgb, "its depth (near = bright)"), layers_picture(request),
               residual_arrows(frames["kenburns"], 10, "Ken Burns"), residual_arrows(frames["parallax"], 10, "parallax")]
        rows = [np.hstack(top)]
        for name, label in (("kenburns", "Ken Burns"), ("parallax", "parallax")):
            rows.append(np.hstack([tile(frames[name][min(len(frames[name]) - 1, round(t * FPS))], f"{label} {t} s")
                                   for t in (0, 5, 10, 15, 20)]))  # fmt: skip
        sheet = np.vstack(rows)
        cv2.imwrite(str(out_dir / "parallax_before_after.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))

        hour = dataclasses.replace(request, max_duration_s=3600.0)
        scene = prepare(hour)
        canvas = scene.renderer.canvas
        tiles = []
        for minute in range(0, 60, 5):
            k = min(len(scene.path) - 1, round(minute * 60 * FPS))
            scene.frame(k)
            tiles.append(tile(canvas.planes.to_rgb(Colour()), f"{minute:02d}:00 of an hour"))
        hour_sheet = np.vstack([np.hstack(tiles[i : i + 4]) for i in range(0, 12, 4)])
        cv2.imwrite(str(out_dir / "parallax_hour.png"), cv2.cvtColor(hour_sheet, cv2.COLOR_RGB2BGR))
        pace = scene.report["depth"]["pace_widths_per_s"]
        print(f"hour: depth pace {pace} widths a second, camera {scene.report['move']['pace_widths_per_s']}")


if __name__ == "__main__":
    main()
