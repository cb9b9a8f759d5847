"""One run of a live session as a pipeline of named steps.

Frames in; marks out::

    read ──► submit ──► (faces found: YuNet thread / HOG workers) ──► track ──► (faces encoded: workers) ──► apply ──► decide
       └──────────────────────────────────────────────── report (every frame) ◄──────────────────────────────────────┘

* :meth:`Pipeline.read` takes the next frame from the source;
* :meth:`Pipeline.submit` hands a due frame to the face finder (every analysed frame
  is searched whole: ``analysis_fps`` a second of video, more while a likely student
  waits for votes);
* :meth:`Pipeline.collect` takes the answers that are ready, in order: found faces go
  to :meth:`Pipeline.track` (tracks, then crops of the faces due an encoding to the
  workers), encodings to :meth:`Pipeline.apply` (votes, identities) and
  :meth:`Pipeline.decide` (marks, written and fsynced before the loop goes on);
* :meth:`Pipeline.report` gives the display what it needs after each frame.

The loop never waits on recognition when the source is live (a camera, a stream, or a
file played in real time): a frame is searched when the finder is free and its faces are
encoded when a worker is; a file played as fast as possible waits instead, so that every
due frame is analysed whatever the machine's speed.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import ClassVar, Protocol, TypeVar

import numpy as np

from attendance.core.errors import WorkerError
from attendance.live.config import SessionConfig
from attendance.live.frames import Frame
from attendance.live.identity import Identification, Identifier
from attendance.live.readout import RollCall
from attendance.live.sources import FrameSource
from attendance.live.tracker import Tracker
from attendance.live.unrecognised import UnrecognisedFaces
from attendance.recognition.detections import Detections
from attendance.recognition.finders import FaceFinder
from attendance.recognition.gallery import Gallery
from attendance.recognition.jobs import Encoded, EncodeJob, crop_faces
from attendance.recognition.workers.pool import WorkerPool
from attendance.records.sessionlog import Attendee, Mark, SessionLog

log = logging.getLogger(__name__)

#: The picture of a frame kept only for its index and times.
NO_IMAGE = np.zeros((0, 0, 3), np.uint8)
#: A file played as fast as possible keeps this many frames queued for the face finder ...
SEARCH_AHEAD = 1
#: ... and this many encoding jobs per worker, so that finding faces and encoding them overlap.
ENCODE_AHEAD = 2
#: The whole of an analysed frame is searched finely this often (media seconds): faces
#: the usual search misses (for YuNet: tightly cropped faces, measured) are found then, and
#: from then on searched for finely around where they were whenever the usual search
#: misses them (:meth:`~attendance.live.tracker.Tracker.missed`).
FINE_EVERY_S = 2.0


class SessionParts(Protocol):
    """What the pipeline reads of its session (a :class:`~attendance.live.session.LiveSession`)."""

    config: SessionConfig
    gallery: Gallery
    log: SessionLog
    #: ``(id, name)`` of the students expected, in roster order.
    expected: list[tuple[str, str]]
    #: Per gallery index: a member of the session's class (else a visitor).
    is_member: list[bool]
    #: Per gallery index: the name shown on the picture.
    labels: list[str]
    unrecognised: UnrecognisedFaces

    @property
    def min_identify_px(self) -> float:
        """Faces at least this tall (pixels of the source) are identified; smaller ones are counted."""

    def unseen_names(self) -> tuple[str, ...]:
        """Names of the expected students not marked yet."""


@dataclass
class Searching:
    """A frame whose faces are being found (it keeps its picture, for the crops): ``future``
    gives their boxes."""

    frame: Frame
    future: Future[np.ndarray]
    what: ClassVar[str] = "searched"


@dataclass
class Encoding:
    """Faces of an analysed frame being encoded: their tracks and boxes, ``(k,)`` and ``(k, 4)``;
    ``future`` gives their encodings."""

    frame: Frame
    track_ids: np.ndarray
    boxes: np.ndarray
    future: Future[Encoded]
    what: ClassVar[str] = "encoded"


Job = TypeVar("Job", Searching, Encoding)


class Pipeline:
    """The state of one run (see the module docstring).  Built by
    :class:`~attendance.live.session.LiveSession`, which owns the source, the finder, the
    workers and the log; :meth:`run` returns when the source ends or ``stop()`` says so."""

    def __init__(self, session: SessionParts, source: FrameSource, finder: FaceFinder, pool: WorkerPool) -> None:
        self.session = session
        self.source = source
        self.finder = finder
        self.pool = pool
        cfg = session.config
        #: A live source (or a file in real time): never wait on recognition.
        self.live = source.live or cfg.realtime
        self.tracker = Tracker()
        self.identifier = Identifier(session.gallery, cfg.policy, set(session.log.marked))
        #: Each track's first frame (without its picture): when its student was first seen.
        self.births: dict[int, Frame] = {}
        self.searching: deque[Searching] = deque()
        self.encoding: deque[Encoding] = deque()
        #: The latest faces found, tracked, for the display.
        self.latest = Detections.empty()
        #: The media time of the last frame read (``None``: none yet).
        self.last_media_time: float | None = None
        self.next_due = 0.0
        self.next_fine = 0.0
        self.new_marks: list[Mark] = []
        self.marks: list[Mark] = []
        self.present = sum(1 for i, _ in session.expected if i in session.log.marked)
        self.stats = RunStats()

    # -- the loop ---------------------------------------------------------------------
    def run(self, stop: Callable[[], bool], on_update: Callable[[Frame], None] | None) -> None:
        """Read, submit, collect and report until the source ends or ``stop()``; then
        wait for the answers in flight (unless stopped)."""
        while not stop():
            frame = self.read()
            self.collect(block=False)
            if frame is None:
                if self.source.ended:
                    break
                continue
            if self.due(frame):
                self.submit(frame)
            if on_update is not None:
                on_update(frame)
        if not stop():
            while self.searching or self.encoding:
                self.collect(block=True)

    def read(self) -> Frame | None:
        """The next frame (``None``: none within 50 ms, or the source ended)."""
        frame = self.source.read(timeout=0.05)
        if frame is not None:
            self.stats.frame_read(frame)
            self.last_media_time = frame.media_time
        return frame

    def due(self, frame: Frame) -> bool:
        """Whether ``frame`` is analysed: at the session's rate, or sooner while a likely
        student waits for votes; a live source only once the finder and the workers are
        ready for it (a file played as fast as possible waits for them instead)."""
        wanted = frame.media_time + 1e-6 >= self.next_due or self.identifier.candidates_due(frame.media_time)
        if not wanted:
            return False
        if not self.live:
            self.pool.wait_ready()
            return True
        return not self.searching and self.pool.ready

    def submit(self, frame: Frame) -> None:
        """Hand ``frame`` to the face finder (a file played as fast as possible keeps
        :data:`SEARCH_AHEAD` frames queued for it, so it never waits for the next one)."""
        if not self.live:
            while len(self.searching) >= SEARCH_AHEAD:
                self.collect(block=True, encodings=False)
        fine = frame.media_time + 1e-6 >= self.next_fine
        if fine:
            self.next_fine = frame.media_time + FINE_EVERY_S
        around = self.tracker.boxes(self.tracker.missed())
        self.searching.append(Searching(frame, self.finder.submit(frame.image, fine, around)))
        self.next_due = frame.media_time + 1.0 / self.session.config.analysis_fps

    def collect(self, block: bool, encodings: bool = True) -> None:
        """Take the answers that are ready, oldest first (``block``: wait for the oldest
        one); found faces are tracked, encodings applied.  A frame a worker died with is
        skipped (a new worker is started)."""
        for search in _ready(self.searching, block):
            self.track(search.frame, search.future.result())
        for done in _ready(self.encoding, block) if encodings else ():
            self.apply(done, done.future.result())

    # -- the steps behind collect -----------------------------------------------------
    def track(self, frame: Frame, boxes: np.ndarray) -> None:
        """Follow the faces found in ``frame`` and send those due an encoding to the workers."""
        self.stats.analysed()
        dets = Detections(boxes, np.full((len(boxes), 128), np.nan, np.float32), frame.index, frame.media_time)
        dropped = self.tracker.update(dets)
        self.identifier.forget(dropped)
        for tid in dropped:
            self.births.pop(tid, None)
        still = replace(frame, image=NO_IMAGE)
        for tid in dets.track_id.tolist():
            self.births.setdefault(int(tid), still)
        for i, tid in enumerate(dets.track_id.tolist()):
            dets.person[i] = self.identifier.person_of(int(tid))
        shown = np.array([self.tracker.tracks[int(t)].confirmed or p >= 0 for t, p in zip(dets.track_id.tolist(), dets.person.tolist())], bool)
        self.latest = dets.take(shown) if len(dets) else dets
        seen = {p for p in dets.person.tolist() if p >= 0}
        if seen:  # last sightings: at most a line a minute per student (records/lastseen.py)
            self.session.log.saw([(self.session.gallery.ids[p], frame.captured_at) for p in seen])
        self.encode(frame, dets)

    def encode(self, frame: Frame, dets: Detections) -> None:
        """Send crops of the faces due an encoding to the workers, split between them."""
        todo = self.to_encode(dets, frame.media_time)
        if not len(todo):
            return
        if not self.live:
            while len(self.encoding) >= ENCODE_AHEAD * self.pool.capacity:
                self.collect(block=True)
        tids, boxes = dets.track_id[todo], dets.boxes[todo]
        self.identifier.requested(tids.tolist(), frame.media_time)
        still = replace(frame, image=NO_IMAGE)
        start = 0
        for part in crop_faces(frame.image, boxes).split(self.pool.capacity):
            end = start + len(part)
            self.encoding.append(Encoding(still, tids[start:end], boxes[start:end], self.pool.submit(EncodeJob(part))))
            start = end

    def to_encode(self, dets: Detections, media_time: float) -> np.ndarray:
        """Indices of the faces of ``dets`` to encode now: large enough to identify, not
        settled (see :meth:`Identifier.settled`; a face missed in the frame before may be
        someone else and is encoded again) and, for a live source, the most urgent ones
        that a free worker can take."""
        size = np.minimum(dets.boxes[:, 2] - dets.boxes[:, 0], dets.boxes[:, 1] - dets.boxes[:, 3])
        settled = set(self.tracker.seen_last(self.identifier.settled(media_time)))
        due = [int(t) for t, s in zip(dets.track_id.tolist(), size.tolist()) if s >= self.session.min_identify_px and t not in settled]
        if self.live:
            if len(self.encoding) >= self.pool.capacity:
                return np.zeros(0, np.int64)
            deferred = set(self.identifier.deferred(due))
            due = [t for t in due if t not in deferred]
        wanted = set(due)
        return np.array([i for i, t in enumerate(dets.track_id.tolist()) if t in wanted], np.int64)

    def apply(self, done: Encoding, encoded: Encoded) -> None:
        """Vote with the encodings of one job's faces (tracks that ended meanwhile are left out)."""
        alive = np.array([int(t) in self.tracker.tracks for t in done.track_ids.tolist()], bool)
        if not alive.any():
            return
        dets = Detections(done.boxes[alive], encoded.encodings[alive], done.frame.index, done.frame.media_time,
                          track_id=done.track_ids[alive], thumbnails=[t for t, a in zip(encoded.thumbnails, alive) if a])
        identified = self.identifier.update(dets)
        for tid in self.identifier.last_resets:
            self.births[tid] = done.frame  # someone new stepped into this track: first seen now
        self.session.unrecognised.restart(list(self.identifier.last_resets))
        self.session.unrecognised.update(dets, done.frame.captured_at, self.session.gallery.ids)
        self.decide(identified, done.frame)

    def decide(self, identified: list[Identification], frame: Frame) -> None:
        """Mark each newly identified student (a line written and fsynced to the log), as
        first seen when their track began."""
        session = self.session
        for found in identified:
            born = self.births.get(found.track_id, frame)
            member = session.is_member[found.person]
            mark = Mark(session.gallery.ids[found.person], session.gallery.names[found.person], born.captured_at, found.distance,
                        self.source.description, born.index, born.media_time, Attendee.MEMBER if member else Attendee.VISITOR)
            if session.log.mark(mark):
                self.present += member
                self.new_marks.append(mark)
                self.marks.append(mark)
        if identified:  # their first last-sighting line, written with the mark (records/lastseen.py)
            session.log.saw([(session.gallery.ids[found.person], frame.captured_at) for found in identified])

    # -- what the display and the summary read ----------------------------------------
    def labels(self) -> list[str]:
        """A name per face of :attr:`latest` (the confirmed faces of the latest analysed
        frame, see :data:`~attendance.live.tracker.CONFIRM_HITS`): the student's,
        ``"too small"`` for a face too small to identify, else ``""`` (not identified yet)."""
        out = []
        for box, tid in zip(self.latest.boxes.tolist(), self.latest.track_id.tolist()):
            person = self.identifier.person_of(int(tid))
            small = min(box[2] - box[0], box[1] - box[3]) < self.session.min_identify_px
            out.append(self.session.labels[person] if person >= 0 else "too small" if small else "")
        return out

    def take_marks(self) -> list[Mark]:
        """The marks written since the last call."""
        marks, self.new_marks = self.new_marks, []
        return marks

    def rollcall(self, media_time: float) -> RollCall:
        """Where the roll call stands (see :class:`RollCall`)."""
        session = self.session
        unseen = session.unseen_names()
        ids = self.tracker.confirmed()
        boxes = self.tracker.boxes(ids)
        size = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 1] - boxes[:, 3])
        big = [t for t, s in zip(ids, size.tolist()) if s >= session.min_identify_px]
        unidentified = self.identifier.unidentified(big)
        return RollCall(len(session.expected) - len(unseen), len(session.expected), len(ids), len(big) - unidentified,
                        unidentified, len(ids) - len(big), unseen, media_time)


