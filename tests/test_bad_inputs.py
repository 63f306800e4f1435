"""Real-world odd files and faults (issue 9): each gets one line naming the file and the problem, or works.

Every case asserts the outcome a user sees: the exit status or error line, what is left on disk, and for the
cases that work, durations, cuts and audio as the end-to-end tests do.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import E2E_CUTS, E2E_FRAMES, Workflow
from measure import audio_packet_md5, video_facts

from podmotion.errors import PodmotionError

OLD_FFMPEG = """#!/bin/sh
# Debian 12's ffmpeg as far as a version check can tell; anything else it is asked to do fails loudly.
if [ "$1" = "-version" ]; then echo "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers"; exit 0; fi
echo "the old ffmpeg on PATH ran: $*" >&2
exit 1
"""


@pytest.fixture
def old_ffmpeg_dir(tmp_path) -> Path:
    folder = tmp_path / "old-bin"
    folder.mkdir()
    exe = folder / "ffmpeg"
    exe.write_text(OLD_FFMPEG)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def _exe_in_fresh_process(env: dict) -> subprocess.CompletedProcess:
    code = "from podmotion.ffmpeg import ffmpeg_exe\nprint(ffmpeg_exe())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env})


def test_the_pinned_ffmpeg_wins_over_an_old_one_on_path(old_ffmpeg_dir):
    proc = _exe_in_fresh_process({"PATH": f"{old_ffmpeg_dir}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == imageio_ffmpeg.get_ffmpeg_exe()


def test_an_old_ffmpeg_asked_for_is_refused_in_one_line(old_ffmpeg_dir):
    from podmotion.ffmpeg import MIN_VERSION, ffmpeg_version

    assert ffmpeg_version(str(old_ffmpeg_dir / "ffmpeg")) == (5, 1) < MIN_VERSION
    env = {"PATH": f"{old_ffmpeg_dir}{os.pathsep}{os.environ['PATH']}", "PODMOTION_FFMPEG": "ffmpeg"}
    proc = _exe_in_fresh_process(env)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.endswith(f"{old_ffmpeg_dir / 'ffmpeg'}: ffmpeg 5.1 is too old: podmotion needs 6.1 or newer "
                         "(unset PODMOTION_FFMPEG to use the pinned one)"), last  # fmt: skip


def test_a_recent_ffmpeg_asked_for_is_used():
    proc = _exe_in_fresh_process({"PODMOTION_FFMPEG": imageio_ffmpeg.get_ffmpeg_exe()})
    assert proc.returncode == 0 and proc.stdout.strip() == imageio_ffmpeg.get_ffmpeg_exe()


def test_something_that_is_not_ffmpeg_is_refused(tmp_path):
    with pytest.raises(PodmotionError, match=r"/true: is not an ffmpeg binary"):
        from podmotion.ffmpeg import ffmpeg_version

        ffmpeg_version("/bin/true")


def test_a_whole_run_with_an_old_ffmpeg_first_on_path(podcast5, old_ffmpeg_dir, tmp_path):
    """The fake old ffmpeg fails whatever it is asked: the run only passes if nothing reached it."""
    source, _truth = podcast5
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    wf.run(env={"PATH": f"{old_ffmpeg_dir}{os.pathsep}{os.environ['PATH']}"})
    out = wf.result("ep", "ep_animated.mp4")
    rows = wf.result("ep", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    assert [int(r.split(",")[1]) for r in rows][1:] == E2E_CUTS
    assert abs(video_facts(out)["duration_s"] - E2E_FRAMES / 25) <= 1 / 25
    assert audio_packet_md5(out) == audio_packet_md5(source)


@pytest.mark.parametrize("rate", ["24000/1001", "30000/1001", "60000/1001", "25", "12.5"])
def test_a_constant_rate_mkv_keeps_its_true_rate(tmp_path, rate):
    """MKV stores times in whole milliseconds: 29.97 fps spacings read 33 or 34 ms, which is not variable rate."""
    from fractions import Fraction

    from podmotion.ffmpeg import run
    from podmotion.media import probe

    mp4, mkv = tmp_path / "src.mp4", tmp_path / "src.mkv"
    run(["-v", "error", "-f", "lavfi", "-i", f"testsrc=size=160x90:rate={rate}", "-t", "6", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", mp4], about=mp4)  # fmt: skip
    run(["-v", "error", "-i", mp4, "-c", "copy", mkv], about=mkv)
    for path in (mp4, mkv):
        info = probe(path)
        assert (info.fps_fraction, info.is_vfr) == (Fraction(rate), False), (path.name, info.fps)


def _rgba_and_palette_pngs(folder: Path) -> list[Path]:
    """Red where opaque, transparent on the right half; what is stored under the transparency is blue."""
    import cv2
    from PIL import Image

    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[..., 0] = 255  # BGR: blue under everything
    rgba[:, :15] = (0, 0, 255, 255)  # opaque red on the left
    cv2.imwrite(str(folder / "rgba.png"), rgba)
    palette = Image.new("P", (30, 20))
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)  # index 0 red, index 1 blue (transparent)
    palette.paste(1, (15, 0, 30, 20))
    palette.save(folder / "palette.png", transparency=1)
    return [folder / "rgba.png", folder / "palette.png"]


def test_transparent_pixels_show_the_background_colour_with_a_warning(tmp_path, caplog):
    from podmotion.media import read_image

    for path in _rgba_and_palette_pngs(tmp_path):
        caplog.clear()
        rgb = read_image(path, (0, 200, 0))
        assert rgb[0, 0].tolist() == [255, 0, 0] and rgb[0, 29].tolist() == [0, 200, 0], path.name
        assert [r.getMessage() for r in caplog.records] == [
            f"{path}: has transparent pixels: shown over the background colour #00c800"]


def test_a_bad_colour_is_one_line():
    from podmotion.media import parse_colour

    assert parse_colour("#FF8000") == (255, 128, 0)
    with pytest.raises(PodmotionError, match=r"^config.yaml: colour 'orange' is not of the form #rrggbb$"):
        parse_colour("orange", about="config.yaml")


def _truncated_source(folder: Path) -> tuple[Path, Path]:
    """A 9 s podcast written with its index first (+faststart), then cut to its first 40% of bytes."""
    from fractions import Fraction

    from synth import make_podcast

    from podmotion.ffmpeg import run

    whole, faststart, cut = folder / "whole.mp4", folder / "faststart.mp4", folder / "half downloaded.mp4"
    make_podcast(whole, [50, 120], 225, fps=Fraction(25))
    run(["-v", "error", "-i", whole, "-c", "copy", "-movflags", "+faststart", faststart], about=faststart)
    data = faststart.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.4)])
    return faststart, cut


def test_a_truncated_download_is_built_to_its_real_end_with_a_warning(tmp_path):
    from podmotion.media import probe, stream_ends_s

    whole, cut = _truncated_source(tmp_path)
    assert probe(whole).declared_duration_s is None and probe(whole).duration_s == 9.0
    ends = stream_ends_s(cut, [0, 1])
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(cut)}, "animate": {"backend": "kenburns"}})
    proc = wf.run()
    real_end_s = max(ends.values())
    assert real_end_s < 6
    log = proc.stdout + proc.stderr + "".join(p.read_text() for p in (wf.workdir / "logs").rglob("*.log"))
    assert f"{cut}: the file ends early (cut short?): picture ends at {ends[0]:.3f} s, sound at {ends[1]:.3f} s, " \
           f"but the container says 9.000 s; building up to {real_end_s:.3f} s" in log  # fmt: skip
    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert abs(facts["duration_s"] - real_end_s) <= 1 / 25, facts  # no silent tail held to 9 s
    assert audio_packet_md5(out) == audio_packet_md5(cut)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 300 KB tmpfs: too small for an episode's scene folder. Needs root (mount); skipped elsewhere."""
    mount_point = tmp_path / "tiny disk"
    mount_point.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount_point)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_a_full_disk_is_one_line_and_leaves_nothing_finished(podcast5, tiny_disk, tmp_path):
    source, _ = podcast5
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    (wf.workdir / "results").symlink_to(tiny_disk, target_is_directory=True)
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    proc = wf.run(check=False)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR podmotion")]
    assert errors == ["ERROR podmotion: results/ep/scenes: no space left on the device: free some space, then run the "
                      "same command again"], proc.stderr[-3000:]  # fmt: skip
    assert "Traceback" not in proc.stderr and "Traceback" not in (wf.workdir / "logs/detect_scenes/ep.log").read_text()
    assert [p for p in tiny_disk.rglob("*")] == []  # no scene folder, no hidden partial


