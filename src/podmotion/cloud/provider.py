"""The provider interface: what every cloud image-to-video API is asked, whatever its protocol.

A provider turns a prepared image (``podmotion.cloud.shape``) into a task,
reports the task's state when polled, and names the URL of the finished MP4.
``podmotion.cloud.run`` drives one scene through it: the ledger (never pay
twice), the polling, the download and its checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .http import Client
from .shape import Shape

WAITING, SUCCEEDED, FAILED = "waiting", "succeeded", "failed"


@dataclass(frozen=True)
class Plan:
    """What one scene asks of a provider: the model, the shape, the clip's length and what that costs."""

    model: str
    shape: Shape
    duration_s: float
    price_per_s: float  # US dollars per second of video (the config's price table)
    max_bytes: int  # the longest data URI the provider takes
    max_side_px: int | None = None  # the image is sent no larger than this on its longer side
    image_ratios: tuple[float, float] | None = None  # the image's width / height the provider takes, (lo, hi)

    @property
    def cost_usd(self) -> float:
        return self.duration_s * self.price_per_s


@dataclass(frozen=True)
class Submitted:
    """What the provider said when the task was accepted: enough to poll it after a restart."""

    task_id: str
    urls: dict[str, str] = field(default_factory=dict)  # fal: the status and response URLs it gave


@dataclass(frozen=True)
class Polled:
    state: str  # WAITING, SUCCEEDED or FAILED
    status: str  # the provider's own word for it (RUNNING, IN_QUEUE, ...)
    output_url: str | None = None
    reason: str | None = None  # why it failed, in the provider's words
    cost_usd: float | None = None  # what the provider says it cost, where it says


class Provider(Protocol):
    name: str
    key_env: str  # the environment variable the provider's own tools read the key from

    def headers(self, key: str, options: dict) -> dict[str, str]: ...

    def plan(self, options: dict, art_width: int, art_height: int) -> Plan: ...

    def body(self, options: dict, plan: Plan, image_uri: str, seed: int) -> dict: ...

    def submit(self, client: Client, options: dict, plan: Plan, body: dict) -> Submitted: ...

    def poll(self, client: Client, options: dict, plan: Plan, task: Submitted) -> Polled: ...

    def cancel(self, client: Client, options: dict, plan: Plan, task: Submitted) -> None: ...


def base_url(options: dict, default: str) -> str:
    return str(options.get("base_url") or default).rstrip("/")
