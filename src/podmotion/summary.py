"""The run summary: ``results/NAME/summary.json`` and its one line on the console.

Per scene: its kind (still, or footage passed through), its span in the
output (frames and seconds), the backend that made its clip (``footage`` for
footage), whether that was a fallback and why, the seconds its animate job
took, and its seed, all read from the clip's sidecar. Per episode: the
backends used, every fallback with its reason, and the seconds each stage's
jobs took, from the ``benchmark:`` files Snakemake writes for every job
(``logs/benchmarks/<rule>/<episode>[/scene_<label>].tsv``).

A fallback stays in the summary (and the report) for as long as the clip it
made is there: only a clip redone by its own backend clears it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from fractions import Fraction
from pathlib import Path

from .atomic import atomic_output
from .tables import Owner, field, read_table

# The workflow's stages, by the rules whose jobs belong to them.
STAGES = {
    "detect": ("detect_scenes", "collect_scenes"),
    "depth": ("depth_scene",),
    "animate": ("animate_scene",),
    "pad": ("pad_scene", "live_scene"),
    "footage": ("footage_scene",),
    "assemble": ("concat", "mux", "combine_scene"),
}
BENCHMARKS_DIR = Path("logs") / "benchmarks"
FAILED_DIR = Path("logs") / "failed"  # a failed job's one line, per episode; removed when the job next succeeds
BENCHMARK = Owner("a Snakemake benchmark", f"{BENCHMARKS_DIR}/RULE/EPISODE.tsv", "runs")


def benchmark_seconds(path: str | os.PathLike) -> float:
    """Wall seconds of one job, from its Snakemake benchmark file (the first run's row)."""
    first = read_table(path, ("s",), about=BENCHMARK, sep="\t")[0]
    return field(path, 2, first, "s", float)


def stage_seconds(episode: str, labels: list[str], root: str | os.PathLike = BENCHMARKS_DIR) -> dict:
    """Seconds per stage for one episode, summed over its jobs' benchmark files, and how many
    jobs were timed. Per-scene files count only for the episode's current scenes."""
    root = Path(root)
    wanted = {f"scene_{label}.tsv" for label in labels}
    seconds, jobs = {}, 0
    for stage, rules in STAGES.items():
        total, timed = 0.0, 0
        for rule in rules:
            files = [root / rule / f"{episode}.tsv"]
            scene_dir = root / rule / episode
            if scene_dir.is_dir():
                files += [p for p in sorted(scene_dir.glob("scene_*.tsv")) if p.name in wanted]
            for path in files:
                if path.is_file():
                    total += benchmark_seconds(path)
                    timed += 1
        if timed or stage not in ("footage", "depth"):  # an episode without footage (or depth) has no such stage
            seconds[stage] = round(total, 2)
        jobs += timed
    return {"stage_seconds": seconds, "total_seconds": round(sum(seconds.values()), 2), "timed_jobs": jobs}


def scene_rows(frame_ranges: dict[int, tuple[int, int]], labels: dict[int, str], fps: Fraction,
               sidecars: dict[int, dict]) -> list[dict]:  # fmt: skip
    """One row per scene that owns output frames: its span, and what its sidecar says."""
    rows = []
    for scene, (start, end) in sorted(frame_ranges.items(), key=lambda item: item[1]):
        if end <= start:
            continue
        side = sidecars.get(scene, {})
        fallback = side.get("fallback")
        made = side.get("result") or {}
        extension = made.get("extension") or {}
        rows.append({
            "scene": scene, "label": labels[scene], "kind": side.get("kind", "still"),
            "start_frame": start, "end_frame": end,
            "start_s": round(float(start / fps), 3), "end_s": round(float(end / fps), 3),
            "duration_s": round(float((end - start) / fps), 3),
            "backend": side.get("backend"), "requested_backend": side.get("requested_backend"),
            "fallback_from": fallback.get("from") if fallback else None,
            "fallback_reason": fallback.get("reason") if fallback else None,
            "attempt": side.get("attempt"), "animate_s": side.get("seconds"), "seed": side.get("seed"),
            # a generated clip's loop seam and extension joins, each against its median neighbour step
            "seam_ratio": (made.get("seam") or {}).get("ratio"),
            "segments": len(extension.get("segments", [])) or None,
            "join_ratio": (extension.get("join_steps") or {}).get("worst_ratio"),
            # a cloud provider's clip: its task, and what it cost (the provider's figure or the price table's)
            "provider_task": made.get("task_id"), "cost_usd": made.get("cost_usd"),
        })  # fmt: skip
    return rows


def episode_summary(name: str, output: str, rows: list[dict], timings: dict) -> dict:
    used = Counter(r["backend"] for r in rows if r["backend"])
    fallbacks = [{"scene": r["scene"], "from": r["fallback_from"], "to": r["backend"], "reason": r["fallback_reason"]}
                 for r in rows if r["fallback_from"]]  # fmt: skip
    spent: Counter = Counter()
    for r in rows:
        if r.get("cost_usd") is not None:
            spent[r["backend"]] += r["cost_usd"]
    return {
        "episode": name, "output": output, "scenes": len(rows),
        "duration_s": rows[-1]["end_s"] if rows else 0.0,
        "backends": dict(sorted(used.items())), "fallbacks": fallbacks,
        "spent_usd": {provider: round(usd, 4) for provider, usd in sorted(spent.items())},
        **timings, "scene_table": rows,
    }  # fmt: skip


def write_summary(summary: dict, path: str | os.PathLike) -> None:
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def read_summary(path: str | os.PathLike) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def console_line(summary: dict) -> str:
    """``ep: 5 scenes, 12.4 s; kenburns 4, svd 1; 1 fallback (scene 3 svd -> kenburns: out of memory);
    jobs took 42.1 s (detect 1.2, animate 30.0, pad 6.1, assemble 4.8)``"""
    used = ", ".join(f"{backend} {n}" for backend, n in summary["backends"].items()) or "no clips"
    falls = summary["fallbacks"]
    if falls:
        said = "; ".join(f"scene {f['scene']} {f['from']} -> {f['to']}: {f['reason']}" for f in falls)
        fell = f"{len(falls)} fallback{'s' if len(falls) > 1 else ''} ({said})"
    else:
        fell = "no fallback"
    stages = ", ".join(f"{stage} {s:.1f}" for stage, s in summary["stage_seconds"].items())
    spent = summary.get("spent_usd") or {}
    paid = (f"spent ${sum(spent.values()):.2f} ({', '.join(f'{p} ${usd:.2f}' for p, usd in spent.items())}); "
            if spent else "")  # fmt: skip
    return (f"{summary['episode']}: {summary['scenes']} scenes, {summary['duration_s']:.1f} s; {used}; {fell}; "
            f"{paid}jobs took {summary['total_seconds']:.1f} s ({stages})")  # fmt: skip


def failure_record(rule: str, name: str | None, scene: str | None = None) -> Path | None:
    """Where a failed job of ``rule`` for episode ``name`` (and ``scene``) leaves its one line, so the run's
    closing line can say why the episode did not finish; None for a job of no episode."""
    if not name:
        return None
    return FAILED_DIR / name / (f"{rule}.{scene}.txt" if scene else f"{rule}.txt")


def failures(name: str) -> list[str]:
    """The one lines of the episode's jobs that failed and have not run again since, oldest first:
    ``rule (scene N): path: problem``."""
    folder = FAILED_DIR / name
    records = sorted(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime_ns) if folder.is_dir() else []
    lines = []
    for path in records:
        rule, _, scene = path.stem.partition(".")
        lines.append(f"{rule}{f' (scene {scene})' if scene else ''}: {path.read_text(encoding='utf-8').strip()}")
    return lines


def closing_line(name: str, video: str | os.PathLike, summary: str | os.PathLike,
                 report_pages: list[str | os.PathLike]) -> tuple[str, str]:  # fmt: skip
    """(level, line) for an episode the run touched, by what exists: its video, its run summary, its report.

    The summary's ``console_line`` where there is one (a warning where a scene fell back), with the
    report pages that are missing; a video built without its summary (asked for on its own) as built;
    otherwise not finished, with the first failed job's one line (and how many more failed).
    """
    video, summary = Path(video), Path(summary)
    if summary.is_file():
        try:
            made = read_summary(summary)
            line = console_line(made)
        except (ValueError, KeyError, TypeError) as exc:  # not written by summarise (it writes whole files)
            return "warning", f"{name}: {summary}: not a run summary ({type(exc).__name__}: {exc})"
        missing = [str(p) for p in report_pages if not Path(p).is_file()]
        if missing:
            line += f"; report not made ({', '.join(missing)})"
        return ("warning" if made["fallbacks"] else "info"), line
    if video.is_file():
        return "info", f"{name}: built {video} (its run summary and report were not asked for)"
    failed = failures(name)
    if not failed:
        return "info", f"{name}: not finished (no {video})"
    more = f" (and {len(failed) - 1} more failed job(s), in logs/)" if len(failed) > 1 else ""
    return "warning", f"{name}: not finished (no {video}): {failed[0]}{more}"