def _verify(source: Path, output: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "podmotion.verify", str(source), str(output)], capture_output=True,
                          text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_verify_says_none_for_a_source_without_audio(tmp_path):
    from fractions import Fraction

    from synth import make_podcast

    silent = tmp_path / "silent.mp4"
    make_podcast(silent, [20], 50, fps=Fraction(25), audio=None)
    assert audio_packet_md5(silent) is None
    assert "audio: none in the source, none in the output" in _verify(silent, silent)


def test_verify_compares_a_truncated_source_with_what_is_there(tmp_path):
    from podmotion.media import probe

    _whole, cut = _truncated_source(tmp_path)
    real = probe(cut).duration_s
    report = _verify(cut, cut)
    assert f"source: ends early at {real:.3f} s, though its container says 9.000 s" in report
    assert f"duration: {real:.3f} s vs source {real:.3f} s (+0.0 ms" in report
    assert "audio packets identical to the source: yes" in report


def test_a_missing_or_unreadable_source_fails_alone(podcast5, tmp_path):
    source, _ = podcast5
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"this is not a video" * 100)
    missing = tmp_path / "never downloaded.mp4"
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"good": str(source), "gone": str(missing), "bad": str(garbage)},
                      "animate": {"backend": "kenburns"}})  # fmt: skip
    proc = wf.run(check=False)
    assert proc.returncode != 0  # the run still says something failed ...
    out = wf.result("good", "good_animated.mp4")
    assert abs(video_facts(out)["duration_s"] - E2E_FRAMES / 25) <= 1 / 25  # ... after building the good one
    assert audio_packet_md5(out) == audio_packet_md5(source)
    # each job's one line; a parallel job's FFmpeg may have begun a line of its own on the console first
    errors = sorted(ln[ln.index("ERROR podmotion"):] for ln in proc.stderr.splitlines() if "ERROR podmotion" in ln)
    assert errors[0].startswith(f"ERROR podmotion: {garbage}: not a readable media file"), errors
    assert errors[1:] == [f"ERROR podmotion: {missing}: file not found"], (errors, proc.stderr[-3000:])
    assert f"podcasts: gone: {missing}: file not found; this episode will fail, the others are built" in proc.stderr
    assert not wf.result("gone").exists() or not any(wf.result("gone").iterdir())
    assert not wf.result("bad", "scenes").exists()
    # Nothing temporary is left beside the finished episode, though the run failed elsewhere.
    assert sorted(p.name for p in wf.result("good").iterdir() if p.is_file()) == ["chapters.txt", "good_animated.mp4",
                                                                                 "summary.json"]  # fmt: skip
    # The run's last lines: the finished episode's summary, and the two that did not finish.
    assert "podmotion: good: 5 scenes" in proc.stderr
    # ... each with why: its failed job's one line
    assert (f"podmotion: gone: not finished (no results/gone/gone_animated.mp4): detect_scenes: {missing}: "
            "file not found") in proc.stderr  # fmt: skip
    assert (f"podmotion: bad: not finished (no results/bad/bad_animated.mp4): detect_scenes: {garbage}: "
            "not a readable media file") in proc.stderr  # fmt: skip


