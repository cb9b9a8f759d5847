"""What every command shares: the error-to-exit-status group and the data home."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from attendance.core.errors import AttendanceError, InvalidTimeError
from attendance.core.home import Home
from attendance.core.times import parse_date
from attendance.recognition.finders import DEFAULT_DETECTOR, DETECTORS


class AppGroup(click.Group):
    """Turns :class:`AttendanceError` into one line on stderr and exit status 1; ``--help``
    ends with where the data lives."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        with formatter.section("Data folder"):
            formatter.write_text(Home.resolve(ctx.params.get("home")).describe())

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttendanceError as exc:
            click.echo(f"attendance: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("attendance: interrupted", err=True)
            sys.exit(130)


class DateParam(click.ParamType):
    """A date option typed as a teacher types it (:func:`attendance.core.times.parse_date`)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except InvalidTimeError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateParam()


def home_of(ctx: click.Context) -> Home:
    """The data home chosen by ``--home`` / ``$ATTENDANCE_HOME`` / the current directory."""
    return ctx.find_object(Home) or Home.resolve()


def detector_option(func: Any) -> Any:
    """``--detector yunet|hog``: which detector finds the faces."""
    return click.option("--detector", type=click.Choice(DETECTORS), default=DEFAULT_DETECTOR, show_default=True,
                        help="Face detector: yunet (OpenCV's; finds faces down to ~20 px in one pass) or hog (dlib's, as before "
                             "YuNet: slower, and on a 1080p video it misses faces under ~150 px unless --min-face says otherwise).")(func)
