"""HTTP for the cloud providers: every request has a timeout, rate limits back off, and no error carries a key.

A provider's answers become ``ProviderFailed`` (one line: the provider, what was
asked, the status and the provider's own reason). Nothing here ever formats a
request's headers, so the key they carry stays in memory.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests

from ..errors import GenerationFailed

# Answers worth asking again after a pause: the rate limit, and a server that is briefly unwell. A submission
# (POST) is asked again only where it was surely not taken: a 429 or a 503. A 500, 502 or 504, or no answer, may
# come after the provider created (and will charge for) the task, so a second POST could pay twice.
RETRY_STATUSES = {"POST": frozenset({429, 503})}
RETRY_STATUSES_DEFAULT = frozenset({429, 500, 502, 503, 504})
# Error answers after which a submission surely created nothing (it costs nothing): the client's errors and 503.
REFUSED = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503})


class ProviderFailed(GenerationFailed):
    """A provider could not make a scene's clip; the scene goes to the next backend in its chain.

    ``status``: the HTTP status of the answer, where there was one. ``terminal``: the task itself is over (the
    provider said it failed, or it was cancelled for taking too long): a later run asks for a new one. Any other
    failure (a network error, a 5xx, a broken download) leaves the task to be polled again by the next run.
    """

    def __init__(self, path, problem: str, *, status: int | None = None, terminal: bool = False):
        super().__init__(path, problem)
        self.status = status
        self.terminal = terminal


@dataclass(frozen=True)
class Limits:
    """How long to wait, and how often to ask again (config ``animate.<provider>``)."""

    request_timeout_s: float = 30.0  # connect and read, each request
    max_retries: int = 5  # a rate-limited or unavailable answer is asked again this many times ...
    backoff_s: float = 2.0  # ... after about backoff_s * 2**k seconds (with jitter), ...
    max_backoff_s: float = 60.0  # ... at most this long per pause
    poll_interval_s: float = 5.0  # between two status requests for one task
    task_timeout_s: float = 900.0  # a task not finished after this long is cancelled and the scene fails over

    @classmethod
    def from_options(cls, options: dict) -> Limits:
        return cls(**{k: options[k] for k in cls.__dataclass_fields__ if options.get(k) is not None})


def backoff_s(limits: Limits, retry: int, retry_after: str | None = None, rand: Callable[[], float] = random.random) -> float:
    """The pause before retry ``retry`` (0-based): exponential with jitter (half of it random), or the server's
    ``Retry-After`` seconds where that is longer; never above ``max_backoff_s``."""
    ceiling = min(limits.max_backoff_s, limits.backoff_s * 2**retry)
    pause = ceiling / 2 + rand() * ceiling / 2
    try:
        pause = max(pause, float(retry_after)) if retry_after else pause
    except ValueError:
        pass
    return min(limits.max_backoff_s, max(0.0, pause))


def reason_of(response: requests.Response) -> str:
    """The provider's own words for an error answer, short and on one line (its JSON ``error``, ``detail`` or
    ``message`` where it gives one)."""
    text = response.text[:2000]
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "detail", "message", "failure"):
            if body.get(key):
                value = body[key]
                text = value if isinstance(value, str) else json.dumps(value)
                break
    text = " ".join(text.split())
    return (text[:200] + "...") if len(text) > 200 else text or response.reason or "no reason given"


class Client:
    """One provider's HTTP session: its headers, its limits, and the one-line errors."""

    def __init__(self, provider: str, headers: dict[str, str], limits: Limits, about: str | os.PathLike,
                 sleep: Callable[[float], None] = time.sleep, secret: str | None = None):  # fmt: skip
        self.provider = provider
        self._secret = secret  # never said: replaced in any text a server sends back (a gateway may echo headers)
        self.limits = limits
        self.about = about
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update(headers)
        self._session.trust_env = True  # a proxy from the environment is honoured, as curl would

    def fail(self, problem: str, *, status: int | None = None, terminal: bool = False) -> ProviderFailed:
        if self._secret:
            problem = problem.replace(self._secret, "***")
        return ProviderFailed(self.about, f"{self.provider}: {problem}", status=status, terminal=terminal)

    def request(self, method: str, url: str, what: str, allow_fail: bool = False, **kwargs) -> requests.Response:
        """Send it; on 429 or an unavailable server, back off and send again up to ``max_retries`` times.
        Any other error answer (unless ``allow_fail``: then it is returned), or a connection that fails, is a
        ``ProviderFailed`` saying ``what`` was asked; a 401 always is."""
        for retry in range(self.limits.max_retries + 1):
            try:
                response = self._session.request(method, url, timeout=self.limits.request_timeout_s, **kwargs)
            except requests.Timeout:
                raise self.fail(f"{what}: no answer within {self.limits.request_timeout_s:g} s "
                                "(animate.<provider>.request_timeout_s)") from None  # fmt: skip
            except requests.RequestException as exc:
                raise self.fail(f"{what}: {_connection_problem(exc)}") from None
            if response.status_code not in RETRY_STATUSES.get(method, RETRY_STATUSES_DEFAULT):
                break
            if retry == self.limits.max_retries:
                limited = "rate limited" if response.status_code == 429 else "unavailable"
                raise self.fail(f"{what}: {limited} ({response.status_code}: {reason_of(response)}) after "
                                f"{self.limits.max_retries} retries (animate.<provider>.max_retries)",
                                status=response.status_code)  # fmt: skip
            self._sleep(backoff_s(self.limits, retry, response.headers.get("Retry-After")))
        if response.status_code == 401:
            raise self.fail(f"{what}: 401 unauthorised: the key was refused ({reason_of(response)})", status=401)
        if response.status_code >= 400 and not allow_fail:
            raise self.fail(f"{what}: {response.status_code} {reason_of(response)}", status=response.status_code)
        return response

    def json(self, method: str, url: str, what: str, **kwargs) -> dict:
        response = self.request(method, url, what, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise self.fail(f"{what}: the answer is not JSON ({response.text[:80]!r})") from None
        if not isinstance(body, dict):
            raise self.fail(f"{what}: the answer is not a JSON object")
        return body

    def download(self, url: str, path: Path, what: str) -> int:
        """Stream ``url`` into ``path`` (written whole or not at all); return its bytes. A connection that drops
        mid-way, or a body shorter than its ``Content-Length``, is a ``ProviderFailed``."""
        tmp = path.with_name(path.name + ".part")
        try:
            with self._session.get(url, stream=True, timeout=self.limits.request_timeout_s, headers=_NO_AUTH) as response:
                if response.status_code in (401, 403, 404, 410):
                    raise self.fail(f"{what}: the output URL answered {response.status_code}: it has expired "
                                    "or was never there", status=response.status_code)  # fmt: skip
                if response.status_code >= 400:
                    raise self.fail(f"{what}: {response.status_code} {reason_of(response)}", status=response.status_code)
                expected = response.headers.get("Content-Length")
                size = 0
                with open(tmp, "wb") as out:
                    try:
                        for chunk in response.iter_content(1 << 16):
                            out.write(chunk)
                            size += len(chunk)
                    except requests.RequestException:
                        raise self.fail(f"{what}: the connection dropped after {size} of {expected or 'unknown'} "
                                        "bytes") from None  # fmt: skip
            if expected is not None and size != int(expected):
                raise self.fail(f"{what}: the download stopped at {size} of {expected} bytes")
            os.replace(tmp, path)
            return size
        except requests.RequestException as exc:
            raise self.fail(f"{what}: the download broke off: {_connection_problem(exc)}") from None
        finally:
            tmp.unlink(missing_ok=True)


# The output URL is a signed link to storage, not the provider's API: it gets no key.
_NO_AUTH = {"Authorization": None}


def _connection_problem(exc: requests.RequestException) -> str:
    """What went wrong with the connection, without the request (and so without its headers)."""
    kind = type(exc).__name__
    if isinstance(exc, requests.ConnectionError):
        return f"could not connect or the connection dropped ({kind})"
    return kind
