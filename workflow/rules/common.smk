# Config validation, and the input/params functions the rules call by name: thin
# adapters from wildcards and config to the package (podmotion.job_settings, .episode).
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from snakemake.exceptions import IncompleteCheckpointException
from snakemake.logging import logger
from snakemake.utils import validate

from podmotion.assemble import leftover_parts, live_boxes_at_output
from podmotion.atomic import unwritable_problem
from podmotion.backends import BACKENDS, CLOUD
from podmotion.cloud.estimate import (
    consent_line,
    key_problem,
    options_problem,
    price_per_s,
)
from podmotion.episode import DoneFolders, Episode
from podmotion.ffmpeg import fps_arg
from podmotion import memory
from podmotion.job_settings import (
    BackendChoice,
    animate_job_settings,
    footage_job_settings,
    live_job_settings,
    pad_job_settings,
)
from podmotion.scene_folder import SceneFolder, scene_file_name
from podmotion.settings import (
    chapter_titles,
    fallback_chain,
    layout_settings,
    config_problem,
    load_schema,
    normalise,
    scene_settings,
)
from podmotion.segments import treated_as
from podmotion.summary import closing_line
from podmotion.i2v import worker as i2v_worker
from podmotion.i2v.weights import config_weights_problem
from podmotion.topics import input_files as topic_files
from podmotion.topics import takes_prompt, topic_settings, topics_problem

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"

normalise(config)
_problem = config_problem(config, load_schema(SCHEMA))
if _problem:
    sys.exit(_problem)
validate(config, str(SCHEMA))  # fills in the defaults
# A missing source is that episode's problem, not the run's: its detection job fails with
# one line naming the file, and --keep-going builds the others (the run still exits non-zero).
for _name, _path in config["podcasts"].items():
    if not Path(_path).is_file():
        logger.warning(
            f"podcasts: {_name}: {_path}: file not found; this episode will fail, the others are built"
        )
_weights = (
    config_weights_problem(config)
    or topics_problem(config)
    or unwritable_problem("results")
)
if _weights:
    sys.exit(_weights)
# Cloud providers: a named provider's key must be in the environment, and its model priced, before any job;
# the run's first line says what will be uploaded where (podmotion.cloud.estimate).
_cloud = key_problem(config) or options_problem(config)
if _cloud:
    sys.exit(_cloud)
if consent_line(config):
    logger.info(consent_line(config))


def names_regex(names):
    """A wildcard constraint matching exactly these episode names (or nothing)."""
    return "|".join(re.escape(n) for n in names) or "(?!)"


PODCAST_NAMES = names_regex(config["podcasts"])
# The finished episode: MP4, or MKV (output.container), which also keeps every subtitle and font.
ANIMATED = f"results/{{name}}/{{name}}_animated.{config['output']['container']}"
TOPIC_NAMES = names_regex(config["topics"])


wildcard_constraints:
    name=r"[A-Za-z0-9][A-Za-z0-9._-]*",
    scene=r"[0-9]+",


def final_outputs(wildcards):
    """Every episode's animated video and its per-scene clips.

    The clips are targets too, so deleting one and rerunning rebuilds just that
    scene's chain (Snakemake does not look upstream of up-to-date outputs). An
    episode whose scenes are not detected yet stands in with its scene folder,
    so each episode's detection is scheduled on its own and one broken episode
    doesn't hold the others back under --keep-going.
    """
    outputs = []
    for name in [*config["podcasts"], *config["topics"]]:
        outputs += [ANIMATED.format(name=name), *report_paths(name)]
        try:
            outputs += clip_paths(name)
            if is_topic(name):
                outputs += scene_paths(name, "combined")
        except IncompleteCheckpointException:
            outputs.append(f"results/{name}/scenes")
    return outputs


def is_topic(name):
    return name in config["topics"]


def scenes_checkpoint(name):
    """Topics collect their scenes from folders; podcasts detect them. Either writes the same folder."""
    return checkpoints.collect_scenes if is_topic(name) else checkpoints.detect_scenes


def topic_inputs(wildcards):
    """The topic's folders, and every file in them that names a scene (its prompt files
    too): a file added, removed or changed reruns the collection."""
    topic = topic_settings(config["topics"][wildcards.name])
    files = topic_files(
        topic["images"], topic["audio"], topic["image_pattern"], topic["audio_pattern"]
    )
    return {"files": files}


def collect_settings(wildcards):
    """The topic's settings, the variants named per scene, and the output rate."""
    overrides = config["overrides"].get(wildcards.name, {})
    return {
        **topic_settings(config["topics"][wildcards.name]),
        "named": {int(k): v["variant"] for k, v in overrides.items() if "variant" in v},
        "fps": config["output"]["fps"],
        "max_long_side_px": config["output"]["max_long_side_px"],
        "background": config["output"]["background"],
    }


