# Stage 3, for footage scenes (an intro, a clip, an outro): no animation, no padding. The
# scene's own frames come from the source, encoded once at the output's settings.


rule footage_scene:
    input:
        source=source_video,
        scenes=ancient(scenes_dir),
    output:
        clip="results/{name}/footage/scene_{scene}.mp4",
        sidecar="results/{name}/footage/scene_{scene}.json",
    log:
        "logs/footage_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/footage_scene/{name}/scene_{scene}.tsv"
    wildcard_constraints:
        name=PODCAST_NAMES,
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    resources:
        mem_mb=footage_mem_mb,
    params:
        settings=footage_settings,
    script:
        "../scripts/footage_scene.py"
