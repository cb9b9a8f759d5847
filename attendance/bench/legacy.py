"""Measurements behind ``attendance bench``: this app side by side with the classic loops.

Every loop runs in its own fresh process, launched and watched from outside the same
way, so the figures compare like with like:

* ``wall_s``: launch to exit of the process (Python start-up and imports included);
  ``loop_s``: the loop's own time as it reports it (classic: the frame loop, after
  ``import face_recognition``; app: ``LiveSession.run``, worker start-up included);
* ``cpu_s``: user + system CPU of the process *and all its worker processes*
  (``getrusage(RUSAGE_CHILDREN)`` before/after; workers are joined before the child
  exits, so their time is included);
* memory: the process tree (main + workers) is sampled every ~40 ms with psutil; the
  peak of the summed RSS, each process's own peak RSS, and the peak of the summed PSS
  (shared library pages split between the processes that map them) are reported.

The app's child (``python -m attendance.bench.legacy APP_ARGS_JSON``) runs exactly what
``attendance run --headless`` runs — :class:`~attendance.live.session.LiveSession` with the
``run`` command's own option defaults — and reports its summary as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from attendance.core.errors import AttendanceError

log = logging.getLogger(__name__)

#: Repository-relative location of the shared test data (photos and the clip).
SHARED_DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "data"
LIN = "Lin-Manuel Miranda"
ALEX = "Alex Lacamoire"
#: psutil sampling period of a measured process tree, seconds.
SAMPLE_S = 0.04
MIB = 1024.0 * 1024.0


# ----------------------------------------------------------------------------------------
# Watching one process tree from outside
# ----------------------------------------------------------------------------------------
@dataclass
class ProcessStats:
    """One measured process and its descendants.

    ``wall_s``: launch to exit; ``cpu_s``: user+system seconds of the process and its
    reaped descendants; ``peak_rss_mb``: peak of the sampled RSS summed over the tree
    (MiB); ``peak_main_mb``/``peak_workers_mb``: each process's own sampled peak RSS;
    ``peak_pss_mb``/``peak_uss_mb``: peaks of the summed PSS/USS; ``launch_epoch``:
    ``time.time()`` just before launch.
    """

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    peak_main_mb: float
    peak_workers_mb: list[float]
    peak_pss_mb: float
    peak_uss_mb: float
    samples: int
    launch_epoch: float
    returncode: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_process(args: Sequence[str], env: dict[str, str] | None = None, cwd: str | Path | None = None,
                    timeout: float = 1800.0, on_line: Callable[[str, float], None] | None = None) -> ProcessStats:
    """Run ``args`` to completion while sampling its process tree's memory.

    ``on_line(line, seconds_since_launch)`` is called for each stdout line as it
    arrives.  Children of this process must not be reaped concurrently by other threads
    (the CPU figure is a ``RUSAGE_CHILDREN`` difference).
    """
    import psutil

    full_env = {**os.environ, **(env or {})}
    cpu0 = _cpu_children()
    launch_epoch = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env,
                            cwd=str(cwd) if cwd else None, bufsize=1)
    out_lines: list[str] = []
    err_chunks: list[str] = []

    def pump_out() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out_lines.append(line)
            if on_line is not None:
                on_line(line, time.perf_counter() - t0)

    def pump_err() -> None:
        assert proc.stderr is not None
        err_chunks.append(proc.stderr.read())

    readers = [threading.Thread(target=pump_out, daemon=True), threading.Thread(target=pump_err, daemon=True)]
    for r in readers:
        r.start()
    peaks: dict[int, float] = {}
    peak_sum = peak_pss = peak_uss = 0.0
    samples = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            raise TimeoutError(f"{args[0]} ran over {timeout:.0f} s")
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        rss_sum = pss_sum = uss_sum = 0.0
        for p in tree:
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            rss_sum += info.rss
            pss_sum += getattr(info, "pss", info.rss)
            uss_sum += info.uss
            peaks[p.pid] = max(peaks.get(p.pid, 0.0), info.rss / MIB)
        if tree:
            samples += 1
        peak_sum, peak_pss, peak_uss = max(peak_sum, rss_sum / MIB), max(peak_pss, pss_sum / MIB), max(peak_uss, uss_sum / MIB)
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - t0
    for r in readers:
        r.join(10)
    cpu = _cpu_children() - cpu0
    main_peak = peaks.pop(proc.pid, 0.0)
    return ProcessStats(
        wall_s=round(wall, 3), cpu_s=round(cpu, 3), peak_rss_mb=round(peak_sum, 1), peak_main_mb=round(main_peak, 1),
        peak_workers_mb=[round(v, 1) for v in peaks.values()], peak_pss_mb=round(peak_pss, 1), peak_uss_mb=round(peak_uss, 1),
        samples=samples, launch_epoch=launch_epoch, returncode=proc.returncode, stdout="".join(out_lines), stderr="".join(err_chunks),
    )


def _child_error(what: str, stats: ProcessStats) -> AttendanceError:
    last = (stats.stderr.strip().splitlines() or ["no message"])[-1]
    return AttendanceError(f"bench: {what} failed (exit {stats.returncode}): {last}")


# ----------------------------------------------------------------------------------------
# One loop over one video: classic-full, classic-faster, or the app
# ----------------------------------------------------------------------------------------
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
        return sorted(m.name for m in self.marks)


def known_of(home: Path) -> list[tuple[str, np.ndarray]]:
    """The classic loops' ``known`` list from a home's store (the same encodings the app uses)."""
    from attendance.bench.classic import known_from_gallery
    from attendance.roster.store import FaceStore

    return known_from_gallery(FaceStore.load(Path(home) / "known_faces").gallery())


def run_classic_loop(video: Path, home: Path, variant: str, label: str) -> LoopRun:
    """A classic loop (``"full"`` or ``"fast"``) in its own ``python -m attendance.bench.classic`` process."""
    from attendance.bench.classic import DEFAULT_TOLERANCE

    with tempfile.TemporaryDirectory(prefix="bench-known-") as tmp:
        known = known_of(home)
        known_path = Path(tmp) / "known.npz"
        np.savez(known_path, names=np.array([n for n, _ in known], dtype=str),
                 encodings=np.array([e for _, e in known], np.float32).reshape(-1, 128))
        stats = measure_process([sys.executable, "-m", "attendance.bench.classic", str(video), str(known_path), variant, str(DEFAULT_TOLERANCE)])
    if stats.returncode != 0:
        raise _child_error(f"classic {variant} loop", stats)
    data = json.loads(stats.stdout)
    marks = [LoopMark(m["name"], int(m["frame"]), float(m["second"])) for m in data["marks"]]
    name = {"full": "classic-full", "fast": "classic-faster"}[variant]
    return LoopRun(label, name, data["frames"], data["analysed"], data["wall_s"], stats, marks,
                   {"import_s": data["import_s"], "faces": data["faces"], "loop_cpu_s": data["cpu_s"], "ru_maxrss_mb": data["peak_rss_mb"],
                    "sightings": data["sightings"]})


def run_app(video: Path | str, home: Path, label: str, realtime: bool = False, workers: int | None = None,
            on_line: Callable[[str, float], None] | None = None) -> LoopRun:
    """The app's pipeline as ``attendance run --headless`` runs it, in its own process."""
    spec = {"home": str(home), "source": str(video), "realtime": realtime, "workers": workers,
            "session": f"bench-{uuid.uuid4().hex[:10]}"}
    stats = measure_process([sys.executable, "-m", "attendance.bench.legacy", json.dumps(spec)], on_line=on_line)
    if stats.returncode != 0:
        raise _child_error("app session", stats)
    data = json.loads(stats.stdout.strip().splitlines()[-1])
    marks = [LoopMark(m["name"], int(m["frame"]), float(m["second"])) for m in data["marks"]]
    extra = {k: data[k] for k in ("first_result_s", "max_frame_gap_s", "frames_dropped", "updates", "mark_times",
                                   "run_start_epoch", "workers", "self_cpu_s", "workers_cpu_s", "ru_maxrss_worker_mb", "config")}
    return LoopRun(label, "app" + (" realtime" if realtime else ""), data["frames_read"], data["frames_analysed"], data["wall_s"],
                   stats, marks, extra)


