"""Section ``profile``: where the time goes.  The session runs in this process (``workers=0``)
under cProfile, with the pipeline's stages timed in place: the real methods wrapped with a
timer, nothing replaced."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Profile:
    """Per-stage totals (seconds and calls) over one in-process run, cProfile's top
    functions by own time, and a pure decode pass over the same video for reference."""

    input: str
    wall_s: float
    frames: int
    analysed: int
    stages: dict[str, tuple[float, int]]
    decode_only_s: float
    top: list[tuple[str, int, float, float]]
    marked: list[str]


class _StageTimers:
    """Wraps methods in place to add up their time (real calls, nothing replaced)."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self._undo: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def wrap(self, owner: Any, attr: str, stage: str) -> None:
        original = getattr(owner, attr)
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with timers._lock:
                    entry = timers.totals.setdefault(stage, [0.0, 0])
                    entry[0] += time.perf_counter() - t
                    entry[1] += 1

        setattr(owner, attr, timed)
        self._undo.append(lambda: setattr(owner, attr, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


class _TimedSource:
    """A frame source whose ``read`` is timed (decode + waiting for the reader)."""

    def __init__(self, source: Any, timers: _StageTimers) -> None:
        self._source = source
        self._timers = timers

    def read(self, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return self._source.read(*args, **kwargs)
        finally:
            entry = self._timers.totals.setdefault("decode (source.read)", [0.0, 0])
            entry[0] += time.perf_counter() - t
            entry[1] += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def __enter__(self) -> _TimedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self._source.close()


def profile_pipeline(video: Path, home: Path, label: str, top_n: int = 12) -> Profile:
    """Run the session in this process with ``workers=0`` under cProfile and stage timers."""
    import cProfile
    import pstats

    import attendance.live.session as session_mod
    from attendance.core.deps import require
    from attendance.core.home import Home
    from attendance.live.identity import Identifier
    from attendance.live.tracker import Tracker
    from attendance.recognition.engine import FaceEngine, shared_engine
    from attendance.recognition.gallery import Gallery
    from attendance.recognition.jobs import EncodeJob
    from attendance.recognition.yunet import YuNet
    from attendance.records.sessionlog import SessionLog

    cv2 = require("cv2")
    t = time.perf_counter()
    capture = cv2.VideoCapture(str(video))
    while capture.read()[0]:
        pass
    capture.release()
    decode_only = time.perf_counter() - t
    shared_engine()  # models loaded before timing, as in a warmed-up worker
    timers = _StageTimers()
    timers.wrap(YuNet, "detect", "find faces (YuNet, finder thread)")
    timers.wrap(FaceEngine, "detect", "detect (HOG)")
    timers.wrap(FaceEngine, "encode", "encode (landmarks + ResNet)")
    timers.wrap(Gallery, "match", "match (Gallery.match)")
    timers.wrap(Identifier, "update", "identify (votes, incl. match)")
    timers.wrap(Tracker, "update", "track (Tracker.update)")
    timers.wrap(SessionLog, "mark", "log (SessionLog.mark, fsync)")
    original_open = session_mod.open_source

    def timed_open(*args: Any, **kwargs: Any) -> Any:
        return _TimedSource(original_open(*args, **kwargs), timers)

    session_mod.open_source = timed_open
    timers.wrap(EncodeJob, "run", "encode job (crops to RGB, landmarks, ResNet, thumbnails)")
    profiler = cProfile.Profile()
    try:
        from attendance.live.config import SessionConfig
        from attendance.live.session import LiveSession

        live = LiveSession(Home(home), str(video), f"bench-{uuid.uuid4().hex[:10]}", SessionConfig(workers=0))
        profiler.enable()
        summary = live.run(lambda update: None)
        profiler.disable()
    finally:
        session_mod.open_source = original_open
        timers.restore()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]  # pstats.Stats.stats is real but undeclared in typeshed
        where = func if path == "~" else f"{Path(path).name}:{line}({func})"
        rows.append((where, nc, round(tt, 3), round(ct, 3)))
    rows.sort(key=lambda r: -r[2])
    stages = {k: (round(v[0], 3), int(v[1])) for k, v in timers.totals.items()}
    return Profile(label, round(summary.wall_s, 3), summary.frames_read, summary.frames_analysed, stages, round(decode_only, 3), rows[:top_n],
                   [m.name for m in summary.marks_this_run])
