"""Scene detection: the still is the sharpest frame of the scene's middle; no cuts means one scene."""

import logging
import re
from fractions import Fraction

import cv2
import numpy as np
import pytest
from synth import fast_encoder, make_podcast, scene_picture

from podmotion.detect import candidate_times, detect_to_folder
from podmotion.errors import PodmotionError
from podmotion.ffmpeg import EncoderSettings, encode_frames
from podmotion.media import read_image
from podmotion.scene_folder import Scene, SceneFolder


def test_candidates_avoid_the_first_frame():
    times = candidate_times(Scene(2, 50, 150, 2.0, 6.0), 5)
    assert times == [3.0, 3.5, 4.0, 4.5, 5.0]
    assert min(times) > 2.0


def test_still_is_the_sharpest_middle_frame_not_the_blurred_start(tmp_path):
    sharp_a, sharp_b = scene_picture(0, 192, 108), scene_picture(1, 192, 108)
    frames = [sharp_a] * 50
    # Scene 2 opens mid-transition (blurred blends of both pictures), then holds a
    # sharp picture, with blurred frames sprinkled through its middle.
    for i in range(6):
        mix = cv2.addWeighted(sharp_a, 0.5 - i / 12, sharp_b, 0.5 + i / 12, 0)
        frames.append(cv2.GaussianBlur(mix, (0, 0), 4))
    for i in range(94):
        frames.append(cv2.GaussianBlur(sharp_b, (0, 0), 3) if i % 3 else sharp_b)
    path = tmp_path / "v.mp4"
    encode_frames(frames, path, width=192, height=108, fps=Fraction(25), encoder=fast_encoder(crf=4))
    scenes = detect_to_folder(path, tmp_path / "scenes", detector="content", threshold=None, min_scene_len_s=0.5,
                              candidates=7)  # fmt: skip
    assert len(scenes) == 2 and 50 <= scenes[1].start_frame <= 56
    still = read_image(tmp_path / "scenes" / "scene_002.png").astype(float)
    err_sharp = np.abs(still - sharp_b).mean()
    err_blurred = np.abs(still - cv2.GaussianBlur(sharp_b, (0, 0), 3)).mean()
    err_first = np.abs(still - frames[50]).mean()  # the scene's first frame, mid-transition
    assert err_sharp < 5 and 2 * err_sharp < err_blurred and 2 * err_sharp < err_first, (err_sharp, err_blurred, err_first)


def test_a_video_without_cuts_is_one_scene_spanning_it_all(tmp_path):
    path = tmp_path / "one.mp4"
    truth = make_podcast(path, [], 60, width=128, height=72)
    scenes = detect_to_folder(path, tmp_path / "scenes", detector="content", threshold=None, min_scene_len_s=0.6,
                              candidates=3)  # fmt: skip
    assert [(s.scene, s.start_frame, s.end_frame) for s in scenes] == [(1, 0, 60)]
    assert abs(scenes[0].end_s - truth["duration_s"]) < 0.05
    assert SceneFolder(tmp_path / "scenes").scenes() == scenes


