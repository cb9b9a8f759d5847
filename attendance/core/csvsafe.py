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
