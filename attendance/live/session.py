"""A live attendance session: frames in, detections -> tracks -> identities -> marks out.

The loop never waits on recognition when the source is live (a camera, a stream, or a
file played with ``realtime=True``): frames are handed to worker processes when one is
free and results are collected when ready, so the picture keeps moving.  A file played
as fast as possible instead analyses every due frame (``analysis_fps`` of video time), so for
a given number of workers its result does not depend on the machine's speed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from attendance.core.errors import NobodyEnrolledError, StoreError
from attendance.core.files import existing
from attendance.core.home import Home
from attendance.live.frames import Frame
from attendance.live.identity import Identifier, MatchPolicy
from attendance.live.rollcall import RollCall
from attendance.live.search import FrameSearch, with_held
from attendance.live.sources import FrameSource, open_source
from attendance.live.strictness import Strictness
from attendance.live.sweep import DEFAULT_SWEEP_PERIOD_S
from attendance.live.tracker import Tracker
from attendance.live.unrecognised import UnrecognisedFaces
from attendance.recognition.analysis import DEFAULT_ANALYSIS_FPS, DEFAULT_FULL_SCAN_INTERVAL_S, Analyzer
from attendance.recognition.detections import Detections
from attendance.recognition.worker import WorkerError
from attendance.records.sessionlog import NOT_IN_CLASS, Attendee, Mark, SessionLog
from attendance.roster.classes import class_members
from attendance.roster.enroll import default_workers
from attendance.roster.store import FaceStore
from attendance.school.link import attach

log = logging.getLogger(__name__)

#: The picture of a frame kept only for its index and times.
NO_IMAGE = np.zeros((0, 0, 3), np.uint8)


@dataclass(frozen=True)
class SessionConfig:
    """Settings of a live session.

    ``min_face_px``: smallest face (pixels, in the source frame) that every whole-frame
    search must find; sets the detection scale (``None``: 50 px, or more on frames over
    1280x720 pixels, see :data:`attendance.recognition.analysis.MAX_SEARCH_PIXELS`, and
    then a full-scale sweep of tiles finds faces down to 40 px within ``sweep_period_s``
    media seconds, see :mod:`attendance.live.sweep`).  ``analysis_fps``: analysed frames per second of video.
    ``full_scan_interval_s``: the whole frame is searched for new faces this often (media
    seconds); analysed frames in between search only around the faces already tracked,
    ~10 times cheaper.  ``workers``: analysis processes (0 = in this thread, for tests).  ``realtime``:
    play files at their own frame rate like a camera.  ``start``/``grace_minutes``: the
    scheduled start and grace period used to call a first sighting "late";
    ``leave_grace_minutes``: a student last seen longer before the end "left early".
    ``strictness``: the named step ``policy.tolerance`` was chosen from (window), if any;
    saved with the tolerance in the session's details.
    """

    policy: MatchPolicy = MatchPolicy()
    min_face_px: float | None = None
    analysis_fps: float = DEFAULT_ANALYSIS_FPS
    full_scan_interval_s: float = DEFAULT_FULL_SCAN_INTERVAL_S
    sweep_period_s: float = DEFAULT_SWEEP_PERIOD_S
    workers: int = field(default_factory=default_workers)
    realtime: bool = False
    start: datetime | None = None
    grace_minutes: float | None = None
    leave_grace_minutes: float | None = None
    strictness: Strictness | None = None


@dataclass
class SessionUpdate:
    """What a display needs after each frame.

    ``detections`` are the latest analysed faces (possibly a frame or two older than
    ``frame``); ``labels`` gives a display name per detection ("unknown" if not
    identified).  ``new_marks`` are marks written since the previous update;
    ``rollcall`` where the roll call stands.
    """

    frame: Frame
    detections: Detections
    labels: list[str]
    new_marks: list[Mark]
    present: int
    enrolled: int
    status: str = ""
    rollcall: RollCall | None = None


@dataclass
class SessionSummary:
    """The end of a run: who is present (this and earlier runs of the session) and figures.

    ``present`` / ``absent``: ``(id, name)`` of those expected (the class's members, or
    everyone enrolled); ``visitors``: students of another class recognised in a class's
    session, never counted present or absent."""

    session: str
    log_path: Path
    present: list[tuple[str, str]]
    absent: list[tuple[str, str]]
    marks_this_run: list[Mark]
    visitors: list[tuple[str, str]] = field(default_factory=list)
    class_name: str | None = None
    frames_read: int = 0
    frames_analysed: int = 0
    frames_dropped: int = 0
    wall_s: float = 0.0
    first_result_s: float | None = None
    max_frame_gap_s: float = 0.0
    events: list[str] = field(default_factory=list)
    #: Faces followed but never identified (kept in memory only, see :attr:`LiveSession.unrecognised`).
    unrecognised: int = 0
    #: Full sweeps of the frame for the smallest faces, and the longest one (media s).
    sweeps: int = 0
    max_sweep_s: float | None = None
    #: Where the roll call stood at the end.
    rollcall: RollCall | None = None

    @property
    def enrolled(self) -> int:
        return len(self.present) + len(self.absent)


class LiveSession:
    """One run of a session on one source.  Build, then :meth:`run` (blocking).

    ``class_name``: the session is for that class: its members at this moment are
    expected (saved as the session's roster).  Recognition still matches everyone
    enrolled, so a student of another class is recognised as themselves and marked as a
    visitor (:attr:`Attendee.VISITOR`), never present or absent.  ``None``: everyone.
    """

    def __init__(self, home: Home, source: str | int, session: str, config: SessionConfig | None = None,
                 class_name: str | None = None) -> None:
        if isinstance(source, str) and "://" not in source:
            existing(source)  # before any worker starts: the one-line error every command gives
        self.home = home
        self.source_spec = source
        self.config = config or SessionConfig()
        self.gallery = FaceStore.load_gallery(home.known_faces)
        if not len(self.gallery):
            raise NobodyEnrolledError("nobody is enrolled yet; enroll students first (attendance enroll PHOTO --name NAME)")
        self.class_name: str | None = None
        #: ``(id, name)`` of those expected, in roster order.
        self.expected = list(zip(self.gallery.ids, self.gallery.names))
        if class_name is not None:
            school_class, members = class_members(home.known_faces, class_name)
            if not members:
                raise StoreError(f"class {school_class.name!r} has no students yet (attendance class add {school_class.name!r} STUDENT...)")
            self.class_name, self.expected = school_class.name, [(p.id, p.name) for p in members]
        expected = {i for i, _ in self.expected}
        self.is_member = [i in expected for i in self.gallery.ids]
        self.labels = [n if member else f"{n} ({NOT_IN_CLASS})" for n, member in zip(self.gallery.names, self.is_member)]
        self.log = SessionLog(home.logs, session)
        #: Faces tracked but never identified, for the teacher's review (memory only).
        self.unrecognised = UnrecognisedFaces()
        self._unseen: tuple[int, tuple[str, ...]] | None = None

    def run(self, on_update: Callable[[SessionUpdate], None] | None = None, stop: threading.Event | None = None) -> SessionSummary:
        """Run until the source ends or ``stop`` is set; every mark is on disk when made."""
        stop = stop or threading.Event()
        started = time.perf_counter()
        cfg = self.config
        self.log.claim()  # a second run of this session is refused before any worker starts
        detach = attach(self.home)  # a data folder connected to a school sends its events while this runs
        try:
            # Workers load their models (~1-2 s) while the source opens and the first frames
            # are already shown; analysis starts once they are ready.
            analyzer = Analyzer(cfg.workers, cfg.min_face_px).start()
            try:
                source = open_source(self.source_spec, realtime=cfg.realtime)
                try:
                    details = {"tolerance": cfg.policy.tolerance, "strictness": cfg.strictness.value if cfg.strictness else None}
                    if self.class_name is not None:
                        details["class"] = self.class_name
                    self.log.open(self.expected, cfg.start, cfg.grace_minutes, source.description, cfg.leave_grace_minutes, details)
                    summary = self._loop(source, analyzer, stop, on_update, started)
                finally:
                    source.close()
            finally:
                analyzer.close()
        finally:
            self.log.close()
            detach()
        return summary

    # ------------------------------------------------------------------------------
    def _loop(self, source: FrameSource, analyzer: Analyzer, stop: threading.Event,
              on_update: Callable[[SessionUpdate], None] | None, started: float) -> SessionSummary:
        cfg = self.config
        live = source.live or cfg.realtime
        tracker = Tracker()
        identifier = Identifier(self.gallery, cfg.policy, set(self.log.marked))  # the present list's identities
        pending: deque[tuple[Frame, Future[Detections], np.ndarray]] = deque()
        search: FrameSearch | None = None
        last_frame: Frame | None = None
        births: dict[int, Frame] = {}
        latest = Detections.empty()
        summary = SessionSummary(self.log.session, self.log.path, [], [], [])
        next_due = 0.0
        next_full_scan = 0.0
        last_frame_at: float | None = None
        new_marks: list[Mark] = []
        present = sum(1 for i, _ in self.expected if i in self.log.marked)

        def apply(frame: Frame, dets: Detections, held: np.ndarray) -> None:
            nonlocal latest, present
            if summary.first_result_s is None:
                summary.first_result_s = time.perf_counter() - started
                log.info("first frame analysed %.2f s after the session started", summary.first_result_s)
            dets = with_held(dets, held)
            dropped = tracker.update(dets)
            identifier.forget(dropped)
            if search is not None:
                search.forget(dropped)
            for tid in dropped:
                births.pop(tid, None)
            for tid in dets.track_id.tolist():  # a track's first frame (without its picture)
                births.setdefault(int(tid), frame)
            identified = identifier.update(dets)
            for tid in identifier.last_resets:
                births[tid] = frame  # someone new stepped into this track: first seen now
            self.unrecognised.restart(list(identifier.last_resets))
            self.unrecognised.update(dets, frame.captured_at, self.gallery.ids)
            for found in identified:
                born = births.get(found.track_id, frame)
                mark = Mark(
                    student_id=self.gallery.ids[found.person],
                    name=self.gallery.names[found.person],
                    first_seen=born.captured_at,
                    distance=found.distance,
                    source=source.description,
                    frame=born.index,
                    media_time_s=born.media_time,
                    role=Attendee.MEMBER if self.is_member[found.person] else Attendee.VISITOR,
                )
                if self.log.mark(mark):
                    present += mark.role is Attendee.MEMBER
                    new_marks.append(mark)
                    summary.marks_this_run.append(mark)
            seen = {p for p in dets.person.tolist() if p >= 0}
            if seen:  # last sightings: at most a line a minute per student (records/lastseen.py)
                self.log.saw([(self.gallery.ids[p], frame.captured_at) for p in seen])
            latest = dets
            summary.frames_analysed += 1

        def collect(block: bool) -> None:
            while pending and (block or pending[0][1].done()):
                frame, future, held = pending.popleft()
                block = False
                try:
                    dets = future.result()
                except WorkerError as exc:  # the worker died with this frame; a new one is started
                    log.warning("frame %d was not analysed: %s", frame.index, exc)
                    continue
                apply(frame, dets, held)

        while not stop.is_set():
            frame = source.read(timeout=0.05)
            collect(block=False)
            if frame is None:
                if source.ended:
                    break
                continue
            summary.frames_read += 1
            last_frame = frame
            now = time.perf_counter()
            if last_frame_at is not None:
                summary.max_frame_gap_s = max(summary.max_frame_gap_s, now - last_frame_at)
            last_frame_at = now
            if not live and not pending:
                analyzer.wait_ready()  # a file played as fast as possible skips no analysis
            # Due: the regular analysis rate, or a likely student waiting for more votes.
            due = frame.media_time + 1e-6 >= next_due or identifier.candidates_due(frame.media_time)
            if due and analyzer.ready:
                if not live and len(pending) >= analyzer.capacity:
                    collect(block=True)
                if len(pending) < analyzer.capacity:
                    # Not encoded again: faces settled (see Identifier.settled) and seen
                    # in the last analysed frame (after a gap it may be someone else).
                    settled = tracker.seen_last(identifier.settled(frame.media_time))
                    if live:  # the most urgent faces only, so that the frame comes back soon
                        settled += identifier.deferred([t for t in tracker.tracks if t not in settled])
                    skip = tracker.boxes(settled)
                    identifier.requested(list(tracker.tracks.keys() - set(settled)), frame.media_time)
                    # Search the whole frame for newcomers every full_scan_interval_s, and
                    # whenever a live source leaves a worker idle anyway.
                    if search is None:
                        search = FrameSearch(analyzer, frame.image.shape, cfg.sweep_period_s)
                    # (With a sweep, newcomers are found where the picture changed instead.)
                    spare = live and len(pending) + 1 < analyzer.capacity and search.planner is None
                    whole = not tracker.tracks or frame.media_time + 1e-6 >= next_full_scan or spare
                    if whole:
                        next_full_scan = frame.media_time + cfg.full_scan_interval_s
                    # New faces waiting to be identified come first: the sweep's tiles wait.
                    sweep = not (live and identifier.identifying(list(tracker.tracks)))
                    plan = search.plan(frame.image, frame.media_time, tracker, settled, whole, sweep)
                    # Kept without its picture (the worker sends thumbnails of the faces it
                    # encodes): no 6 MB frame (1920x1080) waits here for its answer.
                    future = analyzer.submit(analyzer.request(frame.image, frame.index, frame.media_time, skip, plan.tracked,
                                                              plan.regions, plan.scales))
                    pending.append((replace(frame, image=NO_IMAGE), future, plan.held))
                    next_due = frame.media_time + 1.0 / cfg.analysis_fps
            if on_update is not None:
                labels = [self.labels[p] if p >= 0 else "unknown" for p in latest.person.tolist()]
                rollcall = self._rollcall(frame.media_time, tracker, identifier, search)
                on_update(SessionUpdate(frame, latest, labels, new_marks, present, len(self.expected), source.status, rollcall))
                new_marks = []
        if not stop.is_set():
            while pending:
                collect(block=True)
        if search is not None and search.planner is not None:
            summary.sweeps, summary.max_sweep_s = search.planner.sweeps, search.planner.max_sweep_s
        if last_frame is not None:
            summary.rollcall = self._rollcall(last_frame.media_time, tracker, identifier, search)
        summary.frames_dropped = source.frames_dropped
        summary.events = [str(event) for event in source.events]
        summary.wall_s = time.perf_counter() - started
        summary.unrecognised = len(self.unrecognised.faces())
        return self.tally(summary)

    def tally(self, summary: SessionSummary) -> SessionSummary:
        """``summary`` with who is present, absent and visiting per the log (this and earlier runs)."""
        marked, visitors = self.log.marked, self.log.visitors
        expected = {i for i, _ in self.expected}
        # Marked earlier in this session but no longer enrolled still counts as present.
        summary.present = [(i, n) for i, n in self.expected if i in marked] + [
            (i, n) for i, n in marked.items() if i not in expected and i not in visitors and i not in self.gallery.ids]
        summary.absent = [(i, n) for i, n in self.expected if i not in marked]
        summary.visitors = [(i, n) for i, n in marked.items() if i in visitors and i not in expected]
        summary.class_name = self.class_name
        return summary

    def _rollcall(self, media_time: float, tracker: Tracker, identifier: Identifier, search: FrameSearch | None) -> RollCall:
        """Where the roll call stands (see :class:`RollCall`)."""
        marked = self.log.marked
        if self._unseen is None or self._unseen[0] != len(marked):  # recounted only when someone is marked
            self._unseen = len(marked), tuple(n for i, n in self.expected if i not in marked)
        unseen = self._unseen[1]
        unidentified = identifier.unidentified(list(tracker.tracks))
        finished, took = search.last_sweep if search is not None else (None, None)
        return RollCall(len(self.expected) - len(unseen), len(self.expected), unidentified, unseen, media_time, finished, took,
                        sweeping=search is not None and search.planner is not None)


class BackgroundSession:
    """Runs a :class:`LiveSession` in a thread for a window: the latest update is kept in
    a one-slot queue (the display takes the newest), marks are never dropped."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.updates: queue.Queue[SessionUpdate] = queue.Queue(maxsize=1)
        self.marks: queue.Queue[Mark] = queue.Queue()
        self.stop_event = threading.Event()
        self.summary: SessionSummary | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="attendance-session", daemon=True)

    def start(self) -> BackgroundSession:
        self._thread.start()
        return self

    def _push(self, update: SessionUpdate) -> None:
        for mark in update.new_marks:
            self.marks.put(mark)
        try:
            self.updates.get_nowait()
        except queue.Empty:
            pass
        self.updates.put_nowait(update)

    def _run(self) -> None:
        try:
            self.summary = self.session.run(self._push, self.stop_event)
        except BaseException as exc:  # noqa: BLE001 - handed to the window, shown as a message
            log.debug("session ended with an error", exc_info=True)
            self.error = exc

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, wait: float | None = 10.0) -> None:
        self.stop_event.set()
        self._thread.join(wait)