def _app_child(spec: dict[str, Any]) -> int:
    """Child entry: run one session like ``attendance run --headless``; print the summary as JSON."""
    from attendance.core.home import Home
    from attendance.live.session import LiveSession, SessionConfig

    # The defaults of SessionConfig are the defaults of `attendance run`.
    config = SessionConfig(realtime=bool(spec["realtime"]))
    if spec.get("workers") is not None:
        config = replace(config, workers=int(spec["workers"]))
    live = LiveSession(Home(Path(spec["home"])), spec["source"], spec["session"], config)
    updates: list[tuple[int, float]] = []
    mark_times: dict[str, float] = {}
    t0 = time.perf_counter()
    start_epoch = time.time()

    def on_update(update: Any) -> None:
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
        "config": {"min_face_px": config.min_face_px, "analysis_fps": config.analysis_fps, "tolerance": config.policy.tolerance,
                   "margin": config.policy.margin, "sightings": config.policy.min_sightings, "realtime": config.realtime},
    }))
    return 0


# ----------------------------------------------------------------------------------------
# Inputs: enrolled homes and the synthetic class video (cached)
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """Everything the benchmark runs on.  ``class_expected``: names a correct run marks."""

    clip: Path
    clip_home: Path
    class_video: Path
    class_home: Path
    class_expected: tuple[str, ...]
    class_duration_s: float
    class_fps: float