def mux_source(wildcards):
    """Where the episode's audio comes from: the podcast video, or a topic's scene folder
    (its narration, joined once)."""
    if is_topic(wildcards.name):
        return scenes_dir(wildcards)
    return source_video(wildcards)


def episode_chapter_titles(wildcards):
    """The chapter titles given in overrides: a new title remuxes, nothing else reruns."""
    return chapter_titles(config, wildcards.name)


def detect_settings(wildcards):
    """The detect section, less what only decides how scenes are treated (footage): changing that
    redetects nothing."""
    return {k: v for k, v in config["detect"].items() if k != "footage"}


def episode_layout_settings(wildcards):
    """The layout config for one episode: its own entry over the global one."""
    return layout_settings(config, wildcards.name)


def source_path(wildcards):
    return config["podcasts"][wildcards.name]


def source_video(wildcards):
    """The source as an input file; none when it is missing, so that only this
    episode's detection fails (naming the file) instead of the whole DAG."""
    path = source_path(wildcards)
    return path if Path(path).is_file() else []


# Each episode's scene folder: asked of its checkpoint until that is done, then kept
# (podmotion.episode.DoneFolders), so its thousands of jobs don't each ask again.
done_scene_folders = DoneFolders(
    lambda name: scenes_checkpoint(name).get(name=name).output[0]
)


def scenes_dir(wildcards):
    return done_scene_folders(wildcards.name)


def scene_still(wildcards):
    """A scene's still, inside the scene folder: asked for before detection, it waits for it
    (the checkpoint) instead of ending the run with a missing input."""
    return str(Path(scenes_dir(wildcards)) / f"scene_{wildcards.scene}.png")


def episode(name):
    """The episode's output timeline, once its scenes are detected (podmotion.episode)."""
    return Episode.of_folder(done_scene_folders(name), config["output"])


# animate.backend: auto is decided once per run (podmotion.job_settings.BackendChoice).
backend_name = BackendChoice(config["animate"]["svd"], logger.info)


def scene_backend(wildcards):
    return backend_name(
        scene_settings(config, wildcards.name, int(wildcards.scene))["animate"][
            "backend"
        ]
    )


def scene_chain(wildcards):
    """The scene's backend, then the ones it falls back to, in turn."""
    backend = scene_backend(wildcards)
    return [backend] + fallback_chain(
        config, wildcards.name, int(wildcards.scene), backend
    )


def animate_gpus(wildcards):
    return 1 if any(BACKENDS[b].needs_gpu for b in scene_chain(wildcards)) else 0


def api_slots(provider):
    """The resource api_<provider>: 1 for a scene that may call the provider (its backend, or a fallback), so
    the profile's api_<provider>=N caps the calls in flight."""
    return lambda wildcards: 1 if provider in scene_chain(wildcards) else 0


def cloud_estimate_for(wildcards):
    """A cloud scene waits for its episode's estimate (held to max_cost) and is not rerun when it changes."""
    if BACKENDS[scene_backend(wildcards)].cloud:
        return ancient(f"results/{wildcards.name}/cloud/estimate.json")
    return []


def cloud_plan(wildcards):
    """The episode's still scenes whose backend is a cloud provider: what the estimate counts."""
    ep = episode(wildcards.name)
    plan = []
    for scene in ep.playable_scenes():
        if scene_kind(wildcards.name, scene) == "footage":
            continue
        wc = SimpleNamespace(name=wildcards.name, scene=ep.label(scene))
        backend = scene_backend(wc)
        if not BACKENDS[backend].cloud:
            continue
        options = scene_settings(config, wildcards.name, scene)["animate"][backend]
        clip = (
            f"results/{wildcards.name}/clips/{scene_file_name(ep.label(scene), '.mp4')}"
        )
        plan.append(
            dict(
                scene=scene,
                provider=backend,
                model=options["model"],
                duration_s=options["duration_s"],
                price_per_s=price_per_s(backend, options),
                max_cost=options["max_cost"],
                options=options,
                settings=animate_settings(wc),
                still=scene_still(wc),
                clip=clip,
            )
        )
    return plan


def cloud_stills(wildcards):
    return [entry["still"] for entry in cloud_plan(wildcards)]


# The image-to-video backends (podmotion.i2v): Snakemake retries an animate job as
# often as the most any of them allows; each falls back after its own retries.
I2V_BACKENDS = ("svd", "wan", "ltx")
ANIMATE_RETRIES = max(config["animate"][b]["retries"] for b in I2V_BACKENDS)


