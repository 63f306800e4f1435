"""Snakemake script: one scene's depth, from its depth image or the depth model."""

from podmotion.depth.scene import make_scene_depth
from podmotion.jobs import run_job
from podmotion.settings import scene_settings


def main():
    sm = snakemake  # noqa: F821 (snakemake is injected)
    device = scene_settings(sm.config, sm.wildcards.name, int(sm.wildcards.scene))["animate"]["parallax"]["device"]
    make_scene_depth(sm.input.image, sm.output.depth, sm.output.sidecar, sm.params.settings, device=device,
                     threads=sm.threads)  # fmt: skip


run_job(snakemake, main)  # noqa: F821
