"""Building a report (pandas tables, a matplotlib chart) in a worker process.

Reading the logs and drawing the chart take ~0.5 s of Python and C code that holds the
GIL (and ~1 s of imports the first time); in the window's process that would stall the
live video.  The result is plain data (strings and bytes), so the window never needs
pandas or matplotlib itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

#: The chart is drawn at least this many pixels wide and tall, however small its room.
MIN_CHART_PX = 300


@dataclass(frozen=True)
class Query:
    """What to report: session name (``None`` = all), inclusive dates, table kind (see
    :data:`attendance.records.formats.TABLE_FORMATS`), the chart's room in pixels ``(width, height)``,
    and the class whose sessions and members are reported (``None`` = every session)."""

    session: str | None
    date_from: date | None
    date_to: date | None
    kind: str
    chart_px: tuple[int, int]
    class_name: str | None = None


@dataclass(frozen=True)
class Report:
    """A built report.

    ``names``: every session name logged (for the picker); ``classes``: every class
    a session was run for (for the class picker); ``sessions``: how many sessions
    matched; ``headings``/``rows``: the table as display text (headings in plain words,
    rates as percentages); ``status_column``: index of the present/late/absent column, if
    any; ``csv``: the same table as the CSV file ``attendance export`` writes (bytes,
    spreadsheet-safe); ``chart_png``: the chart; ``xlsx_name``/``csv_name``: the file names
    the exports are offered under (``Year 9 Maths 2026-12-01 to 2026-12-07.xlsx``).
    """

    query: Query
    names: list[str]
    sessions: int
    headings: list[str]
    rows: list[list[str]]
    status_column: int | None
    warnings: list[str]
    csv: bytes
    chart_png: bytes | None
    classes: tuple[str, ...] = ()
    xlsx_name: str = "Attendance.xlsx"
    csv_name: str = "Attendance.csv"


def start_worker() -> None:
    """Worker start-up: step back in CPU priority (the window and a live session come
    first on a busy 2-core laptop), then import pandas, matplotlib and the report modules."""
    import os

    if hasattr(os, "nice"):
        os.nice(10)
    import matplotlib.backends.backend_agg  # noqa: F401 - imported now, so the first report is quick

    import attendance.records.charts  # noqa: F401 - likewise
    import attendance.records.export  # noqa: F401 - likewise
    import attendance.records.xlsx  # noqa: F401 - likewise


def display_cell(value: Any, column: str = "") -> str:
    """A table cell for the screen: date-times to the second, rates as percentages (``excused``
    where there is none: :data:`~attendance.records.formats.NO_RATE`), missing values empty."""
    from attendance.records.formats import NO_RATE, RATE_COLUMNS, percent

    missing = value is None or value != value  # noqa: PLR0124 - NaN and NaT are the missing values
    if column in RATE_COLUMNS:
        return NO_RATE if missing else percent(float(value))
    if missing:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def build_workbook(logs: Path, query: Query) -> bytes:
    """The Excel workbook (``attendance export --format xlsx``) of the sessions matching
    ``query``'s session and dates, as ``.xlsx`` bytes."""
    from attendance.records.export import load
    from attendance.records.xlsx import workbook_bytes

    return workbook_bytes(load(logs, query.session, query.date_from, query.date_to, query.class_name))


def build_report(logs: Path, query: Query) -> Report:
    """Read the logs matching ``query`` and build its table, CSV and chart."""
    from attendance.core.csvsafe import CSV_ENCODING
    from attendance.records.charts import DPI, figure_png, report_figure
    from attendance.records.csvfile import to_csv_text
    from attendance.records.export import load, table
    from attendance.records.formats import heading
    from attendance.records.sessions import list_sessions

    every = list_sessions(logs)
    names = sorted({s.session for s in every}, key=str.casefold)
    classes = tuple(sorted({s.class_name for s in every if s.class_name}, key=str.casefold))
    data = load(logs, query.session, query.date_from, query.date_to, query.class_name)
    frame = table(data, query.kind)
    png = None
    if data.sessions:
        width, height = query.chart_px
        png = figure_png(report_figure(data, max(width, MIN_CHART_PX) / DPI, max(height, MIN_CHART_PX) / DPI))
    columns = [str(c) for c in frame.columns]
    scope = data.scope
    return Report(
        query=query,
        names=names,
        sessions=len(data.sessions),
        headings=[heading(c) for c in columns],
        rows=[[display_cell(v, c) for v, c in zip(record, columns)] for record in frame.itertuples(index=False)],
        status_column=columns.index("status") if "status" in columns else None,
        warnings=list(data.warnings),
        csv=to_csv_text(frame).encode(CSV_ENCODING),
        chart_png=png,
        classes=classes,
        xlsx_name=scope.file_name("xlsx"),
        csv_name=scope.file_name("csv", query.kind),
    )
