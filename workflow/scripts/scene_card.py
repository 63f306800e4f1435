"""Snakemake script: one scene side by side for the report: still, layout, clip contact sheet."""

from podmotion.atomic import atomic_output
from podmotion.jobs import run_job
from podmotion.layout import draw_layout
from podmotion.media import read_image, write_image
from podmotion.report import scene_card
from podmotion.scene_folder import SceneFolder


def main():
    folder = SceneFolder(snakemake.input.scenes)  # noqa: F821 (snakemake is injected)
    scene = int(snakemake.wildcards.scene)  # noqa: F821
    still = read_image(folder.still(scene))
    layout = folder.layout()
    footage = "/footage/" in str(snakemake.input.clip)  # noqa: F821 (passed through: no layout, nothing animated)
    picture = draw_layout(still, layout, scene) if layout is not None and not footage else None
    title = f"Scene {scene} (footage, as the source shows it)" if footage else f"Scene {scene}"
    card = scene_card(still, snakemake.input.clip, title, picture)  # noqa: F821
    with atomic_output(snakemake.output[0]) as tmp:  # noqa: F821
        write_image(card, tmp)


run_job(snakemake, main)  # noqa: F821
