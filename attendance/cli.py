"""The ``attendance`` command line: a thin shell over the core modules.

Exit status: 0 success, 1 an error the user can act on (one line on stderr), 2 wrong
usage (click's own convention), 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from attendance import __version__
from attendance.engine import ENROLL_JITTERS, shared_engine
from attendance.errors import AttendanceError
from attendance.home import ENV_VAR, Home

log = logging.getLogger("attendance")


class AppGroup(click.Group):
    """Turns :class:`AttendanceError` into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttendanceError as exc:
            click.echo(f"attendance: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("attendance: interrupted", err=True)
            sys.exit(130)


def home_of(ctx: click.Context) -> Home:
    """The data home chosen by ``--home`` / ``$ATTENDANCE_HOME`` / the current directory."""
    return ctx.find_object(Home) or Home.resolve()


@click.group(cls=AppGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar=ENV_VAR, show_envvar=True,
              help="Folder holding known_faces/ and logs/ (default: the current directory).")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="attendance")
@click.pass_context
def main(ctx: click.Context, home: Path | None, verbose: int) -> None:
    """Webcam attendance: enroll students from one photo each, mark them present from a
    live camera, export the attendance as CSV.

    Run with no command to open the desktop window (when a display is available).
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="attendance: %(levelname)s: %(message)s" if verbose else "attendance: %(message)s", stream=sys.stderr)
    ctx.obj = Home.resolve(home)
    if ctx.invoked_subcommand is None:
        from attendance.gui_launch import display_available

        if display_available() and "gui" in main.commands:
            ctx.invoke(main.commands["gui"])
        else:
            click.echo(ctx.get_help())


@main.command()
def doctor() -> None:
    """Check that every dependency imports and the face models load."""
    import time

    from attendance.deps import model_paths, require

    for module in ("numpy", "cv2", "dlib", "PIL", "pandas", "matplotlib", "face_recognition_models"):
        mod = require(module)
        click.echo(f"ok  {module:24s} {getattr(mod, '__version__', '')}")
    start = time.perf_counter()
    shared_engine()
    click.echo(f"ok  face models loaded in {time.perf_counter() - start:.2f} s from {Path(model_paths()['encoder']).parent}")
    import numpy as np

    from attendance.analysis import Analyzer
    from attendance.engine import empty_boxes

    start = time.perf_counter()
    with Analyzer(workers=1) as analyzer:
        analyzer.wait_ready()
        blank = np.zeros((360, 640, 3), np.uint8)
        analyzer.submit(analyzer.request(blank, 0, 0.0, empty_boxes())).result(timeout=60)
    click.echo(f"ok  recognition worker started and answered in {time.perf_counter() - start:.2f} s")
    try:
        import tkinter

        click.echo(f"ok  tkinter                  Tk {tkinter.TkVersion} (the desktop window)")
    except ImportError:
        click.echo("warning: tkinter is missing, so `attendance gui` cannot open (Debian/Ubuntu: apt install python3-tk); "
                   "everything else works", err=True)


@main.command()
@click.argument("photo_or_folder", type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Student name (required for a single photo; free text).")
@click.option("--id", "student_id", help="Student id (default: the next free S0001-style id).")
@click.option("--workers", type=click.IntRange(1, 16), help="Processes for a folder (default: one per core, max 2).")
@click.option("--jitters", type=click.IntRange(1, 100), default=ENROLL_JITTERS, show_default=True,
              help="Jittered re-samples averaged per photo: slower, steadier encodings.")
@click.pass_context
def enroll(ctx: click.Context, photo_or_folder: Path, name: str | None, student_id: str | None, workers: int | None, jitters: int) -> None:
    """Enroll a student from one PHOTO (with --name), or a whole FOLDER.

    A folder holds one photo per person (the file name is the name, e.g. jane_doe.jpg)
    or one sub-folder per person (every photo in it is kept). Photos with no face or
    with more than one face are refused by name; re-running only encodes new or changed
    photos.
    """
    from attendance.enroll import enroll_folder, enroll_photo

    home = home_of(ctx).ensure()
    if photo_or_folder.is_dir():
        if name or student_id:
            raise click.UsageError("--name and --id are for a single photo; a folder names people by file or folder name")
        from tqdm import tqdm

        counts: dict[str, int] = {}
        with tqdm(total=0, unit="photo", desc="enrolling", file=sys.stderr, disable=None) as bar:
            def progress(outcome: Any, done: int, total: int) -> None:
                bar.total = total
                bar.update(1)
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                if not outcome.ok:
                    bar.write(f"attendance: failed: {outcome.message}", file=sys.stderr)
                elif outcome.message:
                    bar.write(f"attendance: {outcome.path.name}: {outcome.message}", file=sys.stderr)

            outcomes = enroll_folder(home.known_faces, photo_or_folder, workers=workers, jitters=jitters, on_progress=progress)
        people = len({o.name for o in outcomes if o.ok})
        summary = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("added", "updated", "unchanged", "failed"))
        click.echo(f"{len(outcomes)} photos of {people} people: {summary}")
        if counts.get("failed"):
            sys.exit(1)
        return
    if not name:
        raise click.UsageError("enrolling a single photo needs --name NAME")
    outcome = enroll_photo(home.known_faces, photo_or_folder, name, student_id, jitters=jitters)
    verb = {"added": "enrolled", "updated": "updated", "unchanged": "already enrolled (same photo)"}[outcome.status]
    click.echo(f"{verb}: {outcome.name} ({outcome.student_id}) from {photo_or_folder.name}")
    if outcome.message:
        click.echo(f"attendance: {outcome.message}", err=True)


@main.command()
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.pass_context
def roster(ctx: click.Context, as_csv: bool) -> None:
    """List who is enrolled: id, name, number of photos, when enrolled."""
    from attendance.store import FaceStore, describe

    store = FaceStore.load(home_of(ctx).known_faces)
    rows = [describe(p) for p in store.people]
    if as_csv:
        import csv

        from attendance.csvsafe import neutralise

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


@main.command()
@click.argument("name_or_id")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove(ctx: click.Context, name_or_id: str, yes: bool) -> None:
    """Delete a student's encodings and thumbnail completely."""
    from attendance.store import FaceStore

    folder = home_of(ctx).known_faces
    person = FaceStore.load(folder).find(name_or_id)
    if not yes and sys.stdin.isatty():
        click.confirm(f"Remove {person.name} ({person.id}) and all their face data?", abort=True)
    with FaceStore.edit(folder) as store:
        store.remove(store.find(person.id))
    click.echo(f"removed: {person.name} ({person.id}); their encodings and thumbnail are deleted")


