"""``attendance school ...``: one school, many classrooms (a thin shell over :mod:`attendance.school`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import click

from attendance.cli.common import DATE, home_of
from attendance.core.errors import SchoolAuthError

T = TypeVar("T")

URL_HELP = "postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=require]; never with the password in it"


def _password_stdin(flag: bool) -> str | None:
    """The password from the first line of standard input (``--password-stdin``), else ``None``."""
    if not flag:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.UsageError("--password-stdin: standard input gave no password")
    return line


def _asker(url: str) -> Callable[[], str] | None:
    """A prompt for the password when there is a terminal to ask on (never echoed)."""
    if not sys.stdin.isatty():
        return None
    from attendance.school.config import describe_url

    return lambda: str(click.prompt(f"password for {describe_url(url)}", hide_input=True))


def _with_password(url: str, flag: bool, call: Callable[[str | None], T]) -> T:
    """``call(password)``: first with the password given on stdin (or none), then, if the
    server wants one and there is a terminal, with the one typed at a prompt."""
    password = _password_stdin(flag)
    try:
        return call(password)
    except SchoolAuthError:
        ask = _asker(url)
        if password is not None or ask is None:
            raise
        return call(ask())


@click.group(name="school")
def school_group() -> None:
    """One school, many classrooms: a shared record on PostgreSQL.

    The office initialises the database (init), creates a login per laptop (user), and
    connects its own data folder with --office to publish students, encodings and
    classes. Each classroom laptop connects once; its sessions then run as before, with
    or without the server, and their marks, last sightings and corrections go up as
    events. The office's `today` shows the whole school's day.
    """


@school_group.command(name="init")
@click.argument("url")
@click.option("--password-stdin", is_flag=True, help="Read the database owner's password from standard input (else asked when needed).")
def init(url: str, password_stdin: bool) -> None:
    """Create or upgrade the school's schema at URL (as the database's owner).

    Migrations are versioned; running it again changes nothing. Creates the group roles
    <database>_laptop (may send events and read the roster) and <database>_office
    (publishes the roster, reads the reports).
    """
    from attendance import api
    from attendance.school.config import url_parts

    url_parts(url)
    report = _with_password(url, password_stdin, lambda pw: api.school_init(url, password=pw))
    for step in report.applied:
        click.echo(f"applied migration {step}")
    state = "up to date" if not report.applied else f"upgraded from version {report.before}"
    click.echo(f"schema version {report.after} ({state}); roles: {report.laptop_role} (laptops), {report.office_role} (office)")


@school_group.command(name="user")
@click.argument("url")
@click.argument("name")
@click.option("--office", is_flag=True, help="A login for the office (publishes the roster, reads the reports) instead of a laptop.")
@click.option("--password-stdin", is_flag=True, help="Read the database owner's password from standard input (else asked when needed).")
def user(url: str, name: str, office: bool, password_stdin: bool) -> None:
    """Create (or reset) the login NAME for a classroom laptop (or the office) at URL.

    Run as the database's owner. Prints a new random password once: give it to whoever
    connects that data folder (attendance school connect URL, which asks for it).
    """
    from attendance import api
    from attendance.school.config import url_parts

    url_parts(url)
    password = _with_password(url, password_stdin, lambda pw: api.school_user(url, name, office=office, admin_password=pw))
    click.echo(f"{'office' if office else 'laptop'} login {name!r} ready; its password (shown once, not stored here): {password}")


@school_group.command(name="connect")
@click.argument("url")
@click.option("--room", help="This laptop's room, shown in the office's reports.")
@click.option("--office", is_flag=True, help="This is the office's data folder: it owns and publishes students, encodings and classes.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else asked when the server wants one).")
@click.pass_context
def connect(ctx: click.Context, url: str, room: str | None, office: bool, password_stdin: bool) -> None:
    """Join the school at URL: this data folder gets a device id and sends its sessions' events.

    The password is asked (or read with --password-stdin), checked, and kept in the data
    folder's school/pgpass (mode 0600): never on the command line. A laptop's students
    and classes then come from the office (pulled now, at every sync and session start,
    and when the office publishes); local roster changes are refused.
    """
    from attendance import api
    from attendance.school.config import url_parts

    url_parts(url)
    home = home_of(ctx)
    password = _password_stdin(password_stdin)
    config, report = api.school_connect(home, url, room=room, office=office, password=password, ask_password=_asker(url))
    click.echo(f"connected {home.root} to {config.where} as the {config.role.value}" + (f" (room {config.room})" if config.room else "")
               + f"; device {config.device_id}")
    click.echo(str(report))


@school_group.command(name="publish")
@click.pass_context
def publish(ctx: click.Context) -> None:
    """Send the office's students, encodings and classes to the school.

    Students removed here are removed from the server, with their encodings, and from
    every laptop at its next sync. Laptops listening pull the new roster at once.
    """
    from attendance import api

    change = api.school_publish(home_of(ctx))
    if not (change.changed or change.removed):
        click.echo(f"roster version {change.version} already up to date: {change.students:,} students, {change.classes:,} classes")
        return
    click.echo(f"published roster version {change.version}: {change.students:,} students ({change.changed:,} new or changed, "
               f"{change.removed:,} removed), {change.encodings:,} encodings, {change.classes:,} classes")


@school_group.command(name="sync")
@click.pass_context
def sync(ctx: click.Context) -> None:
    """Send the waiting events and pull the roster (a laptop). Prints what moved."""
    from attendance import api

    click.echo(str(api.school_sync(home_of(ctx))))


@school_group.command(name="status")
@click.pass_context
def status(ctx: click.Context) -> None:
    """The server (reachable?), this folder's role and room, the last sync and the events waiting."""
    from attendance import api

    for line in api.school_status(home_of(ctx)).lines():
        click.echo(line)


@school_group.command(name="today")
@click.option("--date", "day", type=DATE, help="The day (24/11/2026 or 2026-11-24). [default: today]")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file ('-' or none: standard output; xlsx needs a file).")
@click.pass_context
def today(ctx: click.Context, day: date | None, fmt: str, output: Path | None) -> None:
    """The office's view of a day: every class's sessions (In Attendance, Tardy, Excused
    Absence, Unexcused Absence, Early departure), students absent from every session they
    were expected at, and classes with no session yet.
    """
    from attendance import api
    from attendance.school.today import write_report

    text = write_report(api.school_today(home_of(ctx), day), fmt, output)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}")


@school_group.command(name="disconnect")
@click.option("--force", is_flag=True, help="Leave even if events have not reached the server (the local logs keep every line).")
@click.pass_context
def disconnect(ctx: click.Context, force: bool) -> None:
    """Leave the school: forget its URL, password and outbox; local roster changes are allowed again."""
    from attendance import api

    dropped = api.school_disconnect(home_of(ctx), force=force)
    click.echo("disconnected" + (f"; {dropped} events that never reached the server were dropped (the local logs keep them)" if dropped else ""))
