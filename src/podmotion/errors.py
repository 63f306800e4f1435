"""The one error type users see: a file and what is wrong with it, on one line."""

from __future__ import annotations

import os


class PodmotionError(Exception):
    """A problem with an input or output file, reported as ``path: problem``."""

    def __init__(self, path: str | os.PathLike | None, problem: str):
        self.path = None if path is None else os.fspath(path)
        self.problem = " ".join(str(problem).split())  # always a single line
        super().__init__(self.problem if self.path is None else f"{self.path}: {self.problem}")


class GenerationFailed(PodmotionError):
    """A backend ran but could not make its clip: out of memory, or bad numerics.

    Unlike other errors this one may be retried (``retryable``: out of memory,
    where the next attempt uses less) or answered with the fallback backend.
    """

    def __init__(self, path: str | os.PathLike | None, problem: str, *, retryable: bool = False):
        super().__init__(path, problem)
        self.retryable = retryable
