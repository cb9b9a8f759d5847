"""The settings of a live session (:class:`SessionConfig`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from attendance.live.identity import MatchPolicy
from attendance.live.strictness import Strictness
from attendance.recognition.finders import DEFAULT_DETECTOR
from attendance.roster.enroll import default_workers

#: Frames analysed per second of video by default.
DEFAULT_ANALYSIS_FPS = 5.0


@dataclass(frozen=True)
class SessionConfig:
    """Settings of a live session."""

    #: When a face is taken for a student (votes, tolerance, margins, how often faces are encoded).
    policy: MatchPolicy = MatchPolicy()
    #: Which face detector finds the faces: ``"yunet"`` (default) or ``"hog"`` (dlib's,
    #: as before YuNet; see :mod:`attendance.recognition.finders`).
    detector: str = DEFAULT_DETECTOR
    #: Smallest face identified, pixels of the source frame (``None``: the detector's
    #: default, 36 px for YuNet); it sets the detection scale, and smaller faces found are
    #: counted "too small to identify", never encoded.
    min_face_px: float | None = None
    #: Frames analysed (searched for faces, tracked, some faces encoded) per second of video.
    analysis_fps: float = DEFAULT_ANALYSIS_FPS
    #: Recognition worker processes that encode faces (0: in this thread, for tests).
    workers: int = field(default_factory=default_workers)
    #: Play a file at its own frame rate, dropping frames like a camera (live sources always are).
    realtime: bool = False
    #: Scheduled start: a first sighting more than ``grace_minutes`` after it is late.
    start: datetime | None = None
    #: Grace period after the start, minutes (``None``: the log's default, 10).
    grace_minutes: float | None = None
    #: A student last seen longer than this before the session's end left early (minutes; ``None``: 10).
    leave_grace_minutes: float | None = None
    #: The named step ``policy.tolerance`` was chosen from (the window), saved with the tolerance.
    strictness: Strictness | None = None