def _ready(jobs: deque[Job], block: bool) -> Iterator[Job]:
    """The jobs of ``jobs`` whose answer is ready, oldest first, taken off the queue
    (``block``: wait for the oldest one).  A job a worker died with is skipped, with a
    warning (a new worker is started)."""
    while jobs and (block or jobs[0].future.done()):
        block = False
        job = jobs.popleft()
        try:
            job.future.result()
        except WorkerError as exc:
            log.warning("frame %d was not %s: %s", job.frame.index, job.what, exc)
            continue
        yield job


@dataclass
class RunStats:
    """Figures of one run: frames read and analysed, the largest gap between frames read
    (wall seconds) and when the first frame was analysed (seconds after ``started``)."""

    started: float = 0.0
    frames_read: int = 0
    frames_analysed: int = 0
    max_frame_gap_s: float = 0.0
    first_result_s: float | None = None
    _last_read: float | None = None

    def frame_read(self, frame: Frame) -> None:
        now = time.perf_counter()
        self.frames_read += 1
        if self._last_read is not None:
            self.max_frame_gap_s = max(self.max_frame_gap_s, now - self._last_read)
        self._last_read = now

    def analysed(self) -> None:
        self.frames_analysed += 1
        if self.first_result_s is None:
            self.first_result_s = time.perf_counter() - self.started
            log.info("first frame analysed %.2f s after the session started", self.first_result_s)
