"""One loop over one video, each in its own measured child process: a classic loop or this app.

Both children follow one protocol: ``python -m MODULE SPEC_JSON``, the result as the last
line of stdout in JSON (:func:`run_child`), watched from outside by
:func:`~attendance.bench.measure.measure_process`.  ``LoopRun.loop_s`` is the loop's own
time as the child reports it (classic: the frame loop, after ``import face_recognition``;
app: ``LiveSession.run``, worker start-up included); ``LoopRun.proc`` is what was measured
from outside (process wall time, CPU of the whole tree, memory).
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from attendance.bench.classic import DEFAULT_TOLERANCE, known_from_gallery, save_known
from attendance.bench.measure import ProcessStats, child_error, measure_process

#: The classic loops by the name the benchmark prints, and their ``run_classic`` variant.
CLASSIC_LOOPS = {"classic-full": "full", "classic-faster": "fast"}


@dataclass(frozen=True)
class LoopMark:
    """Someone marked: ``frame`` (0-based) and ``second`` (media time) of the first sighting used."""

    name: str
    frame: int
    second: float


@dataclass
class LoopRun:
    """One loop over one input.  ``loop_s``: the loop's own time (see the module doc);
    ``frames``/``analysed``: frames read / run through detection; ``extra``: loop-specific figures."""

    input: str
    loop: str
    frames: int
    analysed: int
    loop_s: float
    proc: ProcessStats
    marks: list[LoopMark]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        """Frames read per second of process wall time."""
        return self.frames / self.proc.wall_s if self.proc.wall_s > 0 else 0.0

    @property
    def marked(self) -> list[str]:
        """Names marked, sorted."""
        return sorted(m.name for m in self.marks)


def known_of(home: Path) -> list[tuple[str, np.ndarray]]:
    """The classic loops' ``known`` list from a home's store (the same encodings the app uses)."""
    from attendance.roster.store import FaceStore

    return known_from_gallery(FaceStore.load(Path(home) / "known_faces").gallery())


def run_child(module: str, spec: dict[str, Any], what: str,
              on_line: Callable[[str, float], None] | None = None) -> tuple[ProcessStats, dict[str, Any]]:
    """Run ``python -m module SPEC_JSON`` under :func:`measure_process`; returns the
    measurements and the child's result (its last stdout line, JSON).  Raises
    :class:`~attendance.core.errors.AttendanceError` naming ``what`` if the child fails."""
    stats = measure_process([sys.executable, "-m", module, json.dumps(spec)], on_line=on_line)
    if stats.returncode != 0:
        raise child_error(what, stats)
    return stats, json.loads(stats.stdout.strip().splitlines()[-1])


def _marks(data: dict[str, Any]) -> list[LoopMark]:
    return [LoopMark(m["name"], int(m["frame"]), float(m["second"])) for m in data["marks"]]


def run_classic_loop(video: Path, home: Path, loop: str, label: str, every: int = 1) -> LoopRun:
    """A classic loop (``"classic-full"`` or ``"classic-faster"``) with ``home``'s enrolled
    people, in its own ``python -m attendance.bench.classic_child`` process; ``every`` > 1
    analyses only every that many-th frame."""
    variant = CLASSIC_LOOPS[loop]
    with tempfile.TemporaryDirectory(prefix="bench-known-") as tmp:
        known_path = Path(tmp) / "known.npz"
        save_known(known_path, known_of(home))
        spec = {"video": str(video), "known": str(known_path), "variant": variant, "tolerance": DEFAULT_TOLERANCE, "every": every}
        stats, data = run_child("attendance.bench.classic_child", spec, f"classic {variant} loop")
    return LoopRun(label, loop, data["frames"], data["analysed"], data["wall_s"], stats, _marks(data),
                   {"import_s": data["import_s"], "faces": data["faces"], "loop_cpu_s": data["cpu_s"], "ru_maxrss_mb": data["peak_rss_mb"],
                    "sightings": data["sightings"]})


def run_app(video: Path | str, home: Path, label: str, realtime: bool = False, workers: int | None = None,
            on_line: Callable[[str, float], None] | None = None) -> LoopRun:
    """The app's pipeline as ``attendance run --headless`` runs it, in its own
    ``python -m attendance.bench.app_child`` process (``workers``: None for the default)."""
    spec = {"home": str(home), "source": str(video), "realtime": realtime, "workers": workers,
            "session": f"bench-{uuid.uuid4().hex[:10]}"}
    stats, data = run_child("attendance.bench.app_child", spec, "app session", on_line)
    extra = {k: data[k] for k in ("first_result_s", "max_frame_gap_s", "frames_dropped", "updates", "mark_times",
                                   "run_start_epoch", "workers", "self_cpu_s", "workers_cpu_s", "ru_maxrss_worker_mb", "config")}
    return LoopRun(label, "app" + (" realtime" if realtime else ""), data["frames_read"], data["frames_analysed"], data["wall_s"],
                   stats, _marks(data), extra)
