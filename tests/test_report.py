"""The run summary, the report's pictures and pages, and Snakemake's report opened in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import Workflow, planned_jobs
from measure import video_facts
from synth import fast_encoder
from templates import make_template_episode

from podmotion.ffmpeg import EncoderSettings, encode_frames
from podmotion.report import CARD_HEIGHT_PX, EMPTY_CELL, MARK, STRIP_WIDTH_PX, contact_sheet, scene_table, timeline_strip
from podmotion.summary import console_line

HOLDS = [60, 45, 70, 55]
FPS = 25
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium: apt-get install chromium (see .ci/apt-packages.txt)")


def chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A template episode (layout, waveform) with kenburns, then both report forms."""
    folder = tmp_path_factory.mktemp("report")
    source = folder / "template episode.mp4"
    truth = make_template_episode(source, hold_frames=HOLDS, width=320, height=180, fps=Fraction(FPS), live="waveform")
    wf = Workflow(folder / "run")
    wf.workdir.mkdir()
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}})
    proc = wf.run()
    for form in ("report.html", "report.zip"):
        wf.run("--report", str(wf.workdir / form))
    return wf, truth, proc


def summary_of(wf) -> dict:
    return json.loads(wf.result("ep", "summary.json").read_text())


def test_summary_has_every_scene_at_its_true_frames(finished):
    wf, truth, _ = finished
    summary = summary_of(wf)
    bounds = [0, *truth["cut_frames"], sum(HOLDS)]
    rows = summary["scene_table"]
    assert summary["scenes"] == len(HOLDS) == len(rows)
    assert [(r["start_frame"], r["end_frame"]) for r in rows] == list(zip(bounds, bounds[1:]))
    assert [round(r["duration_s"] * 1000) for r in rows] == [round(h * 1000 / FPS) for h in HOLDS]
    assert summary["backends"] == {"kenburns": len(HOLDS)} and summary["fallbacks"] == []
    assert all(r["seed"] is not None and r["animate_s"] > 0 for r in rows)


def test_summary_times_every_job_by_stage(finished):
    wf, _, _ = finished
    summary = summary_of(wf)
    # detect 1, animate, pad and live regions one per scene, concat + mux
    assert summary["timed_jobs"] == 1 + 3 * len(HOLDS) + 2
    assert set(summary["stage_seconds"]) == {"detect", "animate", "pad", "assemble"}
    assert all(s > 0 for s in summary["stage_seconds"].values())
    assert summary["total_seconds"] == pytest.approx(sum(summary["stage_seconds"].values()), abs=0.02)
    for rule in ("detect_scenes", "animate_scene", "pad_scene", "live_scene", "concat", "mux", "summarise",
                 "episode_report"):  # fmt: skip
        assert list((wf.workdir / "logs" / "benchmarks" / rule).rglob("*.tsv")), rule


def test_the_console_gets_one_line_per_episode(finished):
    wf, _, proc = finished
    lines = [line for line in proc.stderr.splitlines() if line.startswith("podmotion: ep:")]
    assert lines == [f"podmotion: {console_line(summary_of(wf))}"]
    assert re.match(r"podmotion: ep: 4 scenes, 9\.2 s; kenburns 4; no fallback; jobs took [0-9.]+ s \(detect", lines[0])