@pytest.mark.parametrize(("width", "height", "fps", "level"), [
    (320, 180, 25, "3.0"), (1280, 720, 30, "3.1"), (1920, 1080, 30, "4.0"), (1920, 1280, 25, "5.0"),
    (1920, 1080, 60, "4.2"), (3840, 2160, 30, "5.1"), (3840, 2160, 60, "5.2"), (8192, 4320, 30, "6.0"),
])  # fmt: skip
def test_the_h264_level_fits_the_size_and_rate(width, height, fps, level):
    from podmotion.ffmpeg import h264_level

    assert h264_level(width, height, fps) == level


def test_a_size_beyond_h264_is_one_line():
    from podmotion.ffmpeg import h264_level

    with pytest.raises(PodmotionError, match=r"^output 8192x8192 at 25 fps is beyond H.264 level 6.2: set output"):
        h264_level(8192, 8192, 25)


def test_a_large_source_is_capped_on_its_long_side():
    from podmotion.episode import output_settings
    from podmotion.media import SourceInfo

    uhd = SourceInfo(path="uhd.mp4", width=3840, height=2160, sample_aspect_ratio="1/1", rotation_deg=0,
                     display_width=3840, display_height=2160, fps="30/1", is_vfr=False, duration_s=10.0,
                     has_audio=True, audio_codec="aac")  # fmt: skip
    capped = output_settings({"max_long_side_px": 1920}, uhd)
    assert (capped.width, capped.height, capped.encoder.level) == (1920, 1080, "4.0")
    full = output_settings({"max_long_side_px": None}, uhd)
    assert (full.width, full.height, full.encoder.level) == (3840, 2160, "5.1")
    portrait = output_settings({"max_long_side_px": 1280}, SourceInfo(**{**uhd.__dict__, "display_width": 2160,
                                                                        "display_height": 3840}))  # fmt: skip
    assert (portrait.width, portrait.height) == (720, 1280)


