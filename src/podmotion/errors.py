"""The one error type users see: a file and what is wrong with it, on one line."""

from __future__ import annotations

import errno
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


OS_ADVICE = {
    errno.EACCES: "permission denied: make it writable for you, or run from a folder you can write to",
    errno.EPERM: "operation not permitted: make it writable for you, or run from a folder you can write to",
    errno.EROFS: "the file system is read-only: run from a folder on a writable disk",
    errno.ENOSPC: "no space left on the device: free some space, then run the same command again",
    errno.EDQUOT: "disk quota exceeded: free some space, then run the same command again",
    errno.EFBIG: "file too large for this file system or the file size limit (ulimit -f)",
}


def from_os_error(exc: OSError, path: str | os.PathLike | None = None) -> PodmotionError:
    """An ``OSError`` (permissions, a full or read-only disk) as one line naming the path and what to do."""
    where = exc.filename if exc.filename is not None else path
    return PodmotionError(where, OS_ADVICE.get(exc.errno, exc.strerror or str(exc)))