def memory_level(wildcards, attempt):
    """0 on the first attempt, one more per retry: the svd, wan and ltx backends use less memory each time.

    A resource, not a param: Snakemake re-evaluates resources on a retry, not params.
    """
    return attempt - 1


def animate_settings(wildcards):
    """Everything that shapes one scene's clip (podmotion.job_settings)."""
    scene = int(wildcards.scene)
    ep = episode(wildcards.name)
    backend = scene_backend(wildcards)
    prompt = None
    if is_topic(wildcards.name) and takes_prompt(backend):
        prompt = SceneFolder(scenes_dir(wildcards)).prompts().get(scene)
    return animate_job_settings(
        config,
        wildcards.name,
        scene,
        backend,
        output=ep.output,
        n_frames=ep.n_frames(scene),
        art_box=ep.art_box(scene),
        scene_prompt=prompt,
        still_size=(ep.source.display_width, ep.source.display_height),
        live=bool(live_boxes(wildcards.name)),
    )


def pad_settings(wildcards):
    scene = int(wildcards.scene)
    ep = episode(wildcards.name)
    return pad_job_settings(
        config,
        wildcards.name,
        scene,
        output=ep.output,
        n_frames=ep.n_frames(scene),
        live=bool(live_boxes(wildcards.name)),
    )


def live_boxes(name):
    """The episode's live regions at the output size, when they are to stay live; [] otherwise."""
    if is_topic(name) or layout_settings(config, name)["live"] != "source":
        return []
    ep = episode(name)
    boxes = live_boxes_at_output(
        ep.live_boxes(), ep.source, ep.output.width, ep.output.height
    )
    if boxes is None:
        logger.warning(
            f"podmotion: {name}: output size has another aspect ratio than the source; live regions are frozen"
        )
        return []
    return boxes


def live_scene_settings(wildcards):
    """A still scene's live-region pass (podmotion.job_settings.live_job_settings)."""
    ep = episode(wildcards.name)
    first_frame, end_frame = ep.frame_ranges[int(wildcards.scene)]
    return live_job_settings(
        live_boxes(wildcards.name),
        output=ep.output,
        first_frame=first_frame,
        n_frames=end_frame - first_frame,
    )


def episode_fps(wildcards):
    fps = episode(wildcards.name).output.fps
    return fps_arg(fps)


def scene_kind(name, scene):
    """How a scene is handled, "still" (animated) or "footage" (passed through): what detection found,
    unless detect.footage or the scene's override says otherwise (podmotion.segments.treated_as).
    """
    if is_topic(name):
        return "still"
    detected = {s.scene: s.kind for s in episode(name).scenes}[scene]
    override = (config["overrides"].get(name, {}).get(str(scene)) or {}).get("kind")
    return treated_as(detected, config["detect"]["footage"], override)


def scene_paths(name, folder, suffix=".mp4", footage_folder=None):
    """results/NAME/FOLDER/scene_LABEL.mp4 (or SUFFIX) for every scene that owns output frames;
    a footage scene's in FOOTAGE_FOLDER, where one is given."""
    ep = episode(name)
    paths = []
    for scene in ep.playable_scenes():
        footage = footage_folder and scene_kind(name, scene) == "footage"
        where = footage_folder if footage else folder
        paths.append(
            f"results/{name}/{where}/{scene_file_name(ep.label(scene), suffix)}"
        )
    return paths


def clip_paths(name):
    """Each scene's clip: the animated one, or a footage scene's passed-through frames."""
    return scene_paths(name, "clips", footage_folder="footage")


def padded_scenes(wildcards):
    """What concat joins: each still scene padded (with its live regions taken from the source, where the
    episode has them), each footage scene passed through."""
    folder = "live" if live_boxes(wildcards.name) else "padded"
    return scene_paths(wildcards.name, folder, footage_folder="footage")


def clip_paths_of(wildcards):
    return clip_paths(wildcards.name)


def scene_sidecars(wildcards):
    return scene_paths(wildcards.name, "clips", ".json", footage_folder="footage")


def footage_settings(wildcards):
    """What a footage scene's pass-through writes (podmotion.job_settings.footage_job_settings)."""
    scene = int(wildcards.scene)
    ep = episode(wildcards.name)
    first_frame, end_frame = ep.frame_ranges[scene]
    return footage_job_settings(
        config,
        wildcards.name,
        scene,
        output=ep.output,
        first_frame=first_frame,
        n_frames=end_frame - first_frame,
    )


