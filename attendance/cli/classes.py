"""Classes and roster import: ``attendance class ...`` and ``attendance import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from attendance.cli.common import home_of
from attendance.core.names import plural
from attendance.recognition.engine import ENROLL_JITTERS


@click.group(name="class")
def class_group() -> None:
    """Classes: named lists of enrolled students (a student may be in several).

    A session run with --class NAME expects that class's members; students of other
    classes who are recognised are recorded as visitors.
    """


@class_group.command(name="create")
@click.argument("name")
@click.pass_context
def create(ctx: click.Context, name: str) -> None:
    """Create an empty class called NAME."""
    from attendance import api

    created = api.create_class(home_of(ctx), name)
    click.echo(f"created class {created.name!r} (add students with: attendance class add {_quoted(created.name)} STUDENT...)")


@class_group.command(name="list")
@click.pass_context
def list_classes(ctx: click.Context) -> None:
    """List the classes and how many students each has."""
    from attendance import api

    found = api.classes(home_of(ctx))
    if not found:
        click.echo("no classes yet (attendance class create NAME, or attendance import ROSTER.csv)")
        return
    width = max(len(c.name) for c in found)
    click.echo(f"{'class':{width}s} students")
    for school_class in found:
        click.echo(f"{school_class.name:{width}s} {len(school_class.members):8d}")
    click.echo(plural(len(found), "class", "classes"))


@class_group.command(name="show")
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """List the members of class NAME: id and name."""
    from attendance import api

    school_class = api.show_class(home_of(ctx), name)
    members = school_class.members
    click.echo(f"class {school_class.name!r}: {len(members)} student{'s' if len(members) != 1 else ''}")
    for person in members:
        click.echo(f"{person.id:8s} {person.name}")


@class_group.command(name="add")
@click.argument("name")
@click.argument("students", nargs=-1, required=True)
@click.pass_context
def add(ctx: click.Context, name: str, students: tuple[str, ...]) -> None:
    """Add STUDENTS (names or ids, as for `attendance remove`) to class NAME."""
    _change_members(ctx, name, students, adding=True)


@class_group.command(name="remove")
@click.argument("name")
@click.argument("students", nargs=-1, required=True)
@click.pass_context
def remove_members(ctx: click.Context, name: str, students: tuple[str, ...]) -> None:
    """Take STUDENTS (names or ids) out of class NAME; they stay enrolled."""
    _change_members(ctx, name, students, adding=False)


@class_group.command(name="delete")
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete class NAME. Its students stay enrolled; session logs are kept."""
    from attendance import api

    confirm = None if yes or not sys.stdin.isatty() else lambda question: click.confirm(question, abort=True)
    school_class = api.delete_class(home_of(ctx), name, confirm=confirm)
    click.echo(f"deleted class {school_class.name!r}; its students stay enrolled")


def _change_members(ctx: click.Context, name: str, students: tuple[str, ...], adding: bool) -> None:
    """Add STUDENTS to class NAME (or take them out) and say who changed and who did not."""
    from attendance import api

    change = (api.add_to_class if adding else api.remove_from_class)(home_of(ctx), name, students)
    verb, why = ("added to", "already in it") if adding else ("removed from", "not in it")
    if change.changed:
        click.echo(f"{verb} {change.class_name!r}: " + ", ".join(f"{p.name} ({p.id})" for p in change.changed))
    if change.unchanged:
        click.echo(f"{why}: " + ", ".join(f"{p.name} ({p.id})" for p in change.unchanged))


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


@click.command(name="import")
@click.argument("roster", type=click.Path(path_type=Path))
@click.option("--photos", "photos_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the photo file names are relative to (default: the spreadsheet's folder); for OneRoster, "
                   "the folder of photos named by student id or name.")
@click.option("--dry-run", is_flag=True, help="Only check the spreadsheet and the photo files; encode and change nothing.")
@click.option("--workers", type=click.IntRange(1, 16), help="Processes (default: one per core, max 2).")
@click.option("--jitters", type=click.IntRange(1, 100), default=ENROLL_JITTERS, show_default=True,
              help="Jittered re-samples averaged per photo: slower, steadier encodings.")
@click.pass_context
def import_roster(ctx: click.Context, roster: Path, photos_dir: Path | None, dry_run: bool, workers: int | None, jitters: int) -> None:
    """Import the school's ROSTER spreadsheet (.csv or .xlsx), or a OneRoster 1.1 CSV bundle
    (a .zip or a folder with users.csv, classes.csv, enrollments.csv): enroll every student
    and create the classes.

    Columns (matched case-blind, common synonyms accepted): student id, name, class,
    photo file. A student in several classes has one row per class, or one cell listing
    them (';'-separated in a comma-separated file, ','-separated in a ';'-separated one).
    Each row that cannot be imported is reported with its row number; the rest import.
    Re-running updates names and classes and encodes only new or changed photos.
    """
    from tqdm import tqdm

    from attendance import api
    from attendance.core.files import existing
    from attendance.roster.enroll import EnrollStatus

    existing(roster)
    if photos_dir is not None:
        existing(photos_dir)
    home = home_of(ctx).ensure()
    with tqdm(total=0, unit="photo", desc="enrolling", file=sys.stderr, disable=True if dry_run else None) as bar:
        def progress(outcome: Any, done: int, total: int) -> None:
            bar.total = total
            bar.update(1)
            if outcome.ok and outcome.message:
                bar.write(f"attendance: {outcome.path.name}: {outcome.message}", file=sys.stderr)

        result = api.import_roster(home, roster, photos_dir=photos_dir, dry_run=dry_run, workers=workers, jitters=jitters,
                                   on_progress=progress)
    for problem in result.problems:
        click.echo(f"attendance: {roster.name} {problem}", err=True)
    data = result.roster
    click.echo(f"{plural(data.rows, 'row')}, {plural(len(data.students), 'student')}, {plural(len(data.classes), 'class', 'classes')}")
    for sid, old, new in result.renamed:
        click.echo(f"{'would rename' if dry_run else 'renamed'} {sid}: {old!r} -> {new!r}")
    if dry_run:
        click.echo(f"dry run: would enroll {plural(result.new_students, 'new student')}, encode {plural(result.to_encode, 'photo')}, "
                   f"create {plural(len(result.classes_created), 'class', 'classes')}" + (f" ({', '.join(result.classes_created)})" if result.classes_created else "")
                   + "; faces are checked only by the real import")
    else:
        click.echo(f"photos: {result.count(EnrollStatus.ADDED)} added, {result.count(EnrollStatus.UPDATED)} updated, {result.count(EnrollStatus.UNCHANGED)} unchanged, "
                   f"{result.failed} failed; classes: {len(result.classes_created)} created, "
                   f"{result.joined} memberships added, {result.left} removed")
    if result.problems:
        rows = ", ".join(str(p.row) for p in result.problems)
        click.echo(f"attendance: fix row{'s' if len(result.problems) > 1 else ''} {rows} of {roster.name} (see above) "
                   "and run the import again; the other rows are " + ("fine" if dry_run else "imported"), err=True)
        sys.exit(1)
