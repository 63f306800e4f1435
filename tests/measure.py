"""Measurements on real output files, for the tests' assertions."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import av
import numpy as np

from podmotion.ffmpeg import ffmpeg_exe
from podmotion.verify import audio_packet_md5, cut_frames  # noqa: F401 (re-exported for the tests)


def video_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]


def video_facts(path: Path) -> dict:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        pts = [f.pts for f in c.decode(v)]
        tb = v.time_base
        return {
            "frames": len(pts),
            "width": v.codec_context.width,
            "height": v.codec_context.height,
            "fps": v.average_rate,
            "pix_fmt": v.codec_context.pix_fmt,
            "codec": v.codec_context.name,
            "first_pts_s": float(pts[0] * tb),
            "pts_steps": sorted(set(np.diff(sorted(pts)).tolist())),
            "duration_s": float(c.duration / 1_000_000),
            "audio": [s.codec_context.name for s in c.streams.audio],
        }


def audio_samples(path: Path, rate: int = 48000) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
         "-f", "s16le", "-"], capture_output=True, check=True,
    )  # fmt: skip
    return np.frombuffer(out.stdout, np.int16).astype(np.float64)


def tone_changes_s(samples: np.ndarray, rate: int, window_s: float = 0.02) -> list[float]:
    """Times where the dominant frequency of the audio changes (one per cut in the synthetic podcasts)."""
    step = int(window_s * rate)
    freqs = []
    for i in range(0, len(samples) - step, step):
        spectrum = np.abs(np.fft.rfft(samples[i : i + step] * np.hanning(step)))
        freqs.append(np.argmax(spectrum) * rate / step)
    changes = []
    for k in range(1, len(freqs)):
        if abs(freqs[k] - freqs[k - 1]) > 60 and (not changes or k * window_s - changes[-1] > 0.2):
            changes.append(k * window_s)
    return changes


def md5_of_frames(path: Path) -> str:
    h = hashlib.md5()
    for f in video_frames(path):
        h.update(f.tobytes())
    return h.hexdigest()


def distinct_packets(path: Path) -> int:
    """How many different video packets a file holds: repeats made by stream copy are identical."""
    with av.open(str(path)) as c:
        return len({hashlib.md5(bytes(p)).hexdigest() for p in c.demux(c.streams.video[0]) if p.size})


def chapters(path: Path) -> list[dict]:
    """The file's chapters as ffmpeg reads them back: [{"start_s", "end_s", "title"}]."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    found, current = [], None
    for line in out.splitlines():
        if line == "[CHAPTER]":
            current = {}
            found.append(current)
        elif line.startswith("[") or current is None or "=" not in line:
            current = None if line.startswith("[") else current
        else:
            key, value = line.split("=", 1)
            current[key] = value
    out_list = []
    for ch in found:
        num, den = (int(x) for x in ch["TIMEBASE"].split("/"))
        out_list.append({"start_s": int(ch["START"]) * num / den, "end_s": int(ch["END"]) * num / den,
                         "title": ch.get("title", "")})  # fmt: skip
    return out_list


def scenes_unlike_their_padded_clips(out: Path, padded_dir: Path, bounds: list[int]) -> list[int]:
    """Scenes (numbered from 1, files ``scene_001.mp4`` …) whose output frames ``[bounds[k-1], bounds[k])``
    are not exactly their padded clip's frames, count included; ``[]`` when every scene's are.

    The joins are stream copies, so each scene's output frames must be its padded clip's, bit for bit:
    a way to find cuts in clips of random-weight noise, where a picture difference would not.
    """
    frames = video_frames(out)
    wrong = []
    for k, (start, end) in enumerate(zip(bounds, bounds[1:]), start=1):
        padded = video_frames(padded_dir / f"scene_{k:03d}.mp4")
        if len(padded) != end - start or not all(np.array_equal(a, b) for a, b in zip(frames[start:end], padded)):
            wrong.append(k)
    return wrong


def frame_part_errors(out: np.ndarray, src: np.ndarray, box) -> tuple[float, float]:
    """Mean abs difference of one part of a frame (x, y, w, h) to the source's, and of the same part shifted two
    pixels: re-encoding noise only when the first is small and the second over twice as large."""
    x, y, w, h = box
    part = lambda frame, bx, by, bw: frame[by : by + h, bx : bx + bw].astype(np.float64)  # noqa: E731
    err = np.abs(part(out, x, y, w) - part(src, x, y, w)).mean()
    moved = np.abs(part(out, x + 2, y, w - 2) - part(src, x, y, w - 2)).mean()
    return float(err), float(moved)


def colour_tags(path: Path) -> dict:
    """A video's colour tags as FFmpeg's numbers (2 or 0 where unsaid) and its coded height."""
    with av.open(str(path)) as c:
        cc = c.streams.video[0].codec_context
        return {"matrix": int(cc.colorspace), "range": int(cc.color_range), "primaries": int(cc.color_primaries),
                "transfer": int(cc.color_trc), "height": cc.height}  # fmt: skip


PLAYER_MATRICES = {1: "bt709", 5: "bt470", 6: "smpte170m"}  # FFmpeg's matrix numbers, as its scale filter names them


