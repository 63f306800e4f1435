# Stage 2a: each parallax scene's depth (one job per scene), made once and kept: from the
# scene's own depth image, or the depth model on the art. The animate job reads it.


rule depth_scene:
    input:
        image=scene_still,
        scenes=ancient(scenes_dir),
        depth_image=scene_depth_image,
    output:
        depth="results/{name}/depth/scene_{scene}.png",
        sidecar="results/{name}/depth/scene_{scene}.json",
    log:
        "logs/depth_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/depth_scene/{name}/scene_{scene}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    resources:
        mem_mb=depth_mem_mb,
    params:
        settings=depth_settings,
    script:
        "../scripts/depth_scene.py"
