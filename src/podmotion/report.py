"""Pictures and pages for ``snakemake --report``: what each scene became, at a glance.

- ``scene_card``, ``episode_scene_card``: one scene side by side (a parallax scene's depth too): its still, the still with the
  episode's layout drawn on it (where the episode has one), the camera's
  framings (what it kept whole, where it went, its pace), and a contact
  sheet of its clip (a grid of frames, each stamped with its time).
- ``timeline_strip``: the whole episode as one strip, a thumbnail per scene,
  each as wide as the scene is long.
- ``overview_page``: the scene table (number, kind, start, end, duration, backend,
  fallback and its reason, seconds, seed), the timeline and every scene card,
  in one self-contained HTML page.
- ``previews_page``: the episode's opening and the start of each scene's clip
  as small videos that play in the page. Snakemake's report offers an MP4 only
  as a download, so the videos are embedded in the page itself, which works in
  both the ``.html`` and the ``.zip`` report. They are excerpts
  (``EPISODE_EXCERPT_S``, ``CLIP_EXCERPT_S``), so an hour-long episode is not
  encoded and embedded again; the page links to the episode's own file.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from .framing import draw_framing
from .layout import draw_layout
from .media import count_frames, count_keyframes, display_span_s, frames_nearest, iter_frames_with_time

CARD_HEIGHT_PX = 180
SHEET_COLUMNS, SHEET_ROWS = 4, 2
FRAMES_A_TILE_FOR_ANCHORS = 8  # a longer clip's tiles are its I and P frames nearest to each evenly spread time
STRIP_WIDTH_PX, STRIP_HEIGHT_PX = 1600, 90
PREVIEW_LONG_SIDE_PX = 480
EPISODE_EXCERPT_S = 60.0  # the previews page embeds the episode's first minute ...
CLIP_EXCERPT_S = 10.0  # ... and each scene's clip's first ten seconds
WHITE, INK, MARK = (255, 255, 255), (20, 20, 20), (255, 200, 0)


def _scaled_to_height(rgb: np.ndarray, height: int) -> np.ndarray:
    width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def _stamp(rgb: np.ndarray, text: str, bottom: bool = False) -> np.ndarray:
    """``text`` on a dark band in the picture's top-left (or bottom-left) corner."""
    out = rgb.copy()
    scale = max(0.35, min(0.6, rgb.shape[0] / 240))
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    top = rgb.shape[0] - (h + base + 6) if bottom else 0
    cv2.rectangle(out, (0, top), (w + 6, top + h + base + 6), INK, -1)
    cv2.putText(out, text, (3, top + h + 3), cv2.FONT_HERSHEY_SIMPLEX, scale, WHITE, 1, cv2.LINE_AA)
    return out


def _sampled(count: int, wanted: int) -> list[int]:
    """``wanted`` frame indices spread evenly over ``count`` frames, first and last included."""
    if count <= wanted:
        return list(range(count))
    return sorted({round(k * (count - 1) / (wanted - 1)) for k in range(wanted)})


