"""podmotion.yuv420: the camera's frames drawn as the encoder's planes, checked against the RGB render and FFmpeg."""

from __future__ import annotations

import dataclasses
import subprocess
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
from pictures import photo
from synth import fast_encoder

from podmotion.camera import render
from podmotion.colour import Colour
from podmotion.compose import edge_alpha, paste
from podmotion.ffmpeg import encode_yuv420p, ffmpeg_exe
from podmotion.yuv420 import Canvas, Picture, Planes


def textured(width: int, height: int, seed: int = 3) -> np.ndarray:
    """Fine detail in every channel: noise at a few scales."""
    rng = np.random.default_rng(seed)
    layers = [cv2.resize(rng.uniform(0, 255, (height // k + 1, width // k + 1, 3)).astype(np.float32), (width, height),
                         interpolation=cv2.INTER_CUBIC) for k in (1, 3, 9)]  # fmt: skip
    return np.clip(sum(layers) / 3, 0, 255).astype(np.uint8)


def decoded_planes(path) -> list[np.ndarray]:
    """Each frame's Y'CbCr 4:2:0 values as stored (Y rows, then Cb, then Cr), with no conversion."""
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def test_planes_are_what_ffmpeg_makes_of_rgb_in_bt709_limited_range():
    rgb = textured(160, 90)
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "160x90", "-i", "-",
                          "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int",
                          "-pix_fmt", "yuv444p", "-f", "rawvideo", "-"], input=rgb.tobytes(), capture_output=True,
                         check=True).stdout  # fmt: skip
    ffmpeg_y = np.frombuffer(raw, np.uint8)[: 160 * 90].reshape(90, 160).astype(float)
    ours = Planes.from_rgb(rgb)
    assert np.abs(ours.y.astype(float) - ffmpeg_y).mean() < 0.6  # the same matrix and range (BT.601 is ~8 off)
    assert np.abs(Planes.from_rgb(rgb, Colour("smpte170m")).y.astype(float) - ffmpeg_y).mean() > 3
    picture, _ = photo("coffee", 160, 90)
    assert np.abs(Planes.from_rgb(picture).to_rgb().astype(float) - picture).mean() < 3.0  # and back


@pytest.mark.parametrize("colour", [Colour(), Colour("bt709", said=False), Colour("smpte170m", "tv", "", ""),
                                    Colour("smpte170m", said=False), Colour("bt709", "pc")])  # fmt: skip
def test_raw_planes_are_encoded_as_they_are_said_or_unsaid(tmp_path, colour):
    """The planes reach the file as they are, in any colour, said or not: FFmpeg converts nothing. (Raw frames
    left unsaid into a BT.709 output, it would take them for BT.601: a red 14 levels off.)"""
    rgb = np.zeros((90, 160, 3), np.uint8)
    rgb[:] = (200, 30, 40)
    canvas = Canvas((160, 90), (0, 0, 160, 90))
    picture = Picture.from_rgb(rgb, colour)
    frames = [canvas.draw(picture, 80, 45, 160)] * 2
    encoder = dataclasses.replace(fast_encoder(1), colour=colour)
    encode_yuv420p(frames, tmp_path / "out.mp4", coded_width=160, coded_height=90, fps=Fraction(30), filters=(),
                   encoder=encoder)  # fmt: skip
    planes = Planes.from_rgb(rgb, colour)
    stored = decoded_planes(tmp_path / "out.mp4")[0]
    assert np.abs(stored[:90].astype(int) - planes.y).max() <= 1
    assert np.abs(stored[90:].reshape(-1)[: 80 * 45].astype(int) - planes.u.reshape(-1)).max() <= 1


@pytest.mark.parametrize("box", [(0, 0, 320, 180), (41, 17, 201, 121), (40, 16, 200, 120)])
def test_a_drawn_frame_is_the_rgb_render_pasted(box):
    """The planes path shows what camera.render and compose.paste show, at any box, odd offsets too."""
    still = textured(320, 180, seed=1)
    x, y, w, h = box
    art, _ = photo("chelsea", w, h)
    feather = 0 if box == (0, 0, 320, 180) else 4
    canvas = Canvas((320, 180), box, None if not feather else Planes.from_rgb(still), feather)
    picture = Picture.from_rgb(art)
    alpha = edge_alpha(w, h, feather) if feather else None
    for cx, cy, win_w in ((w / 2, h / 2, w), (w * 0.47, h * 0.52, w / 1.17), (w * 0.55, h * 0.45, w / 1.31)):
        canvas.draw(picture, cx, cy, win_w)
        moved = render(art, cx, cy, win_w, w, h)
        want = Planes.from_rgb(moved if not feather else paste(still, moved, box, alpha))
        inner = (slice(y + 3, y + h - 3), slice(x + 3, x + w - 3))  # the mirrored border aside
        got_y, want_y = canvas.planes.y.astype(float), want.y.astype(float)
        assert np.abs(got_y[inner] - want_y[inner]).mean() < 1.0  # bicubic's picture, within rounding
        assert np.abs(got_y - want_y).mean() < 1.5
        assert np.abs(canvas.planes.u.astype(float) - want.u).mean() < 1.0
        assert np.abs(canvas.planes.v.astype(float) - want.v).mean() < 1.0
        if feather:  # outside the box: the still's planes, byte for byte
            outside = np.ones((180, 320), bool)
            outside[y : y + h, x : x + w] = False
            assert np.array_equal(canvas.planes.y[outside], Planes.from_rgb(still).y[outside])


def test_a_slow_pan_stays_as_sharp_in_every_frame():
    """Bilinear sampling of the picture itself blurs a frame by how far it falls between pixels, so a slow pan
    pulses in sharpness; sampling the 2x copy is as steady as bicubic sampling."""
    rgb, _ = photo("astronaut", 480, 270)
    picture = Picture.from_rgb(rgb)
    canvas = Canvas((320, 180), (0, 0, 320, 180))
    grey = Planes.from_rgb(rgb).y

    def wobble(frames) -> float:
        sharpness = [np.abs(cv2.Laplacian(f.astype(np.float64), cv2.CV_64F)).mean() for f in frames]
        return float(np.std(sharpness) / np.mean(sharpness))

    def sampled(cx, cy, flags):
        m = np.array([[1.0, 0.0, cx - 160.5 + 0.5], [0.0, 1.0, cy - 90.5 + 0.5]])
        return cv2.warpAffine(grey, m, (320, 180), flags=flags | cv2.WARP_INVERSE_MAP)

    path = [(200 + 0.13 * i, 120 + 0.07 * i) for i in range(24)]  # a fifth of a pixel a frame, unzoomed
    ours = wobble([np.array(canvas.draw(picture, cx, cy, 320.0)[: 320 * 180]).reshape(180, 320) for cx, cy in path])
    bicubic = wobble([sampled(cx, cy, cv2.INTER_CUBIC) for cx, cy in path])
    bilinear = wobble([sampled(cx, cy, cv2.INTER_LINEAR) for cx, cy in path])
    assert ours <= 1.1 * bicubic and bilinear > 3 * ours, (ours, bicubic, bilinear)


def test_a_canvas_refuses_an_odd_frame_and_a_still_of_another_size():
    with pytest.raises(ValueError, match="even size"):
        Canvas((161, 90), (0, 0, 161, 90))
    with pytest.raises(ValueError, match="the still is"):
        Canvas((160, 90), (10, 10, 50, 50), Planes.from_rgb(textured(100, 90)), 2)