#: (name in the video, photo under shared/data, face index) of the class video's actors;
#: enrolled from ``people/<folder>`` with a *different* photo.  Rose Leslie is enrolled but
#: never appears; the stranger (the third face of obama_and_biden.jpg) is enrolled nowhere.
CLASS_ACTORS = (
    ("obama", "probes/obama1.jpg", 0),
    ("biden", "probes/obama_and_biden.jpg", 2),
    ("alex_lacamoire", "probes/alex_lacamoire1.jpg", 0),
    ("kit_harington", "probes/johnsnow_test1.jpg", 0),
)
CLASS_STRANGER = ("probes/obama_and_biden.jpg", 1)
#: ``--quick``: fewer actors, so each stays in view long enough in a short video.
QUICK_ACTORS = (CLASS_ACTORS[0], CLASS_ACTORS[2])
#: Class video (duration s, fps): full run and ``--quick``.
FULL_CLASS = (42.0, 10.0)
QUICK_CLASS = (6.0, 4.0)
#: ``--quick`` uses only these frames of the shared clip (first, stop): Lin large on stage.
QUICK_CLIP = (85, 145)


def cache_dir() -> Path:
    """Where built inputs are kept between runs: ``$TMPDIR/attendance-bench``."""
    path = Path(tempfile.gettempdir()) / "attendance-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _enroll_clip_home(shared: Path, home: Path) -> Path:
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_photo

    if not (home / "known_faces" / "gallery.npz").exists():
        h = Home(home).ensure()
        enroll_photo(h.known_faces, shared / "photos" / "lin-manuel-miranda.png", LIN, "S0001")
        enroll_photo(h.known_faces, shared / "photos" / "alex-lacamoire.png", ALEX, "S0002")
    return home


