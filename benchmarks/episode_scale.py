"""Episode scale: podmotion end to end against the floor, one plain x264 encode of the episode's frames.

A 1920x1080, 30 fps template episode (tests/templates.py: a fixed background, header and logo, an art slot and a
caption that change with each slide) of --minutes (10 by default; 60 for the hour), with slides of 20 to 40 s
(seeded), x264 at its defaults and AAC audio. In one run, side by side, on the same machine:

- floor: ``ffmpeg -i SOURCE -an -c:v libx264 -crf 18 -preset medium -pix_fmt yuv420p`` (the output's crf and preset,
  x264's other settings its own): what any pipeline that re-encodes the episode pays at least;
- output floor: the same command on podmotion's own output (its frames decoded and encoded once more). Moving art
  costs x264 more than the source's still slides, so this is the floor for the frames podmotion makes;
- output floor at the output's settings: the output encoded once more with podmotion's own encoder arguments (its
  keyframe every 4 s, x264's 2 threads and 20 frames' look-ahead): what podmotion's single encode costs at least;
- podmotion: ``snakemake --cores 2`` with ``animate.backend: kenburns`` and the default output settings, in a fresh
  folder; with ``--before REV``, also the same run of the project as it was at git revision REV (its tree
  exported to a scratch folder, its own package first on the path), on the same source, in the same run.

Prints both wall times and their ratio, the job seconds per rule (Snakemake's benchmark files, summed), each rule's
measured peak memory against what it declared, the report's size and the report stage's share of the job time.

    .venv/bin/python benchmarks/episode_scale.py [--minutes 10] [--tile K] [--no-output-floor] [--keep DIR]
        [--before REV]

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

from podmotion.ffmpeg import EncoderSettings, ffmpeg_exe, h264_level  # noqa: E402

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


PLAIN_X264 = ("-c:v", "libx264", "-crf", "18", "-preset", "medium", "-pix_fmt", "yuv420p")
# The default output's encoder: crf 18, medium, a keyframe every 4 s, as podmotion.episode.output_settings makes it.
OUTPUT_X264 = tuple(EncoderSettings(18, "medium", 4 * FPS, h264_level(1920, 1080, Fraction(FPS))).video_args())


def floor_s(source: Path, out: Path, x264: tuple[str, ...] = PLAIN_X264) -> float:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", str(source), "-an",
           *x264, str(out)]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def run_podmotion(folder: Path, source: Path, tree: Path = REPO) -> tuple[float, str]:
    """``snakemake --cores 2`` of the project in ``tree`` (its own package first on the path) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}}))
    cmd = [str(Path(sys.executable).with_name("snakemake")), "-s", str(tree / "Snakefile"), "--directory", str(folder),
           "--configfile", str(config), "--cores", "2", "--forceall"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"podmotion failed:\n{proc.stderr[-3000:]}")
    return wall, proc.stderr + proc.stdout


def export_tree(rev: str, into: Path) -> Path:
    """The project's files at git revision ``rev``, written under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


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


def measure(name: str, tree: Path, folder: Path, source: Path, out_floors: bool) -> dict:
    """One podmotion run and the encodes of its own output: wall seconds, the jobs and the report's size."""
    wall, log = run_podmotion(folder, source, tree)
    output = folder / "results" / "ep" / "ep_animated.mp4"
    got = {"name": name, "wall": wall, "jobs": jobs_of(log, folder), "out_floor": float("nan"),
           "out_floor_own": float("nan")}  # fmt: skip
    if out_floors:
        got["out_floor"] = floor_s(output, folder.parent / f"{folder.name}_output_floor.mp4")
        got["out_floor_own"] = floor_s(output, folder.parent / f"{folder.name}_output_floor_own.mp4", OUTPUT_X264)
    got["report_bytes"] = sum(f.stat().st_size for f in (folder / "results" / "ep" / "report").rglob("*")
                              if f.is_file())  # fmt: skip
    return got


def print_jobs(run: dict) -> None:
    by_rule: dict[str, dict] = defaultdict(lambda: {"jobs": 0, "s": 0.0, "peak": 0.0, "declared": 0})
    for job in run["jobs"]:
        r = by_rule[job["rule"]]
        r["jobs"] += 1
        r["s"] += job["s"]
        r["peak"] = max(r["peak"], job["max_rss_mb"])
        r["declared"] = max(r["declared"], job["declared_mb"] or 0)
    job_s = sum(r["s"] for r in by_rule.values())
    print(f"\n{run['name']}\n{'rule':<16}{'jobs':>6}{'job s':>10}{'s/job':>8}{'peak MB':>10}{'declared':>10}")
    for rule, r in sorted(by_rule.items(), key=lambda kv: -kv[1]["s"]):
        print(f"{rule:<16}{r['jobs']:>6}{r['s']:>10.1f}{r['s'] / r['jobs']:>8.2f}{r['peak']:>10.0f}{r['declared']:>10}")
    over = [j for j in run["jobs"] if j["declared_mb"] is not None and j["max_rss_mb"] > j["declared_mb"]]
    report_s = sum(by_rule[r]["s"] for r in REPORT_RULES if r in by_rule)
    print(f"jobs {len(run['jobs'])}, job seconds {job_s:.1f}; report stage {report_s:.1f} s = "
          f"{100 * report_s / job_s:.1f} % of the job time; report {run['report_bytes'] / 2**20:.1f} MB; "
          f"jobs over their declared memory: {len(over)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--tile", type=int, default=1, help="play the episode this many times in a row")
    ap.add_argument("--no-output-floor", action="store_true", help="leave out the encodes of podmotion's output")
    ap.add_argument("--keep", type=Path, help="build the episode here, or reuse it")
    ap.add_argument("--before", metavar="REV", help="also run the project as it was at this git revision")
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
        runs = []
        if args.before:
            tree = export_tree(args.before, Path(tmp) / "before")
            runs.append(measure(f"before ({args.before})", tree, root / "podmotion_before", source,
                                not args.no_output_floor))  # fmt: skip
        runs.append(measure("now", REPO, root / "podmotion", source, not args.no_output_floor))
    for run in runs:
        print_jobs(run)
    print(f"\nfloor: the source encoded once, plain x264 at crf 18, medium: {floor:.1f} s")
    print("output floor: podmotion's output encoded once so; own settings: with the output's encoder arguments")
    print(f"\n{'run':<22}{'minutes':>8}{'slides':>8}{'podmotion s':>13}{'÷ floor':>9}{'output floor s':>16}"
          f"{'÷ it':>7}{'own settings s':>16}{'÷ it':>7}")
    for run in runs:
        wall = run["wall"]
        print(f"{run['name']:<22}{minutes:>8g}{n_slides:>8}{wall:>13.1f}{wall / floor:>8.2f}x"
              f"{run['out_floor']:>16.1f}{wall / run['out_floor']:>6.2f}x"
              f"{run['out_floor_own']:>16.1f}{wall / run['out_floor_own']:>6.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
