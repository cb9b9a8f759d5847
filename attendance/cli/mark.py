"""``attendance mark``: a teacher's correction of one student's status in one session."""

from __future__ import annotations

from datetime import date

import click

from attendance.cli.common import DATE, home_of
from attendance.records.corrections import Action


@click.command()
@click.argument("student")
@click.option("--session", "session_name", required=True, help="The session's name.")
@click.option("--date", "day", type=DATE, help="The session's date (24/11/2026 or 2026-11-24). [default: today]")
@click.option("--status", type=click.Choice([a.value for a in Action]), help="The student's status from now on; undo takes back the last correction (or the camera's mark).")
@click.option("--undo", is_flag=True, help="Same as --status undo.")
@click.option("--note", default="", help="Why (free text, kept with the correction).")
@click.pass_context
def mark(ctx: click.Context, student: str, session_name: str, day: date | None, status: str | None, undo: bool, note: str) -> None:
    """Correct STUDENT's (id or name) status in a session: present, late, excused, absent, or undo.

    The correction is appended to the session's corrections log with the time, your
    user name, the old and new status and the note; the camera's marks are never
    changed.  Exports and reports apply it and show the status as set by the teacher.
    """
    from attendance import api

    if status is None and not undo or undo and status not in (None, Action.UNDO.value):
        raise click.UsageError("give either --status STATUS or --undo")
    done = api.mark(home_of(ctx), session_name, student, Action.UNDO.value if undo else str(status), day=day, note=note)
    click.echo(f"{done.name} ({done.student_id}): {done.before} -> {done.after} ({'undo, ' if done.undo else ''}by {done.by})")
