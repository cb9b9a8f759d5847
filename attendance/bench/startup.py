"""Section ``startup``: launch to first frame analysed and to the first mark, and the memory of
each process of a session, with 1,000 synthetic people (100 with ``--quick``) plus Lin-Manuel
Miranda enrolled (:func:`~attendance.bench.inputs.big_home`)."""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from attendance.bench.loops import LoopRun, run_app
from attendance.bench.measure import ProcessStats, child_error, measure_process


@dataclass
class Startup:
    """``attendance run`` on the clip with ``enrolled`` people.

    ``launch_to_first_result_s``: process launch to the first analysed frame applied;
    ``launch_to_first_mark_s``: launch to the first ``present:`` line printed by the real
    ``attendance run`` CLI; ``app``: the measured run (memory per process)."""

    enrolled: int
    launch_to_first_result_s: float | None
    launch_to_first_mark_s: float | None
    cli_stats: ProcessStats
    app: LoopRun


def startup_and_memory(clip: Path, home: Path) -> Startup:
    """Start-up time and per-process memory of a session on ``home`` (see :class:`Startup`)."""
    from attendance.roster.store import FaceStore

    enrolled = len(FaceStore.load(home / "known_faces").people)
    app = run_app(clip, home, f"clip, {enrolled} enrolled")
    first = app.extra["first_result_s"]
    launch_to_first = None if first is None else round(app.extra["run_start_epoch"] + first - app.proc.launch_epoch, 3)
    first_mark: list[float] = []

    def on_line(line: str, seconds: float) -> None:
        if line.startswith("present:") and not first_mark:
            first_mark.append(seconds)

    cli = measure_process([sys.executable, "-m", "attendance", "--home", str(home), "run", "--source", str(clip), "--headless",
                           "--session", f"bench-{uuid.uuid4().hex[:10]}"], on_line=on_line)
    if cli.returncode != 0:
        raise child_error("attendance run", cli)
    return Startup(enrolled, launch_to_first, round(first_mark[0], 3) if first_mark else None, cli, app)