def player_rgb(path: Path, frames: list[int]) -> list[np.ndarray]:
    """Frames ``frames`` of a video as a player shows them: read by the file's own colour tags, or, untagged, by
    the players' usual guess (BT.709 at 720 lines and more, BT.601 below; limited range). Converted by FFmpeg's
    scaler with accurate rounding and full chroma interpolation: nothing of podmotion's own."""
    tags = colour_tags(path)
    matrix = PLAYER_MATRICES.get(tags["matrix"], "bt709" if tags["height"] >= 720 else "smpte170m")
    in_range = "pc" if tags["range"] == 2 else "tv"
    select = "+".join(f"eq(n\\,{n})" for n in frames)
    vf = (f"select={select},scale=in_color_matrix={matrix}:in_range={in_range}:out_range=pc"
          ":flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24")  # fmt: skip
    with av.open(str(path)) as c:
        w, h = c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf", vf, "-fps_mode", "passthrough",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout  # fmt: skip
    got = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
    assert len(got) == len(frames), (path, len(got), frames)
    return list(got)


def frames_of(path: Path, start_s: float, duration_s: float) -> list[np.ndarray]:
    """The RGB frames of a video (upright, in a player's colours: ``podmotion.media``'s reading) shown from
    ``start_s`` (seconds from its first frame) for ``duration_s``; none after that span is decoded."""
    from podmotion.media import iter_frames_with_time

    frames = []
    for t, rgb in iter_frames_with_time(path):
        if t >= start_s + duration_s - 1e-6:
            break
        if t >= start_s - 1e-6:
            frames.append(rgb)
    return frames


def similarity_residual_vectors(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Each of the points ``dst`` (N x 2) less where the least-squares similarity (rotation, uniform scale,
    translation) of ``src`` to ``dst`` puts its ``src`` (N x 2): Umeyama's closed form, which in 2-D is the linear
    fit of ``dst = [[a, -b], [b, a]] src + t``."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    ps, qs = src - src.mean(axis=0), dst - dst.mean(axis=0)
    norm = max(float((ps**2).sum()), 1e-12)
    a = float((ps * qs).sum()) / norm
    b = float((ps[:, 0] * qs[:, 1] - ps[:, 1] * qs[:, 0]).sum()) / norm
    fitted = np.stack([a * ps[:, 0] - b * ps[:, 1], b * ps[:, 0] + a * ps[:, 1]], axis=1)
    return qs - fitted


def similarity_residuals_px(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """How far each point of ``dst`` is from the best similarity's image of its ``src``
    (``similarity_residual_vectors``' lengths)."""
    return np.hypot(*similarity_residual_vectors(src, dst).T)


def nonrigid_motion(frames: list[np.ndarray], fps: float, step_s: float = 1.0,
                    box: tuple[int, int, int, int] | None = None) -> dict:  # fmt: skip
    """How far the motion in a run of frames is from a flat pan-and-zoom: for frames ``step_s`` apart, points
    found in the first (inside ``box``, x, y, w, h, if given) and tracked to the second by pyramidal Lucas-Kanade
    (kept where tracking back lands within 0.5 px of the start), then the 90th percentile of their distances from
    the least-squares similarity of the whole set, as a share of the frame's width a second.

    A Ken Burns move gives about nothing (tracking noise); a parallax move, near things sliding past far ones,
    gives about their difference in speed. Returns {"p90_widths_per_s": the median over the pairs, "per_pair":
    each pair's, "points": the median count of points kept a pair}; pairs with under 20 points are left out."""
    import cv2

    step = max(1, int(round(step_s * fps)))
    seconds = step / fps
    grays = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) if f.ndim == 3 else f for f in frames]
    height, width = grays[0].shape if grays else (0, 0)
    mask = None
    if box is not None:
        x, y, w, h = box
        mask = np.zeros((height, width), np.uint8)
        mask[max(0, y) : y + h, max(0, x) : x + w] = 255
    lk = {"winSize": (21, 21), "maxLevel": 3,
          "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01)}  # fmt: skip
    per_pair, counts = [], []
    for i in range(0, len(grays) - step, step):
        a, b = grays[i], grays[i + step]
        start = cv2.goodFeaturesToTrack(a, maxCorners=600, qualityLevel=0.01, minDistance=6, mask=mask)
        if start is None or len(start) < 20:
            continue
        ahead, ok_ahead, _ = cv2.calcOpticalFlowPyrLK(a, b, start, None, **lk)
        back, ok_back, _ = cv2.calcOpticalFlowPyrLK(b, a, ahead, None, **lk)
        round_trip_px = np.hypot(*(back - start).reshape(-1, 2).T)
        keep = (ok_ahead.ravel() == 1) & (ok_back.ravel() == 1) & (round_trip_px < 0.5)
        if keep.sum() < 20:
            continue
        residuals = similarity_residuals_px(start.reshape(-1, 2)[keep], ahead.reshape(-1, 2)[keep])
        per_pair.append(float(np.percentile(residuals, 90)) / width / seconds)
        counts.append(int(keep.sum()))
    return {"p90_widths_per_s": float(np.median(per_pair)) if per_pair else float("nan"), "per_pair": per_pair,
            "points": float(np.median(counts)) if counts else 0.0}  # fmt: skip
