# Config validation, and thin adapters from wildcards to the run's plan (podmotion.plan), which
# makes every decision: backends, scene kinds, job settings, file lists, memory, closing lines.
import re
import sys
from pathlib import Path

from snakemake.logging import logger
from snakemake.utils import validate

from podmotion import memory
from podmotion.plan import Plan, startup_problem

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
_problem = startup_problem(config, SCHEMA, validate, logger)
if _problem:
    sys.exit(_problem)


def names_regex(names):
    """A wildcard constraint matching exactly these episode names (or nothing)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


PODCAST_NAMES = names_regex(config["podcasts"])
TOPIC_NAMES = names_regex(config["topics"])
ANIMATED = f"results/{{name}}/{{name}}_animated.{config['output']['container']}"


wildcard_constraints:
    name=r"[A-Za-z0-9][A-Za-z0-9._-]*",
    scene=r"[0-9]+",


def scene_folder(name):
    """Topics collect their scenes from folders, podcasts detect them: the same folder."""
    topic = name in config["topics"]
    stage = checkpoints.collect_scenes if topic else checkpoints.detect_scenes
    return stage.get(name=name).output[0]


PLAN = Plan(config, scene_folder, logger.info, logger.warning)


def per_episode(decide):
    return lambda wildcards: decide(wildcards.name)


def per_scene(decide):
    return lambda wildcards: decide(wildcards.name, int(wildcards.scene))


def mem_mb(job, per=per_episode):
    return per(lambda *name_scene: PLAN.mem_mb(job, *name_scene))


def final_outputs(wildcards):
    return PLAN.targets()


def scene_still(wildcards):
    return PLAN.still(wildcards.name, wildcards.scene)


scenes_dir = per_episode(PLAN.folders)
source_path = per_episode(PLAN.source_path)
source_video = per_episode(PLAN.source)
mux_source = per_episode(PLAN.audio_source)
episode_chapter_titles = per_episode(PLAN.chapter_titles)
episode_layout_settings = per_episode(PLAN.layout)
episode_fps = per_episode(PLAN.fps_arg)
detect_settings = per_episode(PLAN.detect_settings)
topic_inputs = per_episode(PLAN.topic_inputs)
collect_settings = per_episode(PLAN.collect_settings)
animate_settings = per_scene(PLAN.animate_settings)
pad_settings = per_scene(PLAN.pad_settings)
live_scene_settings = per_scene(PLAN.live_settings)
footage_settings = per_scene(PLAN.footage_settings)
animate_gpus = per_scene(PLAN.gpus)
depth_settings = per_scene(PLAN.depth_settings)
scene_depth_image = per_scene(PLAN.depth_input)
scene_depth_for = per_scene(PLAN.depth_for)
cloud_plan = per_episode(PLAN.cloud_plan)
cloud_stills = per_episode(PLAN.cloud_stills)
padded_scenes = per_episode(PLAN.joined)
clip_paths_of = per_episode(PLAN.clips)
scene_sidecars = per_episode(PLAN.sidecars)
ANIMATE_RETRIES = PLAN.retries()
STREAM_COPY_MB = memory.stream_copy_mb()
detect_mem_mb, collect_mem_mb = mem_mb("detect"), mem_mb("collect")
animate_mem_mb, pad_mem_mb = mem_mb("animate", per_scene), mem_mb("pad")
live_mem_mb, footage_mem_mb = mem_mb("live"), mem_mb("footage")
estimate_mem_mb, report_mem_mb = mem_mb("estimate"), mem_mb("report")
depth_mem_mb = mem_mb("depth")


def api_slots(provider):
    """The resource api_<provider>: 1 for a scene that may call the provider."""
    return per_scene(lambda name, scene: PLAN.api_slots(name, scene, provider))


def cloud_estimate_for(wildcards):
    """A cloud scene waits for its episode's estimate, and is not rerun when it changes."""
    if PLAN.waits_for_estimate(wildcards.name, int(wildcards.scene)):
        return ancient(f"results/{wildcards.name}/cloud/estimate.json")
    return []


def memory_level(wildcards, attempt):
    """0 on the first attempt, one more per retry (a resource: re-evaluated on a retry)."""
    return attempt - 1


# Memory: run locally, the scheduler holds each job's mem_mb against the machine's memory
# less a margin, unless --resources mem_mb=... says otherwise; on a cluster, each job asks.
local = workflow.local_exec and not workflow.remote_exec
if local and "mem_mb" not in workflow.global_resources.keys():
    workflow.register_resource("mem_mb", memory.machine_mem_mb())
if workflow.remote_exec:
    logger.info(PLAN.on_cluster())


def finish(failed):
    """The worker stopped, leftovers removed, and each touched episode's closing line."""
    dag = workflow.dag
    jobs = (
        None if dag is None else {getattr(j.wildcards, "name", None) for j in dag.jobs}
    )
    targets = [] if dag is None else dag.targetfiles
    for level, line in PLAN.finish(failed, jobs, targets):
        (logger.warning if level == "warning" else logger.info)(line)


onsuccess:
    finish(failed=False)


onerror:
    finish(failed=True)
