"""profiles/slurm against a real SLURM cluster: Snakemake's SLURM executor plugin, no mock.

tests/slurm/cluster.sh starts a one-node cluster on localhost (munged, MariaDB, slurmdbd,
slurmctld, slurmd; partitions cpu and gpu, one GPU declared through gres). A two-scene
episode runs with ``--executor slurm --workflow-profile profiles/slurm`` and the svd backend
(the tiny random-weight model, on the CPU), so every animate_scene job has resources gpu=1.
Only the site's names are added on the command line: the partitions and the account, as the
profile's comments tell a user to. Then:

- the episode is complete, in sync with the source's audio, as in the other end-to-end tests;
- sacct shows every job, which partition it ran in, and what it asked for: the animate jobs
  a GPU (gres/gpu=1 in ReqTRES and AllocTRES), the FFmpeg jobs none, with the profile's memory;
- each animate job loaded the model itself: no resident model worker under a cluster executor.

The module is skipped, with the reason, where the cluster cannot start (no SLURM packages,
not root, a daemon that fails: its log's last lines are in the reason).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from conftest import REPO, assert_episode_in_sync, tiny_svd_options
from measure import video_facts
from synth import make_podcast

from podmotion import memory
from podmotion.i2v import worker

CLUSTER = REPO / "tests" / "slurm" / "cluster.sh"
PROFILE = REPO / "profiles" / "slurm"
DAEMONS = ("munged", "mariadbd", "slurmdbd", "slurmctld", "slurmd", "sbatch", "sacct")
# The local cluster's names (cluster.sh), given the way the profile's comments say.
SITE_DEFAULTS = {"slurm_partition": "cpu", "slurm_account": "podmotion"}
SITE_RULES = {"animate_scene": {"slurm_partition": "gpu"}}

FPS = 25
CUTS = [50]
FRAMES = 110
SCENES = range(1, len(CUTS) + 2)
SACCT_FIELDS = ["JobID", "JobName", "Comment", "Partition", "Account", "ReqTRES", "AllocTRES", "State", "ExitCode"]


def cluster_problem() -> str | None:
    """Why this machine cannot run the cluster, or None."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    missing = [name for name in DAEMONS if shutil.which(name, path=path) is None]
    if missing:
        return (f"SLURM not installed: {', '.join(missing)} not found "
                "(Debian packages slurm-wlm, slurmdbd, munge, mariadb-server; see .ci/apt-packages.txt)")  # fmt: skip
    if os.geteuid() != 0:
        return "a SLURM cluster needs root here (slurmd starts the jobs as their user)"
    return None


@pytest.fixture(scope="module")
def slurm_env():
    """A running cluster for this module; the environment that reaches it (SLURM_CONF)."""
    problem = cluster_problem()
    if problem:
        pytest.skip(problem)
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.fail("snakemake-executor-plugin-slurm is not installed: pip install -r envs/test.txt")
    # Short and without spaces: SLURM's files can't quote paths and the state holds unix sockets.
    state = Path(tempfile.mkdtemp(prefix="podmotion-slurm-", dir="/tmp"))
    stop = ["bash", str(CLUSTER), "stop", str(state)]
    try:
        proc = subprocess.run(["bash", str(CLUSTER), "start", str(state)], capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        failed = proc.returncode != 0 and f"exit {proc.returncode}: {proc.stderr.strip()}"
    except subprocess.TimeoutExpired as e:
        failed = f"no answer in 300 s: {(e.stderr or b'').decode(errors='replace').strip()}"
    if failed:
        subprocess.run(stop, capture_output=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)
        pytest.skip(f"the SLURM cluster could not start ({failed})")
    yield {"SLURM_CONF": str(state / "etc" / "slurm.conf")}
    subprocess.run(stop, capture_output=True, timeout=120)
    shutil.rmtree(state, ignore_errors=True)


def profile_with_site_names() -> tuple[list[str], list[str]]:
    """--default-resources and --set-resources: the profile's own lists, plus the site's names.

    A list on the command line replaces the profile's, so the profile's entries are repeated
    here as they are; what this test adds is only what a user writes in for their site.
    """
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    defaults = {**profile["default-resources"], **SITE_DEFAULTS}
    rules = {rule: dict(values) for rule, values in profile["set-resources"].items()}
    for rule, values in SITE_RULES.items():
        rules.setdefault(rule, {}).update(values)
    return ([f"{k}={v}" for k, v in defaults.items()],
            [f"{rule}:{k}={v}" for rule, values in rules.items() for k, v in values.items()])  # fmt: skip


@pytest.fixture(scope="module")
def slurm_run(slurm_env, tmp_path_factory, tiny_svd):
    from conftest import Workflow

    folder = tmp_path_factory.mktemp("slurm e2e")  # a space in the job's folder, on purpose
    source = folder / "two scenes.mp4"
    make_podcast(source, CUTS, FRAMES, width=160, height=90, fps=Fraction(FPS))
    wf = Workflow(folder / "work")
    wf.workdir.mkdir()
    svd = {k: v for k, v in tiny_svd_options(tiny_svd).items() if k != "device"}  # device: auto -> cpu here
    wf.config.update({"podcasts": {"ep": str(source)}, "animate": {"backend": "svd", "seed": 11, "svd": svd}})
    defaults, rules = profile_with_site_names()
    proc = wf.run("--executor", "slurm", "--workflow-profile", str(PROFILE),
                  "--default-resources", *defaults, "--set-resources", *rules,
                  # a test cluster answers at once: poll it every few seconds, not every 40
                  "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2",
                  "--slurm-keep-successful-logs", check=False, env=slurm_env)  # fmt: skip
    if proc.returncode != 0:
        logs = "\n".join(f"--- {p}\n{p.read_text()[-3000:]}" for p in
                         sorted((wf.workdir / ".snakemake" / "slurm_logs").rglob("*.log")))  # fmt: skip
        raise AssertionError(f"snakemake --executor slurm failed ({proc.returncode}):\n{proc.stderr[-8000:]}\n{logs}")
    run_id = re.search(r"SLURM run ID: (\S+)", proc.stderr)
    assert run_id, proc.stderr[-3000:]
    return wf, source, proc, sacct_jobs(run_id.group(1), slurm_env)


def sacct_jobs(run_id: str, env: dict) -> list[dict]:
    """sacct's record of this run's jobs (the plugin names every job after the run's id), one row per job."""
    cmd = ["sacct", "--allusers", "--allocations", "--parsable2", "--noheader", "--starttime", "now-1days",
           "--name", run_id, "--format", ",".join(SACCT_FIELDS)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, **env}).stdout
    return [dict(zip(SACCT_FIELDS, row)) for row in csv.reader(out.splitlines(), delimiter="|")]


