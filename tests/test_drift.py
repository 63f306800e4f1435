"""Drift: a padded clip seen through one slow camera move, inside the art only, the same for the same seed."""

from fractions import Fraction

import numpy as np
from measure import video_facts, video_frames
from synth import scene_picture

from podmotion.drift import Drift, wanted
from podmotion.ffmpeg import EncoderSettings, encode_frames
from podmotion.fit import fit_box
from podmotion.pad import pad_scene
from podmotion.repetition import repeated_share

ENC = EncoderSettings(crf=8, preset="veryfast", keyint_frames=25)
FPS = Fraction(25)


def short_clip(path, n=12, width=192, height=108):
    """A 12-frame clip of a textured picture whose middle brightens a little each frame."""
    base = scene_picture(2, width, height).astype(np.int16)
    frames = [np.clip(base + 2 * i, 0, 255).astype(np.uint8) for i in range(n)]
    encode_frames(frames, path, width=width, height=height, fps=FPS, encoder=ENC)


def padded(tmp_path, name, **kw):
    args = dict(n_frames=150, width=192, height=108, fps=FPS, clip_fps=FPS, strategy="pingpong", fit="cover",
                encoder=ENC)  # fmt: skip
    args.update(kw)
    out = tmp_path / f"{name}.mp4"
    return out, pad_scene(tmp_path / "clip.mp4", out, **args)


def test_drift_leaves_no_repeated_frame_where_pingpong_repeats_them_all(tmp_path):
    short_clip(tmp_path / "clip.mp4")
    plain, plain_report = padded(tmp_path, "plain")
    drifted, report = padded(tmp_path, "drifted", drift_zoom=1.05, seed=3)
    assert plain_report["drift"] is None and 1.01 < report["drift"]["zoom"] <= 1.05 + 1e-3
    assert report["drift"]["pace_widths_per_s"] >= 0.0025  # a pace a viewer sees
    assert video_facts(drifted)["frames"] == 150 and report["encoded_frames"] == 150
    assert repeated_share(video_frames(plain), FPS) > 0.9  # every frame of a ping-pong has twins
    assert repeated_share(video_frames(drifted), FPS) == 0.0


def test_the_same_seed_gives_the_same_frames_another_seed_others(tmp_path):
    short_clip(tmp_path / "clip.mp4")
    outs = [padded(tmp_path, name, drift_zoom=1.05, seed=seed)[0] for name, seed in (("a", 4), ("b", 4), ("c", 5))]
    a, b, c = (video_frames(o) for o in outs)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_only_the_art_moves(tmp_path):
    """Frame by frame before encoding: every pixel outside the art box is the padded frame's own; and in the
    encoded scene, the art differs from the undrifted scene while the rest matches it."""
    frame = scene_picture(4, 192, 108)
    box = (40, 20, 96, 64)
    drift = Drift.plan(box, 50, seed=1, zoom=1.1, fps=25.0)
    outside = np.ones(frame.shape[:2], bool)
    outside[box[1] : box[1] + box[3], box[0] : box[0] + box[2]] = False
    moved = list(drift.apply([frame] * 50))
    assert all(np.array_equal(m[outside], frame[outside]) for m in moved)
    assert np.abs(moved[-1].astype(int) - frame).max() > 30

    short_clip(tmp_path / "clip.mp4")
    plain, _ = padded(tmp_path, "plain", art_box=list(box))
    drifted, report = padded(tmp_path, "drifted", drift_zoom=1.1, seed=1, art_box=list(box))
    assert report["drift"]["box"] == list(box)
    p, d = video_frames(plain)[-1].astype(float), video_frames(drifted)[-1].astype(float)
    far = np.ones(frame.shape[:2], bool)  # outside the box, a macroblock clear of it
    far[box[1] - 16 : box[1] + box[3] + 16, box[0] - 16 : box[0] + box[2] + 16] = False
    inner = (slice(box[1] + 8, box[1] + box[3] - 8), slice(box[0] + 8, box[0] + box[2] - 8))
    rest, art = np.abs(p - d)[far].mean(), np.abs(p - d)[inner].mean()
    assert rest < 1.5  # two encodes of the same pixels (one stream-copied, one not): compression noise only
    assert art > 5 * rest, (art, rest)


def test_the_art_box_maps_to_the_output_with_the_fit():
    # cover: 400x300 into 160x90 scales by 0.4 (160x120) and crops 15 rows from the top
    assert fit_box([100, 75, 200, 150], 400, 300, 160, 90, "cover") == (40, 15, 80, 60)
    assert fit_box(None, 400, 300, 160, 90, "cover") == (0, 0, 160, 90)
    # contain: 400x300 into 160x90 scales by 0.3 (120x90), 20 columns of bars each side: never drift the bars
    assert fit_box(None, 400, 300, 160, 90, "contain") == (20, 0, 120, 90)


def test_auto_drifts_generated_clips_only():
    assert wanted("auto", generated=True) and not wanted("auto", generated=False)
    assert wanted(True, generated=False) and not wanted(False, generated=True)


def test_the_drift_keeps_the_art_s_title_whole_and_its_pace():
    """The drift tours the art as Ken Burns does: every window holds the art's own title with its margin, at a
    pace a viewer sees."""
    from pictures import flat_illustration

    from podmotion.framing import find_framing

    art, (title,) = flat_illustration(1, 320, 180, "The Fox and the Moon", "top")
    framing = find_framing(art)
    drift = Drift.plan((0, 0, 320, 180), 250, seed=2, zoom=1.3, fps=25.0, framing=framing)
    cx, cy, w = drift.path.T
    h = w * 180 / 320
    margin = 0.9 * framing.margin_px
    assert (cx - w / 2 <= title[0] - margin).all() and (cx + w / 2 >= title[0] + title[2] + margin).all()
    assert (cy - h / 2 <= max(0, title[1] - margin)).all()
    assert drift.describe()["pace_widths_per_s"] >= 0.0025 and drift.describe()["framing"]["text"]
