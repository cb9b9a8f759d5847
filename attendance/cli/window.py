"""``attendance gui``: the desktop window (also what ``attendance`` alone opens)."""

from __future__ import annotations

import click

from attendance.cli.common import home_of
from attendance.core.errors import AttendanceError, DependencyError


@click.command()
@click.pass_context
def gui(ctx: click.Context) -> None:
    """Open the desktop window: roster, live session and reports."""

    from attendance.core.display import display_available

    if not display_available():
        raise AttendanceError("no display for the window (DISPLAY is not set); use the commands instead: attendance --help")
    try:
        import tkinter
    except ImportError:
        raise DependencyError("Tkinter is missing from this Python; install it (Debian/Ubuntu: sudo apt install python3-tk)") from None
    from attendance.gui.app import run_app

    try:
        run_app(home_of(ctx).ensure())
    except tkinter.TclError as exc:
        raise AttendanceError(f"cannot open the window: {exc}") from None
