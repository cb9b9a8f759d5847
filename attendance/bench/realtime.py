"""Section ``realtime``: the app playing a video at its own frame rate (``--realtime``), as from
a camera; how long after a student is clearly visible the mark is made, and whether the
display ever waits on recognition (the largest gap between displayed frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from attendance.bench.inputs import video_info
from attendance.bench.loops import LoopRun, run_app


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


def first_clearly_visible(frames: Sequence[int], fps: float, needed: int, window_s: float = 0.5) -> int | None:
    """The first of ``frames`` (sorted frame indices where the classic loop matched a
    person under the app's tolerance) that starts ``needed`` such matches within
    ``window_s`` seconds: from there the person is *clearly* visible.  Isolated matches,
    such as two frames of a 50 px face at 0.49 among a dozen at 0.51-0.59, are not."""
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