def _enroll_class_home(shared: Path, home: Path) -> Path:
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_folder

    if not (home / "known_faces" / "gallery.npz").exists():
        h = Home(home).ensure()
        failed = [o for o in enroll_folder(h.known_faces, shared / "people") if not o.ok]
        if failed:
            raise AttendanceError(f"bench: enrolling the class home failed: {failed[0].message}")
    return home


def trimmed_clip(clip: Path, out: Path, first: int, stop: int) -> Path:
    """Frames ``first``..``stop - 1`` of ``clip`` re-encoded to ``out`` (cached), same frame rate."""
    from attendance.core.deps import require
    from attendance.demo.synthvideo import FOURCC

    if out.exists():
        return out
    cv2 = require("cv2")
    capture = cv2.VideoCapture(str(clip))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    tmp = out.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*FOURCC), fps, size)
    try:
        index = 0
        while index < stop:
            ok, frame = capture.read()
            if not ok:
                break
            if index >= first:
                writer.write(frame)
            index += 1
    finally:
        writer.release()
        capture.release()
    tmp.replace(out)
    return out


def build_inputs(shared: Path = SHARED_DEFAULT, quick: bool = False, cache: Path | None = None) -> Inputs:
    """Enroll the two homes and write the class video, reusing earlier ones from ``cache``.

    ``quick`` mode uses a shorter class video (``QUICK_CLASS`` instead of ``FULL_CLASS``)
    and only frames ``QUICK_CLIP`` of the shared clip.
    """
    from attendance.core.names import name_from_filename
    from attendance.demo.synthvideo import make_class_video, staggered_actors

    shared = Path(shared)
    clip = shared / "video" / "short_hamilton_clip.mp4"
    if not clip.is_file():
        raise AttendanceError(f"{clip}: the shared clip is missing (the benchmark needs ../shared/data beside the checkout, or --shared DIR)")
    cache = Path(cache) if cache else cache_dir()
    clip_home = _enroll_clip_home(shared, cache / "home-lin-alex")
    class_home = _enroll_class_home(shared, cache / "home-class")
    if quick:
        clip = trimmed_clip(clip, cache / f"clip-{QUICK_CLIP[0]}-{QUICK_CLIP[1]}.mp4", *QUICK_CLIP)
    duration, fps = QUICK_CLASS if quick else FULL_CLASS
    cast = QUICK_ACTORS if quick else CLASS_ACTORS
    names = [name_from_filename(folder) for folder, _, _ in cast]
    video = cache / f"class-{len(cast)}p-{duration:g}s-{fps:g}fps.mp4"
    if not video.exists():
        actors = staggered_actors([shared / p for _, p, _ in cast], duration, unknown=shared / CLASS_STRANGER[0], names=names)
        indices = [i for _, _, i in cast] + [CLASS_STRANGER[1]]
        actors = [replace(a, face_index=i) for a, i in zip(actors, indices)]
        tmp = video.with_suffix(".part.mp4")
        make_class_video(tmp, actors, duration, fps=fps, seed=7)
        tmp.replace(video)
    return Inputs(clip, clip_home, video, class_home, tuple(sorted(names)), duration, fps)


# ----------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """The three loops on one input, and whether the app marked the same people as classic-full."""

    input: str
    runs: list[LoopRun]
    expected: list[str] | None = None

    def run(self, loop: str) -> LoopRun:
        return next(r for r in self.runs if r.loop == loop)

    @property
    def same_marks(self) -> bool:
        return self.run("app").marked == self.run("classic-full").marked


def compare_loops(label: str, video: Path, home: Path, expected: Sequence[str] | None = None,
                  loops: Sequence[str] = ("classic-full", "classic-faster", "app")) -> Comparison:
    """Run the chosen loops one after another on ``video`` with ``home``'s enrolled people.

    ``"app-1worker"`` is the app with one analysis process instead of the default.
    """
    runs = []
    for loop in loops:
        log.info("bench: %s on %s", loop, label)
        if loop == "app":
            runs.append(run_app(video, home, label))
        elif loop == "app-1worker":
            runs.append(replace(run_app(video, home, label, workers=1), loop=loop))
        else:
            runs.append(run_classic_loop(video, home, "full" if loop == "classic-full" else "fast", label))
    return Comparison(label, runs, sorted(expected) if expected is not None else None)