def rule_of(job: dict) -> str:
    """The rule a job ran: the plugin writes rule_<name>[_wildcards_<...>] as the job's comment."""
    m = re.fullmatch(r"rule_(\w+?)(?:_wildcards_.*)?", job["Comment"])
    assert m, job
    return m.group(1)


def tres(field: str) -> dict[str, str]:
    """billing=1,cpu=2,gres/gpu=1,mem=16000M,node=1 -> {"cpu": "2", "gres/gpu": "1", ...}"""
    return dict(item.split("=", 1) for item in field.split(",") if item)


def test_every_job_went_through_slurm_and_completed(slurm_run):
    wf, _, _, jobs = slurm_run
    rules = sorted(rule_of(j) for j in jobs)
    assert rules.count("animate_scene") == len(SCENES) and rules.count("pad_scene") == len(SCENES), rules
    assert {"detect_scenes", "concat", "mux"} <= set(rules), rules
    assert all(j["State"] == "COMPLETED" and j["ExitCode"] == "0:0" for j in jobs), jobs
    assert {j["Account"] for j in jobs} == {SITE_DEFAULTS["slurm_account"]}


def declared_mem_mb(rule: str) -> int:
    """What each rule declares for this 160x90 episode (podmotion.memory), which sbatch --mem asks for."""
    w, h = 160, 90
    return {"animate_scene": memory.I2V_HOST_MB, "detect_scenes": memory.detect_mb(w, h, FRAMES),
            "pad_scene": memory.pad_mb(w, h, w, h),
            "episode_report": memory.report_mb(w, h, w, h, len(SCENES))}.get(rule, memory.stream_copy_mb())  # fmt: skip


def test_animate_jobs_asked_for_a_gpu_and_ffmpeg_jobs_did_not(slurm_run):
    _, _, _, jobs = slurm_run
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    assert "mem_mb" not in profile["default-resources"] and "mem_mb" not in profile["set-resources"]["animate_scene"]
    for job in jobs:
        asked, got = tres(job["ReqTRES"]), tres(job["AllocTRES"])
        assert asked["mem"] == f"{declared_mem_mb(rule_of(job))}M", job  # each job its rule's own figure
        if rule_of(job) == "animate_scene":
            assert asked.get("gres/gpu") == "1" and got.get("gres/gpu") == "1", job
            assert job["Partition"] == SITE_RULES["animate_scene"]["slurm_partition"], job
        else:
            assert "gres/gpu" not in asked and "gres/gpu" not in got, job
            assert job["Partition"] == SITE_DEFAULTS["slurm_partition"], job


def test_each_cluster_job_loaded_the_model_itself(slurm_run):
    wf, _, _, _ = slurm_run
    for k in SCENES:
        sidecar = json.loads(wf.result("ep", "clips", f"scene_{k:03d}.json").read_text())
        assert sidecar["backend"] == "svd" and sidecar["fallback"] is None and sidecar["result"]["device"] == "cpu"
        assert sidecar["runtime"]["worker"] is False and sidecar["result"]["seconds_load"] > 0  # paid in this job
        log = (wf.workdir / "logs" / "animate_scene" / "ep" / f"scene_{k:03d}.log").read_text()
        assert "loading the model in this job" in log, log[-2000:]
    assert not worker.socket_path(wf.workdir).exists()


def test_the_episode_completes_in_sync_with_the_source_audio(slurm_run):
    wf, source, _, _ = slurm_run
    for k in SCENES:
        facts = video_facts(wf.result("ep", "clips", f"scene_{k:03d}.mp4"))
        assert (facts["frames"], facts["fps"], facts["width"], facts["height"]) == (4, 6, 64, 64)
    assert_episode_in_sync(wf, source, CUTS, FRAMES, FPS)
