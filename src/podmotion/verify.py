"""Check a finished episode against its source: cuts, duration, audio packets.

    python -m podmotion.verify SOURCE.mp4 OUTPUT.mp4 [--scenes results/NAME/scenes]

Prints the output's size, rate and frame count; the duration difference in ms;
whether the audio packets are identical to the source's (MD5 of a stream copy);
and where the picture cuts, in frames, next to the detected scene starts and
the scenes' kinds (still or footage).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from .errors import PodmotionError
from .ffmpeg import audio_packet_md5 as packet_md5
from .media import iter_frames_with_time, probe


def cut_frames(path: str | Path, threshold: float = 20.0) -> list[int]:
    """Frames where the picture changes abruptly (mean absolute difference to the previous frame > threshold)."""
    cuts, previous = [], None
    for index, (_, rgb) in enumerate(iter_frames_with_time(path)):
        current = rgb.astype(np.int16)
        if previous is not None and np.abs(current - previous).mean() > threshold:
            cuts.append(index)
        previous = current
    return cuts


def audio_packet_md5(path: str | Path) -> str | None:
    """MD5 of the first audio stream's packets, stream-copied; None without audio."""
    if not probe(path).has_audio:
        return None  # an optional map ("0:a:0?") matching nothing would hash the video instead
    return packet_md5(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check an animated episode against its source.")
    ap.add_argument("source")
    ap.add_argument("output")
    ap.add_argument("--scenes", help="the episode's scenes folder, to compare cuts with scene starts")
    args = ap.parse_args(argv)
    try:
        src, out = probe(args.source), probe(args.output)
        fps = out.fps_fraction
        frames = sum(1 for _ in iter_frames_with_time(args.output))
        print(f"output: {out.display_width}x{out.display_height} @ {out.fps} fps, {frames} frames")
        if src.declared_duration_s is not None:
            print(f"source: ends early at {src.duration_s:.3f} s, though its container says "
                  f"{src.declared_duration_s:.3f} s (cut short?): compared with what is there")  # fmt: skip
        drift_ms = (out.duration_s - src.duration_s) * 1000
        print(f"duration: {out.duration_s:.3f} s vs source {src.duration_s:.3f} s ({drift_ms:+.1f} ms; "
              f"one frame is {1000 / float(fps):.1f} ms)")  # fmt: skip
        src_md5, out_md5 = audio_packet_md5(args.source), audio_packet_md5(args.output)
        if src_md5 is None and out_md5 is None:
            print("audio: none in the source, none in the output")
        else:
            print(f"audio packets identical to the source: {'yes' if src_md5 == out_md5 else 'no'}")
        print(f"picture cuts at output frames: {cut_frames(args.output)}")
        if args.scenes:
            from .episode import Episode
            from .scene_folder import TIMESTAMPS_CSV

            if not (Path(args.scenes) / TIMESTAMPS_CSV).is_file():
                raise PodmotionError(args.scenes, f"no {TIMESTAMPS_CSV} here: pass results/NAME/scenes")
            ep = Episode.load(args.scenes, {"fps": str(fps), "width": out.display_width, "height": out.display_height})
            print(f"scene starts at output frames: {[ep.frame_ranges[s.scene][0] for s in ep.scenes[1:]]}")
            footage = [s.scene for s in ep.scenes if s.kind == "footage"]
            print(f"scene kinds as detected: {len(ep.scenes) - len(footage)} still, {len(footage)} footage"
                  + (f" (scenes {', '.join(map(str, footage))})" if footage else ""))  # fmt: skip
    except PodmotionError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
