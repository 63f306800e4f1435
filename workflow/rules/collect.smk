# Stage 1, for image-folder topics: per-scene images and narration in, the same scene
# folder detection writes: the chosen still per scene, timestamps at the cumulative
# narration boundaries, and the narration joined once.


checkpoint collect_scenes:
    input:
        unpack(topic_inputs),
    output:
        directory("results/{name}/scenes"),
    log:
        "logs/collect_scenes/{name}.log",
    benchmark:
        "logs/benchmarks/collect_scenes/{name}.tsv"
    wildcard_constraints:
        name=TOPIC_NAMES,
    conda:
        "../../envs/podmotion.yaml"
    resources:
        mem_mb=collect_mem_mb,
    params:
        settings=collect_settings,
    script:
        "../scripts/collect_scenes.py"
