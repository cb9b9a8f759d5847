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


def warn(text: str) -> None:
    """A warning met reading the logs, on stderr."""
    click.echo(f"attendance: warning: {text}", err=True)


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
    from attendance import api

    if fmt == XLSX and output == "-":
        raise AttendanceError("an Excel workbook cannot go to standard output: give a file with -o FILE.xlsx")
    done = api.export(home_of(ctx), None if output == "-" else output, fmt=fmt, session=session_name, class_name=class_name,
                      date_from=date_from, date_to=date_to, on_warning=warn)
    if fmt == XLSX:
        click.echo(f"wrote the session, matrix and summary sheets of {done.sessions} sessions to {done.path}", err=True)
    elif done.text is not None:
        try:
            sys.stdout.buffer.write(done.text.encode("utf-8"))
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
            sys.stderr.close()
    else:
        click.echo(f"wrote {done.rows} rows from {done.sessions} sessions to {done.path}", err=True)


@click.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="PNG",
              help="PNG file to write.")
@filter_options
@click.pass_context
def report(ctx: click.Context, output: Path, session_name: str | None, class_name: str | None, date_from: date | None,
           date_to: date | None) -> None:
    """Draw attendance charts into a PNG: per-session present/late/absent counts over time,
    and per-student attendance rate."""
    from attendance import api

    done = api.report(home_of(ctx), output, session=session_name, class_name=class_name, date_from=date_from, date_to=date_to,
                      on_warning=warn)
    click.echo(f"wrote charts of {done.sessions} sessions to {done.path}", err=True)
