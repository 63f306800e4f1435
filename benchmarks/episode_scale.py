"""Episode scale: podmotion end to end against the floor, one plain x264 encode of the episode's frames.

A 1920x1080, 30 fps template episode (tests/templates.py: a fixed background, header and logo, an art slot and a
caption that change with each slide) of --minutes (10 by default; 60 for the hour), with slides of 20 to 40 s
(seeded), x264 at its defaults and AAC audio. In one run, side by side, on the same machine:

- floor: ``ffmpeg -i SOURCE -an -c:v libx264 -crf 18 -preset medium -pix_fmt yuv420p`` (the output's crf and preset,
  x264's other settings its own): what any pipeline that re-encodes the episode pays at least;
- output floor: the same command on podmotion's own output (its frames decoded and encoded once more). Moving art
  costs x264 more than the source's still slides, so this is the floor for the frames podmotion makes;
- podmotion: ``snakemake --cores 2`` with ``animate.backend: kenburns`` and the default output settings, in a fresh
  folder.

Prints both wall times and their ratio, the job seconds per rule (Snakemake's benchmark files, summed), each rule's
measured peak memory against what it declared, the report's size and the report stage's share of the job time.

    .venv/bin/python benchmarks/episode_scale.py [--minutes 10] [--tile K] [--no-output-floor] [--keep DIR]

``--tile K``: the episode is the ``--minutes`` one played K times in a row (joined by stream copy, audio too), so
an hour is ``--minutes 10 --tile 6``: 6 x 19 slides, each cut between copies a slide change like any other, made
in a sixth of the time. ``--no-output-floor`` leaves out the third encode (the output floor), to save its time.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from templates import make_template_episode  # noqa: E402  (tests/ is not a package)

from podmotion.ffmpeg import ffmpeg_exe  # noqa: E402

FPS = 30
SLIDE_S = (20.0, 40.0)
REPORT_RULES = ("summarise", "episode_report")


def hold_frames(minutes: float, seed: int = 7) -> list[int]:
    """Slides of 20 to 40 s that add up to ``minutes`` exactly."""
    rng = np.random.default_rng(seed)
    total = int(round(minutes * 60 * FPS))
    holds: list[int] = []
    while sum(holds) < total:
        holds.append(int(rng.uniform(*SLIDE_S) * FPS))
    holds[-1] -= sum(holds) - total
    if holds[-1] < SLIDE_S[0] * FPS and len(holds) > 1:
        holds[-2] += holds.pop()
    return holds


def make_source(path: Path, minutes: float) -> int:
    if not path.exists():
        holds = hold_frames(minutes)
        make_template_episode(path, hold_frames=holds, width=1920, height=1080, fps=Fraction(FPS))
    return len(hold_frames(minutes))


def tile_source(source: Path, times: int, out: Path) -> None:
    """``source`` ``times`` times in a row, video and audio stream-copied (FFmpeg's concat demuxer)."""
    if out.exists():
        return
    listing = out.with_suffix(".txt")
    quoted = str(source).replace("'", "'\\''")
    listing.write_text("".join(f"file '{quoted}'\n" for _ in range(times)))
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0",
                    "-i", str(listing), "-c", "copy", "-movflags", "+faststart", str(out)], check=True)  # fmt: skip


def floor_s(source: Path, out: Path) -> float:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", str(source), "-an",
           "-c:v", "libx264", "-crf", "18", "-preset", "medium", "-pix_fmt", "yuv420p", str(out)]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def run_podmotion(folder: Path, source: Path) -> tuple[float, str]:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}}))
    cmd = [str(Path(sys.executable).with_name("snakemake")), "-s", str(REPO / "Snakefile"), "--directory", str(folder),
           "--configfile", str(config), "--cores", "2", "--forceall"]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"podmotion failed:\n{proc.stderr[-3000:]}")
    return wall, proc.stderr + proc.stdout


