"""``python -m attendance.bench.app_child SPEC_JSON``: one session of this app in a fresh process.

``SPEC_JSON`` is ``{"home": path, "source": video, "session": name, "realtime": bool,
"workers": int | null}``.  The child runs exactly what ``attendance run --headless`` runs —
:class:`~attendance.live.session.LiveSession` with a :class:`~attendance.live.config.SessionConfig`
whose defaults are the ``run`` command's — and prints its summary as one JSON line
(``wall_s`` is ``LiveSession.run``'s own time, worker start-up included).  Launched by
:func:`attendance.bench.loops.run_app`.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

from attendance.core.home import Home
from attendance.live.config import SessionConfig
from attendance.live.session import LiveSession, SessionUpdate


def main(argv: list[str]) -> int:
    """Run the session ``argv[0]`` (the JSON spec) describes; print the summary as JSON."""
    spec = json.loads(argv[0])
    # The defaults of SessionConfig are the defaults of `attendance run`.
    config = SessionConfig(realtime=bool(spec["realtime"]))
    if spec.get("workers") is not None:
        config = replace(config, workers=int(spec["workers"]))
    live = LiveSession(Home(Path(spec["home"])), spec["source"], spec["session"], config)
    updates: list[tuple[int, float]] = []
    mark_times: dict[str, float] = {}
    t0 = time.perf_counter()
    start_epoch = time.time()

    def on_update(update: SessionUpdate) -> None:
        now = time.perf_counter() - t0
        updates.append((update.frame.index, round(now, 4)))
        for mark in update.new_marks:
            mark_times[mark.name] = round(now, 4)

    summary = live.run(on_update)  # returns once its workers have exited: their CPU is in RUSAGE_CHILDREN
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "frames_read": summary.frames_read, "frames_analysed": summary.frames_analysed, "frames_dropped": summary.frames_dropped,
        "wall_s": round(summary.wall_s, 3), "first_result_s": summary.first_result_s, "max_frame_gap_s": round(summary.max_frame_gap_s, 4),
        "marks": [{"name": m.name, "frame": m.frame, "second": round(m.media_time_s, 3)} for m in summary.marks_this_run],
        "mark_times": mark_times, "updates": updates, "run_start_epoch": start_epoch, "workers": config.workers,
        "self_cpu_s": round(me.ru_utime + me.ru_stime, 3), "workers_cpu_s": round(kids.ru_utime + kids.ru_stime, 3),
        # The main process's own ru_maxrss is not reported: Linux carries the launching
        # process's high-water mark across fork+exec, so it would be the bench's, not the app's.
        "ru_maxrss_worker_mb": round(kids.ru_maxrss / 1024, 1),
        "config": {"detector": config.detector, "min_face_px": config.min_face_px, "analysis_fps": config.analysis_fps, "tolerance": config.policy.tolerance,
                   "margin": config.policy.margin, "sightings": config.policy.min_sightings, "realtime": config.realtime},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
