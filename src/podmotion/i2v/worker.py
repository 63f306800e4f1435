"""One resident image-to-video process (svd, wan, ltx) per workflow folder, serving one Snakemake job per scene.

Each scene stays its own job (reruns, ``gpu=1`` and failures stay per scene),
but loading the model (imports, about 4.5 GB of weights, CUDA start-up) is paid
once: the first job starts ``python -m podmotion.i2v.worker SOCKET`` and later
jobs hand it their request over a Unix socket.

- **The socket** is named after the workflow folder's absolute path, so two
  workflows in two folders never share a worker.
- **Isolation.** The worker runs the job's request through the same code as a
  job would (``podmotion.backends.i2v.animate_here``). ``i2v.loader`` keeps a
  pipeline keyed by member (svd, wan, ltx), model id, revision, variant, dtype, device, memory plan and
  preparation (compiled UNet, channels-last, attention kernel), so a request
  never gets a model loaded or prepared another way; a retry's leaner plan
  reloads it.
- **Faults.** A job waits at most ``timeout_s``. A worker that dies or hangs
  fails that job with one line (a retryable ``GenerationFailed``), and is
  killed; the next job starts a fresh one.
- **Lifetime.** The worker exits after ``IDLE_S`` seconds without a request,
  and when the workflow ends (``stop``).
- **The record.** ``seconds_load`` in each clip's sidecar is what that job
  paid: 0 when the worker already held the model.

Messages are pickles with an 8-byte length prefix; both ends are this
package, on the same machine and user (the socket is created mode 0600).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import GenerationFailed, PodmotionError

log = logging.getLogger(__name__)

IDLE_S = 600.0  # a worker with nothing to do for this long exits
START_S = 120.0  # how long a job waits for a fresh worker to listen
PASSED_ENV = ("PODMOTION_I2V_FAULT", "HF_HUB_OFFLINE", "HF_HOME", "HF_HUB_CACHE", "PODMOTION_FFMPEG")


def socket_path(workdir: str | os.PathLike | None = None) -> Path:
    """The worker socket for a workflow folder (default: the current one). Short: Unix sockets allow ~100 bytes."""
    folder = os.path.abspath(workdir or os.getcwd())
    digest = hashlib.sha256(f"{os.getuid()}:{folder}".encode()).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / f"podmotion-i2v-{digest}.sock"


def _send(conn: socket.socket, message) -> None:
    data = pickle.dumps(message)
    conn.sendall(struct.pack("!Q", len(data)) + data)


def _receive(conn: socket.socket):
    header = _exactly(conn, 8)
    return pickle.loads(_exactly(conn, struct.unpack("!Q", header)[0]))


def _exactly(conn: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the worker closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- the job's side ------------------------------------------------------------------------------


def animate(request, *, timeout_s: float, workdir: str | os.PathLike | None = None) -> dict:
    """Run ``request`` in the folder's worker, starting one if none listens; its report, or its error."""
    path = socket_path(workdir)
    started = time.perf_counter()
    conn = _connect(path)
    start_s = 0.0
    if conn is None:
        conn = _start(path)
        start_s = time.perf_counter() - started
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    try:
        with conn:
            conn.settimeout(timeout_s)
            _send(conn, {"request": request, "env": env})
            reply = _receive(conn)
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        hung = isinstance(exc, socket.timeout)
        _kill(path)
        what = f"did not answer within {timeout_s:.0f} s" if hung else f"stopped ({exc})"
        raise GenerationFailed(request.image_path, f"the resident model worker {what}; the next job starts a fresh "
                                                   "one", retryable=True) from None  # fmt: skip
    if "error" in reply:
        kind, where, problem, retryable = reply["error"]
        if kind == "GenerationFailed":
            raise GenerationFailed(where, problem, retryable=retryable)
        raise PodmotionError(where, problem)
    # What this job paid to get a model: starting the worker (imports) plus the load, 0 when it was resident.
    return {**reply["report"], "worker_pid": reply["pid"], "seconds_worker_start": round(start_s, 3)}


def _connect(path: Path) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        return conn
    except OSError:
        conn.close()
        return None


def _start(path: Path) -> socket.socket:
    _kill(path)  # whatever is left of an earlier one
    log_path = path.with_suffix(".log")
    with open(log_path, "ab") as log_file:
        subprocess.Popen([sys.executable, "-m", "podmotion.i2v.worker", str(path)], stdin=subprocess.DEVNULL,
                         stdout=log_file, stderr=log_file, start_new_session=True)  # fmt: skip
    log.info("i2v: started a resident worker (%s, log %s)", path, log_path)
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        conn = _connect(path)
        if conn is not None:
            return conn
        time.sleep(0.05)
    _kill(path)
    raise GenerationFailed(None, f"the resident model worker did not start within {START_S:.0f} s (see {log_path})",
                           retryable=True)  # fmt: skip


def _kill(path: Path) -> None:
    pid_file = path.with_suffix(".pid")
    try:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    for leftover in (path, pid_file):
        leftover.unlink(missing_ok=True)


def stop(workdir: str | os.PathLike | None = None) -> bool:
    """Ask the folder's worker to exit (the workflow has ended); whether one was running."""
    conn = _connect(socket_path(workdir))
    if conn is None:
        return False
    with conn:
        conn.settimeout(10)
        try:
            _send(conn, {"stop": True})
            _receive(conn)
        except OSError:
            pass
    return True


# -- the worker's side ---------------------------------------------------------------------------


def serve(path: Path, idle_s: float = IDLE_S) -> None:
    """Answer requests one at a time until idle for ``idle_s`` or asked to stop."""
    from ..backends.i2v import animate_here

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)
    old_umask = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old_umask)
    server.listen(4)
    server.settimeout(idle_s)
    path.with_suffix(".pid").write_text(str(os.getpid()))
    log.info("i2v worker %d: listening on %s", os.getpid(), path)
    try:
        while True:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                log.info("i2v worker %d: idle for %.0f s, exiting", os.getpid(), idle_s)
                return
            with conn:
                message = _receive(conn)
                if message.get("stop"):
                    _send(conn, {"stopped": True})
                    return
                _send(conn, _answer(animate_here, message))
    finally:
        server.close()
        path.unlink(missing_ok=True)
        path.with_suffix(".pid").unlink(missing_ok=True)


def _answer(animate_here, message: dict) -> dict:
    saved = {k: os.environ.get(k) for k in PASSED_ENV}
    os.environ.update(message["env"])
    for key in set(PASSED_ENV) - set(message["env"]):
        os.environ.pop(key, None)
    try:
        return {"report": animate_here(message["request"]), "pid": os.getpid()}
    except GenerationFailed as exc:
        return {"error": ("GenerationFailed", exc.path, exc.problem, exc.retryable), "pid": os.getpid()}
    except PodmotionError as exc:
        return {"error": ("PodmotionError", exc.path, exc.problem, False), "pid": os.getpid()}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(Path(sys.argv[1]))