def test_a_huge_and_a_transparent_image_make_a_sane_topic(tmp_path):
    """A 12000x8000 image is scaled down as it is read; an RGBA image is shown over output.background."""
    import av
    import cv2
    from synth import tone, write_wav

    images, audio = tmp_path / "images", tmp_path / "audio"
    images.mkdir()
    audio.mkdir()
    ramp = np.linspace(0, 255, 12000, dtype=np.float32)
    huge = np.ascontiguousarray(np.dstack([np.broadcast_to(ramp, (8000, 12000)).astype(np.uint8)] * 3))
    cv2.rectangle(huge, (3000, 2000), (9000, 6000), (30, 90, 200), -1)
    cv2.imwrite(str(images / "scene_01.png"), huge)
    del huge, ramp
    rgba = np.zeros((360, 640, 4), np.uint8)
    rgba[..., :3] = (255, 0, 0)  # BGR: blue stored under the transparent half
    rgba[:, :320] = (0, 0, 255, 255)  # opaque red on the left
    cv2.imwrite(str(images / "scene_02.png"), rgba)
    for k in (1, 2):
        write_wav(tone([300.0 * k], [], 1.0), audio / f"scene_0{k}.wav")
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {}, "topics": {"t": {"images": str(images), "audio": str(audio)}},
                      "animate": {"backend": "still"}, "output": {"preset": "veryfast", "background": "#00ff00"}})  # fmt: skip
    proc = wf.run()
    assert f"{images / 'scene_02.png'}: has transparent pixels: shown over the background colour #00ff00" in proc.stderr
    out = wf.result("t", "t_animated.mp4")
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1920, 1280)  # 12000x8000 scaled by 0.16
        assert stream.codec_context.level == 50  # level 5.0 holds 1920x1280 at 25 fps; 4.2 does not
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == 50
    for name in ("scene_01.png", "scene_02.png"):
        assert max(cv2.imread(str(wf.result("t", "scenes", name))).shape[:2]) <= 1920
    second = frames[40]  # scene 2 (640x360) covers the 1920x1280 frame (pad.fit: cover): red left, green right
    mid_y = second.shape[0] // 2
    assert np.abs(second[mid_y, 200].astype(int) - (255, 0, 0)).max() < 40, second[mid_y, 200]
    assert np.abs(second[mid_y, 1700].astype(int) - (0, 255, 0)).max() < 40, second[mid_y, 1700]


SRT = "1\n00:00:00,500 --> 00:00:02,000\nHello there\n\n2\n00:00:03,000 --> 00:00:05,000\nSecond line\n"


def _subtitle_packets(path: Path) -> list[list[tuple[float, int]]]:
    """Per subtitle stream, (start in seconds, size) of each cue packet."""
    import av

    with av.open(str(path)) as container:
        streams = [s for s in container.streams if s.type == "subtitle"]
        cues: dict[int, list] = {s.index: [] for s in streams}
        for packet in container.demux(*streams):
            if packet.pts is not None and packet.size:
                cues[packet.stream.index].append((round(float(packet.pts * packet.time_base), 3), packet.size))
        return [cues[s.index] for s in streams]


