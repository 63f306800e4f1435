# Stage 1: find the scenes, one still per scene, with their timestamps.


checkpoint detect_scenes:
    input:
        video=source_video,
    output:
        directory("results/{name}/scenes"),
    log:
        "logs/detect_scenes/{name}.log",
    benchmark:
        "logs/benchmarks/detect_scenes/{name}.tsv"
    wildcard_constraints:
        name=PODCAST_NAMES,
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=detect_mem_mb,
    params:
        source=source_path,
        detect=detect_settings,
        layout=episode_layout_settings,
    script:
        "../scripts/detect_scenes.py"