@dataclass
class Latency:
    """Realtime latency of one person.

    ``visible_frame``: the first frame in which the person is *clearly visible*: the
    classic full-resolution loop matches them there, and in as many frames as the app
    needs sightings within the next 0.5 s, at a distance under the app's tolerance (see
    :func:`first_clearly_visible`; ``first_match_frame``: its first match at its own
    looser 0.6, which may be a face too small to tell people apart, like Lin's 50 px face
    at 0.49-0.59 in the clip's first half second);
    ``seconds``: media time from ``visible_frame`` to the frame on screen when the mark
    was made (frames are played at their own rate, so this is the wall-clock delay a
    viewer sees, dropped frames included); ``mark_frame``: the frame of the sighting the
    app's mark names; ``pipeline_s``: wall time from that frame being shown to the mark
    (the recognition delay alone).  ``None``: never marked.
    """

    name: str
    visible_frame: int
    first_match_frame: int
    seconds: float | None
    mark_frame: int | None
    pipeline_s: float | None


@dataclass
class Realtime:
    """A ``--realtime`` run, its latencies, and the video's own frame rate (``media_fps``)."""

    input: str
    run: LoopRun
    latencies: list[Latency]
    media_fps: float


def video_info(path: Path) -> tuple[int, float]:
    """``(frame count, frames per second)`` of a video file, as OpenCV reports them."""
    from attendance.core.deps import require

    cv2 = require("cv2")
    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
    finally:
        capture.release()


def video_duration(path: Path) -> float:
    """Length of a video file in seconds."""
    frames, fps = video_info(path)
    return frames / fps if fps > 0 else 0.0


def first_clearly_visible(frames: Sequence[int], fps: float, needed: int, window_s: float = 0.5) -> int | None:
    """The first of ``frames`` (sorted frame indices where the classic loop matched a
    person under the app's tolerance) that starts ``needed`` such matches within
    ``window_s`` seconds: from there the person is *clearly* visible.  Isolated matches,
    such as two frames of a 50 px face at 0.49 among a dozen at 0.52-0.59, are not."""
    span = window_s * fps
    for i, f in enumerate(frames):
        if i + needed - 1 < len(frames) and frames[i + needed - 1] - f < span:
            return f
    return None


def realtime_latency(label: str, video: Path, home: Path, classic_full: LoopRun) -> Realtime:
    """Play ``video`` at its own speed; time from first clear visibility to each mark."""
    fps = video_info(video)[1] or 30.0
    run = run_app(video, home, label, realtime=True)
    shown: list[tuple[int, float]] = [(int(i), float(t)) for i, t in run.extra["updates"]]
    marks = {m.name: m for m in run.marks}
    tolerance = float(run.extra["config"]["tolerance"])
    out = []
    for first in classic_full.marks:
        clear = first_clearly_visible([f for n, f, d in classic_full.extra["sightings"] if n == first.name and d < tolerance],
                                      fps, int(run.extra["config"]["sightings"]))
        clear = first.frame if clear is None else clear
        marked_at = run.extra["mark_times"].get(first.name)
        mark = marks.get(first.name)
        if marked_at is None or mark is None:
            out.append(Latency(first.name, clear, first.frame, None, None, None))
            continue
        on_screen = next(i for i, t in shown if t >= marked_at)
        sighting_shown = next((t for i, t in shown if i >= mark.frame), marked_at)
        out.append(Latency(first.name, clear, first.frame, round((on_screen - clear) / fps, 3), mark.frame,
                           round(marked_at - sighting_shown, 3)))
    return Realtime(label, run, out, fps)


