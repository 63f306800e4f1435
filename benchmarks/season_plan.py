"""How long Snakemake takes to plan a season: --episodes episodes (default 20) of --scenes scenes (default 100).

Builds a season in a folder: per episode a real source (64x36, 5 fps, a sine tone, --scene-s seconds a scene;
made once with ffmpeg's lavfi, copied per episode) and its scene folder, written directly with podmotion's own
scene-folder code as detection writes it (the stills at 64x36, the scene table, the source's probe, a layout
with one live region, a waveform, unless --no-live), so nothing is detected. Snakemake then records the
detection as done (``--touch --forcerun detect_scenes``), as a run of it would. --keep DIR reuses the
sources and scene folders found there (and removes everything else each time).

Then it times, each --repeat times, the whole command (wall and CPU seconds; the CPU figure holds on a busy
machine):

- a fresh plan, the scenes detected and nothing else built: ``snakemake -n --cores 2``, and the same with
  ``--quiet rules`` (no job listed, only the job stats). It checks the jobs planned: per episode, its scenes'
  animate, pad and live jobs, then concat, mux, summarise and episode_report;
- a no-op plan: ``snakemake -n --cores 2`` once every output exists and is up to date; it must say "Nothing to
  be done". To get there without running the jobs (hours), each planned output is created empty (the run
  summaries a stand-in, read by the closing line) and ``snakemake --touch --forceall --cores 64`` runs every
  job as a touch, in order (a job is touched once those it needs are), recording its metadata (params, code,
  input, software stack) as a real run does, so every rerun trigger is checked. Snakemake's touch pauses
  0.1 s per job: this sets the pause to 0 for that one command (said when it runs). 64 cores, so that the
  scheduler picks many jobs a round: with one, it sizes every waiting job's inputs each round.

Prints a table: episodes, scenes, jobs planned, and the best wall and CPU seconds of each plan, with the goals
(fresh under 10 s, no-op under 3 s). animate.backend is --backend (kenburns; auto adds a PyTorch probe per plan).

    .venv/bin/python benchmarks/season_plan.py [--episodes 20] [--scenes 100] [--scene-s 6] [--backend kenburns]
                                               [--no-live] [--repeat 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from podmotion.ffmpeg import ffmpeg_exe
from podmotion.layout import Layout, draw_layout
from podmotion.media import probe, write_image
from podmotion.scene_folder import detected_scenes, scene_label, write_scene_folder

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
WIDTH, HEIGHT, FPS = 64, 36, 5
ART = (8, 0, 48, 28)  # x, y, width, height: the art above a waveform
WAVEFORM = (0, 28, 64, 8)
FRESH_GOAL_S, NOOP_GOAL_S = 10.0, 3.0
SCENE_JOBS = ("animate_scene", "pad_scene", "live_scene")
EPISODE_JOBS = ("concat", "mux", "summarise", "episode_report")
# Snakemake's touch executor sleeps this long before each job's touch (snakemake.executors.touch.Executor).
TOUCH_NO_PAUSE = ("import sys, snakemake.executors.touch as t; t.Executor.SLEEPING_TIME = 0; "
                  "from snakemake.cli import main; sys.argv[0] = 'snakemake'; main()")  # fmt: skip


def make_source(path: Path, seconds: float) -> None:
    """A small real episode: a grey picture at 64x36, 5 fps, and a 440 Hz tone, ``seconds`` long."""
    cmd = [ffmpeg_exe(), "-v", "error", "-y",
           "-f", "lavfi", "-i", f"color=c=gray:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}",
           "-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k", "-shortest",
           str(path)]  # fmt: skip
    subprocess.run(cmd, check=True)


def write_detected_folder(source: Path, named: str, out_dir: Path, n_scenes: int, live: bool) -> None:
    """The scene folder detection would write for ``source`` (``named`` so in the config, relative to the run's
    folder) cut into ``n_scenes`` equal scenes, as ``podmotion.detect.detect_to_folder`` writes it: stills,
    layout, scene table, source."""
    info = dataclasses.replace(probe(source), path=named)  # probe keeps the path as the config names it
    n_frames = round(info.duration_s * FPS)
    edges = [n_frames * k // n_scenes for k in range(n_scenes + 1)]
    scenes = detected_scenes(edges, info)
    images = [np.full((HEIGHT, WIDTH, 3), (37 * s.scene % 256, 91 * s.scene % 256, 53 * s.scene % 256), np.uint8)
              for s in scenes]  # fmt: skip
    layout = Layout(WIDTH, HEIGHT, {s.scene: ART for s in scenes}, (WAVEFORM,) if live else (), (), "detected")
    with write_scene_folder(out_dir) as folder:
        for scene, rgb in zip(scenes, images):
            write_image(rgb, folder.still_path(scene_label(scene.scene)))
        folder.write_layout(layout, draw_layout(images[0], layout, scenes[0].scene))
        folder.write_timestamps(scenes)
        folder.write_source(info)


def build_season(root: Path, episodes: int, n_scenes: int, scene_s: float, backend: str, live: bool) -> list[str]:
    """The season's sources, scene folders and config in ``root`` (kept where there already); its names."""
    names = [f"ep{k:02d}" for k in range(1, episodes + 1)]
    (root / "sources").mkdir(parents=True, exist_ok=True)
    master = root / "sources" / f"master_{n_scenes}x{scene_s:g}s.mp4"
    if not master.exists():
        make_source(master, n_scenes * scene_s)
    for name in names:
        source = root / "sources" / f"{name}.mp4"
        scenes = root / "results" / name / "scenes"
        if not source.exists():
            shutil.copyfile(master, source)
        if not scenes.exists():
            write_detected_folder(source, f"sources/{name}.mp4", scenes, n_scenes, live)
    config = {"podcasts": {name: f"sources/{name}.mp4" for name in names}, "animate": {"backend": backend}}
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    return names


