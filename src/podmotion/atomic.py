"""Write outputs under a temporary name and rename them only when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterator


def temp_path_for(path: str | os.PathLike) -> Path:
    """A hidden sibling of ``path`` with the same suffix (so tools infer the format)."""
    p = Path(path)
    return p.with_name(f".{p.stem}.partial-{os.getpid()}{p.suffix}")


def remove_stale_partials(path: str | os.PathLike) -> list[Path]:
    """Remove what killed writers of ``path`` left: its temporary siblings from other processes.

    Only one job at a time makes a given output (Snakemake locks the folder and
    schedules each output once), so any other writer's temporary file is a
    leftover: a process killed with ``kill -9`` cannot clean up after itself.
    """
    final = Path(path)
    mine = temp_path_for(final).name
    pattern = f".{final.stem}.partial-*{final.suffix}"
    removed = []
    for leftover in final.parent.glob(pattern) if final.parent.is_dir() else []:
        if leftover.name == mine:
            continue
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``path``, on failure remove it.

    Leftovers of earlier writers that were killed are removed first.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(final)
    tmp = temp_path_for(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{tmp} was not written")
        if final.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def unwritable_problem(folder: str | os.PathLike) -> str | None:
    """One line if files cannot be created in ``folder`` (or, if it does not exist yet, in its parent)."""
    import tempfile

    from .errors import from_os_error

    target = Path(folder)
    while not target.exists() and target != target.parent:
        target = target.parent
    try:
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as exc:
        return str(from_os_error(OSError(exc.errno, exc.strerror), folder))  # name the folder, not the probe file
    return None