def test_subtitles_and_fonts_are_carried_or_named(podcast5, tmp_path):
    from podmotion.ffmpeg import run
    from podmotion.media import probe

    source, _ = podcast5
    srt, font = tmp_path / "cues.srt", tmp_path / "Show Font.ttf"
    srt.write_text(SRT)
    font.write_bytes(b"\x00\x01\x00\x00" + bytes(range(256)) * 8)  # a font file as far as MKV is concerned
    with_srt, with_ass = tmp_path / "with srt.mp4", tmp_path / "with ass.mkv"
    run(["-v", "error", "-i", source, "-i", srt, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text", with_srt],
        about=with_srt)  # fmt: skip
    run(["-v", "error", "-i", source, "-i", srt, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "ass",
         "-attach", font, "-metadata:s:t", "mimetype=font/ttf", with_ass], about=with_ass)  # fmt: skip
    assert probe(with_ass).subtitle_codecs and probe(with_ass).attachments == 1
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"srt": str(with_srt), "ass": str(with_ass)}, "animate": {"backend": "still"}})
    proc = wf.run()
    assert f"{with_ass}: 1 attachment(s) (fonts) cannot go into MP4: left out (output.container: mkv keeps them)" \
        in proc.stderr  # fmt: skip
    for name in ("srt", "ass"):
        out = wf.result(name, f"{name}_animated.mp4")
        (cues,) = _subtitle_packets(out)
        # The source's times, not the scenes' (mov_text fills the gaps with 2-byte empty samples).
        assert [start for start, size in cues if size > 2] == [0.5, 3.0], (name, cues)
        assert probe(out).subtitle_codecs == ["mov_text"]
        assert audio_packet_md5(out) == audio_packet_md5(source)
    assert _subtitle_packets(wf.result("srt", "srt_animated.mp4")) == _subtitle_packets(with_srt)
    wf.config["output"]["container"] = "mkv"
    wf.run()
    out = wf.result("ass", "ass_animated.mkv")
    assert probe(out).subtitle_codecs == probe(with_ass).subtitle_codecs and probe(out).attachments == 1
    assert _subtitle_packets(out) == _subtitle_packets(with_ass)  # every cue, as it was
    assert abs(probe(out).duration_s - probe(with_ass).duration_s) <= 1 / 25
    assert audio_packet_md5(out) == audio_packet_md5(with_ass)


def test_only_text_subtitles_fit_in_mp4():
    from podmotion.ffmpeg import subtitle_plan

    kept, lost = subtitle_plan(["subrip", "dvd_subtitle", "ass", "hdmv_pgs_subtitle"], 0, "mp4")
    assert kept == [0, 2]
    assert lost == ["subtitle stream 1 (dvd_subtitle) cannot go into MP4: left out (output.container: mkv keeps it)",
                    "subtitle stream 3 (hdmv_pgs_subtitle) cannot go into MP4: left out (output.container: mkv keeps "
                    "it)"]  # fmt: skip
    assert subtitle_plan(["subrip", "dvd_subtitle"], 2, "mkv") == ([0, 1], [])


def test_one_scenes_clip_can_be_asked_for_before_detection(podcast5, tmp_path):
    source, _ = podcast5
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "still"}})
    wf.run("results/ep/clips/scene_002.mp4")  # was: MissingInputException, the still not being there yet
    assert sorted(p.name for p in wf.result("ep", "clips").glob("*.mp4")) == ["scene_002.mp4"]
    wf.run("results/ep/padded/scene_003.mp4")
    frames = video_facts(wf.result("ep", "padded", "scene_003.mp4"))["frames"]
    assert frames == E2E_CUTS[2] - E2E_CUTS[1]  # scene 3 runs from the second cut to the third


def test_a_video_only_source_that_starts_late_keeps_its_offset(tmp_path):
    import av
    from fractions import Fraction

    from synth import make_podcast

    from podmotion.ffmpeg import run

    plain, late = tmp_path / "plain.mp4", tmp_path / "late.mp4"
    make_podcast(plain, [40], 100, fps=Fraction(25), audio=None)
    run(["-v", "error", "-itsoffset", "1.075", "-i", plain, "-c", "copy", late], about=late)
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(late)}, "animate": {"backend": "still"}})
    wf.run()

    def first_frame_s(path: Path) -> float:
        with av.open(str(path)) as container:
            return float(next(container.decode(video=0)).time)

    out = wf.result("ep", "ep_animated.mp4")
    assert first_frame_s(late) == pytest.approx(1.075, abs=1e-3)
    assert first_frame_s(out) == pytest.approx(first_frame_s(late), abs=1e-3)  # was 0: the offset was lost
    assert video_facts(out)["frames"] == 100


