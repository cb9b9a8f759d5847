"""Section ``class``: a whole seated class in one wide shot (1920x1080 and 1280x720), side by side.

The input is :mod:`attendance.demo.classroom`'s seated class built from the input
folder's ``class/`` (and ``people/``): 35 enrolled, 20 of them seated among 4 strangers,
sitting down over the first 10 s, back-row faces 44 px, at each of :data:`CLASS_SIZES`.
Three loops run on each, each in its own measured process: face_recognition's classic full-resolution loop on every 5th
frame (a 1080p frame costs it seconds), this app with its defaults as fast as it can,
and this app with ``--realtime``.  For each: students marked of those present, false
marks (a stranger or an absent student), wall time against the video's length, CPU
cores in use on average, and each student's delay from sitting down to being marked,
counted two ways: from the moment the student comes into view to sit down (the target's,
the stricter) and from the moment they are seated, ``SIT_S`` later.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from attendance.bench.loops import LoopRun, run_app, run_classic_loop
from attendance.demo.classroom import SIT_S, ClassScene

#: The class video's sizes (width, height), each a row group of the section (``--quick``: the first only),
#: its seconds and frames per second (``--quick``: shorter).
CLASS_SIZES = ((1920, 1080), (1280, 720))
CLASS_VIDEO = (30.0, 15.0)
QUICK_CLASS_VIDEO = (12.0, 15.0)
#: The classic loop analyses every this many-th frame.
CLASSIC_EVERY = 5


@dataclass(frozen=True)
class SeatedInput:
    """The seated class video, the home its cast is enrolled in, and the truth about it:
    ``present`` (enrolled and in view), ``seated_at`` (media second each is seated), ``size`` (width, height) of the frames."""

    video: Path
    home: Path
    present: tuple[str, ...]
    strangers: tuple[str, ...]
    enrolled: int
    seated_at: dict[str, float]
    duration_s: float
    fps: float
    size: tuple[int, int] = CLASS_SIZES[0]


def seated_input(data: Path, cache: Path, quick: bool = False, size: tuple[int, int] = CLASS_SIZES[0]) -> SeatedInput:
    """Build (or reuse from ``cache``) the seated class video and its enrolled home."""
    from attendance.core.home import Home
    from attendance.demo.classroom import enroll_scene, seated_class, shared_cast

    duration, fps = QUICK_CLASS_VIDEO if quick else CLASS_VIDEO
    folder = cache / f"seated-{size[0]}x{size[1]}-{duration:g}s"
    facts = folder / "scene.json"
    if not facts.exists():
        folder.mkdir(parents=True, exist_ok=True)
        scene = seated_class(shared_cast(data), size, duration, fps, sit_window_s=min(10.0, duration / 2))
        scene.write(folder / "class.part.mp4").replace(folder / "class.mp4")
        home = Home(folder / "home").ensure()
        enroll_scene(scene, home.known_faces)
        write_facts(scene, duration, fps, facts)
    return read_input(folder, size)


def write_facts(scene: ClassScene, duration_s: float, fps: float, facts: Path) -> None:
    """Save the truth about ``scene`` (who is present, a stranger, seated when) to ``facts`` (JSON)."""
    facts.write_text(json.dumps({"present": scene.present, "strangers": scene.strangers, "enrolled": len(scene.enrolled),
                                 "seated_at": scene.seated_at, "duration_s": duration_s, "fps": fps}), encoding="utf-8")


def read_input(folder: Path, size: tuple[int, int]) -> SeatedInput:
    """The class video ``folder/class.mp4``, its home ``folder/home`` and the truth saved by :func:`write_facts`."""
    info = json.loads((folder / "scene.json").read_text(encoding="utf-8"))
    return SeatedInput(folder / "class.mp4", folder / "home", tuple(info["present"]), tuple(info["strangers"]), int(info["enrolled"]),
                       {k: float(v) for k, v in info["seated_at"].items()}, float(info["duration_s"]), float(info["fps"]), size)


@dataclass
class SeatedRun:
    """One loop on the seated class: ``marked`` of the present, ``false_marks`` (anyone
    else marked), ``speed`` (seconds of video per second of process wall time), ``cores``
    (CPU seconds per wall second, workers included), ``delays`` (seconds of video from
    the moment the student comes into view to sit down, ``SIT_S`` before being seated, to
    the mark), ``per_frame_s`` (the loop's wall time per analysed frame)."""

    loop: str
    run: LoopRun
    marked: list[str]
    missed: list[str]
    false_marks: list[str]
    speed: float
    cores: float
    delays: dict[str, float] = field(default_factory=dict)
    per_frame_s: float = 0.0

    @property
    def median_delay(self) -> float | None:
        """Median delay from coming into view, media seconds (the target's)."""
        return statistics.median(self.delays.values()) if self.delays else None

    @property
    def max_delay(self) -> float | None:
        """Longest delay from coming into view, media seconds."""
        return max(self.delays.values()) if self.delays else None

    @property
    def seated_delays(self) -> dict[str, float]:
        """Delays counted from the moment each student is seated (``SIT_S`` after coming into view)."""
        return {n: round(d - SIT_S, 2) for n, d in self.delays.items()}

    @property
    def median_seated_delay(self) -> float | None:
        return statistics.median(self.seated_delays.values()) if self.delays else None

    @property
    def max_seated_delay(self) -> float | None:
        return max(self.seated_delays.values()) if self.delays else None


@dataclass
class SeatedBench:
    """The ``class`` section's figures on one video size."""

    input: SeatedInput
    runs: list[SeatedRun]

    @property
    def classic(self) -> SeatedRun | None:
        """The classic loop's run, if it ran."""
        return next((r for r in self.runs if r.loop.startswith("classic")), None)

    def per_frame_ratio(self, run: SeatedRun) -> float | None:
        """How many times less wall time ``run`` spends per analysed frame than the classic loop."""
        classic = self.classic
        if classic is None or run is classic or not run.per_frame_s:
            return None
        return round(classic.per_frame_s / run.per_frame_s, 1)


def _mark_media_times(run: LoopRun, fps: float) -> dict[str, float]:
    """Media second of the frame on screen when each student was marked (app runs), or of
    the frame the mark was made on (classic)."""
    if "mark_times" not in run.extra:
        return {m.name: m.second for m in run.marks}
    shown = [(int(i), float(t)) for i, t in run.extra["updates"]]
    out = {}
    for name, at in run.extra["mark_times"].items():
        frame = next((i for i, t in shown if t >= at), shown[-1][0] if shown else 0)
        out[name] = frame / fps
    return out


def judge(loop: str, run: LoopRun, truth: SeatedInput) -> SeatedRun:
    """Score ``run`` against what is in the video."""
    present = set(truth.present)
    marked = sorted(set(run.marked) & present)
    times = _mark_media_times(run, truth.fps)
    delays = {n: round(times[n] - (truth.seated_at[n] - SIT_S), 2) for n in marked if n in times}
    wall = run.proc.wall_s
    return SeatedRun(loop, run, marked, sorted(present - set(marked)), sorted(set(run.marked) - present),
                     round(truth.duration_s / wall, 3) if wall else 0.0, round(run.proc.cpu_s / wall, 2) if wall else 0.0, delays,
                     round(run.loop_s / run.analysed, 3) if run.analysed else 0.0)


def seated_class_bench(truth: SeatedInput, quick: bool = False) -> SeatedBench:
    """The three loops on one seated class video (quick: without the classic loop)."""
    runs = []
    if not quick:
        runs.append(judge(f"classic-full, every {CLASSIC_EVERY}th frame",
                          run_classic_loop(truth.video, truth.home, "classic-full", "class", every=CLASSIC_EVERY), truth))
    runs.append(judge("app (defaults, as fast as it can)", run_app(truth.video, truth.home, "class"), truth))
    runs.append(judge("app --realtime", run_app(truth.video, truth.home, "class", realtime=True), truth))
    return SeatedBench(truth, runs)
