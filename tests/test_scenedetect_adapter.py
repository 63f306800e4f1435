"""The slides detector used through PySceneDetect's own API (scenedetect.detect with SlideDetector)."""

from __future__ import annotations

import scenedetect
from templates import make_template_episode

from podmotion import slides
from podmotion.scenedetect_adapter import SlideDetector


def test_pyscenedetect_finds_every_template_cut_with_it(tmp_path):
    path = tmp_path / "episode.mp4"
    truth = make_template_episode(path, hold_frames=[70, 55, 90, 48, 66, 81], width=480, height=270, audio=False,
                                  live="waveform", dissolve_frames=8)  # fmt: skip
    detector = SlideDetector()
    scenes = scenedetect.detect(str(path), detector)
    starts = [start.frame_num for start, _ in scenes]
    assert starts[0] == 0 and scenes[-1][1].frame_num == truth["total_frames"]
    assert len(starts) - 1 == len(truth["cut_frames"])
    assert all(abs(got - want) <= 1 for got, want in zip(starts[1:], truth["cut_frames"])), (starts, truth["cut_frames"])
    assert detector.result.live_mask.any()  # the waveform was found and left out
    # The same answer as podmotion's own sparse scan of the file.
    assert starts[1:] == slides.scan(path, float(truth["fps"])).cut_frames


def test_full_frame_photos_keep_their_cuts_through_pyscenedetect(podcast5):
    from conftest import E2E_CUTS

    path, _truth = podcast5
    scenes = scenedetect.detect(str(path), SlideDetector())
    assert [start.frame_num for start, _ in scenes[1:]] == E2E_CUTS


def test_a_still_video_is_one_scene(tmp_path):
    path = tmp_path / "still.mp4"
    make_template_episode(path, hold_frames=[90], width=320, height=180, audio=False)
    assert scenedetect.detect(str(path), SlideDetector()) == []  # PySceneDetect: no cuts, no scene list
