"""Visible repetition per strategy, side by side: twins, turn-backs, seams, smoothness and cost.

Two episodes: the demo (its five scenes, detected here with the default
detector) and one 60 s scene on the demo's first still. Each row makes every
scene's clip with the real backend and pads it with the real padder
(``podmotion.animate`` / ``podmotion.pad``), at the output size given, then
decodes the padded scenes and measures (``podmotion.repetition``):

- **repeated**: the share of output frames with a near-identical twin (luma
  PSNR above 45 dB, at the output size) at least 1 s away in the same scene;
- **reversals/min**: direction reversals of the camera path measured in the
  pixels (tracked corners, a similarity fit per frame step), per minute;
- **seam**: for a loop, the step across each seam against the median step
  between neighbouring frames (1.0: it looks like any other step);
- **jitter p95**: the 95th percentile of each frame step's deviation from its
  0.5 s moving average, in output pixels per frame (sub-pixel smoothness);
- **s/min**: wall seconds of animate + pad per minute of episode, on this machine.

Rows: Ken Burns as before this issue (one 8 s move, ping-ponged), Ken Burns
the scene long (the default), and a generated clip padded each way without
and with drift. No image-to-video model runs on a CPU in useful time, so the
generated clip is a stand-in with SVD's shape: 25 frames at 6 fps of the
still, a small camera push (as SVD's motion often is), played at the output
rate by optical flow and padded exactly as an svd clip is. The joins of
``extend_s`` segments need a real model: see docs/benchmarks.md.

    .venv/bin/python benchmarks/repetition.py [--width 640] [--rows kenburns-scene,svd-pingpong-drift]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from podmotion.animate import animate_scene
from podmotion.backends import BACKENDS
from podmotion.detect import detect_to_folder
from podmotion.drift import wanted
from podmotion.ffmpeg import EncoderSettings
from podmotion.interpolate import played_positions
from podmotion.pad import pad_scene
from podmotion.repetition import camera_track, repeated_share, step_ratio, track_reversals
from podmotion.scene_folder import SceneFolder

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "episode.mp4"
STAND_IN = {"duration_s": 25 / 6, "zoom": 1.06, "pan": 0.5, "max_speed_widths_per_s": None}

# name: (backend, kenburns options, pad strategy, drift)
ROWS = {
    "kenburns-8s-pingpong": ("kenburns", {"duration_s": 8.0}, "pingpong", False),
    "kenburns-scene": ("kenburns", {"duration_s": None}, "pingpong", False),
    "svd-pingpong": ("stand-in", STAND_IN, "pingpong", False),
    "svd-pingpong-drift": ("stand-in", STAND_IN, "pingpong", True),
    "svd-loop": ("stand-in", STAND_IN, "loop", False),
    "svd-loop-drift": ("stand-in", STAND_IN, "loop", True),
    "svd-freeze": ("stand-in", STAND_IN, "freeze", False),
    "svd-freeze-drift": ("stand-in", STAND_IN, "freeze", True),
}


def lumas(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray") for f in c.decode(c.streams.video[0])]


def thumbnails(path: Path, width: int = 320) -> list[np.ndarray]:
    """RGB frames at ``width`` for the camera tracker (tracking at full size costs more and says the same)."""
    import cv2

    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]
    h, w = frames[0].shape[:2]
    return [cv2.resize(f, (width, round(h * width / w)), interpolation=cv2.INTER_AREA) for f in frames]


def jitter_p95(steps: np.ndarray, fps: Fraction, scale: float) -> float:
    """p95 of |step - its 0.5 s moving average| over (dx, dy), in output pixels per frame."""
    width = max(3, round(0.5 * float(fps)) | 1)
    kernel = np.ones(width) / width
    dev = []
    for column in steps[:, :2].T:
        trend = np.convolve(column, kernel, mode="same")
        dev.append(np.abs(column - trend)[width:-width])
    return float(np.percentile(np.hypot(*dev) * scale, 95)) if len(dev[0]) else 0.0


def make_scene(row: str, still: Path, n_frames: int, scene: int, work: Path, width: int, height: int,
               fps: Fraction, encoder: EncoderSettings) -> tuple[Path, dict, float]:  # fmt: skip
    backend, options, strategy, drift = ROWS[row]
    started = time.perf_counter()
    clip, sidecar = work / f"{row}_{scene}_clip.mp4", work / f"{row}_{scene}_clip.json"
    clip_fps = Fraction(6) if backend == "stand-in" else fps
    # As the workflow does (podmotion.job_settings): a scene-long clip is encoded as the output is, and passed on.
    final = backend == "kenburns" and BACKENDS["kenburns"].scene_long(options)
    full = {"crf": encoder.crf, "preset": encoder.preset, "keyint_frames": encoder.keyint_frames,
            "level": encoder.level}  # fmt: skip
    settings = {"backend": "kenburns", "seed": scene, "options": options, "fit": "cover",
                "max_duration_s": float(n_frames / fps), "width": width, "height": height, "fps": str(clip_fps),
                "art_box": None, **({"final": True, "encoder": full} if final else
                                    {"encoder": {"crf": encoder.crf, "level": encoder.level}})}  # fmt: skip
    made = animate_scene(still, clip, sidecar, settings)["result"]
    padded = work / f"{row}_{scene}.mp4"
    report = pad_scene(clip, padded, n_frames=n_frames, width=width, height=height, fps=fps,
                       clip_fps=Fraction(made["fps"]), strategy=strategy, fit="cover", encoder=encoder,
                       drift_zoom=1.05 if wanted(drift, True) else None, seed=scene,
                       clip_encoder=encoder if final else None)  # fmt: skip
    return padded, report, time.perf_counter() - started


def measure_row(row: str, scenes: list[tuple[Path, int]], work: Path, width: int, height: int, fps: Fraction,
                encoder: EncoderSettings, psnr_db: float) -> dict:  # fmt: skip
    total_frames = sum(n for _, n in scenes)
    seconds, repeated, reversals, seams, jitters = 0.0, 0.0, 0, [], []
    for k, (still, n) in enumerate(scenes, 1):
        padded, report, spent = make_scene(row, still, n, k, work, width, height, fps, encoder)
        seconds += spent
        repeated += repeated_share(lumas(padded), fps, psnr_db=psnr_db) * n
        small = thumbnails(padded)
        steps = camera_track(small)
        reversals += track_reversals(steps, fps)
        jitters.append(jitter_p95(steps, fps, width / small[0].shape[1]))
        if ROWS[row][2] == "loop" and report["clip_frames"] > 1:
            period = len(played_positions(report["clip_frames"], Fraction(report["clip_fps"]), fps))
            seams.append(step_ratio(small, list(range(period, n, period)))["worst_ratio"] or 0.0)
        padded.unlink()
    minutes = total_frames / float(fps) / 60
    return {"row": row, "repeated_pct": round(100 * repeated / total_frames, 2),
            "reversals_per_min": round(reversals / minutes, 2), "seam_worst": max(seams) if seams else None,
            "jitter_p95_px": round(max(jitters), 4), "s_per_min": round(seconds / minutes, 1)}  # fmt: skip


def demo_scenes(work: Path, fps: Fraction) -> list[tuple[Path, int]]:
    folder = work / "demo_scenes"
    detect_to_folder(DEMO, folder, detector="slides", threshold=None, min_scene_len_s=0.6, candidates=5)
    scenes = SceneFolder(folder).scenes()
    out = []
    for s in scenes:
        n = round(s.end_s * fps) - round(s.start_s * fps)
        out.append((SceneFolder(folder).still(s.scene), n))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--long-s", type=float, default=60.0)
    ap.add_argument("--rows", default=",".join(ROWS))
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--psnr-db", type=float, default=45.0, help="a twin is nearer than this (luma PSNR)")
    args = ap.parse_args()
    width, fps = args.width, Fraction(args.fps)
    height = round(width * 9 / 16 / 2) * 2
    encoder = EncoderSettings(crf=18, preset=args.preset, keyint_frames=4 * args.fps)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = demo_scenes(work, fps)
        episodes = {"demo": demo, f"{args.long_s:g} s scene": [(demo[0][0], round(args.long_s * fps))]}
        print(f"output {width}x{height} @ {fps} fps, x264 {args.preset} crf 18; {len(demo)} demo scenes "
              f"({sum(n for _, n in demo) / float(fps):.1f} s)")
        print("| episode | row | repeated % | reversals/min | loop seam (× median step) | jitter p95 px/frame | s/min |")
        print("|---|---|---|---|---|---|---|")
        results = []
        for name, scenes in episodes.items():
            for row in args.rows.split(","):
                r = measure_row(row, scenes, work, width, height, fps, encoder, args.psnr_db)
                results.append({"episode": name, **r})
                seam = "" if r["seam_worst"] is None else f"{r['seam_worst']:.2f}"
                print(f"| {name} | {row} | {r['repeated_pct']:.1f} | {r['reversals_per_min']:.1f} | {seam} | "
                      f"{r['jitter_p95_px']:.3f} | {r['s_per_min']:.1f} |", flush=True)
        print(json.dumps(results))


if __name__ == "__main__":
    main()
