"""``attendance run`` (a live session or a roll call from photos), ``attendance identify`` and ``attendance demo``."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from attendance.cli.common import detector_option, home_of
from attendance.core.errors import AttendanceError, InvalidTimeError
from attendance.core.times import parse_start
from attendance.live.config import DEFAULT_ANALYSIS_FPS
from attendance.live.identity import MatchPolicy
from attendance.recognition.finders import HOG_DEFAULT_MIN_FACE_PX, MIN_IDENTIFY_PX

if TYPE_CHECKING:
    from attendance.live.config import SessionConfig
    from attendance.live.session import LiveSession, SessionSummary, SessionUpdate
    from attendance.records.sessionlog import Mark

WINDOW = "attendance"


def parse_start_option(text: str | None) -> datetime | None:
    """``--start``: :func:`attendance.core.times.parse_start`, its error as click's ``BadParameter``."""
    try:
        return parse_start(text)
    except InvalidTimeError as exc:
        raise click.BadParameter(str(exc), param_hint="--start") from None


def describe_mark(mark: Mark) -> str:
    from attendance.records.sessionlog import NOT_IN_CLASS, Attendee

    kind = f"visitor ({NOT_IN_CLASS})" if mark.role is Attendee.VISITOR else "present"
    return (f"{kind}: {mark.name} ({mark.student_id}) first seen {mark.first_seen.isoformat(timespec='seconds')}, "
            f"frame {mark.frame} ({mark.media_time_s:.1f} s), distance {mark.distance:.2f}")


def print_summary(summary: SessionSummary, photos: bool = False) -> None:
    """Who is present, absent and visiting, then the run's figures on stderr (``photos``: a roll call from photos)."""
    names = ", ".join(n for _, n in summary.present) or "nobody"
    of = f"class {summary.class_name!r}" if summary.class_name else "enrolled"
    click.echo(f"session {summary.session!r}: {len(summary.present)} present of {summary.enrolled} {of}: {names}")
    if summary.absent:
        click.echo("absent: " + ", ".join(n for _, n in summary.absent))
    if summary.visitors:
        click.echo("visitors (not in this class): " + ", ".join(n for _, n in summary.visitors))
    if summary.rollcall is not None:
        click.echo(summary.rollcall.line())
    click.echo(f"log: {summary.log_path}")
    if summary.unrecognised:
        click.echo(f"{summary.unrecognised} face{'s' if summary.unrecognised > 1 else ''} not recognised (not stored; "
                   "run the session from the window to review them)")
    if photos:
        click.echo(f"{summary.frames_analysed} photo{'s' if summary.frames_analysed != 1 else ''} analysed completely, "
                   f"{summary.wall_s:.1f} s", err=True)
        return
    click.echo(f"{summary.frames_read} frames read, {summary.frames_analysed} analysed, {summary.frames_dropped} dropped, "
               f"{summary.wall_s:.1f} s", err=True)


