"""The benchmark's sections, in one registry, and the run that goes through them.

A section is a function of the :class:`Bench` run: it prints its headings and tables
through :meth:`Bench.heading` / :meth:`Bench.echo` as soon as they are measured and returns
its figures for ``--json`` (made JSON-ready by :func:`to_jsonable`).  To add a section,
write its measurement in a module of its own and its text in :mod:`attendance.bench.report`,
then add one function here and one entry to :data:`SECTIONS`.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from attendance.bench import report
from attendance.bench.compare import DEFAULT_LOOPS, compare_loops
from attendance.bench.enrollment import ENROLL_EXTRA, enrollment_speed
from attendance.bench.inputs import Inputs, big_home, build_inputs, data_folder, real_encoding_norm, video_duration
from attendance.bench.loops import LoopRun, run_classic_loop
from attendance.bench.matching import matching_scale
from attendance.bench.measure import load_average
from attendance.bench.profile import profile_pipeline
from attendance.bench.realtime import realtime_latency
from attendance.bench.seated import CLASS_SIZES, seated_class_bench, seated_input
from attendance.bench.startup import startup_and_memory

#: The videos the loop sections run on (``--inputs``).
VIDEOS = ("clip", "class")


class Video(NamedTuple):
    """One input video: its file, the home enrolled for it, who a correct run marks (None:
    whoever classic-full marks), and its length in seconds."""

    path: Path
    home: Path
    expected: list[str] | None
    duration_s: float


@dataclass
class Bench:
    """One ``attendance bench`` run: its inputs, options and output.

    ``quick``: short inputs and few repeats; ``videos``: names from :data:`VIDEOS` the loop
    sections run on; ``echo``: where text goes (one call per block, no trailing newline);
    ``classic_full``: classic-full runs already made, by video name (``realtime`` reuses
    those of ``loops``).
    """

    inputs: Inputs
    quick: bool
    videos: Sequence[str]
    echo: Callable[[str], None]
    #: The ``--data`` folder.
    data: Path
    classic_full: dict[str, LoopRun] = field(default_factory=dict)

    def heading(self, title: str) -> None:
        """A section heading with the load average at that moment."""
        self.echo(f"\n== {title}  [{report.load_text()}]")

    def video(self, name: str) -> Video:
        """The input video called ``name`` (``"clip"`` or ``"class"``)."""
        if name == "clip":
            return Video(self.inputs.clip, self.inputs.clip_home, None, video_duration(self.inputs.clip))
        return Video(self.inputs.class_video, self.inputs.class_home, list(self.inputs.class_expected), self.inputs.class_duration_s)


def loops_section(bench: Bench) -> Any:
    """classic-full, classic-faster and the app (and the app on 1 worker, unless quick) on each video."""
    results = []
    for name in bench.videos:
        video, home, expected, duration = bench.video(name)
        bench.heading(f"loops on {name}: {video.name} ({duration:.1f} s of video)")
        loops = DEFAULT_LOOPS + (() if bench.quick else ("app-1worker",))
        comparison = compare_loops(name, video, home, expected, loops)
        comparison.run("app").extra["duration_s"] = duration
        bench.classic_full[name] = comparison.run("classic-full")
        bench.echo(report.loops(comparison))
        results.append(to_jsonable(comparison) | {"same_marks": comparison.same_marks})
    return results


def realtime_section(bench: Bench) -> Any:
    """Latency from clearly visible to marked with ``--realtime`` (quick: the first video only)."""
    results = []
    for name in bench.videos if not bench.quick else bench.videos[:1]:
        video, home, _, _ = bench.video(name)
        bench.heading(f"realtime (--realtime) on {name}: {video.name}, played at its own frame rate")
        full = bench.classic_full.get(name) or run_classic_loop(video, home, "classic-full", name)
        rt = realtime_latency(name, video, home, full)
        bench.echo(report.realtime(rt))
        results.append(to_jsonable(rt))
    return results


def matching_section(bench: Bench) -> Any:
    """Matching one face and loading the store at 10,000 and 100,000 enrolled (quick: 10,000)."""
    sizes = (10_000,) if bench.quick else (10_000, 100_000)
    bench.heading("matching one face, and loading the store, at scale")
    norm = real_encoding_norm(bench.inputs.clip_home)
    rows = matching_scale(sizes, norm, repeats=20 if bench.quick else 200, load_repeats=2 if bench.quick else 5)
    bench.echo(report.matching(rows, norm))
    return {"norm": norm, "rows": to_jsonable(rows)}


def enroll_section(bench: Bench) -> Any:
    """Bulk enrollment on 1 and 2 workers (quick: people/ only, 1 jitter)."""
    jitters = 1 if bench.quick else 10
    bench.heading(f"bulk enrollment: attendance enroll DIR --workers N --jitters {jitters} (people/{'' if bench.quick else ' + some photos/'})")
    speeds = enrollment_speed(bench.inputs.data, extra=() if bench.quick else ENROLL_EXTRA, jitters=jitters)
    bench.echo(report.enrollment(speeds))
    return to_jsonable(speeds)


def startup_section(bench: Bench) -> Any:
    """Start-up time and memory with 1,000 synthetic people enrolled (quick: 100)."""
    extra = 100 if bench.quick else 1000
    bench.heading(f"start-up and memory: a session on the clip with {extra:,} synthetic people + Lin-Manuel Miranda enrolled")
    home = big_home(bench.inputs.data, bench.inputs.clip_home.parent, extra, real_encoding_norm(bench.inputs.clip_home))
    st = startup_and_memory(bench.inputs.clip, home)
    bench.echo(report.startup(st))
    return to_jsonable(st)


def class_section(bench: Bench) -> Any:
    """A seated class of 35 enrolled in one wide shot, at 1920x1080 then 1280x720 (quick: 1080p only, no classic
    loop): classic every 5th frame, the app, the app --realtime; one table for both, then each size's targets."""
    results = []
    for size in CLASS_SIZES[:1] if bench.quick else CLASS_SIZES:
        truth = seated_input(bench.inputs.data, bench.inputs.clip_home.parent, bench.quick, size)
        bench.heading(f"class: a seated class in one {size[0]}x{size[1]} wide shot, {truth.video.name} "
                      f"({truth.duration_s:g} s, {len(truth.present)} of {truth.enrolled} enrolled present, {len(truth.strangers)} strangers)")
        results.append(seated_class_bench(truth, bench.quick))
        bench.echo(report.seated(results[-1:]))
    if len(results) > 1:
        bench.heading("class: both sizes side by side")
        bench.echo(report.seated(results))
    return to_jsonable(results)


