"""One scene through a provider: submit (once), poll, download, check the MP4.

``generate`` returns the downloaded clip and what it took. Every way it can go
wrong (a refused key, the rate limit after its retries, a failed or endless
task, a dropped or truncated download, an expired URL) is a ``ProviderFailed``
with one line saying so; the caller tries the scene's next backend.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import PodmotionError
from ..media import open_media
from .budget import Budget, OverBudget, budget_folder
from .http import REFUSED, Client, Limits, ProviderFailed
from .ledger import Ledger, TaskRecord, request_sha256
from .provider import FAILED, SUCCEEDED, Plan, Provider
from .shape import data_uri, image_for

DOWNLOAD_TRIES = 3  # a dropped connection or truncated file is fetched again this many times in all


@dataclass(frozen=True)
class Generated:
    path: Path  # the provider's MP4, as downloaded (kept beside the clip)
    plan: Plan
    task_id: str
    waited_s: float  # from submission to the finished download, across restarts
    cost_usd: float
    cost_source: str  # "provider" (it said) or "price table" (duration x price_per_s)
    resumed: bool  # the task was submitted by an earlier run
    frames: int


def api_key(provider: Provider, about: str | os.PathLike) -> str:
    key = os.environ.get(provider.key_env, "").strip()
    if not key:
        raise ProviderFailed(about, f"{provider.name}: no key: set {provider.key_env} in the environment")
    return key


def generate(provider: Provider, options: dict, art_rgb: np.ndarray, seed: int, clip_path: str | os.PathLike, *,
             attempt: int = 1, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.time) -> Generated:  # fmt: skip
    """Make the clip for ``art_rgb`` (the scene's art crop) with ``provider``; its task record and download are
    kept beside ``clip_path``. On Snakemake's retry (``attempt`` > 1) a task that failed is not asked again."""
    limits = Limits.from_options(options)
    key = api_key(provider, clip_path)
    client = Client(provider.name, provider.headers(key, options), limits, clip_path, sleep, secret=key)
    try:
        plan, body, request_hash = prepared_request(provider, options, art_rgb, seed)
    except ValueError as exc:
        raise client.fail(str(exc)) from None
    ledger = Ledger(clip_path, provider.name)
    record = ledger.open_task(request_hash)
    if record is not None and record.state == "failed":
        if attempt > 1:
            raise client.fail(f"task {record.task_id} failed, and this is Snakemake's retry: not submitted again "
                              f"(run again to ask for a new one)", terminal=True)  # fmt: skip
        record = None
    resumed = record is not None
    if record is None:
        record = _submit(provider, client, options, plan, body, request_hash, ledger, Path(clip_path))
    path = ledger.downloaded(record)
    if path is None:
        path = _finish(provider, client, options, plan, ledger, record, sleep, clock)
    frames = _check_mp4(path)
    if frames is None:  # a kept download that no longer reads: fetch it again
        record.state = "submitted"
        ledger.save(record)
        path = _finish(provider, client, options, plan, ledger, record, sleep, clock)
        frames = _check_mp4(path) or 0
    return Generated(path, plan, record.task_id, round(clock() - record.submitted_at, 3), plan.cost_usd,
                     "price table", resumed, frames)  # fmt: skip


def _submit(provider: Provider, client: Client, options: dict, plan: Plan, body: dict, request_hash: str,
            ledger: Ledger, clip: Path) -> TaskRecord:  # fmt: skip
    """Count the request against ``max_cost`` (``podmotion.cloud.budget``), send it, record its task."""
    budget = Budget(budget_folder(clip), provider.name)
    try:
        entry = budget.reserve(plan.cost_usd, clip.stem, options.get("max_cost"))
    except OverBudget as exc:
        raise client.fail(str(exc)) from None
    try:
        submitted = provider.submit(client, options, plan, body)
    except ProviderFailed as exc:
        if exc.status in REFUSED:  # surely not taken; anything else may have made a task that will be charged
            budget.release(entry)
        raise
    record = ledger.record(provider.name, plan.model, submitted, request_hash)
    budget.confirm(entry, submitted.task_id)
    return record


def prepared_request(provider: Provider, options: dict, art_rgb: np.ndarray, seed: int) -> tuple[Plan, dict, str]:
    """(the plan, the request body with the image in it, the body's hash): what is submitted for this art."""
    plan = provider.plan(options, art_rgb.shape[1], art_rgb.shape[0])
    uri = data_uri(image_for(art_rgb, plan.shape, plan.max_side_px, plan.image_ratios), plan.max_bytes)
    body = provider.body(options, plan, uri, seed)
    return plan, body, request_sha256(provider.name, body)


def _finish(provider: Provider, client: Client, options: dict, plan: Plan, ledger: Ledger, record: TaskRecord,
            sleep, clock) -> Path:  # fmt: skip
    """Poll the task to its end, then download its MP4 into the ledger; a failure marks the task failed."""
    try:
        url = _wait(provider, client, options, plan, record, sleep, clock)
        for attempt in range(1, DOWNLOAD_TRIES + 1):
            try:
                client.download(url, ledger.download_path, f"downloading task {record.task_id}'s MP4")
            except ProviderFailed as exc:
                if attempt == DOWNLOAD_TRIES:
                    raise
                if "expired" in exc.problem:  # a fresh URL: ask for the task again
                    url = _wait(provider, client, options, plan, record, sleep, clock)
                continue
            if _check_mp4(ledger.download_path) is not None:
                break
            ledger.download_path.unlink(missing_ok=True)
            if attempt == DOWNLOAD_TRIES:
                raise client.fail(f"task {record.task_id}'s MP4 is truncated or unreadable, "
                                  f"{DOWNLOAD_TRIES} downloads in a row")  # fmt: skip
    except ProviderFailed as exc:
        if exc.terminal:  # the task is over: a later run asks for a new one
            record.state = "failed"
            ledger.save(record)
        raise
    record.state = "downloaded"
    ledger.save(record)
    return ledger.download_path


def _wait(provider: Provider, client: Client, options: dict, plan: Plan, record: TaskRecord, sleep, clock) -> str:
    """The output URL once the task has succeeded; a failed task, or one that outlasts ``task_timeout_s``
    (counted from its submission, across restarts; it is then cancelled), is a ``ProviderFailed``."""
    limits = client.limits
    while True:
        polled = provider.poll(client, options, plan, record.submitted)
        if polled.state == SUCCEEDED:
            return polled.output_url
        if polled.state == FAILED:
            raise client.fail(f"task {record.task_id} failed: {polled.reason}", terminal=True)
        waited_s = clock() - record.submitted_at
        if waited_s >= limits.task_timeout_s:
            try:
                provider.cancel(client, options, plan, record.submitted)
            except ProviderFailed:
                pass  # it is abandoned either way
            raise client.fail(f"task {record.task_id} not finished after {waited_s:.0f} s ({polled.status}); "
                              "cancelled (animate.<provider>.task_timeout_s)", terminal=True)  # fmt: skip
        sleep(limits.poll_interval_s)


def _check_mp4(path: Path) -> int | None:
    """The frames of a downloaded MP4 once every one of them decodes; None where it is truncated or unreadable."""
    import av.logging

    try:  # FFmpeg's complaints about a broken download are captured: the one line says what is wrong
        with av.logging.Capture(), open_media(path) as container:
            stream = container.streams.video[0]
            declared = stream.frames
            decoded = sum(1 for _ in container.decode(stream))
    except (av.error.FFmpegError, PodmotionError, IndexError, OSError):
        return None
    if decoded == 0 or (declared and decoded < declared):
        return None
    return decoded
