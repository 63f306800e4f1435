# podmotion: still-image podcast video in, animated podcast out.
# Stages, in order: detect (podcasts) or collect (image-folder topics) -> depth (parallax scenes) -> animate -> pad
# (footage scenes: passed through from the source instead) -> assemble (concat + mux; per-scene narration for topics) -> report (run summary, pages).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/detect.smk"
include: "workflow/rules/collect.smk"
include: "workflow/rules/depth.smk"
include: "workflow/rules/animate.smk"
include: "workflow/rules/pad.smk"
include: "workflow/rules/footage.smk"
include: "workflow/rules/assemble.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs,
