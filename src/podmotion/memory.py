"""How much memory each job holds at its peak, in MB, before it runs: what Snakemake schedules against.

Every rule declares ``resources: mem_mb`` from one of the ``*_mb`` functions below (through thin adapters in
workflow/rules/common.smk). Running locally, the workflow gives Snakemake the machine's total less a margin
(``machine_mem_mb``), so it never starts more jobs than fit; on a cluster, the SLURM executor asks for each job's
figure. The figures are upper bounds built from what a job holds:

- its Python (the script's interpreter, Snakemake's preamble, numpy, OpenCV, PyAV);
- an x264 encoder (``encoder_mb``): mostly its look-ahead frames, capped in ``podmotion.ffmpeg``;
- a threaded H.264 decoder's frame pool (``decoder_mb``);
- the RGB frames the job's own code keeps (``frame_mb`` each);
- for detection, a few facts per source frame (its luma grid is on disk: ``podmotion.slides.Signatures``).

tests/test_memory.py runs a 1080p episode through the real workflow and holds every job's measured peak
(the ``max_rss`` of its Snakemake benchmark file) against what its rule declared.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

PYTHON_MB = 120  # a job's interpreter with its libraries and Snakemake's preamble: about 100 MB measured
ENCODER_MB = 40  # an ffmpeg process and its input queue, before frames
ENCODER_MB_PER_MPIXEL = 190  # x264 (20 frames' look-ahead, 2 threads): 430 MB measured at 1080p
DECODER_MB_PER_MPIXEL = 30  # a frame-threaded H.264 decoder's pool of reference and output frames
FRAME_INDEX_BYTES = 1200  # detection, per source frame: its packet's facts and index entries (its grid is on disk)
DEPTH_MODEL_MB = 900  # PyTorch and transformers imported, Depth Anything V2 Small's weights and activations
PARALLAX_LAYERS_FRAMES = 40  # up to four layers: colour, planes oversampled, alphas (423 MB measured at 1080p)
I2V_HOST_MB = 16000  # an svd, wan or ltx job: the model's weights pass through host memory to the GPU
ROUND_MB = 50
MIN_MARGIN_MB = 1024  # left to the system and to Snakemake itself ...
MARGIN_SHARE = 0.1  # ... or this share of the machine, whichever is more


def _mpixels(width: int, height: int) -> float:
    return width * height / 1e6


def _rounded(mb: float) -> int:
    return int(math.ceil(mb / ROUND_MB) * ROUND_MB)


def frame_mb(width: int, height: int) -> float:
    """One RGB frame (uint8)."""
    return width * height * 3 / 2**20


def encoder_mb(width: int, height: int) -> float:
    """An ffmpeg x264 encode at ``width`` x ``height``, frames piped in as RGB."""
    return ENCODER_MB + ENCODER_MB_PER_MPIXEL * _mpixels(width, height) + 4 * frame_mb(width, height)


def decoder_mb(width: int, height: int) -> float:
    """Decoding an H.264 stream of ``width`` x ``height`` to RGB frames one at a time."""
    return DECODER_MB_PER_MPIXEL * _mpixels(width, height) + 2 * frame_mb(width, height)


def detect_mb(width: int, height: int, n_frames: int) -> int:
    """Scene detection of a ``n_frames`` source: each frame's packet facts and the slot of its luma grid (the grids
    themselves are written to a scratch file, ``podmotion.slides``), and a handful of whole frames for the layout
    and the stills."""
    index_mb = n_frames * FRAME_INDEX_BYTES / 2**20
    return _rounded(PYTHON_MB + decoder_mb(width, height) + 12 * frame_mb(width, height) + index_mb)


def collect_mb(width: int, height: int) -> int:
    """Collecting a topic's scenes: its pictures (scaled to at most ``width`` x ``height``), one at a time, and the
    narration joined by ffmpeg."""
    return _rounded(PYTHON_MB + 100 + 8 * frame_mb(width, height))


def animate_mb(width: int, height: int, still_width: int, still_height: int, *, generated: bool,
               depth: bool = False) -> int:  # fmt: skip
    """One scene's clip at ``width`` x ``height`` from a ``still_width`` x ``still_height`` still: an
    image-to-video model's weights, or a camera move rendered and encoded frame by frame (``depth``: moved through
    the picture's depth, its layers held ready; the depth itself is the depth job's)."""
    if generated:
        return I2V_HOST_MB
    still = 4 * frame_mb(still_width, still_height)  # the still, upright, its padded and float copies
    layers = PARALLAX_LAYERS_FRAMES * frame_mb(still_width, still_height) if depth else 0
    return _rounded(PYTHON_MB + encoder_mb(width, height) + still + 6 * frame_mb(width, height) + layers)


def depth_mb(still_width: int, still_height: int) -> int:
    """A scene's depth: the depth model on the CPU (PyTorch, the weights, the activations at 518 px) and the
    still with its depth in float."""
    return _rounded(PYTHON_MB + DEPTH_MODEL_MB + 6 * frame_mb(still_width, still_height))


def pad_mb(width: int, height: int, clip_width: int, clip_height: int) -> int:
    """Padding a clip to ``width`` x ``height``: decoded a frame at a time, fitted, interpolated between two
    frames (their float copies and the flow fields), encoded."""
    interpolation = 12 * frame_mb(width, height)  # two frames in float32, two warps, the sampling grid, flows
    # A clip is decoded while it is encoded (streamed), or first spilled to a scratch file and interpolated, then
    # encoded: the decoder or the interpolation, never both, beside the encoder.
    held = max(decoder_mb(clip_width, clip_height), interpolation)
    return _rounded(PYTHON_MB + encoder_mb(width, height) + held)


def live_mb(width: int, height: int, source_width: int, source_height: int) -> int:
    """A still scene's live regions: the padded scene and the source decoded side by side, one encode."""
    return _rounded(PYTHON_MB + decoder_mb(width, height) + decoder_mb(source_width, source_height)
                    + encoder_mb(width, height) + 4 * frame_mb(width, height))  # fmt: skip


