"""Enrollment and the roster: ``enroll``, ``roster``, ``remove`` and ``evaluate``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from attendance.cli.common import detector_option, home_of
from attendance.core.errors import AttendanceError, LooksDifferentError
from attendance.recognition.engine import ENROLL_JITTERS

if TYPE_CHECKING:
    from attendance.core.home import Home
    from attendance.roster.enroll import EnrollOutcome


@click.command()
@click.argument("photo_or_folder", type=click.Path(path_type=Path))
@click.option("--name", help="Student name (required for a single photo; free text).")
@click.option("--id", "student_id", help="Student id (default: the next free S0001-style id).")
@click.option("--force", is_flag=True, help="Add a photo even if it looks like a different person from the student's other photos.")
@click.option("--class", "class_name", metavar="NAME", help="Also add the student(s) to this existing class.")
@click.option("--workers", type=click.IntRange(1, 16), help="Processes for a folder (default: one per core, max 2).")
@click.option("--jitters", type=click.IntRange(1, 100), default=ENROLL_JITTERS, show_default=True,
              help="Jittered re-samples averaged per photo: slower, steadier encodings.")
@detector_option
@click.pass_context
def enroll(ctx: click.Context, photo_or_folder: Path, name: str | None, student_id: str | None, force: bool, class_name: str | None,
           workers: int | None, jitters: int, detector: str) -> None:
    """Enroll a student from one PHOTO (with --name), or a whole FOLDER.

    A folder holds one photo per person (the file name is the name, e.g. jane_doe.jpg)
    or one sub-folder per person (every photo in it is kept). Photos with no face or
    with more than one face are refused by name; re-running only encodes new or changed
    photos.  A photo that looks like a different person from the student's other photos
    is not added unless --force is given (or --id NEW for another student of that name).
    """
    from attendance import api
    from attendance.core.files import existing
    from attendance.roster.enroll import EnrollStatus

    home = home_of(ctx).ensure()
    if class_name:
        api.show_class(home, class_name)  # an unknown class fails before any encoding
    if existing(photo_or_folder).is_dir():
        if name or student_id:
            raise click.UsageError("--name and --id are for a single photo; a folder names people by file or folder name")
        from tqdm import tqdm

        counts: dict[EnrollStatus, int] = {}
        with tqdm(total=0, unit="photo", desc="enrolling", file=sys.stderr, disable=None) as bar:
            def progress(outcome: EnrollOutcome, done: int, total: int) -> None:
                bar.total = total
                bar.update(1)
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                if not outcome.ok:
                    bar.write(f"attendance: {'failed' if outcome.status is EnrollStatus.FAILED else 'not added'}: {outcome.message}",
                              file=sys.stderr)
                elif outcome.message:
                    bar.write(f"attendance: {outcome.path.name}: {outcome.message}", file=sys.stderr)

            outcomes = api.enroll_folder(home, photo_or_folder, workers=workers, jitters=jitters, on_progress=progress, force=force,
                                         detector=detector)
        people = len({o.name for o in outcomes if o.ok})
        # every status is counted, even at 0, but a photo that looks different only when there is one
        summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in EnrollStatus if counts.get(k) or k is not EnrollStatus.LOOKS_DIFFERENT)
        click.echo(f"{len(outcomes)} photos of {people} people: {summary}")
        if class_name:
            _join(home, class_name, [o.student_id for o in outcomes if o.ok])
        if any(not o.ok for o in outcomes):
            if counts.get(EnrollStatus.LOOKS_DIFFERENT):
                click.echo("attendance: to add a photo that looks different anyway, run again with --force", err=True)
            sys.exit(1)
        return
    if not name:
        raise click.UsageError("enrolling a single photo needs --name NAME")
    try:
        outcome = api.enroll(home, photo_or_folder, name=name, student_id=student_id, jitters=jitters, force=force, detector=detector)
    except LooksDifferentError as exc:
        raise AttendanceError(f"{exc}: add it anyway with --force, or enroll another student of that name with --id NEW_ID") from None
    click.echo(f"{outcome.status.verb}: {outcome.name} ({outcome.student_id}) from {photo_or_folder.name}")
    if outcome.message:
        click.echo(f"attendance: {outcome.message}", err=True)
    if class_name:
        _join(home, class_name, [outcome.student_id])


def _join(home: Home, class_name: str, student_ids: list[str]) -> None:
    """Add the enrolled ``student_ids`` to ``class_name`` and say so."""
    from attendance import api

    change = api.add_to_class(home, class_name, list(dict.fromkeys(student_ids)))
    click.echo(f"class {change.class_name!r}: {len(change.changed)} added, {len(change.unchanged)} already members")


@click.command()
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.pass_context
def roster(ctx: click.Context, as_csv: bool) -> None:
    """List who is enrolled: id, name, number of photos, when enrolled."""
    from attendance import api
    from attendance.roster.store import describe

    rows = [describe(p) for p in api.students(home_of(ctx))]
    if as_csv:
        import csv

        from attendance.core.csvsafe import neutralise

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "name", "photos", "enrolled"])
        for r in rows:
            writer.writerow([neutralise(r["id"]), neutralise(r["name"]), r["photos"], r["enrolled"]])
        return
    if not rows:
        click.echo("nobody is enrolled yet (attendance enroll PHOTO --name NAME)")
        return
    width = max(len(str(r["name"])) for r in rows)
    click.echo(f"{'id':8s} {'name':{width}s} photos enrolled")
    for r in rows:
        click.echo(f"{r['id']:8s} {r['name']:{width}s} {r['photos']:6d} {r['enrolled']}")
    click.echo(f"{len(rows)} enrolled")


@click.command()
@click.argument("name_or_id")
@click.option("--photo", metavar="FILE", help="Remove only this photo of the student (its file, or the name it was enrolled from).")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove(ctx: click.Context, name_or_id: str, photo: str | None, yes: bool) -> None:
    """Delete a student's encodings and thumbnail completely, or one photo of theirs (--photo)."""
    from attendance import api

    confirm = None if yes or not sys.stdin.isatty() else lambda question: click.confirm(question, abort=True)
    removed = api.remove(home_of(ctx), name_or_id, photo, confirm=confirm)
    if removed.photo is not None:
        left = removed.photos_left
        click.echo(f"removed: the photo {removed.photo} of {removed.name} ({removed.student_id}); {left} photo{'s' if left != 1 else ''} left")
        return
    click.echo(f"removed: {removed.name} ({removed.student_id}); their encodings and thumbnail are deleted")


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--tolerance", type=click.FloatRange(0.1, 1.0), default=0.5, show_default=True,
              help="Largest distance accepted as a match.")