@dataclass
class MatchScale:
    """``size`` enrolled encodings: median ``match_ms`` for one face, median ``load_s`` of
    what a session loads (``FaceStore.load_gallery``), median ``gallery_s`` of the full
    roster load (``FaceStore.load`` + ``gallery()``, used by roster tools), file size."""

    size: int
    match_ms: float
    match_p95_ms: float
    load_s: float
    gallery_s: float
    save_s: float
    file_mb: float


def real_encoding_norm(home: Path) -> float:
    """Mean L2 norm of a home's real (dlib) encodings."""
    known = known_of(home)
    return float(np.mean([np.linalg.norm(e) for _, e in known]))


def synthetic_people(n: int, norm: float, seed: int = 0, prefix: str = "Synthetic") -> list[Any]:
    """``n`` store :class:`~attendance.roster.store.Person` rows with random encodings of L2 norm ``norm``.

    Directions are uniform on the 128-d sphere (Gaussian, normalised), then scaled to the
    norm real encodings have; each person has one photo record, as after ``enroll``.
    """
    from attendance.roster.store import Person, Photo, now_iso

    rng = np.random.default_rng(seed)
    enc = rng.standard_normal((n, 128)).astype(np.float32)
    enc *= (norm / np.linalg.norm(enc, axis=1))[:, None]
    stamp = now_iso()
    return [
        Person(id=f"X{i:06d}", name=f"{prefix} {i:06d}", key=f"{i:016x}", enrolled=stamp,
               photos=[Photo(f"synthetic_{i:06d}.jpg", f"{i:064x}", stamp)], encodings=enc[i : i + 1])
        for i in range(n)
    ]


def matching_scale(sizes: Sequence[int], norm: float, repeats: int = 200, load_repeats: int = 5) -> list[MatchScale]:
    """Time ``Gallery.match`` of one face and ``FaceStore`` save/load at each gallery size."""
    from attendance.roster.store import FaceStore

    out = []
    rng = np.random.default_rng(1)
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            store = FaceStore(Path(tmp) / "known_faces", synthetic_people(size, norm))
            t = time.perf_counter()
            store.save()
            save_s = time.perf_counter() - t
            loads, galleries = [], []
            for _ in range(load_repeats):
                t = time.perf_counter()
                gallery = FaceStore.load_gallery(store.folder)
                t1 = time.perf_counter()
                FaceStore.load(store.folder).gallery()
                galleries.append(time.perf_counter() - t1)
                loads.append(t1 - t)
            assert len(gallery.encodings) == size
            query = rng.standard_normal((repeats + 5, 128)).astype(np.float32)
            query *= (norm / np.linalg.norm(query, axis=1))[:, None]
            times = []
            for i in range(repeats + 5):
                t = time.perf_counter()
                gallery.match(query[i : i + 1])
                times.append(time.perf_counter() - t)
            times = times[5:]  # warm-up
            out.append(MatchScale(size, round(statistics.median(times) * 1000, 3), round(float(np.percentile(times, 95)) * 1000, 3),
                                  round(statistics.median(loads), 3), round(statistics.median(galleries), 3), round(save_s, 3),
                                  round(store.path.stat().st_size / MIB, 1)))
    return out


@dataclass
class EnrollSpeed:
    """Bulk enrollment of ``photos`` photos with ``workers`` processes (``attendance enroll DIR``)."""

    workers: int
    photos: int
    added: int
    proc: ProcessStats

    @property
    def photos_per_s(self) -> float:
        return self.photos / self.proc.wall_s


#: Single photos added to the people/ folders for the enrollment benchmark (one person each).
ENROLL_EXTRA = ("obama3.jpg", "obama-1080p.jpg", "obama-240p.jpg", "biden.jpg", "lin-manuel-miranda.png", "alex-lacamoire.png")


