# Stage 3: fit each clip to the output and pad it to its scene's exact frame count.


rule pad_scene:
    input:
        clip="results/{name}/clips/scene_{scene}.mp4",
        sidecar="results/{name}/clips/scene_{scene}.json",
        scenes=ancient(scenes_dir),
    output:
        "results/{name}/padded/scene_{scene}.mp4",
    log:
        "logs/pad_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/pad_scene/{name}/scene_{scene}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    params:
        settings=pad_settings,
    script:
        "../scripts/pad_scene.py"