def footage_mb(width: int, height: int, source_width: int, source_height: int) -> int:
    """A footage scene, decoded from the source and encoded once at the output's size."""
    return _rounded(PYTHON_MB + decoder_mb(source_width, source_height) + encoder_mb(width, height)
                    + 4 * frame_mb(width, height))  # fmt: skip


def card_mb(width: int, height: int, still_width: int, still_height: int) -> int:
    """A scene's report card: its still and the clip decoded a frame at a time, eight small tiles kept."""
    return _rounded(PYTHON_MB + decoder_mb(width, height) + 4 * frame_mb(still_width, still_height))


def estimate_mb(still_width: int, still_height: int) -> int:
    """An episode's cloud estimate: each cloud scene's still read and shaped for its provider, one at a time."""
    return _rounded(PYTHON_MB + 6 * frame_mb(still_width, still_height))


REPORT_MB_PER_SCENE = 6  # each scene's card, preview and their base64 text, held while the pages are written


def report_mb(width: int, height: int, still_width: int, still_height: int, n_scenes: int = 120) -> int:
    """The episode's report: each scene's card made (``card_mb``) and its short preview decoded and encoded
    small, one scene at a time, then the pages, which hold every scene's embedded pictures and previews (a
    60-minute, 114-scene episode peaked at 909 MB)."""
    cards = card_mb(width, height, still_width, still_height) - PYTHON_MB
    return _rounded(PYTHON_MB + max(cards, 2 * decoder_mb(width, height)) + 200 + REPORT_MB_PER_SCENE * n_scenes)


def stream_copy_mb() -> int:
    """Joining, muxing, summarising: packets copied, nothing decoded whole."""
    return _rounded(PYTHON_MB + 120)


def source_size_and_frames(path: str | os.PathLike) -> tuple[int, int, int]:
    """A video's coded width, height and frame count (from its index or duration), read cheaply from its
    header; (1920, 1080, 0) when it can't be read (the job itself reports why)."""
    import av.logging

    from .media import open_media

    if not Path(path).is_file():
        return 1920, 1080, 0
    try:
        # FFmpeg's own complaints about a broken file are captured, not printed: this runs while Snakemake plans,
        # and detection names the problem in one line when it runs.
        with av.logging.Capture(), open_media(path) as container:
            video = container.streams.video[0]
            n_frames = video.frames
            if not n_frames and video.average_rate and container.duration:
                n_frames = int(container.duration / 1_000_000 * video.average_rate) + 1
            return video.codec_context.width, video.codec_context.height, int(n_frames or 0)
    except Exception:  # noqa: BLE001 (an unreadable source: detection names the problem)
        return 1920, 1080, 0


def _cgroup_limit_bytes() -> int | None:
    """The memory limit of this process's cgroup (v2, then v1), if it has one."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:
            return int(text)
    return None


def machine_mem_mb() -> int:
    """What the jobs together may hold on this machine: its memory (or its cgroup's limit, if lower) less a
    margin for the system and Snakemake, ``MARGIN_SHARE`` of it and at least ``MIN_MARGIN_MB``."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit = _cgroup_limit_bytes()
    if limit is not None:
        total = min(total, limit)
    total_mb = total // 2**20
    return int(max(ROUND_MB, total_mb - max(MIN_MARGIN_MB, MARGIN_SHARE * total_mb)))
