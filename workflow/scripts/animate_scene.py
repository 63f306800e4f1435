"""Snakemake script: animate one scene's still with the configured backend."""

from podmotion.animate import animate_scene
from podmotion.jobs import run_job


def main():
    animate_scene(
        snakemake.input.image,  # noqa: F821 (snakemake is injected)
        snakemake.output.clip,  # noqa: F821
        snakemake.output.sidecar,  # noqa: F821
        snakemake.params.settings,  # noqa: F821
        threads=snakemake.threads,  # noqa: F821
    )


run_job(snakemake, main)  # noqa: F821