def test_a_read_only_results_folder_stops_the_run_in_one_line(podcast5, tmp_path):
    source, _ = podcast5
    read_only = tmp_path / "read only"
    read_only.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(read_only)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {proc.stderr.decode().strip()}")
    try:
        wf = Workflow(tmp_path / "run")
        wf.workdir.mkdir()
        (wf.workdir / "results").symlink_to(read_only, target_is_directory=True)
        wf.config.update({"podcasts": {"ep": str(source)}})
        proc = wf.run("--dry-run", check=False)
    finally:
        subprocess.run(["umount", "-l", str(read_only)], check=True)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == "results: the file system is read-only: run from a folder on a " \
                                                   "writable disk"  # fmt: skip


# Odd files that already work, kept working: (name, ffmpeg arguments turning the base podcast into it).
# Each keeps the base's 300 frames at 25 fps and its cuts; the output must too, with the source's audio.
WORKING = {
    "rotated 90": ["-display_rotation", "90", "-i", "{base}", "-c", "copy"],
    "non-square pixels": ["-i", "{base}", "-c", "copy", "-bsf:v", "h264_metadata=sample_aspect_ratio=4/3"],
    "hevc 10-bit": ["-i", "{base}", "-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error",
                    "-c:a", "copy"],
    "vp9 opus webm": ["-i", "{base}", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
    "two audio streams": ["-i", "{base}", "-map", "0:v", "-map", "0:a", "-map", "0:a", "-c", "copy"],
    "odd size 4:4:4": ["-i", "{base}", "-vf", "scale=321:181", "-c:v", "libx264", "-pix_fmt", "yuv444p", "-c:a", "copy"],
    "hostile path": ["-i", "{base}", "-c", "copy"],
}  # fmt: skip
SUFFIX = {"vp9 opus webm": ".webm", "hostile path": " it's \"odd\" $(touch pwned) & ;.mp4"}


@pytest.mark.parametrize("case", sorted(WORKING))
def test_odd_files_that_work_keep_working(case, podcast5, tmp_path):
    from podmotion.ffmpeg import run

    base, _ = podcast5
    source = tmp_path / f"source{SUFFIX.get(case, '.mp4')}"
    run(["-v", "error", *[str(base) if a == "{base}" else a for a in WORKING[case]], source], about=source)
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "still"}})
    wf.run()
    rows = wf.result("ep", "scenes", "timestamps.csv").read_text().splitlines()[1:]
    assert [int(r.split(",")[1]) for r in rows][1:] == E2E_CUTS
    out = wf.result("ep", "ep_animated.mp4")
    facts = video_facts(out)
    assert facts["frames"] == E2E_FRAMES and abs(facts["duration_s"] - E2E_FRAMES / 25) <= 1 / 25, facts
    if case != "vp9 opus webm":  # opus in WebM becomes opus in MP4 packet for packet; the others are AAC as is
        assert audio_packet_md5(out) == audio_packet_md5(source)
    else:
        assert audio_packet_md5(out) is not None
    assert not list(tmp_path.rglob("pwned")) and not list(wf.workdir.rglob("pwned"))  # no shell ever saw a path


@pytest.mark.parametrize(("frames", "name"), [(1, "single frame"), (25, "one second")])
def test_very_short_videos(frames, name, tmp_path):
    from fractions import Fraction

    from synth import make_podcast

    source = tmp_path / f"{name}.mp4"
    make_podcast(source, [], frames, fps=Fraction(25))
    wf = Workflow(tmp_path / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    wf.run()
    out = wf.result("ep", "ep_animated.mp4")
    assert video_facts(out)["frames"] == frames
    assert audio_packet_md5(out) == audio_packet_md5(source)


@pytest.mark.parametrize(("error", "line"), [
    (PermissionError(13, "Permission denied", "results/ep/scenes"),
     "results/ep/scenes: permission denied: make it writable for you, or run from a folder you can write to"),
    (OSError(28, "No space left on device"),
     "results/ep/clips/scene_001.mp4: no space left on the device: free some space, then run the same command again"),
    (OSError(27, "File too large"),
     "results/ep/clips/scene_001.mp4: file too large for this file system or the file size limit (ulimit -f)"),
])  # fmt: skip
def test_os_errors_are_one_line_naming_the_path(error, line):
    """Root ignores permission bits, so EACCES is shown here from the error itself; the full disk runs for real above."""
    from podmotion.errors import from_os_error

    assert str(from_os_error(error, "results/ep/clips/scene_001.mp4")) == line