def session_options(func: Any) -> Any:
    """Recognition options shared by ``run`` and ``demo``."""
    options: list[Callable[[Any], Any]] = [
        click.option("--tolerance", type=click.FloatRange(0.2, 0.8), default=MatchPolicy.tolerance, show_default=True,
                     help="Largest face distance accepted as a match (lower = stricter)."),
        click.option("--margin", type=click.FloatRange(0.0, 0.5), default=MatchPolicy.margin, show_default=True,
                     help="How much closer the best student must be than the next one."),
        click.option("--sightings", type=click.IntRange(1, 50), default=MatchPolicy.min_sightings, show_default=True,
                     help="Agreeing sightings needed before a student is marked."),
        detector_option,
        click.option("--min-face", type=click.FloatRange(20, 400), default=None,
                     help=f"Smallest face to identify, in pixels of the video (smaller = slower); smaller faces are counted, not "
                          f"identified. Default: {MIN_IDENTIFY_PX:g} (hog: {HOG_DEFAULT_MIN_FACE_PX:g}, or more on videos "
                          "larger than 640x360: 100 at 1280x720, 150 at 1920x1080)."),
        click.option("--analysis-fps", type=click.FloatRange(0.5, 60), default=DEFAULT_ANALYSIS_FPS, show_default=True,
                     help="Frames analysed per second of video."),
        click.option("--workers", type=click.IntRange(0, 8), default=None, help="Recognition processes (default: one per core, max 2)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_config(tolerance: float, margin: float, sightings: int, detector: str, min_face: float | None, analysis_fps: float,
                workers: int | None, realtime: bool = False, start: datetime | None = None, grace: float | None = None,
                leave_grace: float | None = None) -> SessionConfig:
    from attendance.live.config import SessionConfig

    kwargs: dict[str, Any] = {}
    if workers is not None:
        kwargs["workers"] = workers
    return SessionConfig(MatchPolicy(tolerance, margin, sightings), detector, min_face, analysis_fps, realtime=realtime,
                         start=start, grace_minutes=grace, leave_grace_minutes=leave_grace, **kwargs)


#: ``run --headless`` prints the roll-call readout this often (media seconds).
ROLLCALL_EVERY_S = 5.0


@contextmanager
def watching(headless: bool) -> Iterator[tuple[Callable[[SessionUpdate], None], threading.Event]]:
    """``(on_update, stop)`` for a session: marks printed as they happen (and the roll call
    every :data:`ROLLCALL_EVERY_S` when ``headless``), a window unless ``headless``; Ctrl-C stops cleanly."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    window = None
    next_rollcall = ROLLCALL_EVERY_S
    try:
        window = None if headless else _Window(stop)

        def on_update(update: SessionUpdate) -> None:
            nonlocal next_rollcall
            for mark in update.new_marks:
                click.echo(describe_mark(mark))
                sys.stdout.flush()
            if headless and update.rollcall is not None and update.frame.media_time >= next_rollcall:
                click.echo(update.rollcall.line())
                sys.stdout.flush()
                next_rollcall = update.frame.media_time + ROLLCALL_EVERY_S
            if window is not None:
                window.show(update)

        yield on_update, stop
    finally:
        signal.signal(signal.SIGINT, previous)
        if window is not None:
            window.close()


def run_live(live: LiveSession, headless: bool) -> SessionSummary:
    """Run ``live`` (a camera, video or stream) while :func:`watching` it."""
    from attendance import api

    with watching(headless) as (on_update, stop):
        return api.run_opened(live.home, live, on_update=on_update, stop=stop)


class _Window:
    """OpenCV's own window (q or Esc stops the session)."""

    def __init__(self, stop: threading.Event) -> None:
        from attendance.core.display import display_available

        if not display_available():
            raise AttendanceError("no display for the video window; add --headless (or run where a screen is available)")
        import cv2

        self.cv2 = cv2
        self.stop = stop
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)

    def show(self, update: SessionUpdate) -> None:
        from attendance.live.overlay import draw

        self.cv2.imshow(WINDOW, draw(update.frame.image, update))
        if self.cv2.waitKey(1) & 0xFF in (ord("q"), 27):
            self.stop.set()

    def close(self) -> None:
        self.cv2.destroyAllWindows()


@click.command()
@click.option("--source", "source", default="0", show_default=True,
              help="Camera index (0 = the first webcam), a video file, a stream URL (rtsp://, http://), or a photo or folder of photos "
                   "(a roll call from photos: each analysed completely, faces down to 20 px), or several photo files separated by "
                   f"{os.pathsep!r}.")
@click.option("--session", "session_name", default=None, help="Session name; the log is logs/<date>_<session>.csv.  [default: the class, or 'class']")
@click.option("--class", "class_name", metavar="NAME", help="A session for this class: its members are expected; students of other "
                                                            "classes who are recognised are recorded as visitors.")
@click.option("--headless", is_flag=True, help="No window: print marks as they happen.")
@click.option("--realtime", is_flag=True, help="Play a video file at its own speed, dropping frames like a webcam.")
@click.option("--start", "start_text", help="Scheduled start (HH:MM today, or ISO 8601); later first sightings are 'late'.")
@click.option("--grace", type=click.FloatRange(0, 600), default=None, help="Minutes after the start before a student counts as late (default 10).")
@click.option("--leave-grace", type=click.FloatRange(0, 600), default=None,
              help="A student last seen more than this many minutes before the session's end 'left early' (default 10).")
