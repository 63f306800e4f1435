# Stage 5: what the run made, for people: the run summary (results/NAME/summary.json, one
# console line per episode at the end), and the pictures and pages that
# `snakemake --report report.html` (or report.zip) shows, per episode.


rule scene_card:
    input:
        clip=scene_clip,
        scenes=ancient(scenes_dir),
    output:
        report(
            "results/{name}/report/scenes/scene_{scene}.png",
            caption="../report/scene_card.rst",
            category="{name}",
            subcategory="Scene by scene",
            labels={"scene": "{scene}"},
        ),
    log:
        "logs/scene_card/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/scene_card/{name}/scene_{scene}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=card_mem_mb,
    script:
        "../scripts/scene_card.py"


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
        cards=scene_cards,
        clips=clip_paths_of,
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
    log:
        "logs/episode_report/{name}.log",
    benchmark:
        "logs/benchmarks/episode_report/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=report_mem_mb,
    script:
        "../scripts/episode_report.py"
