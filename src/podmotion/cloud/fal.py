"""fal's queue API (``queue.fal.run``): submit, poll the status, fetch the result.

fal hosts many image-to-video models (Kling, Pika, Luma, ...) behind one
protocol; the model is a config value. Followed from fal's queue reference:

- every request carries ``Authorization: Key <key>``;
- ``POST {base}/{model id}`` with the model's input as JSON answers
  ``request_id``, ``status_url``, ``response_url`` and ``cancel_url``;
- ``GET {status_url}`` answers ``status``: ``IN_QUEUE`` (with
  ``queue_position``) or ``IN_PROGRESS`` (both 202), or ``COMPLETED`` (200;
  with ``error`` and ``error_type`` where the model failed). The status and
  result URLs name the app (the model id's first two parts), not the model:
  the URLs the submission answered are used, as fal advises;
- ``GET {response_url}`` answers the model's output (``{"video": {"url": ...}}``),
  or an error status with ``detail`` (422: a list of ``{loc, msg, type}``);
- ``PUT {cancel_url}`` cancels a request;
- over the account's concurrency a request waits in the queue; a 429, 502,
  503 or 504 is asked again after a pause.

A model's input fields differ: the ones podmotion knows are in ``MODELS``
(image, prompt, duration, aspect ratio); ``animate.fal.arguments`` adds or
overrides any field, for these and for models not listed. The image goes as a
data URI in ``image_url``. The key comes from ``FAL_KEY``, as fal's own clients read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .http import Client
from .provider import FAILED, SUCCEEDED, WAITING, Plan, Polled, Submitted, base_url
from .shape import Shape, nearest_shape

DEFAULT_BASE_URL = "https://queue.fal.run"
MAX_DATA_URI_BYTES = 10 * 1024 * 1024
IMAGE_LONG_SIDE_PX = 1280


@dataclass(frozen=True)
class FalModel:
    durations: dict[int, object]  # seconds -> the value the model's duration field takes
    duration_field: str | None = "duration"
    ratio_field: str | None = None  # where the model takes an aspect ratio; otherwise it follows the image
    ratios: tuple[str, ...] = ("16:9", "9:16", "4:3", "3:4", "1:1")
    price_per_s: float | None = None  # US dollars per second of video, as fal lists it
    extra: tuple[tuple[str, object], ...] = ()  # fixed fields the model needs
    takes: tuple[str, ...] = ()  # optional fields it takes that podmotion fills (seed)


# Prices as fal listed them in 2026 (Kling: $0.28 for 5 s and $0.056 a second more; Pika 720p: $0.20 for 5 s);
# correct them with animate.fal.price_per_s. Luma Ray 2 and LTX-Video: no price known here, so one is required.
LUMA_RATIOS = ("16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
MODELS: dict[str, FalModel] = {
    "fal-ai/kling-video/v2.1/standard/image-to-video": FalModel({5: "5", 10: "10"}, price_per_s=0.056),
    "fal-ai/pika/v2.2/image-to-video": FalModel({5: 5, 10: 10}, price_per_s=0.04, extra=(("resolution", "720p"),),
                                                 takes=("seed",)),  # fmt: skip
    "fal-ai/luma-dream-machine/ray-2/image-to-video": FalModel({5: "5s", 9: "9s"}, ratio_field="aspect_ratio",
                                                               ratios=LUMA_RATIOS),  # fmt: skip
    "fal-ai/ltx-video/image-to-video": FalModel({}, duration_field=None, takes=("seed",)),
}
GENERIC = FalModel({}, duration_field=None)  # a model podmotion does not know: animate.fal.arguments says the rest


def price_per_s(options: dict) -> float | None:
    """The config's price, else the table's for a known model; None where neither says."""
    if options.get("price_per_s") is not None:
        return float(options["price_per_s"])
    return MODELS.get(options["model"], GENERIC).price_per_s


def durations_s(model: str) -> tuple[int, ...] | None:
    """The clip lengths a known model makes; None where it takes no duration (or podmotion does not know)."""
    known = MODELS.get(model, GENERIC)
    return tuple(known.durations) if known.duration_field else None


def app_id(model: str) -> str:
    """The app a model belongs to (its first two path parts), under which its requests are found."""
    return "/".join(model.split("/")[:2])


def shapes(ratios: tuple[str, ...]) -> tuple[Shape, ...]:
    out = []
    for ratio in ratios:
        w, h = map(int, ratio.split(":"))
        scale = IMAGE_LONG_SIDE_PX / max(w, h)
        out.append(Shape(ratio, 2 * round(w * scale / 2), 2 * round(h * scale / 2)))
    return tuple(out)


class Fal:
    name = "fal"
    key_env = "FAL_KEY"

    def headers(self, key: str, options: dict) -> dict[str, str]:
        return {"Authorization": f"Key {key}"}

    def plan(self, options: dict, art_width: int, art_height: int) -> Plan:
        model = options["model"]
        known = MODELS.get(model, GENERIC)
        price = price_per_s(options)
        if price is None:
            raise ValueError(f"podmotion has no price for {model!r}: give animate.fal.price_per_s")
        if known.duration_field and int(options["duration_s"]) not in known.durations:
            raise ValueError(f"animate.fal.duration_s = {options['duration_s']}: {model} makes "
                             f"{' or '.join(map(str, known.durations))} s clips")  # fmt: skip
        return Plan(model=model, shape=nearest_shape(art_width, art_height, shapes(known.ratios)),
                    duration_s=float(options["duration_s"]), price_per_s=float(price or 0.0),
                    max_bytes=MAX_DATA_URI_BYTES)  # fmt: skip

    def body(self, options: dict, plan: Plan, image_uri: str, seed: int) -> dict:
        known = MODELS.get(plan.model, GENERIC)
        body: dict = {"image_url": image_uri, "prompt": str(options.get("prompt") or "")}
        if known.duration_field:
            body[known.duration_field] = known.durations[int(plan.duration_s)]
        if "seed" in known.takes:
            body["seed"] = seed
        if known.ratio_field:
            body[known.ratio_field] = plan.shape.name
        body.update(dict(known.extra))
        body.update(options.get("arguments") or {})
        return body

    def submit(self, client: Client, options: dict, plan: Plan, body: dict) -> Submitted:
        base = base_url(options, DEFAULT_BASE_URL)
        answer = client.json("POST", f"{base}/{plan.model}", "submitting to the queue", json=body)
        request_id = answer.get("request_id")
        if not isinstance(request_id, str):
            raise client.fail("submitting to the queue: the answer has no request_id")
        requests_url = f"{base}/{app_id(plan.model)}/requests/{request_id}"
        urls = {"status": answer.get("status_url") or f"{requests_url}/status",
                "response": answer.get("response_url") or requests_url,
                "cancel": answer.get("cancel_url") or f"{requests_url}/cancel"}  # fmt: skip
        return Submitted(request_id, urls)

    def poll(self, client: Client, options: dict, plan: Plan, task: Submitted) -> Polled:
        answer = client.json("GET", task.urls["status"], f"polling request {task.task_id}")
        status = str(answer.get("status"))
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return Polled(WAITING, status)
        if status != "COMPLETED":
            return Polled(FAILED, status, reason=f"unknown request status {status!r}")
        if answer.get("error"):
            return Polled(FAILED, status, reason=str(answer["error"]))
        result = client.request("GET", task.urls["response"], f"fetching request {task.task_id}'s result",
                                allow_fail=True)  # fmt: skip
        if result.status_code >= 400:
            from .http import reason_of

            return Polled(FAILED, status, reason=f"{result.status_code} {reason_of(result)}")
        try:
            video = result.json().get("video") or {}
        except (ValueError, AttributeError):
            video = {}
        if not video.get("url"):
            return Polled(FAILED, status, reason="the result has no video URL")
        return Polled(SUCCEEDED, status, output_url=video["url"])

    def cancel(self, client: Client, options: dict, plan: Plan, task: Submitted) -> None:
        client.request("PUT", task.urls["cancel"], f"cancelling request {task.task_id}")