@session_options
@click.pass_context
def run(ctx: click.Context, source: str, session_name: str | None, class_name: str | None, headless: bool, realtime: bool,
        start_text: str | None, grace: float | None, leave_grace: float | None, tolerance: float, margin: float, sightings: int,
        detector: str, min_face: float | None, analysis_fps: float, workers: int | None) -> None:
    """Run a live session: mark every recognised student present in the session log.

    From a photo or a folder of photos, every photo is searched completely and each
    photo's finds are printed; a face is taken for a student when the two are each
    other's closest in the photo and the match is close and clear for the face's size,
    or a looser one found in two photos or more.

    Ends at the end of a file, on Ctrl-C, or with q/Esc in the window, and prints who is
    present and absent.  Restarting the same session on the same day appends to its log
    without marking anyone twice.
    """
    from attendance import api

    config = make_config(tolerance, margin, sightings, detector, min_face, analysis_fps, workers, realtime, parse_start_option(start_text),
                         grace, leave_grace)
    # a school's laptop first pulls the office's latest roster, if the server answers within 2 s
    live = api.open_session(home_of(ctx), source, session=session_name, class_name=class_name, config=config)
    if live.photos is None:
        print_summary(run_live(live, headless))
        return
    summary = api.run_opened(live.home, live)
    for report in summary.photos:
        click.echo(report.line())
    print_summary(summary, photos=True)


@click.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.option("--class", "class_name", metavar="NAME", help="Only this class's members are candidates.")
@click.option("--jitters", type=click.IntRange(1, 100), default=None, help="Jittered crops averaged per face.  [default: 5]")
@click.option("--workers", type=click.IntRange(0, 8), default=None, help="Recognition processes (default: one per core, max 2).")
@detector_option
@click.pass_context
def identify(ctx: click.Context, photo: Path, class_name: str | None, jitters: int | None, workers: int | None, detector: str) -> None:
    """Say who is in PHOTO, face by face, left to right; records nothing.

    The same search and rule as a roll call from photos (run --source PHOTO), without a
    session: no log is written and the roster does not change.  Each face's box is
    top,right,bottom,left in pixels of the photo.
    """
    from attendance import api

    matches = api.identify(home_of(ctx), photo, class_name=class_name, jitters=jitters, detector=detector, workers=workers)
    for m in matches:
        who = f"{m.name} ({m.student_id})" if m.name else "not identified"
        click.echo(f"{who}: distance {m.distance:.2f}, box {','.join(map(str, m.box))}")
    named = sum(1 for m in matches if m.name)
    click.echo(f"{photo.name}: {len(matches)} face{'' if len(matches) == 1 else 's'}, {named} identified", err=True)


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the demo's data home and video go (default: ./attendance-demo).")
@click.option("--headless/--window", default=True, show_default=True, help="Show the video window while the demo runs.")
@session_options
def demo(workdir: Path | None, headless: bool, tolerance: float, margin: float, sightings: int, detector: str, min_face: float | None,
         analysis_fps: float, workers: int | None) -> None:
    """Run the whole job on built-in sample people: no webcam, no download.

    Enrolls sample people from photos shipped inside installed packages, makes a short
    video in which they appear (moved, scaled, re-lit) with a face that is not enrolled,
    runs a real session on it and prints the marks and the CSV path.
    """
    from attendance import api
    from attendance.core.home import Home
    from attendance.demo.assets import DEMO_SESSION, build_demo

    workdir = (workdir or Path("attendance-demo")).resolve()
    home = Home(workdir / "home").ensure()
    plan = build_demo(home.root, workdir)
    click.echo(f"demo: enrolled {', '.join(plan.enrolled)}; video {plan.video}")
    config = make_config(tolerance, margin, sightings, detector, min_face, analysis_fps, workers)
    summary = run_live(api.open_session(home, plan.video, session=DEMO_SESSION, config=config), headless)
    print_summary(summary)
    click.echo(f"expected present: {', '.join(plan.expected_present)}; "
               f"{plan.unknown_faces} face(s) in the video enrolled nowhere: never marked")
