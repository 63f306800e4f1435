"""Synthetic template podcasts (fixed layout, per-slide art and caption) with exact ground truth.

Real podcast videos are templates: a fixed background, a header bar with the show's name, a logo in a corner,
an illustration slot (a quarter of the frame) whose picture changes at each slide, a caption line under it that
changes with the slide, and optionally a live region that moves within slides: an audiogram waveform, a progress
bar or a clock (mm:ss.ff) that change every frame, or a timer (mm:ss) that ticks once a second. Slides may dissolve into each other. Boxes are (x, y, w, h) in pixels; pictures are RGB uint8 arrays.
"""

from __future__ import annotations

import colorsys
import subprocess
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from synth import tone, write_wav

from podmotion.ffmpeg import ffmpeg_exe, fps_arg, run

SHOW_NAME = "The Synthetic Hour"
TOPICS = ["Cold open", "Why templates", "The art slot", "Captions matter", "Live regions", "Dissolves",
          "Listener mail", "Wrap-up"]  # fmt: skip
X264_ARGS = {"default": [], "fixed_gop": ["-x264-params", "scenecut=0:keyint=250:min-keyint=250"]}
# The colour encodings podcasters' files come in: how the RGB frames become Y'CbCr, and the tags written.
# "plain" is what MoviePy and a plain ffmpeg export write: FFmpeg's default conversion (BT.601), no tags.
COLOUR_ARGS = {
    "plain": [],
    "bt601": ["-vf", "scale=out_color_matrix=bt601:out_range=tv", "-colorspace", "smpte170m", "-color_primaries",
              "smpte170m", "-color_trc", "smpte170m", "-color_range", "tv"],
    "bt709": ["-vf", "scale=out_color_matrix=bt709:out_range=tv", "-colorspace", "bt709", "-color_primaries",
              "bt709", "-color_trc", "bt709", "-color_range", "tv"],
    "bt709_pc": ["-vf", "scale=out_color_matrix=bt709:out_range=pc", "-colorspace", "bt709", "-color_primaries",
                 "bt709", "-color_trc", "bt709", "-color_range", "pc"],
    "bt709_10bit": ["-vf", "scale=out_color_matrix=bt709:out_range=tv", "-pix_fmt", "yuv420p10le", "-colorspace",
                    "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"],
}  # fmt: skip
FONT = cv2.FONT_HERSHEY_SIMPLEX
CLOCK_START_S = 9 * 60 + 55  # clocks and timers start at 09:55, so the minutes change too
TEXT_RGB, LIVE_RGB, TRACK_RGB = (240, 236, 220), (120, 230, 200), (60, 70, 95)


def _even(v: float) -> int:
    return 2 * int(round(v / 2))


def template_boxes(width: int, height: int, live: str | None = None) -> dict:
    """The layout, (x, y, w, h) in pixels on even coordinates (whole yuv420p chroma samples); boxes never overlap."""
    margin_px, gap_px = _even(0.025 * width), _even(0.025 * height)
    header_h = _even(0.12 * height)
    art_w, art_h = _even(width / 2), _even(height / 2)
    art = (_even((width - art_w) / 2), header_h + gap_px, art_w, art_h)
    logo_px = _even(0.14 * height)
    caption = (_even(0.1 * width), art[1] + art_h + _even(0.015 * height), _even(0.8 * width), _even(0.08 * height))
    live_box = None
    if live == "waveform":  # the bottom 12% of the frame, most of its width
        live_h = _even(0.12 * height)
        live_box = (margin_px, height - live_h, width - 2 * margin_px, live_h)
    elif live == "progress":  # a thin bar near the bottom edge
        bar_h = max(2, _even(0.018 * height))
        live_box = (margin_px, height - _even(0.04 * height) - bar_h, width - 2 * margin_px, bar_h)
    elif live in ("clock", "timer"):  # a small readout in the bottom right corner
        clock_w, clock_h = _even(0.18 * width), _even(0.08 * height)
        live_box = (width - margin_px - clock_w, height - gap_px - clock_h, clock_w, clock_h)
    elif live is not None:
        raise ValueError(f"live must be None, 'waveform', 'progress', 'clock' or 'timer', not {live!r}")
    logo = (width - margin_px - logo_px, header_h + gap_px, logo_px, logo_px)
    return {"header": (0, 0, width, header_h), "logo": logo, "art": art, "caption": caption, "live": live_box}


