"""Students walking in, filmed at 1280x720 and 15 fps: speed and CPU of a walk-in session.

The benchmark's walking-in class (4 enrolled students entering one after another, then a
stranger; 42 s) drawn again at 1280x720 and 15 fps, a webcam's usual picture, with faces
of 100-130 px.  Runs ``attendance run --headless`` defaults, as fast as it can and
``--realtime`` (the bench's measured child process), and prints one line each: who was
marked, speed (x real time), CPU cores, against the targets (>= 3x real time flat out,
<= 0.6 cores at a camera's pace).  (No classic loop here: at ~0.9 s a 720p frame it
would take ten minutes; the classic loops run on the same class at 640x360 in ``attendance
bench --sections loops``.)

    .venv/bin/python benchmarks/walkin_720p.py --data ../shared/data [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from attendance.bench import DATA_ENV
from attendance.bench.inputs import CLASS_ACTORS, build_inputs, cache_dir, walking_in_video
from attendance.bench.loops import run_app
from attendance.core.errors import AttendanceError

SIZE, FPS = (1280, 720), 15.0
#: Targets: flat out at least this many times real time; at a camera's pace at most this many cores.
FAST_X, REALTIME_CORES = 3.0, 0.6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get(DATA_ENV), help=f"the shared data folder (default: ${DATA_ENV})")
    parser.add_argument("--cache", type=Path, default=None, help="where homes and videos are kept (default: the bench's cache)")
    args = parser.parse_args()
    try:
        inputs = build_inputs(args.data, cache=args.cache)
    except AttendanceError as exc:
        parser.error(str(exc))
    video = walking_in_video(inputs.data, CLASS_ACTORS, inputs.class_duration_s, FPS, SIZE,
                             (args.cache or cache_dir()) / f"walkin-{SIZE[0]}x{SIZE[1]}-{inputs.class_duration_s:g}s-{FPS:g}fps.mp4")
    expected = sorted(inputs.class_expected)
    print(f"walk-in class at {SIZE[0]}x{SIZE[1]}, {FPS:g} fps, {inputs.class_duration_s:g} s: {video}; expected {', '.join(expected)}")
    for realtime in (False, True):
        run = run_app(video, inputs.class_home, "walk-in 720p", realtime=realtime)
        speed, cores = inputs.class_duration_s / run.proc.wall_s, run.proc.cpu_s / run.proc.wall_s
        target = f"cores <= {REALTIME_CORES:g}: {'PASS' if cores <= REALTIME_CORES else 'FAIL'}" if realtime else \
            f">= {FAST_X:g}x real time: {'PASS' if speed >= FAST_X else 'FAIL'}"
        marks = "; ".join(f"{m.name} ({m.second:.1f} s)" for m in run.marks)
        print(f"{'--realtime' if realtime else 'defaults'}: marked {marks}; correct: {'yes' if run.marked == expected else 'NO'}; "
              f"wall {run.proc.wall_s:.1f} s ({speed:.2f}x real time), CPU {run.proc.cpu_s:.1f} s ({cores:.2f} cores), "
              f"PSS {run.proc.peak_pss_mb:.0f} MiB, {run.analysed} of {run.frames} frames analysed; target {target}", flush=True)


if __name__ == "__main__":
    main()
