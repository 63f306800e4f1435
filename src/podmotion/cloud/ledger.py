"""Never pay twice: a scene's task, recorded beside its clip the moment the provider accepts it.

The record (``.scene_001.runway.task.json``) holds the provider, model, task
id, the URLs to poll and a hash of the request; the finished download
(``.scene_001.runway.download.mp4``) is kept beside it. A run killed while it waits
polls the same task when it starts again, and a scene whose request is unchanged
(only the encoder, the padding or the scene's length changed) uses the download
it already paid for. A different request (a new image, model, ratio, length,
seed or prompt) is a new task; so is the same request after its task failed
(the provider said so, or it was cancelled for taking too long), except on
Snakemake's retry of the same job. A network error, a 5xx or a broken
download leaves the task to be polled again. Neither file ever holds a key: the request's
hash is taken over its body, and the key is only ever in its headers.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .provider import Submitted


def request_sha256(provider: str, body: dict) -> str:
    """What the provider is asked, whatever the address it is asked at (``base_url`` may change to a proxy)."""
    text = json.dumps({"provider": provider, "body": body}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class TaskRecord:
    provider: str
    model: str
    task_id: str
    request_sha256: str
    submitted_at: float  # seconds since the epoch: a task's wait counts across restarts
    urls: dict
    state: str = "submitted"  # submitted | downloaded | failed

    @property
    def submitted(self) -> Submitted:
        return Submitted(self.task_id, dict(self.urls))


class Ledger:
    """The task record and download of the clip at ``clip_path`` with ``provider`` (each provider of a scene's
    chain keeps its own)."""

    def __init__(self, clip_path: str | os.PathLike, provider: str):
        clip = Path(clip_path)
        self.record_path = clip.with_name(f".{clip.stem}.{provider}.task.json")
        self.download_path = clip.with_name(f".{clip.stem}.{provider}.download.mp4")

    def open_task(self, request_hash: str) -> TaskRecord | None:
        """The recorded task for this very request (whatever its state), or None."""
        try:
            record = TaskRecord(**json.loads(self.record_path.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        return record if record.request_sha256 == request_hash else None

    def record(self, provider: str, model: str, task: Submitted, request_hash: str) -> TaskRecord:
        """Write the new task's record (whole, then renamed) before anything else is asked of the provider;
        a download of an earlier request goes."""
        self.download_path.unlink(missing_ok=True)
        record = TaskRecord(provider, model, task.task_id, request_hash, time.time(), dict(task.urls))
        self.save(record)
        return record

    def save(self, record: TaskRecord) -> None:
        tmp = self.record_path.with_name(self.record_path.name + f".{os.getpid()}")
        tmp.write_text(json.dumps(asdict(record), indent=2) + "\n")
        os.replace(tmp, self.record_path)

    def downloaded(self, record: TaskRecord) -> Path | None:
        if record.state == "downloaded" and self.download_path.is_file():
            return self.download_path
        return None
