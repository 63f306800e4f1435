"""What the report keeps between runs: each scene's card and preview, made again only when what it shows changed.

One job makes the whole report stage (rule ``episode_report``): every scene's card and preview, then the pages.
A job per scene cost more in process start-up than the card itself (an hour of 114 slides: 125 s of 205). So
that a rerun of one scene does not redo every other scene's pictures, each one is kept in
``results/NAME/report/.cache/``, named by a key of what it is made from: the files (path, size and modification
time in ns), the scene's label, the kind of picture, its settings and ``FORMAT``, raised whenever the code that
draws them changes. A picture whose key is unchanged is taken as it is; one that no scene asked for in a run is
removed at its end (``prune``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .atomic import atomic_output

FORMAT = 2  # raise when the cards or previews are drawn differently: every cached picture is then made again
KEY_HEX_CHARS = 16


def file_stamp(path: str | os.PathLike) -> str:
    """``path``, its size and modification time (ns): changes whenever the file is written again."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{os.fspath(path)}:absent"
    return f"{os.fspath(path)}:{st.st_size}:{st.st_mtime_ns}"


class ReportCache:
    """Scene pictures in ``folder``, looked up by what they are made from (see the module's docstring)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.made: list[str] = []
        self.kept: list[str] = []
        self._used: set[str] = set()
        self._lock = threading.Lock()  # previews are made in a thread beside the cards

    def picture(self, label: str, kind: str, suffix: str, sources: Iterable[str | os.PathLike],
                make: Callable[[Path], None], settings: str = "") -> Path:  # fmt: skip
        """The scene's ``kind`` picture (``card``, ``preview``): the cached one while its key holds, else
        ``make(path)`` writes it (under a temporary name, kept only when complete)."""
        parts = [f"format {FORMAT}", label, kind, settings, *(file_stamp(p) for p in sources)]
        key = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:KEY_HEX_CHARS]
        path = self.folder / f"scene_{label}.{kind}.{key}{suffix}"
        with self._lock:
            self._used.add(path.name)
        if path.is_file():
            with self._lock:
                self.kept.append(path.name)
            return path
        with atomic_output(path) as tmp:
            make(tmp)
        with self._lock:
            self.made.append(path.name)
        return path

    def prune(self) -> list[Path]:
        """Remove what this run did not ask for: pictures of scenes that changed or are gone, and the temporary
        files of a job that was killed."""
        removed = []
        for entry in self.folder.iterdir() if self.folder.is_dir() else []:
            if entry.name not in self._used and entry.is_file():
                entry.unlink(missing_ok=True)
                removed.append(entry)
        return removed

    def tally(self) -> str:
        """``made 1, kept 113``: for the job's log."""
        return f"made {len(self.made)}, kept {len(self.kept)}"