def jobs_of(log: str, folder: Path) -> list[dict]:
    """Each job's rule, declared mem_mb, and its benchmark file's seconds and max_rss."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", log):
        m = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block.strip())
        bench = re.search(r"benchmark: (\S+)", block)
        if not m or not bench:
            continue
        declared = re.search(r"\bmem_mb=(\d+)", block)
        row = list(csv.DictReader((folder / bench.group(1)).open(), delimiter="\t"))[-1]
        jobs.append({"rule": m.group(1), "declared_mb": int(declared.group(1)) if declared else None,
                     "s": float(row["s"]), "max_rss_mb": float(row["max_rss"] or 0)})  # fmt: skip
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--tile", type=int, default=1, help="play the episode this many times in a row")
    ap.add_argument("--no-output-floor", action="store_true", help="leave out the output floor's encode")
    ap.add_argument("--keep", type=Path, help="build the episode here, or reuse it")
    args = ap.parse_args()
    print("$ " + shlex.join(sys.orig_argv))
    minutes = args.minutes * args.tile
    print(f"1920x1080 @ {FPS} fps, {minutes:g} min; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        source = root / f"template_{args.minutes:g}min.mp4"
        t0 = time.perf_counter()
        n_slides = make_source(source, args.minutes)
        if args.tile > 1:
            tile_source(source, args.tile, root / f"template_{args.minutes:g}min_x{args.tile}.mp4")
            source, n_slides = root / f"template_{args.minutes:g}min_x{args.tile}.mp4", n_slides * args.tile
        print(f"source: {n_slides} slides ({time.perf_counter() - t0:.0f} s to make or find)")
        floor = floor_s(source, root / "floor.mp4")
        wall, log = run_podmotion(root / "podmotion", source)
        out_floor = (float("nan") if args.no_output_floor else
                     floor_s(root / "podmotion" / "results" / "ep" / "ep_animated.mp4", root / "output_floor.mp4"))  # fmt: skip
        jobs = jobs_of(log, root / "podmotion")
        report_bytes = sum(f.stat().st_size for f in (root / "podmotion" / "results" / "ep" / "report").rglob("*")
                           if f.is_file())  # fmt: skip
    by_rule: dict[str, dict] = defaultdict(lambda: {"jobs": 0, "s": 0.0, "peak": 0.0, "declared": 0})
    for job in jobs:
        r = by_rule[job["rule"]]
        r["jobs"] += 1
        r["s"] += job["s"]
        r["peak"] = max(r["peak"], job["max_rss_mb"])
        r["declared"] = max(r["declared"], job["declared_mb"] or 0)
    job_s = sum(r["s"] for r in by_rule.values())
    print(f"\n{'rule':<16}{'jobs':>6}{'job s':>10}{'s/job':>8}{'peak MB':>10}{'declared':>10}")
    for rule, r in sorted(by_rule.items(), key=lambda kv: -kv[1]["s"]):
        print(f"{rule:<16}{r['jobs']:>6}{r['s']:>10.1f}{r['s'] / r['jobs']:>8.2f}{r['peak']:>10.0f}{r['declared']:>10}")
    over = [j for j in jobs if j["declared_mb"] is not None and j["max_rss_mb"] > j["declared_mb"]]
    report_s = sum(by_rule[r]["s"] for r in REPORT_RULES if r in by_rule)
    print(f"\njobs {len(jobs)}, job seconds {job_s:.1f}; report stage {report_s:.1f} s = {100 * report_s / job_s:.1f} %"
          f" of the job time; report {report_bytes / 2**20:.1f} MB; jobs over their declared memory: {len(over)}")
    print(f"\n{'minutes':>8}{'slides':>8}{'floor s':>10}{'output floor s':>16}{'podmotion s':>13}{'ratio':>8}"
          f"{'to output floor':>17}")
    print(f"{minutes:>8g}{n_slides:>8}{floor:>10.1f}{out_floor:>16.1f}{wall:>13.1f}{wall / floor:>7.2f}x"
          f"{wall / out_floor:>16.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
