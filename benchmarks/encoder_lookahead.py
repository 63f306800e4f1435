"""x264's rate-control look-ahead, 30 frames against 20 (``podmotion.ffmpeg.MAX_LOOKAHEAD_FRAMES``): the
encoder's peak memory, the time, the clip's size and its SSIM, side by side in one run.

The animate job's own work: a scene-long Ken Burns move on a 1920x1080 template still (tests/templates.py:
background, header, logo, the art slot, a caption), pasted into the still and encoded at the output's settings
(crf 18, medium), through ``podmotion.animate.animate_scene``. The two look-aheads run alternately, --repeat
times each. A thread reads the resident memory of the ffmpeg process every 10 ms (Snakemake's benchmark files
sample every 0.5 s, then every 30 s: their peaks are lower bounds). SSIM is against the same move encoded at
crf 1, ffmpeg's ``ssim`` filter.

    .venv/bin/python benchmarks/encoder_lookahead.py [--seconds 10] [--repeat 2]
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psutil

from template_scene import FPS, parse_args, scene_long_settings, template_still  # benchmarks/, beside this script

from podmotion import animate, ffmpeg
from podmotion.media import write_image

LOOKAHEADS = (30, 20)
POLL_S = 0.01


class PeakOfChildren(threading.Thread):
    """The largest resident memory (MB) any child process of this one reached while running."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb, self._done = 0.0, threading.Event()

    def run(self):
        me = psutil.Process()
        while not self._done.is_set():
            for child in me.children(recursive=True):
                try:
                    self.peak_mb = max(self.peak_mb, child.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(POLL_S)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_mb


def encode(still: Path, settings: dict, out: Path, lookahead: int) -> tuple[float, float]:
    """(wall seconds, the encoder's peak MB) of one animate job with x264 looking ``lookahead`` frames ahead."""
    ffmpeg.MAX_LOOKAHEAD_FRAMES = lookahead
    watch = PeakOfChildren()
    watch.start()
    t0 = time.perf_counter()
    animate.animate_scene(still, out, out.with_suffix(".json"), settings, runtime={}, attempt=1)
    return time.perf_counter() - t0, watch.stop()


def ssim(clip: Path, reference: Path) -> float:
    proc = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", clip, "-i", reference, "-lavfi", "ssim",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)  # fmt: skip
    return float(re.search(r"All:([0-9.]+)", proc.stderr).group(1))


def main() -> None:
    args = parse_args(__doc__)
    picture = template_still()
    n_frames = int(round(args.seconds * FPS))
    kept = ffmpeg.MAX_LOOKAHEAD_FRAMES
    runs: dict[int, list[tuple[float, float]]] = {la: [] for la in LOOKAHEADS}
    with tempfile.TemporaryDirectory() as tmp:
        still, reference = Path(tmp) / "still.png", Path(tmp) / "reference.mp4"
        write_image(picture, still)
        try:
            encode(still, scene_long_settings(n_frames, crf=1), reference, max(LOOKAHEADS))
            clips = {la: Path(tmp) / f"lookahead {la}.mp4" for la in LOOKAHEADS}
            for _ in range(args.repeat):
                for la in LOOKAHEADS:
                    runs[la].append(encode(still, scene_long_settings(n_frames), clips[la], la))
        finally:
            ffmpeg.MAX_LOOKAHEAD_FRAMES = kept
        rows = {la: (min(t for t, _ in got), max(m for _, m in got), clips[la].stat().st_size / 1024,
                     ssim(clips[la], reference)) for la in LOOKAHEADS for got in [runs[la]]}  # fmt: skip
    base = rows[LOOKAHEADS[0]]
    print(f"\n{'look-ahead':<12}{'encoder MB':>12}{'÷':>7}{'wall s':>9}{'÷':>7}{'size KB':>10}{'÷':>7}{'SSIM':>9}")
    for la, (wall, peak, size, score) in rows.items():
        print(f"{la:<12}{peak:>12.0f}{peak / base[1]:>7.2f}{wall:>9.2f}{wall / base[0]:>7.2f}"
              f"{size:>10.0f}{size / base[2]:>7.3f}{score:>9.5f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
