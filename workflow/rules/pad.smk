# Stage 3: fit each clip to the output and pad it to its scene's exact frame count; where
# the episode has live regions (a waveform, subtitles, a camera box), take them from the
# source into each still scene, frame by frame.


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
    resources:
        mem_mb=pad_mem_mb,
    params:
        settings=pad_settings,
    script:
        "../scripts/pad_scene.py"


rule live_scene:
    input:
        padded="results/{name}/padded/scene_{scene}.mp4",
        source=source_video,
        scenes=ancient(scenes_dir),
    output:
        "results/{name}/live/scene_{scene}.mp4",
    log:
        "logs/live_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/live_scene/{name}/scene_{scene}.tsv"
    wildcard_constraints:
        name=PODCAST_NAMES,
    conda:
        "../../envs/podmotion.yaml"
    threads: 2
    resources:
        mem_mb=live_mem_mb,
    params:
        settings=live_scene_settings,
    script:
        "../scripts/live_scene.py"
