"""Runway's developer API (``api.dev.runwayml.com``): image-to-video tasks, polled until they end.

Followed from the public API reference (version ``2024-11-06``):

- every request carries ``Authorization: Bearer <key>`` and ``X-Runway-Version``;
- ``POST /v1/image_to_video`` takes ``model``, ``promptImage`` (an HTTPS URL or a
  data URI with its content type, at most 5 MB; JPEG, PNG or WebP), ``ratio``
  (one of the model's), ``duration`` (whole seconds; 2 to 10 for
  ``gen4_turbo``), ``seed`` and optionally ``promptText`` (at most 1000
  characters); it answers ``{"id": ...}``; a bad body is a 400 with ``error``;
- ``GET /v1/tasks/{id}`` answers the task: ``status`` is ``PENDING``,
  ``THROTTLED`` (queued behind the account's concurrency), ``RUNNING``,
  ``SUCCEEDED`` (``output``: a list of URLs, which expire), ``FAILED``
  (``failure``, ``failureCode``) or ``CANCELLED``;
- ``DELETE /v1/tasks/{id}`` cancels a task;
- a 429 is the rate limit (a daily one); over the account's concurrency a task
  waits as ``THROTTLED`` instead. 502, 503 and 504 are Runway shedding load:
  both are asked again after an exponential, jittered pause.

The key comes from ``RUNWAYML_API_SECRET``, as Runway's own SDKs read it.
"""

from __future__ import annotations

from .http import Client
from .provider import FAILED, SUCCEEDED, WAITING, Plan, Polled, Submitted, base_url
from .shape import Shape, nearest_shape

DEFAULT_BASE_URL = "https://api.dev.runwayml.com"
API_VERSION = "2024-11-06"
# The ratios a model makes, as the API names them (their pixels); another model needs animate.runway.ratios.
RATIOS: dict[str, tuple[str, ...]] = {
    "gen4_turbo": ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
}
DURATIONS_S = range(2, 11)  # gen4_turbo: 2 to 10 whole seconds
MAX_DATA_URI_BYTES = 5 * 1024 * 1024  # a data URI up to 5 MB
IMAGE_RATIOS = (0.5, 2.0)  # the image's width / height Runway takes (it makes 1584:672 from a 2:1 image)
MAX_PROMPT_CHARS = 1000


def shapes(options: dict) -> tuple[Shape, ...]:
    ratios = options.get("ratios") or RATIOS.get(options["model"])
    if not ratios:
        raise ValueError(f"animate.runway.ratios: podmotion does not know model {options['model']!r}'s ratios; list them")
    return tuple(Shape(r, *map(int, r.split(":"))) for r in ratios)


class Runway:
    name = "runway"
    key_env = "RUNWAYML_API_SECRET"

    def headers(self, key: str, options: dict) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": str(options.get("api_version") or API_VERSION)}

    def plan(self, options: dict, art_width: int, art_height: int) -> Plan:
        model = options["model"]
        if options.get("price_per_s") is None:
            raise ValueError("animate.runway.price_per_s is null: give the price of a second of video")
        if int(options["duration_s"]) not in DURATIONS_S:
            raise ValueError(f"animate.runway.duration_s = {options['duration_s']}: Runway makes 2 to 10 s")
        return Plan(model=model, shape=nearest_shape(art_width, art_height, shapes(options)),
                    duration_s=float(options["duration_s"]), price_per_s=float(options["price_per_s"]),
                    max_bytes=MAX_DATA_URI_BYTES, image_ratios=IMAGE_RATIOS)  # fmt: skip

    def body(self, options: dict, plan: Plan, image_uri: str, seed: int) -> dict:
        body = {"model": plan.model, "promptImage": image_uri, "ratio": plan.shape.name,
                "duration": int(plan.duration_s), "seed": seed % 4294967295}  # fmt: skip
        if options.get("prompt"):
            body["promptText"] = str(options["prompt"])[:MAX_PROMPT_CHARS]
        return body

    def submit(self, client: Client, options: dict, plan: Plan, body: dict) -> Submitted:
        url = f"{base_url(options, DEFAULT_BASE_URL)}/v1/image_to_video"
        answer = client.json("POST", url, "submitting the image-to-video task", json=body)
        if not isinstance(answer.get("id"), str):
            raise client.fail("submitting the image-to-video task: the answer has no task id")
        return Submitted(answer["id"])

    def poll(self, client: Client, options: dict, plan: Plan, task: Submitted) -> Polled:
        url = f"{base_url(options, DEFAULT_BASE_URL)}/v1/tasks/{task.task_id}"
        answer = client.json("GET", url, f"polling task {task.task_id}")
        status = str(answer.get("status"))
        if status == "SUCCEEDED":
            output = answer.get("output") or []
            if not output:
                return Polled(FAILED, status, reason="the task succeeded without an output URL")
            return Polled(SUCCEEDED, status, output_url=output[0])
        if status in ("FAILED", "CANCELLED"):
            code = answer.get("failureCode")
            reason = answer.get("failure") or status.lower()
            return Polled(FAILED, status, reason=f"{reason} ({code})" if code else reason)
        if status in ("PENDING", "THROTTLED", "RUNNING"):
            return Polled(WAITING, status)
        return Polled(FAILED, status, reason=f"unknown task status {status!r}")

    def cancel(self, client: Client, options: dict, plan: Plan, task: Submitted) -> None:
        url = f"{base_url(options, DEFAULT_BASE_URL)}/v1/tasks/{task.task_id}"
        client.request("DELETE", url, f"cancelling task {task.task_id}")
