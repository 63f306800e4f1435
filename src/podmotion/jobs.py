"""What every workflow script shares: logging to the job's log, and one-line errors.

A ``PodmotionError`` becomes one line, ``path: problem``, in the job's log and
on the console, and the job fails; no stack dump. So does an ``OSError``
(permission denied, disk full, a read-only folder), with what to do about it.
Anything else is a bug and keeps its traceback in the log.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import Callable

from .errors import PodmotionError, from_os_error
from .summary import failure_record


def run_job(snakemake, main: Callable[[], None]) -> None:
    log_path = Path(snakemake.log[0]) if snakemake.log else None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    problem = None
    if log_path is not None:
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.FileHandler(log_path, mode="w"))
        except OSError as exc:  # the log cannot be written: say so on the console, and go on
            problem = from_os_error(exc, log_path)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", handlers=handlers, force=True)
    if problem is not None:
        logging.getLogger("podmotion").warning("%s", problem)
    record = failure_record(snakemake.rule, getattr(snakemake.wildcards, "name", None),
                            getattr(snakemake.wildcards, "scene", None))  # fmt: skip
    try:
        main()
    except PodmotionError as exc:
        _fail(str(exc), record)
    except OSError as exc:  # permissions, a full or read-only disk: the user's to fix, not a bug
        output = snakemake.output[0] if len(snakemake.output) else None  # a write error names no file: the job's output
        _fail(str(from_os_error(exc, output)), record)
    except Exception:
        logging.getLogger("podmotion").error("unexpected error:\n%s", traceback.format_exc())
        _fail(f"unexpected error (its traceback is in {log_path})", record, logged=True)
    if record is not None:
        record.unlink(missing_ok=True)  # the job ran: an older failure of it is no longer the episode's


def _fail(line: str, record: Path | None, logged: bool = False) -> None:
    """The job's one line, in its log and on the console, and kept for the run's closing line; the job fails."""
    if not logged:
        logging.getLogger("podmotion").error("%s", line)
    if record is not None:
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(line + "\n", encoding="utf-8")
        except OSError:
            pass  # the line is in the log and on the console already
    sys.exit(1)
