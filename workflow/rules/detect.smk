# Stage 1: find the scenes, one still per scene, with their timestamps.


checkpoint detect_scenes:
    input:
        video=source_video,
    output:
        directory("results/{name}/scenes"),
    wildcard_constraints:
        name=PODCAST_NAMES,
    log:
        "logs/detect_scenes/{name}.log",
    conda:
        "../../envs/podmotion.yaml"
    params:
        detect=config["detect"],
    script:
        "../scripts/detect_scenes.py"
