"""A live attendance session: who is expected, its log, and one run on a source.

:class:`LiveSession` sets a run up (the gallery, the class, the log, the workers, the
face finder, the source) and hands it to :class:`~attendance.live.pipeline.Pipeline`,
whose steps turn frames into marks (a window runs it in a
:class:`~attendance.core.background.BackgroundTask`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from attendance.core.errors import NobodyEnrolledError, StoreError
from attendance.core.files import existing
from attendance.core.home import Home
from attendance.live.config import SessionConfig
from attendance.live.frames import Frame
from attendance.live.pipeline import Pipeline
from attendance.live.readout import PhotoReport, RollCall
from attendance.live.sources import open_source
from attendance.live.unrecognised import UnrecognisedFaces
from attendance.recognition.detections import Detections
from attendance.recognition.finders import MIN_IDENTIFY_PX, make_finder
from attendance.recognition.workers.pool import WorkerPool
from attendance.records.sessionlog import NOT_IN_CLASS, Mark, SessionLog
from attendance.roster.classes import class_members
from attendance.roster.store import FaceStore
from attendance.school.link import attach

log = logging.getLogger(__name__)


@dataclass
class SessionUpdate:
    """What a display needs after each frame.

    ``detections`` are the latest analysed faces (possibly a frame or two older than
    ``frame``); ``labels`` gives a display name per detection (``""``: not identified
    yet, ``"too small"``: too small to identify).  ``new_marks`` are marks written since
    the previous update; ``rollcall`` where the roll call stands.
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
    #: Where the roll call stood at the end.
    rollcall: RollCall | None = None
    #: A roll call from photos: what each photo showed, in order (empty for a video or camera).
    photos: list[PhotoReport] = field(default_factory=list)

    @property
    def enrolled(self) -> int:
        return len(self.present) + len(self.absent)


class LiveSession:
    """One run of a session on one source.  Build, then :meth:`run` (blocking).

    ``class_name``: the session is for that class: its members at this moment are
    expected (saved as the session's roster).  Recognition still matches everyone
    enrolled, so a student of another class is recognised as themselves and marked as a
    visitor (:attr:`Attendee.VISITOR`), never present or absent.  ``None``: everyone.
    ``photos``: a roll call from these photos (``source`` is the first), taken with
    :func:`attendance.live.photo_rollcall.run_photos` instead of :meth:`run`.
    """

    def __init__(self, home: Home, source: str | int, session: str, config: SessionConfig | None = None,
                 class_name: str | None = None, photos: list[Path] | None = None) -> None:
        if isinstance(source, str) and "://" not in source:
            existing(source)  # before any worker starts: the one-line error every command gives
        self.home = home
        self.source_spec = source
        #: The photos of a roll call from photos (``None``: a camera, video or stream).
        self.photos = photos
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

    @property
    def min_identify_px(self) -> float:
        """Faces at least this tall (pixels of the source) are identified; smaller ones are counted."""
        return self.config.min_face_px or MIN_IDENTIFY_PX

    def unseen_names(self) -> tuple[str, ...]:
        """Names of the expected students not marked yet (recounted only when someone is marked)."""
        marked = self.log.marked
        if self._unseen is None or self._unseen[0] != len(marked):
            self._unseen = len(marked), tuple(n for i, n in self.expected if i not in marked)
        return self._unseen[1]

    def run(self, on_update: Callable[[SessionUpdate], None] | None = None, stop: threading.Event | None = None) -> SessionSummary:
        """Run until the source ends or ``stop`` is set; every mark is on disk when made."""
        stop = stop or threading.Event()
        started = time.perf_counter()
        cfg = self.config
        self.log.claim()  # a second run of this session is refused before any worker starts
        detach = attach(self.home)  # a data folder connected to a school sends its events while this runs
        try:
            # Workers load their models (~1-2 s) and the face finder its own (~0.4 s) while
            # the source opens and the first frames are already shown.
            with WorkerPool(cfg.workers).start() as pool:
                finder = make_finder(cfg.detector, pool, cfg.min_face_px)
                try:
                    source = open_source(self.source_spec, realtime=cfg.realtime)
                    with source:
                        details = {"tolerance": cfg.policy.tolerance, "strictness": cfg.strictness.value if cfg.strictness else None,
                                   "detector": cfg.detector}
                        if self.class_name is not None:
                            details["class"] = self.class_name
                        self.log.open(self.expected, cfg.start, cfg.grace_minutes, source.description, cfg.leave_grace_minutes, details)
                        pipeline = Pipeline(self, source, finder, pool)
                        pipeline.stats.started = started
                        report = None if on_update is None else lambda frame: on_update(self._update(pipeline, frame))
                        pipeline.run(stop.is_set, report)
                        return self._summary(pipeline, started)
                finally:
                    finder.close()
        finally:
            self.log.close()
            detach()

    def _update(self, pipeline: Pipeline, frame: Frame) -> SessionUpdate:
        """What a display needs after ``frame`` (see :class:`SessionUpdate`)."""
        return SessionUpdate(frame, pipeline.latest, pipeline.labels(), pipeline.take_marks(), pipeline.present, len(self.expected),
                             pipeline.source.status, pipeline.rollcall(frame.media_time))

    def _summary(self, pipeline: Pipeline, started: float) -> SessionSummary:
        """The end of the run: figures, and who is present per the log (:meth:`tally`)."""
        stats, source = pipeline.stats, pipeline.source
        summary = SessionSummary(self.log.session, self.log.path, [], [], list(pipeline.marks), frames_read=stats.frames_read,
                                 frames_analysed=stats.frames_analysed, frames_dropped=source.frames_dropped,
                                 first_result_s=stats.first_result_s, max_frame_gap_s=stats.max_frame_gap_s,
                                 events=[str(event) for event in source.events], unrecognised=len(self.unrecognised.faces()))
        if pipeline.last_media_time is not None:
            summary.rollcall = pipeline.rollcall(pipeline.last_media_time)
        summary.wall_s = time.perf_counter() - started
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
