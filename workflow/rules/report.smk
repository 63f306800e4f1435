# Stage 5: what the run made, for people: the run summary (results/NAME/summary.json, one
# console line per episode at the end), and the pictures and pages that
# `snakemake --report report.html` (or report.zip) shows, per episode. One job makes
# the episode's whole report, each scene's card and preview included; those are kept
# in results/NAME/report/.cache/ and made again only for scenes whose files changed.


rule summarise:
    input:
        video=ANIMATED,
        sidecars=scene_sidecars,
        scenes=scenes_dir,
    output:
        "results/{name}/summary.json",
    log:
        "logs/summarise/{name}.log",
    benchmark:
        "logs/benchmarks/summarise/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=STREAM_COPY_MB,
    script:
        "../scripts/summarise.py"


rule episode_report:
    input:
        summary="results/{name}/summary.json",
        clips=clip_paths_of,
        sidecars=scene_sidecars,
        video=ANIMATED,
        scenes=scenes_dir,
    output:
        overview=report(
            "results/{name}/report/overview.html",
            caption="../report/overview.rst",
            category="{name}",
            subcategory="Overview",
            labels={"page": "scene table, timeline and scenes"},
        ),
        timeline=report(
            "results/{name}/report/timeline.png",
            caption="../report/timeline.rst",
            category="{name}",
            subcategory="Overview",
            labels={"page": "timeline"},
        ),
        previews=report(
            "results/{name}/report/previews.html",
            caption="../report/previews.rst",
            category="{name}",
            subcategory="Overview",
            labels={"page": "playable previews"},
        ),
        cards=report(
            directory("results/{name}/report/scenes"),
            patterns=["scene_{scene}.png"],
            caption="../report/scene_card.rst",
            category="{name}",
            subcategory="Scene by scene",
            labels={"scene": "{scene}"},
        ),
    log:
        "logs/episode_report/{name}.log",
    benchmark:
        "logs/benchmarks/episode_report/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    resources:
        mem_mb=report_mem_mb,
    script:
        "../scripts/episode_report.py"
