# Stage 4: join the scenes (padded, with their live regions, or footage passed through),
# then put the source's audio back. For image-folder topics, also each scene's clip with
# its own narration.


rule concat:
    input:
        padded=padded_scenes,
        scenes=scenes_dir,
    output:
        temp("results/{name}/{name}_video.mp4"),
    log:
        "logs/concat/{name}.log",
    benchmark:
        "logs/benchmarks/concat/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=STREAM_COPY_MB,
    params:
        fps=episode_fps,
    script:
        "../scripts/concat.py"


rule mux:
    input:
        video="results/{name}/{name}_video.mp4",
        source=mux_source,
        scenes=scenes_dir,
    output:
        video=ANIMATED,
        chapters="results/{name}/chapters.txt",
    log:
        "logs/mux/{name}.log",
    benchmark:
        "logs/benchmarks/mux/{name}.tsv"
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=STREAM_COPY_MB,
    params:
        titles=episode_chapter_titles,
    script:
        "../scripts/mux.py"


rule combine_scene:
    input:
        padded="results/{name}/padded/scene_{scene}.mp4",
        scenes=scenes_dir,
    output:
        "results/{name}/combined/scene_{scene}.mp4",
    log:
        "logs/combine_scene/{name}/scene_{scene}.log",
    benchmark:
        "logs/benchmarks/combine_scene/{name}/scene_{scene}.tsv"
    wildcard_constraints:
        name=TOPIC_NAMES,
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=STREAM_COPY_MB,
    params:
        fps=episode_fps,
    script:
        "../scripts/combine_scene.py"
