# Stage 2: animate each still into a short clip (one job per scene). The scene folder
# is ancient: a scene reruns when its own still or settings change, not the folder.


rule animate_scene:
    input:
        image=scene_still,
        scenes=ancient(scenes_dir),
    output:
        clip="results/{name}/clips/scene_{scene}.mp4",
        sidecar="results/{name}/clips/scene_{scene}.json",
    log:
        "logs/animate_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/animate_scene/{name}/scene_{scene}.tsv"
    retries: ANIMATE_RETRIES
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    resources:
        mem_mb=animate_mem_mb,
        gpu=animate_gpus,
        memory_level=memory_level,
    params:
        settings=animate_settings,
    script:
        "../scripts/animate_scene.py"
