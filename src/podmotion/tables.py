"""The project's tables (CSV, or Snakemake's tab-separated benchmarks): read and written only here, with pandas.

Every table is UTF-8 text: a header line naming its columns, then a row per
line, each line ending in ``\\r\\n`` (RFC 4180, as Python's ``csv`` writes it).
A field holding the separator, a quote, ``\\r`` or ``\\n`` is quoted
(``"a ""quoted"", sea"``), the rest written bare. The line end is ``\\r\\n``
and not ``\\n`` because the writer quotes only the line breaks its line end
holds: under ``\\n`` a lone ``\\r`` in a prompt would go out bare and read back
as the end of its row. Tables ending lines in ``\\n`` read the same.

What a table's columns are and what they hold is its owner's
(``scene_folder`` documents the scene folder's); this module only moves rows
of text in and out.

``write_table`` writes the values as given: the caller formats them (the six
decimals of a time, the four of a score), so nothing is reformatted on the way.
``read_table`` gives every value back as the text in the file (nothing becomes
a number or a missing value), and names the file in a one-line
``PodmotionError`` when it cannot: missing, undecodable, malformed, short of a
column, or empty. ``field`` turns one value into a number, or into such an
error naming its line.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .atomic import atomic_output
from .errors import PodmotionError

LINE_END = "\r\n"


@dataclass(frozen=True)
class Owner:
    """Whose tables these are, as the errors say it."""

    name: str  # "missing columns: end_frame (a scene folder's timestamps.csv has scene,…)"
    place: str  # "file not found (is this a scene folder, results/NAME/scenes?)"
    rows: str  # what a row is: "no scenes"


def _text(value: str | int | None) -> str:
    """A value as it is written: text as it is, a whole number in decimal, None as an empty field."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"a table value is text, a whole number or None, not {value!r} (format it first)")


def write_table(path: str | os.PathLike, columns: Sequence[str], rows: Iterable[Sequence[str | int | None]],
                *, sep: str = ",") -> None:  # fmt: skip
    """Write ``rows`` (each one value per column, in ``columns``' order) under the header ``columns``.

    Atomically: under a temporary name beside ``path``, renamed over it once
    complete, so a failure leaves no partial file and any earlier one as it was.
    """
    import pandas as pd  # here, not at the top: every job imports this module through its summary

    table = pd.DataFrame([[_text(v) for v in row] for row in rows], columns=list(columns), dtype=object)
    with atomic_output(path) as tmp:
        table.to_csv(tmp, sep=sep, index=False, encoding="utf-8", lineterminator=LINE_END)


def read_table(path: str | os.PathLike, columns: Sequence[str], *, about: Owner, empty_ok: bool = False,
               sep: str = ",") -> list[dict[str, str]]:  # fmt: skip
    """The rows of a table that must have ``columns`` (others may follow), in order, as text; one-line errors.

    ``about``: whose table it is, for the errors. A table without rows is an
    error (``no scenes``) unless ``empty_ok``.
    """
    import pandas as pd  # here, not at the top: every job imports this module through its summary

    path = Path(path)
    try:
        with warnings.catch_warnings(record=True) as warned:  # pandas only warns of a first row too long
            warnings.simplefilter("always", pd.errors.ParserWarning)
            table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, index_col=False, encoding="utf-8")
    except FileNotFoundError:
        raise PodmotionError(path, f"file not found (is this {about.name}, {about.place}?)") from None
    except pd.errors.EmptyDataError:  # not even a header
        table, warned = pd.DataFrame(), []
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise PodmotionError(path, f"cannot read ({str(exc).strip()})") from None
    for w in warned:  # pass on what is not the parser's
        if not issubclass(w.category, pd.errors.ParserWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PodmotionError(path, f"missing columns: {', '.join(missing)} ({about.name}'s {path.name} has "
                             f"{','.join(columns)})")  # fmt: skip
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in warned):
        raise PodmotionError(path, f"cannot read (the first row has more fields than the header's "
                             f"{len(table.columns)} columns)")  # fmt: skip
    if len(table) == 0 and not empty_ok:
        raise PodmotionError(path, f"no {about.rows}")
    names = [str(c) for c in table.columns]
    return [dict(zip(names, values)) for values in table.itertuples(index=False, name=None)]


def field(path: str | os.PathLike, line: int, row: dict[str, str], column: str, kind: type):
    """``row[column]`` as ``kind`` (int, float or Fraction); a one-line error naming ``line`` otherwise."""
    try:
        return kind(row[column])
    except (TypeError, ValueError, ZeroDivisionError):
        what = "a whole number" if kind is int else "a number"
        raise PodmotionError(path, f"line {line}: {column} {row[column]!r} is not {what}") from None