def _draw_text(img: np.ndarray, text: str, box: tuple, rgb: tuple, *, center: bool) -> None:
    """Anti-aliased text fitted inside ``box`` (about 60% of its height, shrunk to fit its width)."""
    x, y, w, h = box
    (tw, th), base = cv2.getTextSize(text, FONT, 1.0, 1)
    scale = min(0.6 * h / (th + base), 0.96 * w / tw)
    thickness = max(1, int(round(scale * 1.5)))
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thickness)
    x0 = x + (w - tw) // 2 if center else x
    cv2.putText(img, text, (x0, y + (h + th - base) // 2), FONT, scale, rgb, thickness, cv2.LINE_AA)


def template_background(width: int, height: int) -> np.ndarray:
    """The fixed template: gradient background, header bar with the show's name, logo; no art, caption or live."""
    boxes = template_boxes(width, height)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    t = yy / height
    img = np.stack([20 + 40 * t, 24 + 10 * t, 48 + 50 * t], -1) + 5 * np.sin((xx + yy) / 7.0)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    x, y, w, h = boxes["header"]
    img[y : y + h, x : x + w] = (32, 40, 72)
    img[y + h - max(2, h // 16) : y + h, x : x + w] = (230, 150, 40)  # accent line under the header
    _draw_text(img, SHOW_NAME, (x + boxes["art"][0] // 4, y, w // 2, h), TEXT_RGB, center=False)
    x, y, w, h = boxes["logo"]
    cv2.circle(img, (x + w // 2, y + h // 2), w // 2 - 1, (230, 150, 40), -1, cv2.LINE_AA)
    cv2.circle(img, (x + w // 2, y + h // 2), int(w * 0.38), (32, 40, 72), max(1, w // 24), cv2.LINE_AA)
    _draw_text(img, "SH", (x + w // 5, y + h // 5, 3 * w // 5, 3 * h // 5), (32, 40, 72), center=True)
    return img


def art_picture(index: int, width: int, height: int) -> np.ndarray:
    """Slide ``index``'s illustration: a two-colour gradient with ripples and anti-aliased shapes.

    Hues step by the golden ratio, so neighbouring slides differ in colour as well as in layout.
    """
    rng = np.random.default_rng(7000 + index)
    hue = (0.13 + index * 0.618034) % 1.0
    c1 = 255 * np.array(colorsys.hsv_to_rgb(hue, 0.75, 0.9))
    c2 = 255 * np.array(colorsys.hsv_to_rgb((hue + 0.45) % 1.0, 0.6, 0.45))
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    angle = rng.uniform(0, np.pi)
    t = (xx * np.cos(angle) + yy * np.sin(angle)) / (width + height)
    t = (t - t.min()) / max(1e-9, np.ptp(t))
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    ripple = 18 * np.sin(np.hypot(xx - cx, yy - cy) / (0.02 * width + (2 * index) % 5 + 1))
    img = np.clip(c1 * (1 - t[..., None]) + c2 * t[..., None] + ripple[..., None], 0, 255).astype(np.uint8)
    size = min(width, height)

    def colour() -> tuple:
        return tuple(int(v) for v in rng.integers(0, 256, 3))

    def point(frac: float = 1.0) -> tuple:
        return int(rng.integers(0, width * frac)), int(rng.integers(0, height * frac))

    for _ in range(4):
        (x0, y0), (w, h) = point(0.75), rng.integers(size // 10, size // 3, 2)
        cv2.rectangle(img, (x0, y0), (x0 + int(w), y0 + int(h)), colour(), -1, cv2.LINE_AA)
    for _ in range(4):
        cv2.circle(img, point(), int(rng.integers(size // 16, size // 5)), colour(), -1, cv2.LINE_AA)
    for _ in range(2):
        cv2.fillPoly(img, [np.array([point(), point(), point()], np.int32)], colour(), cv2.LINE_AA)
    for _ in range(6):
        cv2.line(img, point(), point(), colour(), max(1, size // 60), cv2.LINE_AA)
    return img


def slide_picture(truth: dict, slide: int) -> np.ndarray:
    """The full frame of ``slide`` held still: background, its art in the slot, its caption; no live region."""
    img = truth["background"].copy()
    x, y, w, h = truth["boxes"]["art"]
    img[y : y + h, x : x + w] = truth["art_pictures"][slide]
    _draw_text(img, truth["captions"][slide], truth["boxes"]["caption"], TEXT_RGB, center=True)
    return img


def _draw_live(img: np.ndarray, truth: dict, frame_index: int) -> None:
    if truth["live"] is None:
        return
    x, y, w, h = truth["boxes"]["live"]
    if truth["live"] == "progress":
        img[y : y + h, x : x + w] = TRACK_RGB
        img[y : y + h, x : x + int(round(w * (frame_index + 1) / truth["total_frames"]))] = LIVE_RGB
        return
    if truth["live"] in ("clock", "timer"):  # elapsed time: mm:ss.ff (every frame) or mm:ss (every second)
        img[y : y + h, x : x + w] = TRACK_RGB
        seconds, frames = divmod(frame_index, int(round(truth["fps"])))
        seconds += CLOCK_START_S
        text = f"{seconds // 60:02d}:{seconds % 60:02d}" + (f".{frames:02d}" if truth["live"] == "clock" else "")
        _draw_text(img, text, (x + 2, y, w - 4, h), LIVE_RGB, center=True)
        return
    n_bars = max(8, w // 10)
    pitch = w / n_bars
    rng = np.random.default_rng([truth["seed"], frame_index])
    heights = np.maximum(2, (0.1 + 0.85 * rng.random(n_bars)) * h).astype(int)  # bar heights in pixels
    for b, bar_h in enumerate(heights):
        x0, top = x + int(b * pitch), y + (h - bar_h) // 2
        img[top : top + bar_h, x0 : x0 + max(1, int(0.6 * pitch))] = LIVE_RGB


def _frame(truth: dict, pictures, frame_index: int) -> np.ndarray:
    """Frame ``frame_index``; ``pictures(k)`` gives slide k's picture."""
    k = int(np.searchsorted(truth["slide_starts"], frame_index, side="right")) - 1
    i, n = frame_index - truth["slide_starts"][k], truth["dissolve_frames"]
    if k > 0 and i < n:  # frame b+i of a dissolve is A*(1-a) + B*a, a = (i+1)/(n+1)
        a = (i + 1) / (n + 1)
        img = np.rint(pictures(k - 1) * (1.0 - a) + pictures(k).astype(np.float64) * a).astype(np.uint8)
    elif truth["live"] is None:
        return pictures(k)  # shared, not copied: callers must not draw on it
    else:
        img = pictures(k).copy()
    _draw_live(img, truth, frame_index)
    return img


def render_frame(truth: dict, frame_index: int) -> np.ndarray:
    """The exact source picture (before encoding) of frame ``frame_index`` of an episode, from its truth."""
    return _frame(truth, lambda k: slide_picture(truth, k), frame_index)


def make_template_episode(path: Path, *, n_slides: int = 6, slide_s: float = 4.0, hold_frames: list[int] | None = None,
                          width: int = 640, height: int = 360, fps: Fraction = Fraction(25), dissolve_frames: int = 0,
                          live: str | None = None, caption_only: tuple[int, ...] = (), x264: str = "default",
                          audio: bool = True, crf: int | None = None, seed: int = 0,
                          colour: str = "plain") -> dict:  # fmt: skip
    """Write a template episode to ``path`` (H.264 MP4, AAC tone at 48 kHz); return its ground truth.

    Slide k lasts ``hold_frames[k]`` frames (default ``slide_s`` seconds each, ``n_slides`` slides) from its start
    frame. With ``dissolve_frames`` = n > 0, the first n frames of each slide after the first blend from the previous
    one, frame start+i = A*(1-a) + B*a with a = (i+1)/(n+1); the cut is the first frame with a >= 0.5, start + n//2
    (the start itself without dissolves). Slides listed in ``caption_only`` keep the previous slide's art and change
    only the caption. ``x264``: "default" is plain libx264 (preset medium, keyint 250, scenecut 40), whose scene-cut
    test does not fire when only the art slot changes; "fixed_gop" disables it outright: keyframes fall every 250
    frames only, so at no cut that is not a multiple of 250. ``crf`` None keeps x264's default (23). ``colour``:
    one of ``COLOUR_ARGS``, the Y'CbCr encoding and tags (default "plain": FFmpeg's BT.601, untagged).
    Truth: frame indices (``cut_frames``, ``slide_starts``, end-exclusive ``hold_spans``), seconds, the layout's
    ``boxes`` (x, y, w, h) and what was drawn (``background``, ``art_pictures``, ``captions``); see ``render_frame``.
    """
    path, fps = Path(path), Fraction(fps)
    hold_frames = list(hold_frames or [int(round(slide_s * fps))] * n_slides)
    n_slides = len(hold_frames)
    if dissolve_frames and min(hold_frames[1:], default=dissolve_frames + 1) <= dissolve_frames:
        raise ValueError("every slide after the first must last longer than the dissolve")
    if not set(caption_only) <= set(range(1, n_slides)):
        raise ValueError(f"caption_only indices must be in 1..{n_slides - 1}")
    starts = [int(s) for s in np.cumsum([0, *hold_frames[:-1]])]
    total_frames = sum(hold_frames)
    boxes = template_boxes(width, height, live)
    art_index = [0] * n_slides  # which picture each slide shows: caption-only slides keep the previous one
    for k in range(1, n_slides):
        art_index[k] = art_index[k - 1] if k in caption_only else art_index[k - 1] + 1
    art_w, art_h = boxes["art"][2:]
    arts = {j: art_picture(j, art_w, art_h) for j in set(art_index)}
    cut_frames = [s + dissolve_frames // 2 for s in starts[1:]]
    hold_spans = [(s + (dissolve_frames if k else 0), s + d) for k, (s, d) in enumerate(zip(starts, hold_frames))]
    truth = {"cut_frames": cut_frames, "cut_times_s": [float(c / fps) for c in cut_frames], "slide_starts": starts,
             "hold_spans": hold_spans, "total_frames": total_frames, "fps": fps,
             "duration_s": float(total_frames / fps),
             "width": width, "height": height, "boxes": boxes, "art_pictures": [arts[j] for j in art_index],
             "captions": [f"Chapter {k + 1}: {TOPICS[k % len(TOPICS)]}" for k in range(n_slides)],
             "caption_only": sorted(caption_only), "background": template_background(width, height),
             "frequencies_hz": [300.0 + 150.0 * k for k in range(n_slides)], "dissolve_frames": dissolve_frames,
             "live": live, "seed": seed, "x264": x264, "crf": crf, "audio": audio, "colour": colour}  # fmt: skip
    pictures = [slide_picture(truth, k) for k in range(n_slides)]  # pre-rendered once; frames add the live region
    video = path.with_name(path.stem + ".video.mp4") if audio else path
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", fps_arg(fps), "-i", "-",
           "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", *X264_ARGS[x264], *COLOUR_ARGS[colour],
           *(["-crf", str(crf)] if crf is not None else []), "-f", "mp4", str(video)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for i in range(total_frames):
            proc.stdin.write(_frame(truth, pictures.__getitem__, i).data)
    except BrokenPipeError:
        pass
    _, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{video}: ffmpeg failed: {stderr.decode('utf-8', 'replace').strip()}")
    if audio:
        wav = path.with_name(path.stem + ".wav")
        write_wav(tone(truth["frequencies_hz"], truth["cut_times_s"], truth["duration_s"]), wav)
        run(["-loglevel", "error", "-i", video, "-i", wav, "-map", "0:v", "-map", "1:a", "-c:v", "copy",
             "-c:a", "aac", "-b:a", "96k", path], about=path)  # fmt: skip
        video.unlink()
        wav.unlink()
    return truth


BENCHMARK_HOLD_FRAMES = [140, 125, 175, 150, 155, 140, 145, 140]  # 39 s at 30 fps; cuts 265 and 440 share GOP 1


def make_benchmark_episode(path: Path, x264: str = "default", **options) -> dict:
    """A 1920x1080, 30 fps, 39 s episode of 8 slides; with "fixed_gop", two cuts fall inside one 250-frame GOP."""
    truth = make_template_episode(path, hold_frames=BENCHMARK_HOLD_FRAMES, width=1920, height=1080, fps=Fraction(30),
                                  x264=x264, **options)  # fmt: skip
    cuts = truth["cut_frames"]
    assert any(a // 250 == b // 250 and a % 250 and b % 250 for a, b in zip(cuts, cuts[1:])), cuts
    return truth
