"""Memory the scheduler can see: every rule declares mem_mb (podmotion.memory), and no job of a real 1080p run
holds more than its rule declared (the max_rss of its Snakemake benchmark file)."""

from __future__ import annotations

import csv
import re
from fractions import Fraction

import numpy as np
import pytest
from conftest import Workflow, tiny_svd_options
from footage import make_mixed_episode

from podmotion import memory
from podmotion.pad import RawFrames
from podmotion.ffmpeg import EncoderSettings

HD = (1920, 1080)
# Every rule a podcast episode runs; collect_scenes and combine_scene are the topics' (tests/test_topics.py runs them).
PODCAST_RULES = {"detect_scenes", "animate_scene", "pad_scene", "live_scene", "footage_scene", "concat", "mux",
                 "summarise", "episode_report"}  # fmt: skip


def test_declarations_grow_with_the_frame_and_detection_with_the_length():
    sd, hd = (640, 360), HD
    assert memory.pad_mb(*sd, *sd) < memory.pad_mb(*hd, *hd) <= 800
    assert memory.animate_mb(*sd, *sd, generated=False) < memory.animate_mb(*hd, *hd, generated=False)
    assert memory.animate_mb(*sd, *sd, generated=True) == memory.I2V_HOST_MB
    assert memory.card_mb(*hd, *hd) <= 300 and memory.estimate_mb(*hd) <= 300
    assert memory.report_mb(*hd, *hd, 19) < memory.report_mb(*hd, *hd, 114) <= 1300  # 114 scenes peaked at 909 MB
    hour, minute = 3600 * 30, 60 * 30
    assert memory.detect_mb(*hd, minute) < memory.detect_mb(*hd, hour) <= 500  # the grids on disk, not 1.5 GB
    assert all(v % memory.ROUND_MB == 0 for v in (memory.live_mb(*hd, *hd), memory.footage_mb(*hd, *hd)))


def test_the_machine_total_leaves_a_margin():
    import os

    physical_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    total = memory.machine_mem_mb()
    assert total <= physical_mb - memory.MIN_MARGIN_MB and total <= 0.9 * physical_mb + 1


def test_raw_frames_read_back_one_frame_at_a_time(tmp_path):
    frames = [np.full((4, 6, 3), k, np.uint8) for k in range(5)]
    path = tmp_path / "f.rgb"
    path.write_bytes(b"".join(f.tobytes() for f in frames))
    raw = RawFrames(path, 5, 4, 6)
    assert len(raw) == 5 and [int(raw[k][0, 0, 0]) for k in (0, 3, -1)] == [0, 3, 4]
    with pytest.raises(IndexError):
        raw[5]
    raw.close()


PAD_IN_A_PROCESS = """
import re, sys
from fractions import Fraction
from podmotion.ffmpeg import EncoderSettings
from podmotion.pad import pad_scene
pad_scene(sys.argv[1], sys.argv[2], n_frames=1500, width=1920, height=1080, fps=Fraction(25), clip_fps=Fraction(25),
          strategy="pingpong", fit="cover", encoder=EncoderSettings(30, "ultrafast", 120, "4.0"))
# this process's own peak (VmHWM): getrusage's ru_maxrss would count its parent's, from before the exec
print(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
"""


def test_a_long_padded_scene_keeps_its_frames_out_of_memory(tmp_path):
    """A 5 s clip padded to 60 s at 1080p: its frames go to a scratch file read back a frame at a time, so the
    padder's own memory (its Python process, ffmpeg aside) doesn't grow with the clip; a memory map of the
    scratch file would have held every frame it touched, 742 MB."""
    import subprocess
    import sys

    from podmotion.ffmpeg import encode_frames

    clip = tmp_path / "clip.mp4"
    base = np.random.default_rng(1).integers(0, 255, (HD[1], HD[0], 3), np.uint8)
    encode_frames((np.roll(base, 4 * k, axis=1) for k in range(125)), clip, width=HD[0], height=HD[1],
                  fps=Fraction(25), encoder=EncoderSettings(30, "ultrafast", 120, "4.0"))  # fmt: skip
    out = subprocess.run([sys.executable, "-c", PAD_IN_A_PROCESS, str(clip), str(tmp_path / "padded.mp4")],
                         capture_output=True, text=True, check=True)  # fmt: skip
    python_peak_mb = int(out.stdout.split()[-1]) / 1024
    assert python_peak_mb < 0.4 * 125 * memory.frame_mb(*HD), python_peak_mb


