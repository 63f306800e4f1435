# Stage 4: join the padded scenes, then put the source's audio back.


rule concat:
    input:
        padded=padded_scenes,
        scenes=scenes_dir,
    output:
        temp("results/{name}/{name}_video.mp4"),
    log:
        "logs/concat/{name}.log",
    conda:
        "../../envs/podmotion.yaml"
    params:
        fps=episode_fps,
    script:
        "../scripts/concat.py"


rule mux:
    input:
        video="results/{name}/{name}_video.mp4",
        source=source_video,
        scenes=scenes_dir,
    output:
        "results/{name}/{name}_animated.mp4",
    log:
        "logs/mux/{name}.log",
    conda:
        "../../envs/podmotion.yaml"
    script:
        "../scripts/mux.py"
