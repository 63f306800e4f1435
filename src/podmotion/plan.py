"""The workflow's decisions, per episode and per scene, as plain calls over the config and the scene folder.

``workflow/rules/common.smk`` only turns wildcards into these calls. A ``Plan`` is
made once per run from the validated config and a way to find an episode's scene
folder (in the workflow, its checkpoint: it raises Snakemake's
``IncompleteCheckpointException`` until detection is done, and the job asking
waits). Everything else is here, and each decision is tested without Snakemake
(tests/test_plan.py):

- which backend animates a scene, and what it falls back to (``backend``,
  ``chain``), whether it needs the GPU or a provider's slot;
- how a scene is treated, still or footage (``kind``), and each job's settings
  (``animate_settings``, ``pad_settings``, ``live_settings``, ``footage_settings``);
- the files each stage makes (``scene_paths``, ``targets``) and the cloud plan;
- the memory each job declares (``mem_mb``);
- which episodes a run touched, and the closing line for each (``closing_lines``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from snakemake.exceptions import IncompleteCheckpointException

from . import memory
from .assemble import live_boxes_at_output
from .backends import BACKENDS
from .cloud.estimate import price_per_s
from .episode import DoneFolders, Episode
from .ffmpeg import fps_arg
from .job_settings import (
    BackendChoice,
    animate_job_settings,
    footage_job_settings,
    live_job_settings,
    pad_job_settings,
)
from .scene_folder import SceneFolder, scene_file_name
from .segments import treated_as
from .settings import chapter_titles, fallback_chain, layout_settings, scene_settings
from .summary import closing_line
from .topics import takes_prompt

def startup_problem(config: dict, schema_path, validate: Callable, log) -> str | None:
    """Everything checked before any job, in order; the one line that stops the run, or None. ``validate``
    (Snakemake's) fills in the schema's defaults; ``log`` gets the warnings and the cloud's consent line.

    A missing source is that episode's problem, not the run's: its detection job fails with one line naming
    the file, and --keep-going builds the others. A named cloud provider's key must be in the environment
    and its model priced; the run's first line then says what will be uploaded where."""
    from .atomic import unwritable_problem
    from .cloud.estimate import consent_line, key_problem, options_problem
    from .depth.weights import config_depth_problem
    from .i2v.weights import config_weights_problem
    from .settings import config_problem, load_schema, normalise
    from .topics import topics_problem

    normalise(config)
    problem = config_problem(config, load_schema(schema_path))
    if problem:
        return problem
    validate(config, str(schema_path))
    for name, path in config["podcasts"].items():
        if not Path(path).is_file():
            log.warning(f"podcasts: {name}: {path}: file not found; this episode will fail, the others are built")
    problem = (config_weights_problem(config) or config_depth_problem(config) or topics_problem(config) or unwritable_problem("results")
               or key_problem(config) or options_problem(config))  # fmt: skip
    if problem:
        return problem
    if consent_line(config):
        log.info(consent_line(config))
    return None


REPORT_PAGES = ("overview.html", "timeline.png", "previews.html")
I2V_BACKENDS = ("svd", "wan", "ltx")  # the image-to-video backends: a retry uses less memory (memory_level)
UNKNOWN_SCENES = 120  # an hour of 30 s slides: what the report declares before the scenes are known
UNKNOWN_SIZE = (1920, 1080)  # what a job declares before its episode's sizes are known (a dry run)


class Plan:
    """One run's decisions. ``scene_folder(name)``: the episode's detected (or collected) scene folder;
    ``say``: where a one-off line goes (``auto``'s choice)."""

    def __init__(self, config: dict, scene_folder: Callable[[str], str], say: Callable[[str], None] = print,
                 warn: Callable[[str], None] = print):  # fmt: skip
        self.config = config
        self.folders = DoneFolders(scene_folder)
        self.backend_name = BackendChoice(config["animate"]["svd"], say, parallax_options=config["animate"]["parallax"])
        self._topic_depths: dict[str, dict] = {}
        self.warn = warn

    # -- episodes ------------------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [*self.config["podcasts"], *self.config["topics"]]

    def is_topic(self, name: str) -> bool:
        return name in self.config["topics"]

    def animated(self, name: str) -> str:
        """The finished episode: MP4, or MKV (output.container), which also keeps every subtitle and font."""
        return f"results/{name}/{name}_animated.{self.config['output']['container']}"

    def episode(self, name: str) -> Episode:
        """The episode's output timeline, once its scenes are known (podmotion.episode)."""
        return Episode.of_folder(self.folders(name), self.config["output"])

    def still(self, name: str, scene: str) -> str:
        """A scene's still, inside the scene folder: asked before detection, it waits for it."""
        return str(Path(self.folders(name)) / f"scene_{scene}.png")

    def source(self, name: str) -> str | list[str]:
        """The source as an input file; none ([]) when it is missing, so that only this episode's detection
        fails (naming the file) instead of the whole DAG."""
        path = self.config["podcasts"][name]
        return path if Path(path).is_file() else []

    def source_path(self, name: str) -> str:
        return self.config["podcasts"][name]

    def audio_source(self, name: str) -> str | list[str]:
        """Where the episode's audio comes from: the podcast video, or a topic's scene folder (its narration)."""
        return self.folders(name) if self.is_topic(name) else self.source(name)

    def fps_arg(self, name: str) -> str:
        return fps_arg(self.episode(name).output.fps)

    def chapter_titles(self, name: str) -> dict:
        """The chapter titles given in overrides: a new title remuxes, nothing else reruns."""
        return chapter_titles(self.config, name)

    def layout(self, name: str) -> dict:
        """The episode's layout config: its own entry over the global one."""
        return layout_settings(self.config, name)

    def detect_settings(self, name: str) -> dict:
        """The detect section, less detect.footage (how scenes are treated): changing it redetects nothing."""
        return {k: v for k, v in self.config["detect"].items() if k != "footage"}

    def topic_inputs(self, name: str) -> dict:
        """The topic's folders and every file in them that names a scene (its prompt files too): a file added,
        removed or changed reruns the collection."""
        from .topics import input_files, topic_settings

        topic = topic_settings(self.config["topics"][name])
        return {"files": input_files(topic["images"], topic["audio"], topic["image_pattern"], topic["audio_pattern"])}

    # -- backends ------------------------------------------------------------------------------------------
    def backend(self, name: str, scene: int) -> str:
        return self.backend_name(scene_settings(self.config, name, scene)["animate"]["backend"])

    def chain(self, name: str, scene: int) -> list[str]:
        """The scene's backend, then the ones it falls back to, in turn."""
        backend = self.backend(name, scene)
        return [backend] + fallback_chain(self.config, name, scene, backend)

    def gpus(self, name: str, scene: int) -> int:
        return 1 if any(BACKENDS[b].needs_gpu for b in self.chain(name, scene)) else 0

    def api_slots(self, name: str, scene: int, provider: str) -> int:
        """1 for a scene that may call ``provider`` (its backend or a fallback), so the profile's api_NAME=N
        caps the calls in flight."""
        return 1 if provider in self.chain(name, scene) else 0

    def retries(self) -> int:
        """Snakemake retries an animate job as often as the most any image-to-video backend allows."""
        return max(self.config["animate"][b]["retries"] for b in I2V_BACKENDS)

    # -- scenes --------------------------------------------------------------------------------------------
    def kind(self, name: str, scene: int) -> str:
        """"still" (animated) or "footage" (passed through): what detection found, unless detect.footage or
        the scene's override says otherwise (podmotion.segments.treated_as)."""
        if self.is_topic(name):
            return "still"
        detected = {s.scene: s.kind for s in self.episode(name).scenes}[scene]
        override = (self.config["overrides"].get(name, {}).get(str(scene)) or {}).get("kind")
        return treated_as(detected, self.config["detect"]["footage"], override)

    def scene_paths(self, name: str, folder: str, suffix: str = ".mp4", footage_folder: str | None = None):
        """results/NAME/FOLDER/scene_LABEL.mp4 (or SUFFIX) for every scene that owns output frames; a footage
        scene's in FOOTAGE_FOLDER, where one is given."""
        ep = self.episode(name)
        paths = []
        for scene in ep.playable_scenes():
            where = footage_folder if footage_folder and self.kind(name, scene) == "footage" else folder
            paths.append(f"results/{name}/{where}/{scene_file_name(ep.label(scene), suffix)}")
        return paths

    def clips(self, name: str) -> list[str]:
        """Each scene's clip: the animated one, or a footage scene's passed-through frames."""
        return self.scene_paths(name, "clips", footage_folder="footage")

    def sidecars(self, name: str) -> list[str]:
        return self.scene_paths(name, "clips", ".json", footage_folder="footage")

    def joined(self, name: str) -> list[str]:
        """What concat joins: each still scene padded (with its live regions from the source, where the
        episode has them), each footage scene passed through."""
        return self.scene_paths(name, "live" if self.live_boxes(name) else "padded", footage_folder="footage")

    def report_paths(self, name: str) -> list[str]:
        return [f"results/{name}/summary.json", *(f"results/{name}/report/{page}" for page in REPORT_PAGES)]

    def targets(self) -> list[str]:
        """Every episode's video, report and per-scene clips. The clips are targets too, so deleting one and
        rerunning rebuilds that scene's chain. An episode whose scenes are not known yet stands in with its
        scene folder, so one broken episode doesn't hold the others back under --keep-going."""
        outputs = []
        for name in self.names:
            outputs += [self.animated(name), *self.report_paths(name)]
            try:
                outputs += self.clips(name)
                if self.is_topic(name):
                    outputs += self.scene_paths(name, "combined")
            except IncompleteCheckpointException:
                outputs.append(f"results/{name}/scenes")
        return outputs

    # -- each job's settings -------------------------------------------------------------------------------
    def animate_settings(self, name: str, scene: int) -> dict:
        """Everything that shapes one scene's clip (podmotion.job_settings)."""
        ep, backend = self.episode(name), self.backend(name, scene)
        prompt = None
        if self.is_topic(name) and takes_prompt(backend):
            prompt = SceneFolder(self.folders(name)).prompts().get(scene)
        return animate_job_settings(self.config, name, scene, backend, output=ep.output, n_frames=ep.n_frames(scene),
                                    art_box=ep.art_box(scene), scene_prompt=prompt,
                                    still_size=(ep.source.display_width, ep.source.display_height),
                                    live=bool(self.live_boxes(name)))  # fmt: skip

    def pad_settings(self, name: str, scene: int) -> dict:
        ep = self.episode(name)
        return pad_job_settings(self.config, name, scene, output=ep.output, n_frames=ep.n_frames(scene),
                                live=bool(self.live_boxes(name)))  # fmt: skip

    def live_boxes(self, name: str) -> list[list[int]]:
        """The episode's live regions at the output size, when they are to stay live; [] otherwise."""
        if self.is_topic(name) or layout_settings(self.config, name)["live"] != "source":
            return []
        ep = self.episode(name)
        boxes = live_boxes_at_output(ep.live_boxes(), ep.source, ep.output.width, ep.output.height)
        if boxes is None:
            self.warn(f"podmotion: {name}: output size has another aspect ratio than the source; "
                      "live regions are frozen")  # fmt: skip
            return []
        return boxes

    def _frames(self, name: str, scene: int) -> tuple[int, int]:
        """The scene's first output frame and its frame count."""
        first_frame, end_frame = self.episode(name).frame_ranges[scene]
        return first_frame, end_frame - first_frame

    def live_settings(self, name: str, scene: int) -> dict:
        """A still scene's live-region pass (podmotion.job_settings.live_job_settings)."""
        first_frame, n_frames = self._frames(name, scene)
        return live_job_settings(self.live_boxes(name), output=self.episode(name).output, first_frame=first_frame,
                                 n_frames=n_frames)  # fmt: skip

    def footage_settings(self, name: str, scene: int) -> dict:
        """What a footage scene's pass-through writes (podmotion.job_settings.footage_job_settings)."""
        first_frame, n_frames = self._frames(name, scene)
        return footage_job_settings(self.config, name, scene, output=self.episode(name).output,
                                    first_frame=first_frame, n_frames=n_frames)  # fmt: skip

    def collect_settings(self, name: str) -> dict:
        """A topic's settings, the variants named per scene, and the output's rate and size."""
        from .topics import topic_settings

        overrides = self.config["overrides"].get(name, {})
        output = self.config["output"]
        return {**topic_settings(self.config["topics"][name]),
                "named": {int(k): v["variant"] for k, v in overrides.items() if "variant" in v},
                "fps": output["fps"], "max_long_side_px": output["max_long_side_px"],
                "background": output["background"]}  # fmt: skip

    # -- depth (podmotion.depth: the parallax backend's) --------------------------------------------------------
    def moves_through_depth(self, name: str, scene: int) -> bool:
        """Whether the scene's backend, or one it falls back to, moves through depth (parallax)."""
        return "parallax" in self.chain(name, scene)

    def depth_image(self, name: str, scene: int) -> str | None:
        """The scene's own depth image: ``animate.parallax.depth_image`` (per scene, in overrides), or, for an
        image folder, ``scene_01_depth.png`` beside its images."""
        given = scene_settings(self.config, name, scene)["animate"]["parallax"]["depth_image"]
        if given or not self.is_topic(name):
            return given or None
        from .topics import depth_images, topic_settings

        if name not in self._topic_depths:
            self._topic_depths[name] = depth_images(topic_settings(self.config["topics"][name])["images"])
        found = self._topic_depths[name].get(scene)
        return None if found is None else str(found)

    def depth_settings(self, name: str, scene: int) -> dict:
        """What shapes the scene's depth (podmotion.depth.scene.depth_settings)."""
        from .depth.scene import depth_settings

        options = scene_settings(self.config, name, scene)["animate"]["parallax"]
        return depth_settings(options, self.episode(name).art_box(scene), self.depth_image(name, scene))

    def depth_input(self, name: str, scene: int) -> str | list:
        """The scene's own depth image, as the depth job's input ([] where the model makes the depth)."""
        return self.depth_image(name, scene) or []

    def depth_for(self, name: str, scene: int) -> str | list:
        """The depth the animate job reads: the depth job's file, where the scene may move through depth."""
        if not self.moves_through_depth(name, scene):
            return []
        return f"results/{name}/depth/{scene_file_name(self.episode(name).label(scene), '.png')}"

    # -- the cloud -----------------------------------------------------------------------------------------
    def cloud_plan(self, name: str) -> list[dict]:
        """The episode's still scenes whose backend is a cloud provider: what the estimate counts."""
        ep = self.episode(name)
        plan = []
        for scene in ep.playable_scenes():
            backend = self.backend(name, scene)
            if self.kind(name, scene) == "footage" or not BACKENDS[backend].cloud:
                continue
            options = scene_settings(self.config, name, scene)["animate"][backend]
            plan.append(dict(scene=scene, provider=backend, model=options["model"], duration_s=options["duration_s"],
                             price_per_s=price_per_s(backend, options), max_cost=options["max_cost"],
                             options=options, settings=self.animate_settings(name, scene),
                             still=self.still(name, ep.label(scene)),
                             clip=f"results/{name}/clips/{scene_file_name(ep.label(scene), '.mp4')}"))  # fmt: skip
        return plan

    def cloud_stills(self, name: str) -> list[str]:
        return [entry["still"] for entry in self.cloud_plan(name)]

    def waits_for_estimate(self, name: str, scene: int) -> bool:
        """A cloud scene waits for its episode's estimate (held to max_cost)."""
        return BACKENDS[self.backend(name, scene)].cloud

    # -- memory (podmotion.memory) -------------------------------------------------------------------------
    def sizes(self, name: str) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """(output), (source display) and (source coded) width and height; 1080p for each before the scenes
        are known (a dry run: the jobs are planned again once they are)."""
        try:
            ep = self.episode(name)
        except IncompleteCheckpointException:
            return (UNKNOWN_SIZE,) * 3
        source = ep.source
        return ((ep.output.width, ep.output.height), (source.display_width, source.display_height),
                (source.width, source.height))  # fmt: skip

    def mem_mb(self, rule: str, name: str, scene: int | None = None) -> int:
        """What the job of ``rule`` for this episode (and scene) declares it will hold."""
        if rule == "detect":
            return memory.detect_mb(*memory.source_size_and_frames(self.config["podcasts"][name]))
        if rule == "collect":
            side = self.config["output"]["max_long_side_px"] or 3840
            return memory.collect_mb(side, side)
        output, still, coded = self.sizes(name)
        if rule == "animate":
            return memory.animate_mb(*output, *still, generated=bool(self.gpus(name, scene)),
                                     depth=self.moves_through_depth(name, scene))  # fmt: skip
        if rule == "pad":
            return memory.pad_mb(*output, *output)
        if rule == "live":
            return memory.live_mb(*output, *coded)
        if rule == "footage":
            return memory.footage_mb(*output, *coded)
        if rule == "depth":
            return memory.depth_mb(*still)
        if rule == "estimate":
            return memory.estimate_mb(*still)
        if rule == "report":
            try:
                n_scenes = len(self.episode(name).playable_scenes())
            except IncompleteCheckpointException:
                n_scenes = UNKNOWN_SCENES
            return memory.report_mb(*output, *still, n_scenes)
        raise ValueError(f"no memory figure for rule {rule!r}")

    # -- the run ----------------------------------------------------------------------------------------------
    def on_cluster(self) -> str:
        """A cluster job runs on its own node: an svd, wan or ltx scene loads its model itself."""
        for backend in I2V_BACKENDS:
            self.config["animate"][backend]["worker"] = False
        return "cluster job: an svd, wan or ltx scene loads the model itself (no resident worker)"

    def finish(self, failed: bool, job_names: set | None, targets: list[str]) -> list[tuple[str, str]]:
        """The run is over: the folder's resident model worker exits; after a failure, the joined videos of
        episodes that did finish go (podmotion.assemble.leftover_parts). Returns what to say: (level, line)."""
        from .assemble import leftover_parts
        from .i2v import worker

        said = [("info", "stopped the resident model worker")] if worker.stop() else []
        for name in self.names if failed else ():
            for left in leftover_parts(self.animated(name), name):
                left.unlink()
                said.append(("info", f"removed {left}: {self.animated(name)} is finished"))
        return said + [(level, f"podmotion: {line}") for level, line in self.closing_lines(self.touched(job_names, targets))]

    # -- the end of a run ----------------------------------------------------------------------------------
    def touched(self, job_names: set | None, targets: list[str]) -> list[str]:
        """The episodes this run planned a job for (``job_names``: the ``name`` wildcard of each; None when
        nothing was planned) or was asked for, in config order; all of them when it touched none."""
        if job_names is None:
            return self.names
        touched = set(job_names) | {Path(f).parts[1] for f in targets if Path(f).parts[:1] == ("results",)}
        return [name for name in self.names if name in touched] or self.names

    def closing_lines(self, names: list[str]) -> list[tuple[str, str]]:
        """(level, line) for each episode, by what exists (podmotion.summary.closing_line)."""
        return [closing_line(name, self.animated(name), f"results/{name}/summary.json",
                             [f"results/{name}/report/{page}" for page in REPORT_PAGES]) for name in names]  # fmt: skip
