"""Ken Burns on a template's art slot: pasted by the backend itself (each frame encoded once) against the art
rendered to a near-lossless intermediate clip, decoded again and pasted (the way before ``Backend.pastes``).

One 1920x1080 template still (tests/templates.py: background, header, logo, the art slot, a caption), its art box
the slot, --seconds of a scene-long move at 30 fps, the default output encoder (crf 18, medium). The two ways run
alternately, --repeat times each, through ``podmotion.animate.animate_scene`` as the animate job runs it. Prints
wall and CPU seconds (this process and its ffmpeg children) and milliseconds a frame.

    .venv/bin/python benchmarks/art_paste.py [--seconds 10] [--repeat 2]
"""

from __future__ import annotations

import dataclasses
import os
import resource
import tempfile
import time
from pathlib import Path

from template_scene import FPS, parse_args, scene_long_settings, template_still  # benchmarks/, beside this script

from podmotion import animate, backends
from podmotion.media import write_image


def cpu_s() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(way: str, still: Path, settings: dict, out: Path) -> tuple[float, float]:
    kenburns = backends.BACKENDS["kenburns"]
    animate.BACKENDS["kenburns"] = dataclasses.replace(kenburns, pastes=(way == "pastes itself"))
    try:
        t0, c0 = time.perf_counter(), cpu_s()
        animate.animate_scene(still, out, out.with_suffix(".json"), settings, runtime={}, attempt=1)
        return time.perf_counter() - t0, cpu_s() - c0
    finally:
        animate.BACKENDS["kenburns"] = kenburns


def main() -> None:
    args = parse_args(__doc__)
    picture = template_still()
    n_frames = int(round(args.seconds * FPS))
    settings = scene_long_settings(n_frames)
    times: dict[str, list[tuple[float, float]]] = {"intermediate clip": [], "pastes itself": []}
    with tempfile.TemporaryDirectory() as tmp:
        still = Path(tmp) / "still.png"
        write_image(picture, still)
        for _ in range(args.repeat):
            for way in times:
                times[way].append(run(way, still, settings, Path(tmp) / "clip.mp4"))
    print(f"\n{'way':<20}{'wall s':>9}{'CPU s':>9}{'ms a frame':>12}")
    for way, got in times.items():
        wall, cpu = min(got)
        print(f"{way:<20}{wall:>9.2f}{cpu:>9.2f}{1000 * wall / n_frames:>12.1f}")
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
