"""Stand-ins for the cloud providers' APIs, on 127.0.0.1, written from their public references.

Each checks what the real service checks (its auth header, Runway's version
header, the field names and allowed values, the image's encoding, size and
ratio) and answers as the real one does, with its own error bodies. A finished
task's output is a real H.264 MP4 made from the image it was sent: frame 0 is
that image, and the frames after it zoom in slowly.

Fault modes (``fault=``), as a real service may show them:

- ``401``: every request refused (a wrong key);
- ``429``: every submission rate limited (with ``Retry-After: 0``);
- ``500``: every submission an internal error;
- ``fail``: the task fails, with the provider's reason;
- ``never``: the task never finishes;
- ``drop``: the download's connection drops half-way;
- ``truncate``: the MP4 is cut short (its ``Content-Length`` says the cut size);
- ``expired``: the output URL answers 403, as an expired signed URL does;
- ``flaky``: each task's first status request answers 500 and its first download drops half-way, then all is well;
- ``poll500``: every status request answers 500 (until ``fault`` is changed);
- ``echo``: a submission is refused with a 400 whose text echoes the request's ``Authorization`` header, as a
  careless gateway's error page may.

The output URLs are signed storage links: like S3, they refuse a request that also carries an ``Authorization``
header (a client that sent the key there would fail here).

``submissions`` counts the tasks accepted, per image (its SHA-256).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socket
import subprocess
import tempfile
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np

DATA_URI = re.compile(r"^data:(image/(?:jpeg|png|webp));base64,([A-Za-z0-9+/=]+)$")
RUNWAY_VERSION = "2024-11-06"
RUNWAY_RATIOS = {"gen4_turbo": {"1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"}}
RUNWAY_FIELDS = {"model", "promptImage", "ratio", "duration", "seed", "promptText", "contentModeration"}
FAL_MODELS = {  # model -> (its fields, the allowed durations)
    "fal-ai/kling-video/v2.1/standard/image-to-video": ({"prompt", "image_url", "duration", "negative_prompt",
                                                         "cfg_scale"}, {"5", "10"}),  # fmt: skip
    "fal-ai/pika/v2.2/image-to-video": ({"prompt", "image_url", "duration", "negative_prompt", "seed", "resolution"},
                                        {5, 10}),  # fmt: skip
}


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def mp4_from(rgb: np.ndarray, frames: int, fps: int) -> bytes:
    """An H.264 MP4 (x264 at its defaults but ultrafast) whose frame 0 is ``rgb`` and whose later frames zoom in
    slowly, as a generated clip moves. BT.709, limited range, and tagged so, as the providers' HD clips are (an
    untagged HD file converted with FFmpeg's default BT.601 matrix would show other colours in any player)."""
    h, w = rgb.shape[:2]
    raw = io.BytesIO()
    for k in range(frames):
        zoom = 1.0 + 0.08 * k / max(1, frames - 1)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, zoom)
        raw.write(cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT).tobytes())
    with tempfile.TemporaryDirectory(prefix="standin-") as folder:
        out = Path(folder) / "out.mp4"
        subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
                        "-r", str(fps), "-i", "-", "-vf", "scale=out_color_matrix=bt709:out_range=tv", "-c:v",
                        "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-colorspace", "bt709",
                        "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
                        "-movflags", "+faststart", str(out)], input=raw.getvalue(), capture_output=True, check=True)  # fmt: skip
        return out.read_bytes()


