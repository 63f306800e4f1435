"""Colours end to end: template episodes in each colour encoding podcasters' files come in, one with footage,
run through the workflow. As a player shows each file (by its own tags, or for an untagged file by the players'
guess: BT.709 at 720 lines and more, BT.601 below), every region of the template, the footage and the stills
come out in the source's colours, within 1.5 levels; the output says what the source says."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from conftest import Workflow
from footage import make_mixed_episode
from measure import colour_tags, player_rgb
from templates import make_template_episode

# name: (the template's colour encoding, width, height); what the issue measured, the worst first
ENCODINGS = {
    "untagged_720p": ("plain", 1280, 720),
    "untagged_360p": ("plain", 640, 360),
    "bt601_tv": ("bt601", 640, 360),
    "bt709_tv": ("bt709", 1280, 720),
    "bt709_pc": ("bt709_pc", 1280, 720),
    "bt709_10bit": ("bt709_10bit", 640, 360),  # 4:2:0 at 10 bits: the output is 8
}
HOLDS = [40, 40]  # two slides of 1.6 s at 25 fps
MIXED = [("footage", 30), ("slides", [40, 40]), ("footage", 30)]  # footage and stills in one output
TOLERANCE_LEVELS = 1.5
TAG_NUMBERS = {"bt709": 1, "smpte170m": 6, "tv": 1, "pc": 2}


@pytest.fixture(scope="module")
def episodes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("colour")
    truths, sources = {}, {}
    for name, (colour, width, height) in ENCODINGS.items():
        sources[name] = folder / f"{name}.mp4"
        truths[name] = make_template_episode(sources[name], hold_frames=HOLDS, width=width, height=height,
                                             fps=Fraction(25), colour=colour)  # fmt: skip
    sources["mixed"] = folder / "mixed.mp4"
    truths["mixed"] = make_mixed_episode(sources["mixed"], MIXED, width=640, height=360, colour="plain")
    wf = Workflow(folder / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {n: str(p) for n, p in sources.items()}, "animate": {"backend": "kenburns"}})
    wf.run()
    return wf, sources, truths


def region_means(img: np.ndarray, box) -> np.ndarray:
    x, y, w, h = box
    return img[y + 2 : y + h - 2, x + 2 : x + w - 2].reshape(-1, 3).mean(axis=0)


def worst_region(source, out, frames: list[int], boxes: dict) -> tuple[float, str]:
    """The largest difference of a region's mean colour (RGB levels), over ``frames``, as a player shows each."""
    shown_src, shown_out = player_rgb(source, frames), player_rgb(out, frames)
    worst = (0.0, "")
    for f, a, b in zip(frames, shown_src, shown_out):
        for name, box in boxes.items():
            diff = float(np.abs(region_means(a, box) - region_means(b, box)).max())
            worst = max(worst, (diff, f"{name} at frame {f}"))
    return worst


def template_regions(truth: dict) -> dict:
    """What of a template is never animated: the header, the logo, the caption, and the frame's background (a
    band under the caption)."""
    boxes = truth["boxes"]
    w, h = truth.get("width", 640), truth.get("height", 360)
    cap = boxes["caption"]
    band_y = cap[1] + cap[3] + 2
    regions = {k: boxes[k] for k in ("header", "logo", "caption")}
    if h - band_y > 6:
        regions["background"] = (0, band_y, w, h - band_y)
    return regions


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_the_template_keeps_its_colours_as_a_player_shows_them(episodes, name):
    wf, sources, truths = episodes
    truth, out = truths[name], wf.result(name, f"{name}_animated.mp4")
    middles = [(a + b) // 2 for a, b in truth["hold_spans"]]
    worst, where = worst_region(sources[name], out, middles, template_regions(truth))
    assert worst <= TOLERANCE_LEVELS, f"{name}: {worst:.2f} levels, {where}"


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_the_output_says_what_the_source_says(episodes, name):
    wf, sources, _ = episodes
    source, out = colour_tags(sources[name]), colour_tags(wf.result(name, f"{name}_animated.mp4"))
    if source["matrix"] == 2:  # untagged in, untagged out: the same guess at the same size
        assert out["matrix"] == 2, out
    else:
        assert (out["matrix"], out["range"], out["primaries"], out["transfer"]) == (
            source["matrix"], source["range"], source["primaries"], source["transfer"])  # fmt: skip


def test_footage_and_stills_in_one_output_agree(episodes):
    """An untagged 360p episode (read as BT.601) with footage around two slides: the footage, passed through,
    and the slides' template, drawn anew, both keep the source's colours."""
    wf, sources, truths = episodes
    truth, out = truths["mixed"], wf.result("mixed", "mixed_animated.mp4")
    slides = [(a + b) // 2 for a, b in truth["slide_spans"]]
    worst, where = worst_region(sources["mixed"], out, slides, {k: truth["boxes"][k] for k in ("header", "logo",
                                                                                                 "caption")})  # fmt: skip
    assert worst <= TOLERANCE_LEVELS, f"slides: {worst:.2f} levels, {where}"
    footage = [a + 5 for a, _ in truth["footage_spans"]] + [b - 5 for _, b in truth["footage_spans"]]
    tiles = {f"tile {i},{j}": (i * 160, j * 90, 160, 90) for i in range(4) for j in range(4)}
    worst, where = worst_region(sources["mixed"], out, footage, tiles)
    assert worst <= TOLERANCE_LEVELS, f"footage: {worst:.2f} levels, {where}"