def enrollment_speed(shared: Path, worker_counts: Sequence[int] = (1, 2), extra: Sequence[str] = ENROLL_EXTRA,
                     jitters: int = 10) -> list[EnrollSpeed]:
    """``attendance enroll DIR --workers N --jitters J`` into a fresh temp home, for each N:
    the shared people/ folders plus a few photos/ files (symbolic links in a temp folder)."""
    from attendance.roster.enroll import plan_folder

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-enroll-") as tmp:
        src = Path(tmp) / "photos"
        src.mkdir()
        for person in sorted((shared / "people").iterdir()):
            if person.is_dir():
                (src / person.name).symlink_to(person.resolve())
        for name in extra:
            (src / f"photo_{Path(name).stem.replace('-', '_')}{Path(name).suffix}").symlink_to((shared / "photos" / name).resolve())
        photos = len(plan_folder(src)[0])
        for workers in worker_counts:
            home = Path(tmp) / f"home{workers}"
            stats = measure_process([sys.executable, "-m", "attendance", "--home", str(home), "enroll", str(src), "--workers", str(workers),
                                    "--jitters", str(jitters)],
                                    env={"TQDM_DISABLE": "1"})
            if stats.returncode != 0:
                raise _child_error(f"attendance enroll --workers {workers}", stats)
            found = re.search(r"(\d+) added", stats.stdout)
            added = int(found.group(1)) if found else 0
            out.append(EnrollSpeed(workers, photos, added, stats))
    return out


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


def big_home(shared: Path, cache: Path, extra_people: int, norm: float) -> Path:
    """A home with Lin-Manuel Miranda (real photo) plus ``extra_people`` synthetic people."""
    from attendance.core.home import Home
    from attendance.roster.enroll import enroll_photo
    from attendance.roster.store import FaceStore

    home = cache / f"home-lin-plus-{extra_people}"
    if not (home / "known_faces" / "gallery.npz").exists():
        shutil.rmtree(home, ignore_errors=True)
        h = Home(home).ensure()
        enroll_photo(h.known_faces, shared / "photos" / "lin-manuel-miranda.png", LIN, "S0001")
        with FaceStore.edit(h.known_faces) as store:
            store.people.extend(synthetic_people(extra_people, norm, seed=3))
    return home


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
        raise _child_error("attendance run", cli)
    return Startup(enrolled, launch_to_first, round(first_mark[0], 3) if first_mark else None, cli, app)


# ----------------------------------------------------------------------------------------
# Where the time goes: the pipeline in-process (workers=0) with per-stage timers
# ----------------------------------------------------------------------------------------
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
    timers.wrap(session_mod.Analyzer, "submit", "analyse (detect + encode + colour convert)")
    profiler = cProfile.Profile()
    try:
        from attendance.live.session import LiveSession, SessionConfig

        live = LiveSession(Home(home), str(video), f"bench-{uuid.uuid4().hex[:10]}", SessionConfig(workers=0))
        profiler.enable()
        summary = live.run(lambda update: None)
        profiler.disable()
    finally:
        session_mod.open_source = original_open
        timers.restore()
    stats = pstats.Stats(profiler)
    rows = []
    for (path, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = func if path == "~" else f"{Path(path).name}:{line}({func})"
        rows.append((where, nc, round(tt, 3), round(ct, 3)))
    rows.sort(key=lambda r: -r[2])
    stages = {k: (round(v[0], 3), int(v[1])) for k, v in timers.totals.items()}
    return Profile(label, round(summary.wall_s, 3), summary.frames_read, summary.frames_analysed, stages, round(decode_only, 3), rows[:top_n],
                   [m.name for m in summary.marks_this_run])


def load_average() -> tuple[float, float, float]:
    """``os.getloadavg()`` rounded (1, 5, 15 minutes)."""
    return tuple(round(v, 2) for v in os.getloadavg())  # type: ignore[return-value]


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


if __name__ == "__main__":
    sys.exit(_app_child(json.loads(sys.argv[1])))
