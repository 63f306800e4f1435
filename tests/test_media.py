"""Probing: display size (aspect ratio, rotation), rate, audio; bad inputs give one line."""

from fractions import Fraction

import av
import numpy as np
import pytest
from synth import make_podcast

from podmotion.errors import PodmotionError
from podmotion.ffmpeg import run
from podmotion.media import constant_rate, display_size, probe


def test_display_size_applies_aspect_ratio_then_rotation():
    assert display_size(720, 480, Fraction(32, 27), 0) == (854, 480)  # anamorphic NTSC 16:9
    assert display_size(1920, 1080, Fraction(1), 90) == (1080, 1920)
    assert display_size(1920, 1080, Fraction(1), 180) == (1920, 1080)


def test_variable_rate_gets_a_constant_rate():
    steady = [k / 25 for k in range(100)]
    assert constant_rate(steady, Fraction(25)) == (Fraction(25), False)
    assert constant_rate([k * 1001 / 30000 for k in range(50)], Fraction(30000, 1001)) == (Fraction(30000, 1001), False)
    one_dropped = [k / 25 for k in range(100) if k != 40]
    assert constant_rate(one_dropped, Fraction(25)) == (Fraction(25), False)
    uneven = [0.0, 0.05, 0.07, 0.12, 0.14, 0.19, 0.21]  # 20 ms and 50 ms gaps
    rate, vfr = constant_rate(uneven, Fraction(30))
    assert vfr and abs(float(rate) - 6 / 0.21) < 0.01


def test_probe_reads_size_rate_duration_and_audio(tmp_path):
    path = tmp_path / "p.mp4"
    make_podcast(path, [10], 50, width=160, height=90, fps=Fraction(25))
    info = probe(path)
    assert (info.display_width, info.display_height, info.fps, info.is_vfr) == (160, 90, "25/1", False)
    assert info.has_audio and info.audio_codec == "aac"
    assert abs(info.duration_s - 2.0) < 0.05


def test_probe_honours_sample_aspect_ratio_and_rotation(tmp_path):
    src = tmp_path / "p.mp4"
    make_podcast(src, [10], 20, width=160, height=96, audio=None)
    anamorphic = tmp_path / "sar.mp4"
    run(["-i", src, "-c", "copy", "-bsf:v", "h264_metadata=sample_aspect_ratio=2/1", anamorphic], about=anamorphic)
    assert (probe(anamorphic).display_width, probe(anamorphic).display_height) == (320, 96)
    rotated = tmp_path / "rot.mp4"
    run(["-display_rotation", "90", "-i", src, "-c", "copy", rotated], about=rotated)
    info = probe(rotated)
    assert info.rotation_deg in (90, 270)
    assert (info.display_width, info.display_height) == (96, 160)


def test_probe_of_a_variable_rate_file(tmp_path):
    path = tmp_path / "vfr.mkv"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        t = 0
        for i in range(60):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 4, np.uint8), format="rgb24")
            frame.pts, frame.time_base = t, Fraction(1, 1000)
            t += 20 if i % 2 else 50  # alternating 50 and 20 fps
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    info = probe(path)
    assert info.is_vfr
    assert 25 <= float(Fraction(info.fps)) <= 32


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "file not found"), (b"hello\n", "not a readable media file"), ("audio", "no video stream")],
)
def test_bad_inputs_are_one_line_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "in put.mp4"
    if content == "audio":
        from synth import tone, write_wav

        wav = tmp_path / "a.wav"
        write_wav(tone([440.0], [], 0.5), wav)
        run(["-i", wav, "-c:a", "aac", path], about=path)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(PodmotionError) as err:
        probe(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_a_colon_in_a_relative_path_is_a_file_not_a_protocol(tmp_path, monkeypatch):
    make_podcast(tmp_path / "ep:1.mp4", [10], 20, width=64, height=64, audio=None)
    monkeypatch.chdir(tmp_path)
    assert probe("ep:1.mp4").display_width == 64