@main.command()
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tolerance", type=click.FloatRange(0.1, 1.0), default=0.5, show_default=True,
              help="Largest distance accepted as a match.")
@click.option("--workers", type=click.IntRange(1, 16), help="Processes (default: one per core, max 2).")
def evaluate(dataset: Path, tolerance: float, workers: int | None) -> None:
    """Measure one-photo enrollment on DATASET (one folder per person).

    Enrolls the first photo of each person, identifies every other photo, and runs
    leave-one-person-out to count how often a stranger would be marked present.
    """
    from tqdm import tqdm

    from attendance.evaluate import evaluate as run_evaluation

    with tqdm(total=0, unit="photo", desc="encoding", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(1)

        result = run_evaluation(dataset, tolerance, workers=workers, on_progress=progress)
    for message in result.skipped:
        click.echo(f"attendance: skipped: {message}", err=True)
    click.echo(f"tolerance {result.tolerance:.2f}; one enrollment photo per person; {len(result.people)} people")
    width = max(len(p.name) for p in result.people)
    click.echo(f"{'person':{width}s} probes correct wrong rejected  impostor-trials false-accepts")
    for p in result.people:
        click.echo(f"{p.name:{width}s} {p.probes:6d} {p.correct:7d} {p.wrong:5d} {p.rejected:8d}  {p.impostor_trials:15d} {p.false_accepts:13d}")
    click.echo(f"rank-1 accuracy: {result.accuracy:.1%} of {result.probes} probe photos")
    click.echo(f"false-accept rate (leave-one-person-out): {result.false_accept_rate:.1%} of {result.impostor_trials} photos of people not enrolled")
    click.echo("tolerance sweep: " + "; ".join(f"{t:.2f}: accuracy {a:.1%}, false accepts {f:.1%}" for t, a, f in result.sweep))

from attendance.cli_live import demo, run  # noqa: E402

main.add_command(run)
main.add_command(demo)

from attendance.cli_export import export, report  # noqa: E402
main.add_command(export); main.add_command(report)

from attendance.cli_gui import gui  # noqa: E402
main.add_command(gui)

from attendance.cli_bench import bench  # noqa: E402
main.add_command(bench)
