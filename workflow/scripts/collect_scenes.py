"""Snakemake script: a topic's images and narration to its scene folder."""

from podmotion.jobs import run_job
from podmotion.topics import collect_to_folder

settings = snakemake.params.settings  # noqa: F821 (snakemake is injected)


def main():
    collect_to_folder(
        settings["images"],
        settings["audio"],
        snakemake.output[0],  # noqa: F821
        variant=settings["variant"],
        named=settings["named"],
        missing_audio_s=settings["missing_audio_s"],
        output_cfg={key: settings[key] for key in ("fps", "max_long_side_px", "background")},
        image_pattern=settings["image_pattern"],
        audio_pattern=settings["audio_pattern"],
    )


run_job(snakemake, main)  # noqa: F821