def snakemake(root: Path, *args: str, prefix: tuple[str, ...] = (str(SNAKEMAKE),)) -> tuple[float, float, str]:
    """Run Snakemake on the season; its wall seconds, its CPU seconds (user and system) and its output."""
    cmd = [*prefix, "-s", str(REPO / "Snakefile"), "--directory", str(root),
           "--configfile", str(root / "config.yaml"), *args]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    wall_s = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {shlex.join(cmd)}\n{out[-6000:]}")
    return wall_s, cpu_s, out


def planned(out: str) -> Counter:
    """Jobs per rule, from a dry run's job blocks."""
    return Counter(m.group(1) for m in re.finditer(r"^(?:local)?rule (\w+):$", out, re.M) if m.group(1) != "all")


def job_stats(out: str) -> Counter:
    """Jobs per rule, from the dry run's "Job stats" table (printed with --quiet rules too)."""
    table = out.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return Counter({m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)
                    if m.group(1) not in ("all", "total")})  # fmt: skip


def planned_outputs(out: str) -> list[str]:
    return [f for m in re.finditer(r"^\s+output: (.+)$", out, re.M) for f in m.group(1).split(", ")]


def reset(root: Path, names: list[str]) -> None:
    """Back to scenes detected, nothing else built: every output but the scene folders, the logs and
    Snakemake's records go."""
    for name in names:
        for entry in (root / "results" / name).iterdir():
            if entry.name != "scenes":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for extra in (".snakemake", "logs"):
        shutil.rmtree(root / extra, ignore_errors=True)


def timed(root: Path, repeat: int, *args: str) -> tuple[list[tuple[float, float]], str]:
    """``snakemake -n --cores 2 ARGS``, ``repeat`` times: (wall s, CPU s) each, and the last one's output."""
    times, out = [], ""
    for _ in range(repeat):
        wall_s, cpu_s, out = snakemake(root, "-n", "--cores", "2", *args)
        times.append((wall_s, cpu_s))
        print(f"  {shlex.join(['snakemake', '-n', '--cores', '2', *args])}: {wall_s:.2f} s wall, {cpu_s:.2f} s CPU")
    return times, out


