"""The ``attendance`` command line: a thin shell over the core modules.

Exit status: 0 success, 1 an error the user can act on (one line on stderr), 2 wrong
usage (click's own convention), 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from attendance import __version__
from attendance.cli.bench import bench
from attendance.cli.classes import class_group, import_roster
from attendance.cli.common import AppGroup
from attendance.cli.desktop import install_desktop
from attendance.cli.doctor import doctor
from attendance.cli.export import export, report
from attendance.cli.live import demo, identify, run
from attendance.cli.mark import mark
from attendance.cli.school import school_group
from attendance.cli.students import enroll, evaluate, remove, roster
from attendance.cli.window import gui
from attendance.core.home import ENV_VAR, Home, user_data_root
from attendance.core.memory import limit_malloc_arenas


@click.group(cls=AppGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), is_eager=True,
              help=f"Folder holding known_faces/ and logs/. Default: ${ENV_VAR}, else the current directory if it holds "
                   f"both, else the per-user data folder ({user_data_root()}).")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="attendance")
@click.pass_context
def main(ctx: click.Context, home: Path | None, verbose: int) -> None:
    """Webcam attendance: enroll students from one photo each, mark them present from a
    live camera, export the attendance as CSV.

    Run with no command to open the desktop window (when a display is available).
    """
    limit_malloc_arenas()  # before any thread starts (core/memory.py)
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="attendance: %(levelname)s: %(message)s" if verbose else "attendance: %(message)s", stream=sys.stderr)
    ctx.obj = Home.resolve(home)
    if ctx.invoked_subcommand is None:
        from attendance.core.display import display_available

        if display_available() and "gui" in main.commands:
            ctx.invoke(main.commands["gui"])
        else:
            click.echo(ctx.get_help())


for command in (doctor, enroll, import_roster, class_group, roster, remove, evaluate, identify, run, demo, mark, export, report, gui, bench,
                install_desktop, school_group):
    main.add_command(command)