def detectors_section(bench: Bench) -> Any:
    """dlib's HOG and YuNet (both models), single-threaded and with default threads: recall by face height, false
    detections per frame, time per 720p and 1080p frame (quick: one scene per height, one timing)."""
    from attendance.bench.detectors import detector_runs

    bench.heading("detectors: dlib's HOG and YuNet on faces of 20-90 px pasted into 1920x1080 frames of a cluttered room")
    runs = detector_runs(bench.data, bench.quick)
    bench.echo(report.detectors(runs))
    return to_jsonable(runs)


def school_section(bench: Bench) -> Any:
    """One school on a throw-away PostgreSQL server: 30 laptops at once, an outage, a roster pull, the office's day."""
    from attendance.bench.school import LAPTOPS, report, school_bench

    bench.heading(f"school: {6 if bench.quick else LAPTOPS} laptops as processes on one PostgreSQL server, 1,000 students in 40 classes")
    figures = school_bench(bench.quick)
    bench.echo(report(figures))
    return to_jsonable(figures)


def profile_section(bench: Bench) -> Any:
    """The pipeline in this process on the clip, under cProfile and stage timers."""
    bench.heading("where the time goes: the pipeline in this process (workers=0), cProfile + stage timers")
    profile = profile_pipeline(bench.inputs.clip, bench.inputs.clip_home, "clip")
    bench.echo(report.profile(profile))
    return to_jsonable(profile)


#: Every section, in the order they run: name (``--sections``) -> function.
SECTIONS: dict[str, Callable[[Bench], Any]] = {
    "loops": loops_section,
    "realtime": realtime_section,
    "matching": matching_section,
    "enroll": enroll_section,
    "startup": startup_section,
    "class": class_section,
    "profile": profile_section,
    "detectors": detectors_section,
    "school": school_section,
}
#: Sections that need none of the video inputs (``run_bench`` builds those only for the others).
OWN_INPUTS = {"school", "detectors"}


def run_bench(data: Path | str | None, echo: Callable[[str], None], sections: Sequence[str] = tuple(SECTIONS),
              videos: Sequence[str] = VIDEOS, quick: bool = False, cache: Path | None = None) -> dict[str, Any]:
    """Build the inputs from ``data`` (the ``--data`` folder), run ``sections`` (names in
    :data:`SECTIONS`) in registry order on ``videos`` (names in :data:`VIDEOS`), print
    through ``echo`` as it goes, and return every figure (JSON-ready), keyed by section.

    Raises :class:`~attendance.core.errors.AttendanceError` for a missing input folder or a
    measured child process that failed.
    """
    data = data_folder(data)
    results: dict[str, Any] = {"started": datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
                               "cpus": os.cpu_count(), "python": platform.python_version(), "load_start": load_average()}
    echo(f"attendance bench{' --quick' if quick else ''}: {results['started']}, {os.cpu_count()} cores, "
         f"Python {results['python']}, {report.load_text()}")
    t0 = time.perf_counter()
    inputs = build_inputs(data, quick=quick, cache=cache) if set(sections) - OWN_INPUTS else None
    if inputs is not None:
        echo(f"inputs ready in {time.perf_counter() - t0:.1f} s (cached under {inputs.clip_home.parent}): clip {inputs.clip.name}; "
             f"class video {inputs.class_video.name} ({inputs.class_duration_s:g} s at {inputs.class_fps:g} fps; "
             f"enrolled from people/: {', '.join(inputs.class_expected)} + rose leslie, who never appears; plus one stranger enrolled nowhere)")
    bench = Bench(inputs, quick, list(videos), echo, data)  # type: ignore[arg-type]  # None only when no section reads it
    for name, section in SECTIONS.items():
        if name in sections:
            results[name] = section(bench)
    results["load_end"] = load_average()
    results["total_s"] = round(time.perf_counter() - t0, 1)
    echo(f"\nbench finished in {results['total_s']:.0f} s; {report.load_text()} (start: {' '.join(map(str, results['load_start']))})")
    return results


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> dicts (dropping captured stdout/stderr), for ``--json``."""
    if hasattr(value, "__dataclass_fields__"):
        data = asdict(value)
        return to_jsonable(data)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items() if k not in ("stdout", "stderr", "updates")}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value