def report_paths(name):
    """The episode's run summary and report pages (rule episode_report)."""
    return [
        f"results/{name}/summary.json",
        *(f"results/{name}/report/{page}" for page in REPORT_PAGES),
    ]


REPORT_PAGES = ("overview.html", "timeline.png", "previews.html")


def touched_episodes():
    """The episodes this run planned a job for or was asked for, in config order (all of them when the
    run planned nothing)."""
    names = [*config["podcasts"], *config["topics"]]
    dag = workflow.dag
    if dag is None:
        return names
    touched = {getattr(job.wildcards, "name", None) for job in dag.jobs}
    touched |= {
        Path(f).parts[1] for f in dag.targetfiles if Path(f).parts[:1] == ("results",)
    }
    return [name for name in names if name in touched] or names


def print_summaries():
    """One line per episode the run touched, by what exists (podmotion.summary.closing_line)."""
    for name in touched_episodes():
        level, line = closing_line(
            name,
            ANIMATED.format(name=name),
            f"results/{name}/summary.json",
            [f"results/{name}/report/{page}" for page in REPORT_PAGES],
        )
        (logger.warning if level == "warning" else logger.info)(f"podmotion: {line}")


# Memory: each job's mem_mb resource says what it will hold (podmotion.memory). Run locally, the
# scheduler holds them against the machine's memory less a margin, unless --resources mem_mb=... says otherwise; on a
# cluster, each job asks for its own figure.
if (
    workflow.local_exec
    and not workflow.remote_exec
    and "mem_mb" not in workflow.global_resources.keys()
):
    workflow.register_resource("mem_mb", memory.machine_mem_mb())


def _frame_sizes(wildcards):
    """(output width, height), (source display width, height), (source coded width, height) of the episode;
    1080p for each before its scenes are known (a dry run: the jobs are planned again once they are).
    """
    try:
        ep = episode(wildcards.name)
    except IncompleteCheckpointException:
        return ((1920, 1080),) * 3
    source = ep.source
    return (
        (ep.output.width, ep.output.height),
        (source.display_width, source.display_height),
        (source.width, source.height),
    )


def detect_mem_mb(wildcards):
    width, height, n_frames = memory.source_size_and_frames(source_path(wildcards))
    return memory.detect_mb(width, height, n_frames)


def collect_mem_mb(wildcards):
    side = config["output"]["max_long_side_px"] or 3840
    return memory.collect_mb(side, side)


def animate_mem_mb(wildcards):
    output, still, _ = _frame_sizes(wildcards)
    generated = any(BACKENDS[b].needs_gpu for b in scene_chain(wildcards))
    return memory.animate_mb(*output, *still, generated=generated)


def pad_mem_mb(wildcards):
    output, _, _ = _frame_sizes(wildcards)
    return memory.pad_mb(*output, *output)


def live_mem_mb(wildcards):
    output, _, coded = _frame_sizes(wildcards)
    return memory.live_mb(*output, *coded)


def footage_mem_mb(wildcards):
    output, _, coded = _frame_sizes(wildcards)
    return memory.footage_mb(*output, *coded)


def estimate_mem_mb(wildcards):
    _, still, _ = _frame_sizes(wildcards)
    return memory.estimate_mb(*still)


def report_mem_mb(wildcards):
    output, still, _ = _frame_sizes(wildcards)
    try:
        n_scenes = len(episode(wildcards.name).playable_scenes())
    except IncompleteCheckpointException:
        n_scenes = 120  # an hour of 30 s slides, until the scenes are known
    return memory.report_mb(*output, *still, n_scenes)


STREAM_COPY_MB = memory.stream_copy_mb()


# A cluster job runs on its own node: it loads its model itself instead of
# looking for a resident worker (podmotion.i2v.worker). A runtime key: no rerun.
if workflow.remote_exec:
    for _i2v in I2V_BACKENDS:
        config["animate"][_i2v]["worker"] = False
    logger.info(
        "cluster job: an svd, wan or ltx scene loads the model itself (no resident worker)"
    )


def stop_model_worker():
    """The run is over: the folder's resident model worker, if one was started, exits."""
    if i2v_worker.stop():
        logger.info("stopped the resident model worker")


onsuccess:
    stop_model_worker()
    print_summaries()


def remove_finished_temporaries():
    """The joined videos of episodes that did finish (podmotion.assemble.leftover_parts)."""
    for name in [*config["podcasts"], *config["topics"]]:
        final = ANIMATED.format(name=name)
        for left in leftover_parts(final, name):
            left.unlink()
            logger.info(f"removed {left}: {final} is finished")


onerror:
    remove_finished_temporaries()
    stop_model_worker()
    print_summaries()
