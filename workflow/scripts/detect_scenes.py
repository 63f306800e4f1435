"""Snakemake script: detect scenes and write the episode's scene folder (see podmotion.scene_folder)."""

from podmotion.detect import detect_to_folder
from podmotion.jobs import run_job

settings = snakemake.params.detect  # noqa: F821 (snakemake is injected)


def main():
    detect_to_folder(
        snakemake.params.source,  # noqa: F821 (the input too, unless it is missing: then this names it)
        snakemake.output[0],  # noqa: F821
        detector=settings["detector"],
        threshold=settings["threshold"],
        min_scene_len_s=settings["min_scene_len_s"],
        candidates=settings["candidates"],
        layout=snakemake.params.layout,  # noqa: F821
    )


run_job(snakemake, main)  # noqa: F821
