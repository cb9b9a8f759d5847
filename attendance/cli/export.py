"""``attendance export`` (CSV tables, an Excel workbook) and ``attendance report`` (a PNG of charts)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from attendance.cli.common import DATE, home_of
from attendance.core.errors import AttendanceError
from attendance.records.formats import FORMATS, XLSX


def filter_options(func: Any) -> Any:
    """``--session``, ``--class``, ``--from`` and ``--to``, shared by ``export`` and ``report``."""
    options = [
        click.option("--session", "session_name", help="Only sessions with this name (any date)."),
        click.option("--class", "class_name", metavar="NAME",
                     help="Only sessions run for this class (run --class), its members only: visitors are left out."),
        click.option("--from", "date_from", type=DATE, help="First date included (24/11/2026 or 2026-11-24)."),
        click.option("--to", "date_to", type=DATE, help="Last date included (24/11/2026 or 2026-11-24)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_filtered(ctx: click.Context, session_name: str | None, date_from: date | None, date_to: date | None,
                  class_name: str | None = None) -> Any:
    """Load the matching logs, print each warning on stderr, refuse an empty selection."""

    from attendance.records.export import load

    logs = home_of(ctx).logs
    data = load(logs, session_name, date_from, date_to, class_name)
    for warning in data.warnings:
        click.echo(f"attendance: warning: {warning}", err=True)
    if not data.sessions:
        wanted = [f"session {session_name!r}" if session_name else "", f"class {class_name!r}" if class_name else "",
                  f"from {date_from}" if date_from else "", f"to {date_to}" if date_to else ""]
        detail = " ".join(w for w in wanted if w)
        raise AttendanceError(f"no session logs in {logs}" + (f" match {detail}" if detail else "") + " (record one with: attendance run)")
    return data


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="events: one row per mark; session: each roster with present/late/absent; matrix: students x "
                   "sessions; summary: per-student totals and rate; xlsx: one Excel workbook with the session, "
                   "matrix and summary sheets.  [default: session with --session, else matrix]")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="File to write (CSV: UTF-8 with BOM for Excel), or - for standard output (CSV only: UTF-8, no BOM).  "
                   "[default: CSV to standard output; xlsx to a file in this folder named for the class (or session) "
                   "and the dates, e.g. 'Year 9 Maths 2026-12-01 to 2026-12-07.xlsx']")
@filter_options
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: str | None, session_name: str | None, class_name: str | None,
           date_from: date | None, date_to: date | None) -> None:
    """Export attendance from the session logs as spreadsheet-safe CSV, or as an Excel workbook.

    A session's roster is who was enrolled when it ran plus anyone marked; students
    enrolled later are not counted absent from it, students removed since still appear.
    A student first seen more than the grace period after the start is 'late'.  Damaged
    rows in a log are skipped with a warning naming the file and line.

    CSV columns keep their names (student_id, attendance_rate, ...) for scripts; the
    workbook is for people: titled, headings in plain words, rates as percentages, and
    each sheet prints one page wide.
    """
    from attendance.records.csvfile import to_csv_text, write_csv
    from attendance.records.export import table

    if fmt == XLSX and output == "-":
        raise AttendanceError("an Excel workbook cannot go to standard output: give a file with -o FILE.xlsx")
    data = load_filtered(ctx, session_name, date_from, date_to, class_name)
    if fmt == XLSX:
        from attendance.records.xlsx import write_xlsx

        path = write_xlsx(data, Path(output or data.scope.file_name(XLSX)))
        click.echo(f"wrote the session, matrix and summary sheets of {len(data.sessions)} sessions to {path}", err=True)
        return
    frame = table(data, fmt or ("session" if session_name else "matrix"))
    if output in (None, "-"):
        try:
            sys.stdout.buffer.write(to_csv_text(frame).encode("utf-8"))
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
            sys.stderr.close()
        return
    path = write_csv(frame, Path(output))
    click.echo(f"wrote {len(frame)} rows from {len(data.sessions)} sessions to {path}", err=True)


@click.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="PNG",
              help="PNG file to write.")
@filter_options
@click.pass_context
def report(ctx: click.Context, output: Path, session_name: str | None, class_name: str | None, date_from: date | None,
           date_to: date | None) -> None:
    """Draw attendance charts into a PNG: per-session present/late/absent counts over time,
    and per-student attendance rate."""
    from attendance.records.charts import write_report

    data = load_filtered(ctx, session_name, date_from, date_to, class_name)
    path = write_report(data, output)
    click.echo(f"wrote charts of {len(data.sessions)} sessions to {path}", err=True)
