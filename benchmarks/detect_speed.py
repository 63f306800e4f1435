"""Detection speed: the slides detector against PySceneDetect's detect-content, side by side.

Two 39-second template episodes of 8 slides at 1920x1080, 30 fps (tests/templates.py): one encoded with x264
defaults, one with no keyframes at the cuts (scenecut=0, fixed 250-frame GOP, two cuts inside one GOP). Each
detector runs as a subprocess (wall clock, interpreter start-up included) and in-process (its Python API), best
of --repeat runs each. Prints the cut lists against the truth, seconds, ratios, the frames slides decoded, and
the issue's goals: at least 10x faster on the default encode with the same cuts wherever PySceneDetect's are
right, at least 3x on the fixed-GOP encode with every cut exact.

It also runs the slides detector as it was at ``--baseline`` (a git revision, default the last one before
footage detection, issue 19), from a copy of that revision's package, beside today's, as subprocesses on the
same stills-only episodes: the same cuts, and seconds side by side (today's must not be slower).

    .venv/bin/python benchmarks/detect_speed.py [--repeat 3] [--keep DIR] [--quick] [--baseline REV]

--quick builds 640x360 versions instead (a smoke test; the goals are stated for 1080p).
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import templates  # noqa: E402  (tests/ is not a package)

GOALS = {"default": 10.0, "fixed_gop": 3.0}
BASELINE = "f229175"  # the last revision before footage detection (issue 19)
NO_REGRESSION = 0.9  # today's slides detector must run at least this fast as the baseline's (ratio of seconds)
FPS = 30  # both episodes
BIN = Path(sys.executable).parent


def build(folder: Path, x264: str, quick: bool) -> tuple[Path, list[int]]:
    """The episode and its true cuts, built once per folder (a --keep folder is reused on reruns)."""
    stem = f"{x264}-{'640x360' if quick else '1920x1080'}"
    video, truth_file = folder / f"{stem}.mp4", folder / f"{stem}.json"
    if not (video.exists() and truth_file.exists()):
        t0 = time.perf_counter()
        if quick:  # make_benchmark_episode fixes width/height itself, so the quick build calls the template directly
            truth = templates.make_template_episode(video, hold_frames=templates.BENCHMARK_HOLD_FRAMES, width=640,
                                                    height=360, fps=Fraction(FPS), x264=x264)  # fmt: skip
        else:
            truth = templates.make_benchmark_episode(video, x264=x264)
        truth_file.write_text(json.dumps({"cut_frames": truth["cut_frames"]}))
        print(f"built {video.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return video, json.loads(truth_file.read_text())["cut_frames"]


def scenedetect_cli(video: Path) -> list[int]:
    """Cuts from the CLI's Scene List table. Its Start Frame is 1-based: frame 0 prints as 1."""
    out = subprocess.run([str(BIN / "scenedetect"), "-i", str(video), "detect-content", "list-scenes", "-n"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = [line.strip(" |").split("|") for line in out.splitlines() if line.lstrip().startswith("|")]
    starts = [(int(r[1]), r[2].strip()) for r in rows if r[0].strip().isdigit()]
    for frame, stamp in starts:  # check the 1-based reading against the start time, which is exact
        h, m, s = stamp.split(":")
        if round((int(h) * 3600 + int(m) * 60 + float(s)) * FPS) != frame - 1:
            raise RuntimeError(f"scenedetect Start Frame {frame} does not match its time {stamp}")
    return [frame - 1 for frame, _ in starts[1:]]


def slides_cli(video: Path, package_root: Path | None = None) -> dict:
    """The slides detector's CLI; from ``package_root`` (a folder holding ``podmotion/``) when given."""
    env = {**os.environ, "PYTHONPATH": str(package_root)} if package_root else None
    out = subprocess.run([sys.executable, "-m", "podmotion.slides", str(video)], capture_output=True, text=True,
                         check=True, env=env).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def baseline_package(rev: str, folder: Path) -> Path:
    """The package as it was at ``rev``, unpacked under ``folder``; returns the folder that holds ``podmotion/``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src/podmotion"], capture_output=True,
                             check=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def scenedetect_api(video: Path) -> list[int]:
    import scenedetect

    scenes = scenedetect.detect(str(video), scenedetect.ContentDetector())
    return [start.frame_num for start, _ in scenes[1:]]


def slides_api(video: Path) -> dict:
    from podmotion.media import probe
    from podmotion.slides import scan

    result = scan(video, float(probe(video).fps_fraction))
    return {"cut_frames": result.cut_frames, "frames": result.n_frames, "decoded_frames": result.decoded_frames}


def best_of(repeat: int, *runs):
    """Best wall seconds and last result of each run, the runs interleaved so they share the machine's noise."""
    best, results = [float("inf")] * len(runs), [None] * len(runs)
    for _ in range(repeat):
        for k, run in enumerate(runs):
            t0 = time.perf_counter()
            results[k] = run()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best, results


def cuts_text(cuts: list[int]) -> str:
    return ",".join(map(str, cuts)) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the episodes here, or reuse them from an earlier run")
    ap.add_argument("--quick", action="store_true", help="640x360 episodes: a smoke test")
    ap.add_argument("--baseline", default=BASELINE, help="git revision of the slides detector to compare with")
    args = ap.parse_args()
    print("$ " + shlex.join(sys.orig_argv))
    print(f"{'640x360' if args.quick else '1920x1080'} @ 30 fps, 39 s, 8 slides; best of {args.repeat}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows, then_rows = [], []
        old = baseline_package(args.baseline, Path(tmp))
        for x264 in GOALS:
            video, truth = build(folder, x264, args.quick)
            (then_s, now_s), (then, now) = best_of(args.repeat, lambda: slides_cli(video, old),
                                                   lambda: slides_cli(video))  # fmt: skip
            then_rows.append((x264, truth, then, now, then_s, now_s))
            (sd_cli_s, sl_cli_s), (sd_cuts, sl) = best_of(args.repeat, lambda: scenedetect_cli(video),
                                                          lambda: slides_cli(video))  # fmt: skip
            (sd_api_s, sl_api_s), (sd_api_cuts, sl_api) = best_of(args.repeat, lambda: scenedetect_api(video),
                                                                   lambda: slides_api(video))  # fmt: skip
            rows.append((x264, truth, sd_cuts, sd_api_cuts, sl, sl_api, sd_cli_s, sl_cli_s, sd_api_s, sl_api_s))

    print(f"\n{'episode':<11}{'truth cuts':<31}{'scenedetect cuts':<31}{'slides cuts':<31}{'slides exact':>12}")
    for x264, truth, sd_cuts, sd_api_cuts, sl, sl_api, *_ in rows:
        note = "" if sd_api_cuts == sd_cuts and sl_api["cut_frames"] == sl["cut_frames"] else "  (API cuts differ!)"
        print(f"{x264:<11}{cuts_text(truth):<31}{cuts_text(sd_cuts):<31}{cuts_text(sl['cut_frames']):<31}"
              f"{'yes' if sl['cut_frames'] == truth else 'NO':>12}{note}")  # fmt: skip

    print(f"\n{'episode':<11}{'run as':<12}{'scenedetect s':>14}{'slides s':>10}{'ratio':>8}{'decoded/total':>15}")
    for x264, _, _, _, sl, sl_api, sd_cli_s, sl_cli_s, sd_api_s, sl_api_s in rows:
        ways = (("subprocess", sd_cli_s, sl_cli_s, sl), ("in-process", sd_api_s, sl_api_s, sl_api))
        for way, sd_s, sl_s, res in ways:
            decoded = f"{res['decoded_frames']}/{res['frames']}"
            print(f"{x264:<11}{way:<12}{sd_s:>14.2f}{sl_s:>10.2f}{sd_s / sl_s:>7.1f}x{decoded:>15}")

    print(f"\nslides detector at {args.baseline} (before footage detection) against today's, as subprocesses:")
    print(f"{'episode':<11}{'cuts the same':>14}{'then s':>9}{'now s':>9}{'now/then':>10}{'decoded then/now':>18}")
    for x264, truth, then, now, then_s, now_s in then_rows:
        same = then["cut_frames"] == now["cut_frames"] == truth
        print(f"{x264:<11}{'yes' if same else 'NO':>14}{then_s:>9.2f}{now_s:>9.2f}{now_s / then_s:>9.2f}x"
              f"{str(then['decoded_frames']) + '/' + str(now['decoded_frames']):>18}")  # fmt: skip

    print(f"\nload average {os.getloadavg()[0]:.2f} at end")
    for x264, truth, then, now, then_s, now_s in then_rows:
        met = then["cut_frames"] == now["cut_frames"] == truth and then_s / now_s >= NO_REGRESSION
        print(f"{x264}: goal no regression against {args.baseline} (the same exact cuts, at least "
              f"{NO_REGRESSION:g}x its speed): {'MET' if met else 'NOT MET'} ({then_s / now_s:.2f}x)")
    for x264, truth, sd_cuts, _, sl, _, sd_cli_s, sl_cli_s, sd_api_s, sl_api_s in rows:
        goal, ratio, cuts = GOALS[x264], sd_cli_s / sl_cli_s, sl["cut_frames"]
        if x264 == "default":
            right = [c for c in sd_cuts if c in truth]  # PySceneDetect's cuts that are right
            cuts_ok = set(right) <= set(cuts)
            what = f"same cuts wherever scenedetect's are right ({len(right)} of its {len(sd_cuts)} right, " \
                   f"{len(truth)} true)"  # fmt: skip
        else:
            cuts_ok = cuts == truth
            what = "every cut exact"
        met = ratio >= goal and cuts_ok
        print(f"{x264}: goal >={goal:g}x faster than scenedetect detect-content, {what}: "
              f"{'MET' if met else 'NOT MET'} ({ratio:.1f}x as subprocesses, {sd_api_s / sl_api_s:.1f}x in-process; "
              f"cuts {'ok' if cuts_ok else 'wrong'})")  # fmt: skip
    if args.quick:
        print("(--quick: 640x360 episodes; the goals are stated for 1080p)")


if __name__ == "__main__":
    main()
