"""Colour: the source's reading of its Y'CbCr values is kept, both ways, and said as the source says it."""

from fractions import Fraction

import numpy as np
import pytest
from measure import colour_tags, player_rgb

from podmotion.colour import Colour
from podmotion.ffmpeg import EncoderSettings, encode_frames

# A template's kind of colours: a saturated logo red, a header blue, a caption's near-white, a dark background,
# skin, a green.
PATCH_RGB = [(200, 30, 40), (20, 60, 170), (235, 235, 228), (18, 20, 24), (224, 172, 140), (40, 170, 80)]

# The encodings podcasters' files come in (what their tags say, and their size).
ENCODINGS = {
    "untagged 720p": (dict(matrix=None, range_=None, primaries=None, transfer=None), 720),
    "untagged 360p": (dict(matrix=None, range_=None, primaries=None, transfer=None), 360),
    "bt601 tv": (dict(matrix="smpte170m", range_="tv", primaries="smpte170m", transfer="smpte170m"), 360),
    "bt709 tv": (dict(matrix="bt709", range_="tv", primaries="bt709", transfer="bt709"), 720),
    "bt709 pc": (dict(matrix="bt709", range_="pc", primaries="bt709", transfer="bt709"), 720),
}


def patches(width: int, height: int) -> np.ndarray:
    """Six flat patches side by side, each 1/6 of the width."""
    img = np.zeros((height, width, 3), np.uint8)
    for k, rgb in enumerate(PATCH_RGB):
        img[:, k * width // 6 : (k + 1) * width // 6] = rgb
    return img


def patch_means(img: np.ndarray) -> np.ndarray:
    """Each patch's mean colour, from its middle (away from the chroma of its edges)."""
    h, w = img.shape[:2]
    return np.array([img[h // 4 : 3 * h // 4, k * w // 6 + w // 24 : (k + 1) * w // 6 - w // 24].reshape(-1, 3)
                     .mean(axis=0) for k in range(6)])  # fmt: skip


def test_a_player_reads_an_untagged_video_by_its_size():
    assert Colour.of_tags(None, None, None, None, 720) == Colour("bt709", "tv", "", "", said=False)
    assert Colour.of_tags("unknown", None, None, None, 360).matrix == "smpte170m"
    assert Colour.of_tags("bt470bg", "pc", "bt470bg", "gamma28", 360) == Colour("bt470bg", "pc", "bt470bg", "gamma28")


def test_the_output_says_what_its_size_would_make_a_player_guess_otherwise():
    small = Colour.of_tags(None, None, None, None, 360)
    assert small.for_output(360) == small and small.tags() == []
    assert small.for_output(720) == Colour("smpte170m", "tv", "", "", said=True)
    assert small.for_output(720).tags() == ["-colorspace", "smpte170m", "-color_range", "tv"]
    hd = Colour.of_tags(None, None, None, None, 1080)
    assert hd.for_output(720) == hd and hd.for_output(480).said


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_a_frame_copied_through_rgb_keeps_its_values(name):
    """Planes to RGB and back give the same planes but for rounding: a template's frame, read as a still and
    written again, is the source's Y'CbCr. And an RGB picture keeps its colours to what 8 bits hold (a
    limited-range luma step is 1.16 RGB levels)."""
    tags, height = ENCODINGS[name]
    colour = Colour.of_tags(**tags, height=height)
    yy, xx = np.mgrid[0:64, 0:96] / 96.0
    smooth = np.dstack([40 + 180 * xx, 200 - 150 * yy, 90 + 60 * np.sin(6 * xx + 3 * yy)]).round().astype(np.uint8)
    logo = patches(96, 64)
    logo[20:44:3, 10:86] = (250, 250, 250)  # thin lines: colour edges every few pixels
    for picture, worst in ((smooth, 1), (logo, 20)):  # a white line on a red: out of RGB's gamut, clipped
        planes = colour.to_planes(picture)
        again = colour.to_planes(colour.to_rgb(*planes))
        for before, after in zip(planes, again):
            diff = np.abs(after.astype(int) - before)
            assert diff.max() <= worst and diff.mean() < (0.2 if worst == 1 else 1.0), (diff.max(), diff.mean())
    back = colour.to_rgb(*colour.to_planes(smooth)).astype(float)
    assert np.abs(back - smooth).mean() < 1.0, np.abs(back - smooth).mean()
    assert np.abs(patch_means(colour.to_rgb(*colour.to_planes(patches(96, 64)))) - PATCH_RGB).max() <= 1.0


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_an_encoded_frame_shows_its_colours_in_a_player(tmp_path, name):
    """RGB frames encoded in each reading come out, as a player shows the file by its tags (or its guess), in
    their own colours; the file says what the reading says, and an untagged reading stays untagged."""
    tags, height = ENCODINGS[name]
    colour = Colour.of_tags(**tags, height=height)
    width = height * 16 // 9
    out = tmp_path / "out.mp4"
    encode_frames([patches(width, height)] * 3, out, width=width, height=height, fps=Fraction(25),
                  encoder=EncoderSettings(crf=12, preset="veryfast", keyint_frames=25, colour=colour))  # fmt: skip
    written = colour_tags(out)
    if colour.said:
        assert (written["matrix"], written["range"]) == ({"bt709": 1, "smpte170m": 6}[colour.matrix],
                                                         {"tv": 1, "pc": 2}[colour.range])  # fmt: skip
    else:
        assert written["matrix"] == 2 and written["range"] in (0, 1)  # unsaid (a limited range may be written)
    shown = patch_means(player_rgb(out, [1])[0])
    assert np.abs(shown - PATCH_RGB).max() < 1.5, shown.round(1)
