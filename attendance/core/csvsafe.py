"""Spreadsheet-safe CSV cells.

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-``, ``@`` (and, after
trimming, tab or carriage return) as a formula.  :func:`neutralise` prefixes such text
with an apostrophe (OWASP's advice), which both programs then show as plain text;
:func:`restore` undoes it exactly, so logs round-trip.  Text that already starts with an
apostrophe is prefixed too, which keeps the mapping reversible.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "'")

#: Encoding for every CSV the app writes: UTF-8 with a byte-order mark, which Excel needs
#: to read accents and CJK correctly (LibreOffice and pandas accept it too).
CSV_ENCODING = "utf-8-sig"


def neutralise(value: object) -> object:
    """Return ``value`` made safe for a spreadsheet cell; non-text values pass unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def restore(value: object) -> object:
    """Inverse of :func:`neutralise` for text read back from a CSV written by this app."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def csv_line(cells: Iterable[object]) -> str:
    """One CSV record of ``cells`` ending in a newline, as :mod:`csv` quotes it (the logs
    append these one at a time; text cells are neutralised by the caller)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def read_lines(path: Path, warnings: list[str], ignored: str) -> list[str]:
    """The lines of a small CSV file written by this app, line ends kept.

    ``[]`` when there is no such file; an unreadable file is ``[]`` too, with the warning
    ``"NAME: cannot read (REASON); IGNORED"`` appended to ``warnings``.  Damaged bytes
    are replaced rather than refused (the rows they are in fail to parse, one by one).
    """
    try:
        text = path.read_bytes().decode(CSV_ENCODING, errors="replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        warnings.append(f"{path.name}: cannot read ({exc.strerror}); {ignored}")
        return []
    return text.splitlines(keepends=True)


def complete_cells(line: str) -> list[str]:
    """The raw cells of one line; ``ValueError`` if the line was cut by a crash (no line end)."""
    if not line.endswith("\n"):
        raise ValueError("incomplete last line (cut by a crash?)")
    return next(csv.reader([line]))
