"""Snakemake script: animate one scene's still with the configured backend."""

from podmotion.animate import animate_scene, scene_runtime
from podmotion.jobs import run_job


def main():
    sm = snakemake  # noqa: F821 (snakemake is injected)
    settings = sm.params.settings
    animate_scene(
        sm.input.image,
        sm.output.clip,
        sm.output.sidecar,
        settings,
        threads=sm.threads,
        attempt=sm.resources.memory_level + 1,
        runtime=scene_runtime(sm.config, sm.wildcards.name, int(sm.wildcards.scene), settings["backend"]),
        depth_path=sm.input.depth or None,  # the scene's depth, where its backend or a fallback moves through it
    )


run_job(snakemake, main)  # noqa: F821
