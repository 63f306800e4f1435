"""What every workflow script shares: logging to the job's log, and one-line errors.

A ``PodmotionError`` becomes one line, ``path: problem``, in the job's log and
on the console, and the job fails; no stack dump. Anything else is a bug and
keeps its traceback in the log.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import Callable

from .errors import PodmotionError


def run_job(snakemake, main: Callable[[], None]) -> None:
    log_path = Path(snakemake.log[0]) if snakemake.log else None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", handlers=handlers, force=True)
    try:
        main()
    except PodmotionError as exc:
        logging.getLogger("podmotion").error("%s", exc)
        sys.exit(1)
    except Exception:
        logging.getLogger("podmotion").error("unexpected error:\n%s", traceback.format_exc())
        sys.exit(1)