def test_scene_cards_put_still_layout_camera_and_contact_sheet_side_by_side(finished):
    """Still, layout, the camera's framings (a Ken Burns scene), contact sheet; the camera panel is the still with
    the framings drawn on it."""
    wf, _, _ = finished
    cards = sorted(wf.result("ep", "report", "scenes").glob("scene_*.png"))
    assert [p.name for p in cards] == [f"scene_{k:03d}.png" for k in range(1, len(HOLDS) + 1)]
    card = cv2.imread(str(cards[0]))
    still_w = CARD_HEIGHT_PX * 320 // 180
    sheet_w = 4 * round(320 * (CARD_HEIGHT_PX // 2) / 180)
    assert card.shape[:2] == (CARD_HEIGHT_PX, 3 * (still_w + 8) + sheet_w)  # the template has a layout
    gaps = card[:, [still_w, 2 * still_w + 8, 3 * still_w + 16]]
    assert (gaps >= 250).all()  # white gaps between the four panels
    still, camera = card[30:-30, :still_w].astype(int), card[30:-30, 2 * (still_w + 8) : 3 * still_w + 16].astype(int)
    assert (np.abs(camera - still).max(axis=2) > 40).mean() > 0.01  # the framings are drawn


def test_timeline_strip_gives_each_scene_its_share_of_the_width(finished):
    wf, truth, _ = finished
    strip = cv2.cvtColor(cv2.imread(str(wf.result("ep", "report", "timeline.png"))), cv2.COLOR_BGR2RGB)
    assert strip.shape[1] == STRIP_WIDTH_PX
    marks = [x for x in range(strip.shape[1]) if (strip[:, x] == MARK).all()]
    total = sum(HOLDS)
    assert marks == [round(f * STRIP_WIDTH_PX / total) for f in [0, *truth["cut_frames"]]]


def test_a_rerun_after_the_report_has_nothing_to_do(finished):
    wf, _, _ = finished
    assert planned_jobs(wf) == set()


def test_contact_sheet_spreads_frames_first_to_last(tmp_path):
    """Frame k is a flat grey of 10*k: the tiles must be frames 0, 3, 6, ... 20 of 21."""
    clip = tmp_path / "clip.mp4"
    frames = [np.full((64, 96, 3), 10 * k, np.uint8) for k in range(21)]
    encode_frames(frames, clip, width=96, height=64, fps=Fraction(10), encoder=fast_encoder(crf=4))
    sheet = contact_sheet(clip, columns=4, rows=2, tile_height_px=64)
    assert sheet.shape == (128, 4 * 96, 3)
    greys = [int(np.median(sheet[r * 64 + 40:(r + 1) * 64, c * 96:(c + 1) * 96])) for r in range(2) for c in range(4)]
    want = [10 * round(k * 20 / 7) for k in range(8)]
    assert all(abs(g - w) <= 3 for g, w in zip(greys, want)), (greys, want)


def test_a_long_clip_shows_its_keyframes_spread_first_to_last(tmp_path):
    """Frame k is a flat grey of 2*k, a keyframe every 10 frames (12 of them): a clip with a keyframe for every
    tile shows keyframes only, evenly picked among them, 0, 20, 30, 50, 60, 80, 90, 110, without decoding the rest."""
    from podmotion.media import count_keyframes

    clip = tmp_path / "long clip.mp4"
    frames = [np.full((64, 96, 3), 2 * k, np.uint8) for k in range(120)]
    encode_frames(frames, clip, width=96, height=64, fps=Fraction(10),
                  encoder=EncoderSettings(crf=4, preset="ultrafast", keyint_frames=10, level="3.0"))  # fmt: skip
    assert count_keyframes(clip) == 12
    sheet = contact_sheet(clip, columns=4, rows=2, tile_height_px=64)
    greys = [int(np.median(sheet[r * 64 + 40:(r + 1) * 64, c * 96:(c + 1) * 96])) for r in range(2) for c in range(4)]
    want = [2 * 10 * round(k * 11 / 7) for k in range(8)]
    assert all(abs(g - w) <= 3 for g, w in zip(greys, want)), (greys, want)


def test_a_clip_with_few_keyframes_shows_the_i_and_p_frames_nearest_each_tile(tmp_path):
    """Frame k is a flat grey of k, 200 frames, one keyframe, B-frames between (x264 veryfast): the tiles are the
    I or P frames nearest to frames 0, 28.4, 56.9, ... 199, within two frames (no B-frame is decoded), each
    stamped with its own time, every tile a different frame."""
    from podmotion.media import frames_nearest

    clip = tmp_path / "clip.mp4"
    frames = [np.full((64, 96, 3), k, np.uint8) for k in range(200)]
    encode_frames(frames, clip, width=96, height=64, fps=Fraction(10), encoder=fast_encoder(crf=4))
    want = [k * 199 / 7 for k in range(8)]
    picked = frames_nearest(clip, [w / 10 for w in want])
    shown = [round(t * 10) for t, _ in picked]
    assert all(abs(s - w) <= 2 for s, w in zip(shown, want)) and len(set(shown)) == 8, (shown, want)
    assert [int(np.median(rgb)) for _, rgb in picked] == pytest.approx(shown, abs=2)  # the frame shown is that one
    sheet = contact_sheet(clip, columns=4, rows=2, tile_height_px=64)
    greys = [int(np.median(sheet[r * 64 + 40:(r + 1) * 64, c * 96:(c + 1) * 96])) for r in range(2) for c in range(4)]
    assert greys == pytest.approx(shown, abs=2)


def test_timeline_strip_gives_a_short_scene_at_least_a_pixel():
    stills = [np.full((90, 160, 3), v, np.uint8) for v in (50, 100, 150)]
    strip = timeline_strip(stills, [1000, 1, 1000], width_px=200, height_px=20)
    assert (strip[:, 100] == MARK).all() and strip.shape == (20, 200, 3)


def test_zip_report_holds_every_page_and_picture(finished):
    wf, _, _ = finished
    names = zipfile.ZipFile(wf.workdir / "report.zip").namelist()
    for wanted in ("overview.html", "previews.html", "timeline.png", *(f"scene_{k:03d}.png" for k in range(1, 5))):
        assert any(n.endswith("/" + wanted) for n in names), (wanted, names)
    assert "report/report.html" in names


@needs_chromium
def test_snakemake_report_lists_the_episode_pages_in_chromium(finished, tmp_path):
    wf, _, _ = finished
    dom = chromium(tmp_path, "--virtual-time-budget=8000", "--dump-dom", (wf.workdir / "report.html").as_uri())
    for wanted in ("overview.html", "previews.html", "timeline.png", "Scene by scene", "Overview"):
        assert wanted in dom, wanted


@needs_chromium
def test_overview_page_shows_the_scene_table_and_the_pictures(finished, tmp_path):
    wf, truth, _ = finished
    page = wf.result("ep", "report", "overview.html")
    dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    body = dom.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    assert len(rows) == len(HOLDS)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    bounds_s = [f / FPS for f in [0, *truth["cut_frames"], sum(HOLDS)]]
    assert [c[1] for c in cells] == ["still"] * len(HOLDS)  # the scene's kind
    assert [float(c[2]) for c in cells] == pytest.approx(bounds_s[:-1], abs=0.001)
    assert [c[5] for c in cells] == ["kenburns"] * len(HOLDS)
    assert len(re.findall(r"<img ", dom)) == len(HOLDS) + 1  # the timeline and a card per scene
    shot = tmp_path / "overview.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    picture = cv2.imread(str(shot))
    assert picture.shape[:2] == (900, 1200)
    coloured = (picture.max(axis=2).astype(int) - picture.min(axis=2)) > 40  # the pictures, not text on white
    assert coloured.mean() > 0.15, coloured.mean()


@needs_chromium
def test_previews_play_in_chromium_at_their_lengths(finished, tmp_path):
    wf, _, _ = finished
    dom = chromium(tmp_path, "--virtual-time-budget=10000", "--dump-dom",
                   wf.result("ep", "report", "previews.html").as_uri())  # fmt: skip
    lengths = [float(x) for x in re.findall(r'data-duration-s="([0-9.]+)"', dom)]
    episode_s = video_facts(wf.result("ep", "ep_animated.mp4"))["duration_s"]
    clips_s = [video_facts(p)["duration_s"] for p in sorted(wf.result("ep", "clips").glob("scene_*.mp4"))]
    assert len(lengths) == 1 + len(HOLDS)  # every video loaded its metadata
    assert abs(lengths[0] - episode_s) < 0.05
    assert lengths[1:] == pytest.approx(clips_s, abs=0.05)


def test_previews_embed_excerpts_and_link_the_whole_episode(finished, tmp_path):
    """An hour-long episode is not encoded and embedded again: the page embeds the first EPISODE_EXCERPT_S
    seconds (here the whole 9 s episode) and links the episode's own file; a preview stops at ``max_s``."""
    from podmotion.ffmpeg import encode_preview

    wf, _, _ = finished
    page = wf.result("ep", "report", "previews.html").read_text()
    [href] = re.findall(r"<a id='episode-file' href='([^']+)'", page)
    assert href == "../ep_animated.mp4"
    assert (wf.result("ep", "report") / href).resolve() == wf.result("ep", "ep_animated.mp4").resolve()
    cut = tmp_path / "cut.mp4"
    encode_preview(wf.result("ep", "ep_animated.mp4"), cut, long_side_px=160, audio=False, max_s=2.0)
    assert video_facts(cut)["frames"] == 2 * FPS


SEASON_SCENES = 120


@needs_chromium
def test_a_120_scene_report_stays_small_and_opens_in_chromium(finished, tmp_path):
    """An hour of 120 slides: the overview embeds each scene card once, as a JPEG no taller than a card (not the
    PNG), and the previews page embeds 120 short clip previews; both open in Chromium with every row, picture
    and video there."""
    import base64

    from podmotion.ffmpeg import encode_preview
    from podmotion.report import overview_page, previews_page

    wf, _, _ = finished
    summary = summary_of(wf)
    row, step_s = summary["scene_table"][0], 30.0
    summary["scene_table"] = [{**row, "scene": k, "start_s": (k - 1) * step_s, "end_s": k * step_s}
                              for k in range(1, SEASON_SCENES + 1)]  # fmt: skip
    summary["scenes"], summary["duration_s"] = SEASON_SCENES, SEASON_SCENES * step_s
    card = wf.result("ep", "report", "scenes", "scene_001.png")
    overview = tmp_path / "overview.html"
    overview.write_text(overview_page(summary, wf.result("ep", "report", "timeline.png"),
                                      dict.fromkeys(range(1, SEASON_SCENES + 1), card)), encoding="utf-8")  # fmt: skip
    pictures = re.findall(r"src='data:image/(\w+);base64,([^']+)'", overview.read_text())
    assert len(pictures) == SEASON_SCENES + 1 and {kind for kind, _ in pictures} == {"jpeg"}
    first = cv2.imdecode(np.frombuffer(base64.b64decode(pictures[1][1]), np.uint8), cv2.IMREAD_COLOR)
    assert first.shape[0] == CARD_HEIGHT_PX
    assert overview.stat().st_size < SEASON_SCENES * card.stat().st_size  # smaller than the PNGs it shows
    dom = chromium(tmp_path, "--virtual-time-budget=8000", "--dump-dom", overview.as_uri())
    assert len(re.findall(r"<tr[^>]*>\s*<td", dom)) == SEASON_SCENES and dom.count("<img ") == SEASON_SCENES + 1

    clip = tmp_path / "clip preview.mp4"
    encode_preview(wf.result("ep", "clips", "scene_001.mp4"), clip, long_side_px=240, audio=False, max_s=10.0)
    previews = tmp_path / "previews.html"
    previews.write_text(previews_page("ep", clip, dict.fromkeys(range(1, SEASON_SCENES + 1), clip),
                                      episode_href="../ep_animated.mp4", episode_s=3600.0), encoding="utf-8")  # fmt: skip
    assert previews.stat().st_size < 1.4 * (SEASON_SCENES + 1) * clip.stat().st_size + 100_000  # base64, no more
    dom = chromium(tmp_path, "--virtual-time-budget=20000", "--dump-dom", previews.as_uri())
    assert len(re.findall(r'data-duration-s="[0-9.]+"', dom)) == SEASON_SCENES + 1  # every video loaded


def test_report_cache_keeps_a_picture_until_a_file_it_shows_is_written_again(tmp_path):
    from podmotion.report_cache import ReportCache

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"first")
    cache = ReportCache(tmp_path / ".cache")
    made = []

    def make(path):
        made.append(path)
        path.write_text(clip.read_text())

    first = cache.picture("001", "card", ".png", [clip], make)
    assert cache.picture("001", "card", ".png", [clip], make) == first and len(made) == 1
    other = cache.picture("001", "card", ".png", [clip], make, settings="other size")
    assert other != first and len(made) == 2
    (tmp_path / ".cache" / ".scene_002.card.0123.partial-99.png").write_text("a killed job's")
    clip.write_bytes(b"second")  # written again: a new size and time
    later = ReportCache(tmp_path / ".cache")
    again = later.picture("001", "card", ".png", [clip], make)
    assert again not in (first, other) and again.read_text() == "second" and later.tally() == "made 1, kept 0"
    removed = later.prune()
    assert sorted(p.name for p in removed) == sorted([".scene_002.card.0123.partial-99.png", first.name, other.name])
    assert [p.name for p in (tmp_path / ".cache").iterdir()] == [again.name]


def test_a_changed_scene_remakes_only_its_own_card_and_preview(finished):
    """One job makes the report; a rerun for one scene makes that scene's card and preview again, and takes the
    other scenes' from results/NAME/report/.cache/ untouched."""
    wf, _, _ = finished
    cache = wf.result("ep", "report", ".cache")
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(before) == 2 * len(HOLDS)  # a card and a preview a scene
    wf.config["overrides"] = {"ep": {2: {"animate": {"kenburns": {"zoom": 1.3}}}}}
    try:
        wf.run()
        log = (wf.workdir / "logs" / "episode_report" / "ep.log").read_text()
        assert f"made 2, kept {2 * len(HOLDS) - 2}" in log, log
        after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
        assert len(after) == 2 * len(HOLDS)  # the scene's old pictures pruned
        changed = set(before) - set(after)
        assert sorted(n.split(".")[:2] for n in changed) == [["scene_002", "card"], ["scene_002", "preview"]]
        assert all(after[n] == before[n] for n in set(before) & set(after))  # the others not written again
        assert sorted(p.name for p in wf.result("ep", "report", "scenes").glob("*.png")) == [
            f"scene_{k:03d}.png" for k in range(1, len(HOLDS) + 1)]  # fmt: skip
    finally:
        wf.config.pop("overrides")
        wf.run()


def test_the_scene_table_leaves_no_none_in_empty_cells():
    """A scene with no loop seam, segments or joins shows a dash there, not Python's None."""
    row = {"scene": 1, "kind": "still", "start_s": 0.0, "end_s": 2.0, "duration_s": 2.0, "backend": "kenburns",
           "fallback_from": None, "fallback_reason": None, "animate_s": 1.5, "seed": 7, "seam_ratio": None,
           "segments": None, "join_ratio": None}  # fmt: skip
    table = scene_table([row, {**row, "scene": 2, "seam_ratio": 0.8, "segments": 2, "join_ratio": 1.1}])
    page = table.to_html(index=False, na_rep="", border=0)
    assert "None" not in page and "nan" not in page
    assert list(table.iloc[0][["loop seam (× step)", "segments", "worst join (× step)"]]) == [EMPTY_CELL] * 3
    assert list(table.iloc[1][["loop seam (× step)", "segments"]]) == [0.8, 2]
    assert table.iloc[0]["fallback"] == ""
