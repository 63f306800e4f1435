"""Model loading per clip: a fresh process per clip (the seeds' way) against the resident worker, side by side.

Ten scenes are animated with the svd backend twice, through the code a Snakemake job runs
(``podmotion.backends.i2v.animate``): once with ``worker: false`` in a new Python process per clip
(imports, model load, generation), once through one resident worker (``podmotion.i2v.worker``). For each
way it prints the wall time per clip, the pure generation time (denoise + decode, from the clips' own
reports) and their ratio. The goal: through the worker, per-clip wall time within 5% of pure generation.

    .venv/bin/python benchmarks/svd_worker.py                     # tiny random-weight model on the CPU
    .venv/bin/python benchmarks/svd_worker.py --size full         # full-size SVD-XT, random weights (a GPU)

On the GPU machine it runs as part of the one command in docs/benchmarks.md, which folds its
``--json`` into benchmarks/svd_gpu.py's table. Unlike svd_gpu.py it runs the whole backend, so it
needs OpenCV and an ffmpeg (imageio-ffmpeg) too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_CLIP = """
import json, sys
from pathlib import Path
from fractions import Fraction
from podmotion.backends import AnimateRequest
from podmotion.backends.i2v import animate
from podmotion.ffmpeg import EncoderSettings
args = json.loads(sys.argv[1])
encoder = EncoderSettings(crf=18, preset="veryfast", keyint_frames=250)
report = animate(AnimateRequest(Path(args["image"]), Path(args["out"]), 1024, 576, Fraction(25), 10.0, seed=1,
                                options=args["options"], encoder=encoder))
print(json.dumps(report, default=str))
"""


def options_for(size: str, model: Path) -> dict:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import schema_defaults  # animate.svd's defaults, read from the config schema

    options = schema_defaults("svd")
    if size == "tiny":
        options.update(model=str(model), variant=None, dtype="fp32", device="cpu", width=64, height=64,
                       num_frames=4, num_inference_steps=2, decode_chunk_size=4)  # fmt: skip
    else:
        options.update(model=str(model), variant="fp16", dtype="fp16", device="auto")
    return options


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["tiny", "full"], default="tiny")
    ap.add_argument("--clips", type=int, default=10)
    ap.add_argument("--model-folder", type=Path, default=None,
                    help="keep the random model here (saved if missing, reused if there)")  # fmt: skip
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here (benchmarks/svd_gpu.py "
                                                            "--worker-json reads them)")  # fmt: skip
    args = ap.parse_args()

    from podmotion.backends import AnimateRequest
    from podmotion.backends.i2v import animate
    from podmotion.ffmpeg import EncoderSettings
    from podmotion.media import write_image
    from podmotion.i2v import random_model, worker

    sys.path.insert(0, str(REPO / "tests"))
    from synth import scene_picture

    encoder = EncoderSettings(crf=18, preset="veryfast", keyint_frames=250)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        arch = random_model.TINY if args.size == "tiny" else random_model.FULL
        model = (args.model_folder or tmp / "model").absolute()  # the worker runs in another folder
        if not (model / "model_index.json").is_file():
            random_model.save_pipeline(model, arch, variant=None if args.size == "tiny" else "fp16")
        options = options_for(args.size, model)
        stills = []
        for k in range(args.clips):
            stills.append(tmp / f"scene_{k + 1:03d}.png")
            write_image(scene_picture(k, 320, 180), stills[-1])

        cold_wall, cold_gen = [], []
        for k, still in enumerate(stills):
            payload = {"image": str(still), "out": str(tmp / f"cold_{k}.mp4"), "options": {**options, "worker": False}}
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", ONE_CLIP, json.dumps(payload)], capture_output=True,
                                 text=True, check=True, cwd=tmp).stdout  # fmt: skip
            cold_wall.append(time.perf_counter() - started)
            report = json.loads(out.strip().splitlines()[-1])
            cold_gen.append(report["seconds_denoise"] + report["seconds_decode"])

        os.chdir(tmp)  # the worker belongs to this folder
        warm_wall, warm_gen = [], []
        try:
            for k, still in enumerate(stills):
                started = time.perf_counter()
                report = animate(AnimateRequest(still, tmp / f"warm_{k}.mp4", 1024, 576, Fraction(25), 10.0, seed=1,
                                                options=options, encoder=encoder))
                warm_wall.append(time.perf_counter() - started)
                warm_gen.append(report["seconds_denoise"] + report["seconds_decode"])
        finally:
            worker.stop(tmp)

    def row(name, wall, gen):
        total_wall, total_gen = sum(wall), sum(gen)
        print(f"{name:<28}{total_wall / len(wall):>12.3f}{total_gen / len(gen):>17.3f}{total_wall / total_gen:>10.2f}x")

    print(f"{args.clips} clips, {args.size} random-weight SVD ({options['width'] or 'model'} px, "
          f"{options['num_frames']} frames, {options['num_inference_steps']} steps) on {options['device']}")  # fmt: skip
    print(f"{'way':<28}{'wall s/clip':>12}{'generate s/clip':>17}{'wall/gen':>10}")
    row("fresh process per clip", cold_wall, cold_gen)
    row("resident worker (all)", warm_wall, warm_gen)
    row("resident worker (2nd on)", warm_wall[1:], warm_gen[1:])
    print(f"per clip, worker against a fresh process: {sum(cold_wall) / sum(warm_wall):.1f}x faster; "
          f"clips after the first within {100 * (sum(warm_wall[1:]) / sum(warm_gen[1:]) - 1):.0f}% of generation")
    if args.json:
        def way(wall, gen):
            return {"wall_s_per_clip": sum(wall) / len(wall), "generate_s_per_clip": sum(gen) / len(gen)}

        args.json.write_text(json.dumps({
            "size": args.size, "clips": args.clips, "device": options["device"],
            "settings": {k: options[k] for k in ("dtype", "num_frames", "num_inference_steps", "decode_chunk_size")},
            "ways": {"fresh": way(cold_wall, cold_gen), "worker_all": way(warm_wall, warm_gen),
                     "worker_after_first": way(warm_wall[1:], warm_gen[1:])},
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
