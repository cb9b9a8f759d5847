"""The report tables as CSV files, spreadsheet-safe.

UTF-8 with a byte-order mark (:data:`attendance.core.csvsafe.CSV_ENCODING`), ISO 8601
dates and times, and every text cell (column headers included) passed through
:func:`attendance.core.csvsafe.neutralise`.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from attendance.core.atomic import atomic_write_bytes
from attendance.core.csvsafe import CSV_ENCODING, neutralise
from attendance.core.errors import AttendanceError


def to_csv_text(df: pd.DataFrame) -> str:
    """``df`` as spreadsheet-safe CSV text (no byte-order mark; ``\\n`` line ends).

    Text cells and column titles go through :func:`neutralise`; dates and times are ISO
    8601 (times to the second, with their UTC offset); missing values are empty cells;
    numbers stay numbers (a negative number is not text and is never prefixed).
    """
    header = [neutralise(str(c)) for c in df.columns]
    cells = df.astype(object).map(_cell) if len(df) else df
    buffer = io.StringIO()
    cells.to_csv(buffer, index=False, header=header, lineterminator="\n")
    return buffer.getvalue()


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` to ``path`` atomically as spreadsheet-safe CSV in :data:`CSV_ENCODING`."""
    path = Path(path)
    try:
        atomic_write_bytes(path, to_csv_text(df).encode(CSV_ENCODING), mode=0o644)
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _cell(value: Any) -> Any:
    """One CSV cell: ISO 8601 for dates and times, ``""`` for missing, text neutralised."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value
