"""``attendance install-desktop``: add (or remove) the app's entry in the desktop menu."""

from __future__ import annotations

import click

from attendance.cli.common import home_of
from attendance.core.home import HomeOrigin


@click.command("install-desktop")
@click.option("--uninstall", is_flag=True, help="Remove the menu entry and its icon instead.")
@click.pass_context
def install_desktop(ctx: click.Context, uninstall: bool) -> None:
    """Add "Attendance" to the desktop's application menu, with its icon.

    Linux: writes attendance.desktop to $XDG_DATA_HOME/applications (default
    ~/.local/share/applications) and the icon to the user's hicolor icon theme; the
    entry opens the window with this installation's Python. Given --home or
    $ATTENDANCE_HOME (or run inside a data folder), the entry opens that data folder;
    otherwise the per-user one. Nothing needs root.

    Windows and macOS: not supported (it says so and exits with status 1); start the
    window with `attendance` (pipx puts it on PATH), or pin a shortcut to it.
    """
    from attendance.core.desktop import install_menu_entry, uninstall_menu_entry, window_command

    if uninstall:
        removed = uninstall_menu_entry()
        for path in removed:
            click.echo(f"removed {path}")
        if not removed:
            click.echo("no menu entry was installed")
        return
    home = home_of(ctx)
    entry = install_menu_entry(window_command(None if home.origin is HomeOrigin.USER_DATA else home.root))
    click.echo(f"menu entry: {entry.desktop_file}")
    click.echo(f"icon: {', '.join(str(p) for p in entry.icons)}")
    click.echo(f"it opens the window on the data folder {home.describe()}")