def best(times: list[tuple[float, float]]) -> tuple[float, float]:
    return min(t[0] for t in times), min(t[1] for t in times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=20)
    ap.add_argument("--scenes", type=int, default=100, help="scenes per episode")
    ap.add_argument("--scene-s", type=float, default=6.0, help="seconds a scene")
    ap.add_argument("--backend", default="kenburns", help="animate.backend (auto asks PyTorch about CUDA per plan)")
    ap.add_argument("--no-live", dest="live", action="store_false", help="no live region (no live_scene jobs)")
    ap.add_argument("--repeat", type=int, default=2, help="times each plan is timed")
    ap.add_argument("--keep", type=Path, help="build the season here, or reuse it")
    args = ap.parse_args()
    print("$ " + shlex.join(sys.orig_argv))
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; snakemake {SNAKEMAKE}")
    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp)).resolve()
        t0 = time.perf_counter()
        names = build_season(root, args.episodes, args.scenes, args.scene_s, args.backend, args.live)
        reset(root, names)
        # detection recorded as done, as its run would have: the scene folders touched, their metadata kept
        snakemake(root, "--touch", "--forcerun", "detect_scenes", "--cores", "1",
                  *(f"results/{name}/scenes" for name in names))  # fmt: skip
        print(f"season of {len(names)} x {args.scenes} scenes in {root} ({time.perf_counter() - t0:.1f} s)")

        print("fresh plan, scenes detected, nothing else built")
        expected = Counter({**{r: len(names) * args.scenes for r in SCENE_JOBS if args.live or r != "live_scene"},
                            **{r: len(names) for r in EPISODE_JOBS}})  # fmt: skip
        quiet_s, quiet_out = timed(root, args.repeat, "--quiet", "rules")  # no job listed, only the job stats
        fresh_s, out = timed(root, args.repeat)
        jobs = planned(out)
        print(f"  planned {sum(jobs.values())} jobs: " + ", ".join(f"{r} {n}" for r, n in sorted(jobs.items())))
        if jobs != expected or job_stats(out) != expected or job_stats(quiet_out) != expected:
            sys.exit(f"expected {dict(expected)}, listed {dict(jobs)}, counted {dict(job_stats(out))} "
                     f"(--quiet rules: {dict(job_stats(quiet_out))})\n{out[-3000:]}")  # fmt: skip

        t0 = time.perf_counter()
        outputs = planned_outputs(out)
        for f in outputs:
            path = root / f
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(exist_ok=True) if not path.suffix else path.touch()  # report/scenes: a directory output
        for name in names:  # the run's closing line reads each summary: a stand-in with nothing in it
            summary = {"episode": name, "output": f"results/{name}/{name}_animated.mp4", "scenes": 0, "duration_s": 0.0,
                       "backends": {}, "fallbacks": [], "total_seconds": 0.0, "stage_seconds": {}, "scene_table": []}
            (root / "results" / name / "summary.json").write_text(json.dumps(summary))
        print(f"every output made up to date without running its job: {len(outputs)} empty files (the summaries "
              "a stand-in), then snakemake --touch --forceall --cores 64 (its 0.1 s pause per touched job set to 0)")
        touch_s, _, _ = snakemake(root, "--touch", "--forceall", "--cores", "64",
                               prefix=(sys.executable, "-c", TOUCH_NO_PAUSE))  # fmt: skip
        for name in names:  # the joined video is temporary: a finished run has removed it
            (root / "results" / name / f"{name}_video.mp4").unlink(missing_ok=True)
        print(f"  touched in {touch_s:.1f} s ({time.perf_counter() - t0:.1f} s in all)")

        print("no-op plan, everything built")
        noop_s, out = timed(root, args.repeat)
        if "Nothing to be done" not in out or planned(out):
            sys.exit(f"the no-op plan planned jobs: {dict(planned(out))}\n{out[-3000:]}")

    columns = ("fresh plan s", "fresh, --quiet rules s", "no-op plan s")
    print(f"\n{'':>6}{'episodes':>9}{'scenes':>8}{'jobs planned':>14}" + "".join(f"{c:>24}" for c in columns))
    for k, what in enumerate(("wall", "CPU")):
        figures = [best(t)[k] for t in (fresh_s, quiet_s, noop_s)]
        print(f"{what:>6}{len(names):>9}{len(names) * args.scenes:>8}{sum(jobs.values()):>14}"
              + "".join(f"{f:>24.2f}" for f in figures))  # fmt: skip
    goals = (f"< {FRESH_GOAL_S:g}", f"< {FRESH_GOAL_S:g}", f"< {NOOP_GOAL_S:g}")
    print(f"{'goal, wall':>37}" + "".join(f"{g:>24}" for g in goals))
    print(f"(best of {args.repeat}; load average {os.getloadavg()[0]:.2f} at end)")


if __name__ == "__main__":
    main()
