"""``max_cost`` held at every submission: what an episode has sent to a provider, recorded as it is sent.

``results/NAME/cloud/spent.json`` holds, per provider, every request submitted
for the episode (the scene, the task id, its price), one entry a submission. A submission
that would take the provider's total past ``animate.<provider>.max_cost`` is
not sent: the scene goes to the next backend instead, with one line saying so.
So the cap holds for a fallback to a provider as well as for a scene's own, and
across runs; the estimate before a run counts what is already there. Parallel
jobs take a lock on the file to add to it. A submission that got no clear
answer (a timeout, a 5xx other than 503) stays counted: it may have been taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from pathlib import Path
from typing import Iterator

EPSILON_USD = 1e-9


def budget_folder(clip_path: str | os.PathLike) -> Path:
    """``results/NAME/cloud`` for a clip in ``results/NAME/clips``; a ``cloud`` folder beside any other clip."""
    clip = Path(clip_path)
    return clip.parent.parent / "cloud" if clip.parent.name == "clips" else clip.parent / "cloud"


class OverBudget(Exception):
    pass


class Budget:
    def __init__(self, folder: str | os.PathLike, provider: str):
        self.path = Path(folder) / "spent.json"
        self.provider = provider

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def spent_usd(self) -> float:
        return round(sum(e.get("usd", 0.0) for e in self._load().get(self.provider, {}).values()), 6)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(".spent.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._load()
            yield data
            tmp = self.path.with_name(f".spent.{os.getpid()}.json")
            tmp.write_text(json.dumps(data, indent=2) + "\n")
            os.replace(tmp, self.path)

    def reserve(self, usd: float, scene: str, max_cost: float | None) -> str:
        """Count one submission before it is sent, and return its entry; ``OverBudget`` (nothing counted) where it
        would pass the cap. Every submission is its own entry: two scenes sending the same request pay twice."""
        with self._locked() as data:
            entries = data.setdefault(self.provider, {})
            total = sum(e.get("usd", 0.0) for e in entries.values())
            if max_cost is not None and total + usd > float(max_cost) + EPSILON_USD:
                raise OverBudget(f"submitting would bring this episode's {self.provider} spend to ${total + usd:.2f}, "
                                 f"over animate.{self.provider}.max_cost (${float(max_cost):.2f}; {self.path} "
                                 f"has ${total:.2f})")  # fmt: skip
            entry = uuid.uuid4().hex
            entries[entry] = {"scene": scene, "usd": round(usd, 6), "task_id": None}
            return entry

    def confirm(self, entry: str, task_id: str) -> None:
        with self._locked() as data:
            found = data.setdefault(self.provider, {}).get(entry)
            if found is not None:
                found["task_id"] = task_id

    def release(self, entry: str) -> None:
        """The provider refused it (a 4xx, 429 or 503 answer): it costs nothing."""
        with self._locked() as data:
            data.setdefault(self.provider, {}).pop(entry, None)