def contact_sheet(clip_path: str | os.PathLike, columns: int = SHEET_COLUMNS, rows: int = SHEET_ROWS,
                  tile_height_px: int = CARD_HEIGHT_PX // SHEET_ROWS) -> np.ndarray:  # fmt: skip
    """A grid of the clip's frames, evenly spread from first to last, each stamped with its time.

    A clip with a keyframe for every tile or more (a long scene-long clip: one every few seconds) shows keyframes
    only, and only they are decoded. A short clip (``FRAMES_A_TILE_FOR_ANCHORS`` frames a tile or fewer) shows
    exactly the frames evenly spread. Otherwise each tile is the I or P frame nearest to its evenly spread time
    (``media.frames_nearest``: the B-frames, x264's three in a row at most, are not decoded, and tiles are more
    than three frames apart). Only the picked frames are converted and kept, scaled to a tile: a scene-long clip
    (two minutes of 1080p) never sits in memory.
    """
    wanted = columns * rows
    keyframes = count_keyframes(clip_path)
    if keyframes >= wanted:
        frames = iter_frames_with_time(clip_path, only=set(_sampled(keyframes, wanted)), keyframes_only=True)
    elif (count := count_frames(clip_path) or sum(1 for _ in iter_frames_with_time(clip_path))) <= (
            FRAMES_A_TILE_FOR_ANCHORS * wanted):  # no index: count them  # fmt: skip
        frames = iter_frames_with_time(clip_path, only=set(_sampled(count, wanted)))
    else:
        span_s = display_span_s(clip_path)
        frames = frames_nearest(clip_path, [span_s * k / (wanted - 1) for k in range(wanted)])
    tiles = [_stamp(_scaled_to_height(rgb, tile_height_px), f"{t:.2f} s") for t, rgb in frames]
    if not tiles:
        raise ValueError(f"{clip_path}: no frames")
    blank = np.full_like(tiles[0], 40)
    tiles += [blank] * (wanted - len(tiles))
    return np.vstack([np.hstack(tiles[r * columns:(r + 1) * columns]) for r in range(rows)])


def scene_card(still: np.ndarray, clip_path: str | os.PathLike, title: str,
               layout_picture: np.ndarray | None = None, camera_picture: np.ndarray | None = None,
               depth_picture: np.ndarray | None = None, depth_words: str = "depth") -> np.ndarray:  # fmt: skip
    """The still, the layout (where there is one), the camera's framings (where it toured the still), the depth
    it moved through (parallax) and the clip's contact sheet, side by side."""
    gap = np.full((CARD_HEIGHT_PX, 8, 3), 255, np.uint8)
    panels = [_stamp(_scaled_to_height(still, CARD_HEIGHT_PX), f"{title}: still")]
    if layout_picture is not None:
        panels += [gap, _stamp(_scaled_to_height(layout_picture, CARD_HEIGHT_PX), "layout")]
    if camera_picture is not None:
        panels += [gap, _stamp(_scaled_to_height(camera_picture, CARD_HEIGHT_PX), "camera")]
    if depth_picture is not None:
        panels += [gap, _stamp(_scaled_to_height(depth_picture, CARD_HEIGHT_PX), depth_words)]
    panels += [gap, _stamp(contact_sheet(clip_path), "clip", bottom=True)]
    return np.hstack(panels)


def episode_scene_card(still: np.ndarray, clip_path: str | os.PathLike, scene: int, layout=None,
                       footage: bool = False, result: dict | None = None) -> np.ndarray:  # fmt: skip
    """A scene's card in an episode: its still, the episode's ``layout`` drawn on it (not for a footage scene:
    nothing in it is animated), the camera's framings from the animate sidecar's ``result`` (where the camera
    toured the still: text and faces it kept whole, the subjects, the first framings, the pace) and its clip's
    contact sheet."""
    picture = draw_layout(still, layout, scene) if layout is not None and not footage else None
    camera = draw_framing(still, result) if result and not footage else None
    title = f"Scene {scene} (footage, as the source shows it)" if footage else f"Scene {scene}"
    depth, words = depth_panel(result) if result and not footage else (None, "")
    return scene_card(still, clip_path, title, picture, camera, depth, words)


def depth_panel(result: dict) -> tuple[np.ndarray | None, str]:
    """The depth a parallax clip moved through (its depth file, near = bright), and what its sidecar says of it:
    layers, the depth pace, or why it was flat; (None, "") for any other clip or a depth file no longer there."""
    depth = result.get("depth") or {}
    path = Path(str(depth.get("from", "")))
    if not depth or path.suffix.lower() != ".png" or not path.is_file():
        return None, ""
    grey = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if grey is None:
        return None, ""
    grey = (grey / (65535.0 if grey.dtype == np.uint16 else 255.0) * 255).astype(np.uint8)
    if grey.ndim == 3:
        grey = grey[..., 0]
    words = ("depth: flat" if depth.get("flat") else
             f"depth: {depth.get('layers')} layers, {100 * float(depth.get('pace_widths_per_s', 0)):.2f} %/s")  # fmt: skip
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB), words