@click.option("--workers", type=click.IntRange(1, 16), help="Processes (default: one per core, max 2).")
@detector_option
def evaluate(dataset: Path, tolerance: float, workers: int | None, detector: str) -> None:
    """Measure one-photo enrollment on DATASET (one folder per person).

    Enrolls the first photo of each person, identifies every other photo, and runs
    leave-one-person-out to count how often a stranger would be marked present.
    """
    from tqdm import tqdm

    from attendance.recognition.photorule import SMALL_FACE_SIZES, PhotoRule
    from attendance.roster.evaluate import evaluate as run_evaluation

    with tqdm(total=0, unit="photo", desc="encoding", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(1)

        result = run_evaluation(dataset, tolerance, workers=workers, on_progress=progress, detector=detector)
    for message in result.skipped:
        click.echo(f"attendance: skipped: {message}", err=True)
    click.echo(f"tolerance {result.tolerance:.2f}; one enrollment photo per person; {len(result.people)} people; faces found by {detector}")
    width = max(len(p.name) for p in result.people)
    click.echo(f"{'person':{width}s} probes correct wrong rejected  impostor-trials false-accepts")
    for p in result.people:
        click.echo(f"{p.name:{width}s} {p.probes:6d} {p.correct:7d} {p.wrong:5d} {p.rejected:8d}  {p.impostor_trials:15d} {p.false_accepts:13d}")
    click.echo(f"rank-1 accuracy: {result.accuracy:.1%} of {result.probes} probe photos")
    click.echo(f"false-accept rate (leave-one-person-out): {result.false_accept_rate:.1%} of {result.impostor_trials} photos of people not enrolled")
    click.echo("tolerance sweep: " + "; ".join(f"{t:.2f}: accuracy {a:.1%}, false accepts {f:.1%}" for t, a, f in result.sweep))
    rule, (accuracy, false_accepts) = PhotoRule(), result.photo_rule
    click.echo(f"photo rule (one photo: distance < {rule.tolerance:.2f}, margin >= {rule.margin:.2f}): accuracy {accuracy:.1%}, "
               f"false accepts {false_accepts:.1%}")
    small_accuracy, small_false, genuine, impostors = result.photo_rule_small
    by_size = ", ".join(f"{tol:.2f} under {px:.0f} px" for px, tol in rule.small_tolerances)
    click.echo(f"photo rule, photos downscaled to {'/'.join(map(str, SMALL_FACE_SIZES))} px faces (distance < {by_size}): "
               f"accuracy {small_accuracy:.1%} of {genuine}, false accepts {small_false:.1%} of {impostors}")
