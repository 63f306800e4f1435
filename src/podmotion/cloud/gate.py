"""An episode's uploads, estimated and held to ``max_cost`` before the first of them (the ``cloud_estimate`` job).

Counted: each still scene whose backend is a provider and whose clip will be
made (it is missing, or its settings changed), less those whose very request
was already submitted (its task record is beside the clip: polled, not paid
again). Held to ``max_cost`` with what the episode already submitted
(``podmotion.cloud.budget``), which also holds every single submission to it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from ..atomic import atomic_output
from ..compose import crop, is_whole
from ..errors import PodmotionError
from ..media import read_image
from . import PROVIDERS
from .budget import Budget
from .estimate import episode_estimate, estimate_lines, over_budget
from .generate import prepared_request
from .ledger import Ledger

log = logging.getLogger(__name__)


def will_be_made(clip: Path, settings: dict) -> bool:
    """Whether the scene's clip will be (re)made: it is missing, or its sidecar's settings are not these."""
    try:
        side = json.loads(clip.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return True
    return not clip.is_file() or side.get("settings") != json.loads(json.dumps(settings, default=str))


def already_submitted(entry: dict) -> bool:
    """Whether this scene's very request has a task on record beside its clip (it is polled, not paid again)."""
    provider = PROVIDERS[entry["provider"]]
    still = read_image(entry["still"])
    box = entry["settings"].get("art_box")
    art = still if is_whole(box, still.shape[1], still.shape[0]) else crop(still, box)
    try:
        _, _, request_hash = prepared_request(provider, entry["options"], art, int(entry["settings"]["seed"]))
    except ValueError:
        return False
    record = Ledger(entry["clip"], entry["provider"]).open_task(request_hash)
    return record is not None and record.state != "failed"


def check_episode(episode: str, plan: list[dict], out_path: str | os.PathLike) -> dict:
    """Print the episode's estimate, write it to ``out_path``; a one-line error, and nothing written, where it is
    over a provider's ``max_cost``."""
    for entry in plan:  # a scene's own settings (an override) may ask what its provider can't do
        try:
            PROVIDERS[entry["provider"]].plan(entry["options"], 16, 9)
        except ValueError as exc:
            raise PodmotionError(out_path, f"scene {entry['scene']}: {entry['provider']}: {exc}") from None
    todo = [e for e in plan if will_be_made(Path(e["clip"]), e["settings"])]
    reused = [e for e in todo if already_submitted(e)]
    estimate = episode_estimate([e for e in todo if e not in reused])
    spent = {provider: Budget(Path(out_path).parent, provider).spent_usd() for provider in PROVIDERS}
    for line in estimate_lines(episode, estimate, len(reused), spent):
        log.info("%s", line)
    problem = over_budget(estimate, spent)
    if problem:
        raise PodmotionError(out_path, problem)
    with atomic_output(out_path) as tmp:
        Path(tmp).write_text(json.dumps({"episode": episode, "estimate": estimate,
                                         "reused_tasks": [e["scene"] for e in reused]}, indent=2) + "\n")  # fmt: skip
    return estimate
