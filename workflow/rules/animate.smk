# Stage 2: animate each still into a short clip (one job per scene). The scene folder
# is ancient: a scene reruns when its own still or settings change, not the folder.
# A scene sent to a cloud provider (runway, fal) first waits for its episode's estimate.


rule cloud_estimate:
    input:
        scenes=ancient(scenes_dir),
        stills=cloud_stills,
    output:
        estimate="results/{name}/cloud/estimate.json",
    log:
        "logs/cloud_estimate/{name}.log",
    benchmark:
        "logs/benchmarks/cloud_estimate/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=estimate_mem_mb,
    params:
        plan=cloud_plan,
    script:
        "../scripts/cloud_estimate.py"


rule animate_scene:
    input:
        image=scene_still,
        scenes=ancient(scenes_dir),
        estimate=cloud_estimate_for,
        depth=scene_depth_for,
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
        api_runway=api_slots("runway"),
        api_fal=api_slots("fal"),
        memory_level=memory_level,
    params:
        settings=animate_settings,
    script:
        "../scripts/animate_scene.py"