def job_blocks(log: str) -> list[tuple[str, str, int | None]]:
    """(rule, benchmark file, declared mem_mb) for every job a run's log shows."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", log):
        m = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block.strip())
        bench = re.search(r"benchmark: (\S+)", block)
        if not m or m.group(1) == "all":
            continue
        declared = re.search(r"\bmem_mb=(\d+)", block)
        jobs.append((m.group(1), bench.group(1) if bench else "", int(declared.group(1)) if declared else None))
    return jobs


@pytest.fixture(scope="module")
def hd_run(tmp_path_factory, tiny_svd):
    """A 1080p, 30 fps episode of footage and three slides under burned-in subtitles: scene 2 scene-long Ken Burns
    (passed on), scene 3 an 8-frame Ken Burns clip padded (spilled, encoded), scene 4 the tiny SVD's 64x64 clip
    interpolated at 1080p and drifting; every still scene's subtitles taken from the source (live_scene)."""
    folder = tmp_path_factory.mktemp("hd memory")
    source = folder / "hd.mp4"
    make_mixed_episode(source, [("footage", 45), ("slides", [90, 90, 90])], width=HD[0], height=HD[1],
                       fps=Fraction(30), subtitles_from_s=0.0)  # fmt: skip
    wf = Workflow(folder / "work")
    wf.workdir.mkdir()
    svd = {k: v for k, v in tiny_svd_options(tiny_svd).items() if k != "device"}
    wf.config = {"podcasts": {"ep": str(source)}, "output": {"preset": "medium"},
                 "animate": {"backend": "kenburns", "svd": svd},
                 "overrides": {"ep": {3: {"animate": {"kenburns": {"duration_s": 1.0}}},
                                      4: {"animate": {"backend": "svd"}}}}}  # fmt: skip
    proc = wf.run()
    return wf, proc


def test_every_rule_declares_its_memory_and_the_local_total_is_set(hd_run):
    wf, proc = hd_run
    jobs = job_blocks(proc.stderr + proc.stdout)
    assert {rule for rule, _, _ in jobs} == PODCAST_RULES, jobs
    assert [j for j in jobs if j[2] is None] == []
    total = re.search(r"Provided resources: .*mem_mb=Resource\(\"mem_mb\", (\d+)\)", proc.stderr + proc.stdout)
    assert total and int(total.group(1)) == memory.machine_mem_mb()


def test_no_job_holds_more_than_its_rule_declared(hd_run):
    wf, proc = hd_run
    over, peaks = [], {}
    for rule, bench, declared in job_blocks(proc.stderr + proc.stdout):
        rows = list(csv.DictReader((wf.workdir / bench).open(), delimiter="\t"))
        measured = float(rows[-1]["max_rss"] or 0)
        peaks[rule] = max(peaks.get(rule, 0.0), measured)
        if measured > declared:
            over.append((bench, measured, declared))
    print("peak MB by rule at 1080p:", {r: round(v) for r, v in sorted(peaks.items())})
    assert over == []
    assert peaks["pad_scene"] > 100 and peaks["animate_scene"] > 100  # sampled: these jobs ran long enough


GRIDS_IN_A_PROCESS = """
import re, sys
import numpy as np
from podmotion.slides import Signatures
sigs = Signatures(1920, 1080)
n = int(sys.argv[1])
rng = np.random.default_rng(0)
for k in range(n):
    sigs.by_frame[k] = rng.integers(0, 256, sigs.grid[::-1], np.uint8)
sigs.by_frame[7] = np.full(sigs.grid[::-1], 200, np.uint8)  # recorded again (an exact decode): its own slot
rng = np.random.default_rng(0)
wrong = sum(not np.array_equal(sigs.by_frame[k], rng.integers(0, 256, sigs.grid[::-1], np.uint8)) for k in range(n))
assert wrong == 1 and (sigs.by_frame[7] == 200).all() and sigs.by_frame[7].dtype == np.int16, wrong
assert len(sigs.by_frame) == n and 7 in sigs.by_frame and n not in sigs.by_frame
print(sigs.grid, re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
"""


def test_detection_keeps_its_grids_out_of_memory():
    """Detection's per-frame luma grids (an hour of 1080p: 1.5 GB) go to a scratch file read back a grid at a
    time: 20 minutes' worth (36,000 grids, 500 MB) leave the process's peak far below what they hold."""
    import subprocess
    import sys

    n = 36_000
    out = subprocess.run([sys.executable, "-c", GRIDS_IN_A_PROCESS, str(n)], capture_output=True, text=True,
                         check=True)  # fmt: skip
    grid_bytes = 160 * 90
    assert out.stdout.startswith("(160, 90)"), out.stdout
    python_peak_mb = int(out.stdout.split()[-1]) / 1024
    assert python_peak_mb < 0.3 * n * grid_bytes / 2**20, python_peak_mb