def test_a_failed_detection_leaves_no_folder(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(PodmotionError, match=rf"^{re.escape(str(bad))}: not a readable media file"):
        detect_to_folder(bad, tmp_path / "scenes", detector="content", threshold=None, min_scene_len_s=0.6,
                         candidates=3)  # fmt: skip
    assert not (tmp_path / "scenes").exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_stills_of_an_anamorphic_source_have_square_pixels(tmp_path):
    from podmotion.ffmpeg import run

    src = tmp_path / "p.mp4"
    make_podcast(src, [20], 40, width=160, height=96, audio=None)
    wide = tmp_path / "wide.mp4"
    run(["-i", src, "-c", "copy", "-bsf:v", "h264_metadata=sample_aspect_ratio=2/1", wide], about=wide)
    detect_to_folder(wide, tmp_path / "scenes", detector="content", threshold=None, min_scene_len_s=0.5, candidates=3)
    still = read_image(tmp_path / "scenes" / "scene_001.png").astype(float)
    shown = tmp_path / "shown.png"  # how a player shows it: ffmpeg stretched by the aspect ratio
    run(["-ss", "0.3", "-i", wide, "-vf", "scale=iw*sar:ih", "-frames:v", "1", shown], about=shown)
    expected = read_image(shown).astype(float)
    assert still.shape == expected.shape == (96, 320, 3)
    assert np.abs(still - expected).mean() < 4


def test_stills_of_a_rotated_source_are_upright_as_ffmpeg_shows_them(tmp_path):
    from podmotion.ffmpeg import run

    src = tmp_path / "p.mp4"
    make_podcast(src, [20], 40, width=160, height=96, audio=None)
    rotated = tmp_path / "rot.mp4"
    run(["-display_rotation", "90", "-i", src, "-c", "copy", rotated], about=rotated)
    shown = tmp_path / "shown.png"  # ffmpeg applies the display rotation when it decodes
    run(["-ss", "0.4", "-i", rotated, "-frames:v", "1", shown], about=shown)
    detect_to_folder(rotated, tmp_path / "scenes", detector="content", threshold=None, min_scene_len_s=0.5,
                     candidates=3)  # fmt: skip
    still = read_image(tmp_path / "scenes" / "scene_001.png").astype(float)
    expected = read_image(shown).astype(float)
    assert still.shape == expected.shape == (160, 96, 3)
    assert np.abs(still - expected).mean() < 4
    assert np.abs(still - expected[::-1, ::-1]).mean() > 20  # not upside down


@pytest.mark.parametrize("detector", ["slides", "content", "adaptive", "histogram", "hash"])
def test_detectors_find_the_cuts_and_min_scene_len_merges_short_scenes(tmp_path, detector):
    path = tmp_path / "v.mp4"
    make_podcast(path, [20, 30, 80], 110, width=160, height=96, audio=None)  # scene 2 lasts 0.4 s
    every = detect_to_folder(path, tmp_path / "a", detector=detector, threshold=None, min_scene_len_s=0,
                             candidates=3)  # fmt: skip
    assert [s.start_frame for s in every] == [0, 20, 30, 80]
    merged = detect_to_folder(path, tmp_path / "b", detector=detector, threshold=None, min_scene_len_s=0.6,
                              candidates=3)  # fmt: skip
    assert [s.start_frame for s in merged] == [0, 20, 80]


@pytest.mark.parametrize("detector", ["slides", "threshold"])
def test_a_fade_through_black_gives_one_cut(tmp_path, detector):
    a, b = scene_picture(0, 160, 96), scene_picture(1, 160, 96)
    fade = [(a * (1 - i / 10)).astype(np.uint8) for i in range(10)] + [(b * (i / 10)).astype(np.uint8) for i in range(10)]
    frames = [a] * 40 + fade + [b] * 40
    path = tmp_path / "fade.mp4"
    encode_frames(frames, path, width=160, height=96, fps=Fraction(25), encoder=fast_encoder())
    scenes = detect_to_folder(path, tmp_path / "s", detector=detector, threshold=None, min_scene_len_s=0.5,
                              candidates=3)  # fmt: skip
    assert len(scenes) == 2 and 45 <= scenes[1].start_frame <= 55
    if detector == "slides":  # one cut, in the middle of the fade: the black frame at 50 belongs to either side
        assert 49 <= scenes[1].start_frame <= 51


def test_a_held_picture_is_picked_from_its_keyframes_alone(tmp_path, caplog):
    """A slide that holds is the same picture in every frame: its still comes from the keyframes in the middle
    of the hold, each decoded alone. A hold with no keyframe in its middle is decoded through, as before."""
    width, height, fps = 160, 96, Fraction(25)
    bounds = [0, 300, 340, 540]  # 12 s, 1.6 s (no keyframe in its middle: every 2 s), 8 s
    pictures = [scene_picture(i, width, height) for i in range(3)]
    frames = (pictures[k] for k in range(3) for _ in range(bounds[k + 1] - bounds[k]))
    path = tmp_path / "slides.mp4"
    encode_frames(frames, path, width=width, height=height, fps=fps,
                  encoder=EncoderSettings(crf=18, preset="veryfast", keyint_frames=50))  # fmt: skip
    with caplog.at_level(logging.INFO, logger="podmotion.detect"):
        scenes = detect_to_folder(path, tmp_path / "scenes", detector="slides", threshold=None, min_scene_len_s=0.6,
                                  candidates=5)  # fmt: skip
    assert [s.start_frame for s in scenes] == bounds[:-1]
    for k, picture in enumerate(pictures):
        still = read_image(tmp_path / "scenes" / f"scene_{k + 1:03d}.png").astype(float)
        assert np.abs(still - picture).mean() < 6, k  # crf 18 and 4:2:0 at 160x96: 4 to 4.5 in every frame
    decoded = int(re.search(r"3 still\(s\) picked from (\d+) decoded frame", caplog.text).group(1))
    # The first frame (the origin); scene 1: the keyframes at 4, 6 and 8 s (its middle half, 3 to 9 s) and the one
    # after; scene 3: 16 and 18 s and the one after; scene 2: from the keyframe at 12 s to its middle's end
    # (13.2 s), 31 frames. Decoded through as before, scene 1 alone would be 176 (2 to 9 s).
    assert decoded <= 1 + 4 + 3 + 31, decoded