def timeline_strip(stills: list[np.ndarray], frame_counts: list[int], width_px: int = STRIP_WIDTH_PX,
                   height_px: int = STRIP_HEIGHT_PX, numbers: list[int] | None = None) -> np.ndarray:  # fmt: skip
    """One thumbnail per scene, each as wide as the scene is long (at least 1 px), cropped to fill."""
    total = sum(frame_counts)
    edges = [0]
    for count in frame_counts:
        edges.append(edges[-1] + count)
    xs = [round(e * width_px / total) for e in edges]
    strip = np.zeros((height_px, width_px, 3), np.uint8)
    for k, still in enumerate(stills):
        x0, x1 = xs[k], max(xs[k + 1], xs[k] + 1)
        w = x1 - x0
        scale = max(w / still.shape[1], height_px / still.shape[0])
        big = cv2.resize(still, (max(w, round(still.shape[1] * scale)), max(height_px, round(still.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)  # fmt: skip
        top, left = (big.shape[0] - height_px) // 2, (big.shape[1] - w) // 2
        strip[:, x0:x1] = big[top:top + height_px, left:left + w]
        strip[:, x0] = MARK
        if numbers is not None and w >= 24:
            cv2.putText(strip, str(numbers[k]), (x0 + 4, height_px - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, WHITE, 1,
                        cv2.LINE_AA)  # fmt: skip
    return strip


def data_uri(path: str | os.PathLike, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def jpeg_uri(path: str | os.PathLike, quality: int = 85) -> str:
    """A picture as a JPEG data URI: a tenth of a PNG's size for photographs, for pages that embed many."""
    ok, data = cv2.imencode(".jpg", cv2.imread(str(path), cv2.IMREAD_COLOR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"{path}: could not encode as JPEG")
    return f"data:image/jpeg;base64,{base64.b64encode(data.tobytes()).decode('ascii')}"


SCENE_COLUMNS = {
    "scene": "scene", "kind": "kind", "start_s": "start (s)", "end_s": "end (s)", "duration_s": "duration (s)",
    "backend": "backend", "fallback": "fallback", "animate_s": "seconds", "seed": "seed",
    "seam_ratio": "loop seam (× step)", "segments": "segments", "join_ratio": "worst join (× step)",
}  # fmt: skip

STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }
td.text, th.text { text-align: left; }
tr.fallback td { background: #fff0d0; }
img { max-width: 100%; }
figure { margin: 1em 0; }
video { max-width: 100%; background: #000; }
"""


EMPTY_CELL = "—"  # what the scene table shows where a scene has no figure (no loop seam, no segments)


def scene_table(rows: list[dict]) -> pd.DataFrame:
    """The summary's scene rows as the report shows them (fallback: ``from svd: reason``; no figure: —)."""
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=list(SCENE_COLUMNS.values()))
    table["fallback"] = [f"from {f}: {r}" if f else "" for f, r in zip(table["fallback_from"], table["fallback_reason"])]
    if "kind" not in table:  # a summary written before scenes had kinds
        table["kind"] = "still"
    for key in ("seam_ratio", "segments", "join_ratio"):  # ... or before seams and joins were in it
        if key not in table:
            table[key] = None
    table = table[list(SCENE_COLUMNS)].astype(object)
    return table.where(table.notna(), EMPTY_CELL).rename(columns=SCENE_COLUMNS)


def overview_page(summary: dict, timeline_png: str | os.PathLike, cards: dict[int, str | os.PathLike]) -> str:
    """The episode's page: totals, the timeline strip, the scene table and every scene card."""
    name = html.escape(summary["episode"])
    table = scene_table(summary["scene_table"])
    body = table.to_html(index=False, na_rep="", classes="scenes", border=0, escape=True)
    for k, row in enumerate(summary["scene_table"]):  # mark the fallbacks' rows
        if row["fallback_from"]:
            body = _mark_row(body, k, "fallback")
    used = ", ".join(f"{b} {n}" for b, n in summary["backends"].items())
    falls = summary["fallbacks"]
    fell = (f"<p><strong>{len(falls)} scene(s) fell back</strong>: "
            + "; ".join(html.escape(f"scene {f['scene']}: {f['from']} -> {f['to']} ({f['reason']})") for f in falls)
            + "</p>") if falls else "<p>No scene fell back.</p>"  # fmt: skip
    stages = ", ".join(f"{s} {v:.1f} s" for s, v in summary["stage_seconds"].items())
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{name}: scenes</title><style>{STYLE}</style>"
        f"</head><body><h1>{name}</h1>",
        f"<p>{summary['scenes']} scenes, {summary['duration_s']:.2f} s; backends: {html.escape(used)}; "
        f"job time {summary['total_seconds']:.1f} s ({stages}).</p>",
        fell,
        f"<figure id='timeline'><img alt='timeline' src='{jpeg_uri(timeline_png)}'>"
        "<figcaption>The episode, one thumbnail per scene, each as wide as the scene is long.</figcaption></figure>",
        "<h2>Scenes</h2>", body, "<h2>Scene by scene</h2>",
    ]
    for row in summary["scene_table"]:
        card = cards.get(row["scene"])
        if card is None:
            continue
        parts.append(f"<figure class='scene' id='scene-{row['scene']}'><img alt='scene {row['scene']}' "
                     f"src='{jpeg_uri(card)}'><figcaption>Scene {row['scene']}: "
                     f"{row['start_s']:.2f}–{row['end_s']:.2f} s, {html.escape(str(row['backend']))}</figcaption></figure>")  # fmt: skip
    parts.append("</body></html>")
    return "\n".join(parts)


def _mark_row(table_html: str, index: int, css_class: str) -> str:
    """Give the ``index``-th body row of a pandas HTML table a class."""
    head, _, rest = table_html.partition("<tbody>")
    first, *rows = rest.split("<tr>")
    marked = "".join((f"<tr class='{css_class}'>" if k == index else "<tr>") + row for k, row in enumerate(rows))
    return head + "<tbody>" + first + marked


def previews_page(name: str, episode_preview: str | os.PathLike, scene_previews: dict[int, str | os.PathLike],
                  episode_href: str | None = None, episode_s: float | None = None) -> str:  # fmt: skip
    """The episode's opening and every scene's clip as videos that play in the page (embedded excerpts, small).

    Each video, once its metadata is read, shows its length under it (and in
    ``data-duration-s``), so a glance tells that it loaded. ``episode_href`` (relative to the page) and
    ``episode_s``: the whole episode, linked and its length said, where the excerpt is shorter.
    """
    name = html.escape(name)
    whole = ""
    if episode_href:
        length = f" ({episode_s:.1f} s)" if episode_s is not None else ""
        whole = f" The whole episode{length}: <a id='episode-file' href='{html.escape(episode_href)}'>its video file</a>."
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{name}: previews</title><style>{STYLE}</style>"
        f"</head><body><h1>{name}: previews</h1>",
        "<h2>The episode</h2>",
        f"<p>The first {EPISODE_EXCERPT_S:g} s at most, small.{whole}</p>",
        f"<figure><video id='episode' controls preload='metadata' src='{data_uri(episode_preview, 'video/mp4')}'>"
        "</video><figcaption class='length'></figcaption></figure>",
        f"<h2>Each scene's clip</h2><p>The first {CLIP_EXCERPT_S:g} s of each, at most.</p>",
    ]
    for scene, path in sorted(scene_previews.items()):
        parts.append(f"<figure><video class='clip' data-scene='{scene}' controls muted loop preload='metadata' "
                     f"src='{data_uri(path, 'video/mp4')}'></video><figcaption>Scene {scene} "
                     "<span class='length'></span></figcaption></figure>")  # fmt: skip
    parts.append("""<script>
function showLength(v) {
  v.dataset.durationS = v.duration.toFixed(3);
  const out = v.parentElement.querySelector('.length');
  if (out) out.textContent = '(' + v.duration.toFixed(2) + ' s)';
}
// A video the parser met early may have read its metadata before this script ran.
for (const v of document.querySelectorAll('video')) {
  if (v.readyState >= HTMLMediaElement.HAVE_METADATA) showLength(v);
  else v.addEventListener('loadedmetadata', () => showLength(v), {once: true});
}
</script></body></html>""")
    return "\n".join(parts)