def decode_image(uri: object, max_bytes: int) -> tuple[np.ndarray | None, str | None]:
    """(the RGB image, None), or (None, what is wrong with it)."""
    if not isinstance(uri, str):
        return None, "must be a string"
    if len(uri) > max_bytes:
        return None, f"data URI is {len(uri)} bytes; at most {max_bytes}"
    m = DATA_URI.match(uri)
    if not m:
        return None, "must be a data URI with an image content type (jpeg, png or webp), base64"
    bgr = cv2.imdecode(np.frombuffer(base64.b64decode(m.group(2)), np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        return None, "the image cannot be decoded"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), None


class StandIn:
    """A provider on 127.0.0.1 in a thread: ``url`` to point ``base_url`` at; ``close()`` when done."""

    def __init__(self, key: str, *, fault: str | None = None, polls_to_finish: int = 2, fps: int = 8,
                 clip_s: float | None = None):  # fmt: skip
        self.key, self.fault, self.polls_to_finish, self.fps, self.clip_s = key, fault, polls_to_finish, fps, clip_s
        self.submissions: Counter = Counter()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.tasks: dict[str, dict] = {}
        self.images: dict[str, np.ndarray] = {}  # task id -> the image it was sent
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                with stand_in.lock:
                    stand_in.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stand_in.handle(self, body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- answering ---------------------------------------------------------------------------------------------
    auth_scheme: str  # each provider's: the word before the key in its Authorization header
    unauthorised: object  # each provider's: its body for a request without the right key

    def handle(self, h, raw: bytes) -> None:
        """Answer one request: a stored output; a 401 without the right key; else the provider's ``route``."""
        path = urlsplit(h.path).path
        if path.startswith("/outputs/"):
            return self.serve_output(h, path.rsplit("/", 1)[1].removesuffix(".mp4"))
        if h.headers.get("Authorization") != f"{self.auth_scheme} {self.key}" or self.fault == "401":
            return self.send(h, 401, self.unauthorised)
        return self.route(h, path, raw)

    def route(self, h, path: str, raw: bytes) -> None:
        """Answer one authorised API request to ``path`` (each provider's own)."""
        raise NotImplementedError

    @staticmethod
    def send(handler, status: int, body: object = None, headers: dict | None = None) -> None:
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if body is not None and not isinstance(body, bytes):
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def accept(self, image: np.ndarray, frames_s: float) -> str:
        task_id = str(uuid.uuid4())
        with self.lock:
            self.submissions[hashlib.sha256(image.tobytes()).hexdigest()] += 1
            self.tasks[task_id] = {"polls": 0, "seconds": self.clip_s or frames_s}
            self.images[task_id] = image
        return task_id

    def advance(self, task_id: str) -> str:
        """waiting, failed or done, one poll further on."""
        task = self.tasks[task_id]
        task["polls"] += 1
        if self.fault == "never" or task["polls"] < self.polls_to_finish:
            return "waiting"
        return "failed" if self.fault == "fail" else "done"

    def output_path(self, task_id: str) -> str:
        return f"/outputs/{task_id}.mp4?expires=3600&signature=abc123"

    def transient(self, task_id: str, what: str) -> bool:
        """Whether this request is the task's first of its kind under ``flaky`` (it then fails once)."""
        task = self.tasks[task_id]
        if self.fault != "flaky" or task.get(f"flaked_{what}"):
            return False
        task[f"flaked_{what}"] = True
        return True

    def serve_output(self, handler, task_id: str) -> None:
        if handler.headers.get("Authorization"):
            return self.send(handler, 400, b"<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism "
                                           b"allowed</Message></Error>")  # fmt: skip
        if task_id not in self.tasks:
            return self.send(handler, 404, b"<Error><Code>NoSuchKey</Code></Error>")
        if self.fault == "expired":
            return self.send(handler, 403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
        task = self.tasks[task_id]
        if "mp4" not in task:
            task["mp4"] = mp4_from(self.images[task_id], max(2, round(task["seconds"] * self.fps)), self.fps)
        data = task["mp4"]
        if self.fault == "truncate":
            data = data[: len(data) // 2]
        if self.fault == "drop" or self.transient(task_id, "download"):
            handler.send_response(200)
            handler.send_header("Content-Type", "video/mp4")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 3])
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return None
        return self.send(handler, 200, data, {"Content-Type": "video/mp4"})


class RunwayStandIn(StandIn):
    """``api.dev.runwayml.com``, version 2024-11-06: image-to-video tasks."""

    auth_scheme, unauthorised = "Bearer", {"error": "Invalid API key"}

    def route(self, h, path: str, raw: bytes) -> None:
        if h.headers.get("X-Runway-Version") != RUNWAY_VERSION:
            return self.send(h, 400, {"error": "The API version that was provided in the X-Runway-Version header is "
                                      "not valid.", "docUrl": "https://docs.dev.runwayml.com/api"})  # fmt: skip
        if h.command == "POST" and path == "/v1/image_to_video":
            return self.submit(h, raw)
        m = re.fullmatch(r"/v1/tasks/([0-9a-f-]+)", path)
        if m and m.group(1) in self.tasks:
            if h.command == "DELETE":
                self.tasks[m.group(1)]["cancelled"] = True
                return self.send(h, 204)
            if h.command == "GET":
                return self.poll(h, m.group(1))
        return self.send(h, 404, {"error": "Not found"})

    def submit(self, h, raw: bytes) -> None:
        if self.fault == "echo":
            return self.send(h, 400, {"error": f"Bad request (Authorization: {h.headers.get('Authorization')})"})
        if self.fault == "429":
            return self.send(h, 429, {"error": "Too many requests"}, {"Retry-After": "0"})
        if self.fault == "500":
            return self.send(h, 500, {"error": "Internal server error"})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send(h, 400, {"error": "Invalid JSON"})
        issues = []
        if not isinstance(body, dict):
            return self.send(h, 400, {"error": "Validation of body failed", "issues": ["not an object"]})
        issues += [f"{k}: unrecognised key" for k in body if k not in RUNWAY_FIELDS]
        model = body.get("model")
        if model not in RUNWAY_RATIOS:
            issues.append(f"model: must be one of {sorted(RUNWAY_RATIOS)}")
        elif body.get("ratio") not in RUNWAY_RATIOS[model]:
            issues.append(f"ratio: must be one of {sorted(RUNWAY_RATIOS[model])}")
        duration = body.get("duration")
        if not isinstance(duration, int) or isinstance(duration, bool) or not 2 <= duration <= 10:
            issues.append("duration: an integer from 2 to 10")
        seed = body.get("seed")
        if seed is not None and (not isinstance(seed, int) or not 0 <= seed <= 4294967295):
            issues.append("seed: an integer from 0 to 4294967295")
        text = body.get("promptText")
        if text is not None and (not isinstance(text, str) or not 1 <= len(text) <= 1000):
            issues.append("promptText: 1 to 1000 characters")
        image, problem = decode_image(body.get("promptImage"), 5 * 1024 * 1024)
        if problem:
            issues.append(f"promptImage: {problem}")
        elif not 0.5 <= image.shape[1] / image.shape[0] <= 2 or max(image.shape[:2]) >= 8000:
            issues.append("promptImage: width / height must be 0.5 to 2, each side under 8000 px")
        if issues:
            return self.send(h, 400, {"error": "Validation of body failed", "issues": issues})
        return self.send(h, 200, {"id": self.accept(image, duration)})

    def poll(self, h, task_id: str) -> None:
        if self.fault == "poll500" or self.transient(task_id, "status"):
            return self.send(h, 500, {"error": "Internal server error"})
        task = self.tasks[task_id]
        state = "waiting" if task.get("cancelled") else self.advance(task_id)
        answer = {"id": task_id, "createdAt": "2026-12-05T17:00:00.000Z"}
        if task.get("cancelled"):
            answer["status"] = "CANCELLED"
        elif state == "waiting":
            answer.update(status="PENDING" if task["polls"] == 1 else "RUNNING", progress=0.5)
        elif state == "failed":
            answer.update(status="FAILED", failure="The input image was flagged by content moderation.",
                          failureCode="SAFETY.INPUT.IMAGE")  # fmt: skip
        else:
            answer.update(status="SUCCEEDED", output=[self.url + self.output_path(task_id)])
        return self.send(h, 200, answer)


class FalStandIn(StandIn):
    """``queue.fal.run``: submit, status, result, cancel, for the models in ``FAL_MODELS``."""

    auth_scheme, unauthorised = "Key", {"detail": "Invalid Key Authorization header format or invalid key"}

    def route(self, h, path: str, raw: bytes) -> None:
        m = re.fullmatch(r"/([^/]+/[^/]+)/requests/([0-9a-f-]+)(/status|/cancel)?", path)
        if m:
            app, task_id, what = m.groups()
            task = self.tasks.get(task_id)
            if task is None or task["app"] != app:
                return self.send(h, 404, {"detail": "Request not found"})
            if what == "/status" and h.command == "GET":
                return self.status(h, app, task_id)
            if what == "/cancel" and h.command == "PUT":
                task["cancelled"] = True
                return self.send(h, 202, {"status": "CANCELLATION_REQUESTED"})
            if what is None and h.command == "GET":
                return self.result(h, task_id)
            return self.send(h, 405, {"detail": "Method not allowed"})
        if h.command == "POST":
            return self.submit(h, path.lstrip("/"), raw)
        return self.send(h, 404, {"detail": "Not found"})

    def submit(self, h, model: str, raw: bytes) -> None:
        if self.fault == "429":
            return self.send(h, 429, {"detail": "Rate limit exceeded"}, {"Retry-After": "0"})
        if self.fault == "500":
            return self.send(h, 500, {"detail": "Internal server error"})
        if model not in FAL_MODELS:
            return self.send(h, 404, {"detail": f"Application '{model}' not found"})
        fields, durations = FAL_MODELS[model]
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send(h, 422, {"detail": [{"loc": ["body"], "msg": "invalid JSON", "type": "value_error"}]})
        errors = [{"loc": ["body", k], "msg": "extra fields not permitted", "type": "value_error.extra"}
                  for k in body if k not in fields]  # fmt: skip
        if not isinstance(body.get("prompt"), str):
            errors.append({"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"})
        if body.get("duration", next(iter(durations))) not in durations:
            errors.append({"loc": ["body", "duration"], "msg": f"unexpected value; permitted: {sorted(map(str, durations))}",
                           "type": "value_error.const"})  # fmt: skip
        image, problem = decode_image(body.get("image_url"), 10 * 1024 * 1024)
        if problem:
            errors.append({"loc": ["body", "image_url"], "msg": problem, "type": "value_error"})
        if errors:
            return self.send(h, 422, {"detail": errors})
        task_id = self.accept(image, float(body.get("duration", 5)))
        app = "/".join(model.split("/")[:2])
        self.tasks[task_id]["app"] = app
        base = f"{self.url}/{app}/requests/{task_id}"
        return self.send(h, 200, {"request_id": task_id, "response_url": base, "status_url": f"{base}/status",
                                  "cancel_url": f"{base}/cancel", "queue_position": 0})  # fmt: skip

    def status(self, h, app: str, task_id: str) -> None:
        if self.fault == "poll500" or self.transient(task_id, "status"):
            return self.send(h, 500, {"detail": "Internal server error"})
        task = self.tasks[task_id]
        base = f"{self.url}/{app}/requests/{task_id}"
        urls = {"response_url": base, "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"}
        state = self.advance(task_id)
        task["state"] = state
        if state == "waiting":
            queued = task["polls"] == 1
            return self.send(h, 202, {"status": "IN_QUEUE" if queued else "IN_PROGRESS",
                                      **({"queue_position": 0} if queued else {}), "logs": None, **urls})  # fmt: skip
        answer = {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 12.5}, **urls}
        if state == "failed":
            answer.update(error="The image could not be processed: content policy", error_type="content_policy")
        return self.send(h, 200, answer)

    def result(self, h, task_id: str) -> None:
        task = self.tasks[task_id]
        if task.get("state") == "failed":
            return self.send(h, 422, {"detail": "The image could not be processed: content policy"})
        if task.get("state") != "done":
            return self.send(h, 400, {"detail": "Request is still in progress"})
        return self.send(h, 200, {"video": {"url": self.url + self.output_path(task_id), "content_type": "video/mp4",
                                            "file_name": "output.mp4"}})  # fmt: skip
