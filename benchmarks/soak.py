"""Long-run memory soak: a simulated hour of class video through the real pipeline.

Builds an hour-long file by looping the shared clip with ffmpeg (stream copy, no
re-encoding), runs a headless session on it as fast as possible, and prints the
resident memory of the main process and of the recognition workers at 1, 10 and 60
minutes of video.

    .venv/bin/python benchmarks/soak.py --data ../shared/data [--minutes 60] [--analysis-fps 2]

``--data`` (or ``$ATTENDANCE_DATA``, like ``attendance bench``) names the shared data folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

import attendance
from attendance.bench import DATA_ENV
from attendance.bench.inputs import CLIP, data_folder
from attendance.core.errors import AttendanceError
from attendance.live.config import SessionConfig
from attendance.live.session import SessionUpdate

CHECKPOINTS_MIN = (1, 10, 60)


def long_video(clip: Path, minutes: float, workdir: Path) -> Path:
    """``minutes`` of video made by looping ``clip`` (the shared clip: 9.2 s) without re-encoding."""
    loops = int(minutes * 60 / 9.17) + 1
    out = workdir / f"loop_{minutes:g}min.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", str(clip), "-c", "copy", str(out)], check=True)
    return out


def rss_mb() -> tuple[float, list[float]]:
    """Resident memory (MB) of this process and of each child process."""
    me = psutil.Process()
    children = [c.memory_info().rss / 1e6 for c in me.children(recursive=True) if c.is_running()]
    return me.memory_info().rss / 1e6, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get(DATA_ENV), help=f"the shared data folder (default: ${DATA_ENV})")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--analysis-fps", type=float, default=2.0)
    args = parser.parse_args()
    try:
        data = data_folder(args.data)
    except AttendanceError as exc:
        parser.error(str(exc))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = long_video(data / CLIP, args.minutes, work)
        home = attendance.Home(work / "home")
        attendance.enroll(home, data / "photos" / "lin-manuel-miranda.png", name="Lin-Manuel Miranda", jitters=1)
        attendance.enroll(home, data / "photos" / "alex-lacamoire.png", name="Alex Lacamoire", jitters=1)
        checkpoints = [c for c in CHECKPOINTS_MIN if c <= args.minutes] or [args.minutes]
        peaks = {"main": 0.0, "workers": 0.0}
        started = time.perf_counter()

        def on_update(update: SessionUpdate) -> None:
            if update.frame.index % 300:
                return
            main_mb, workers = rss_mb()
            peaks["main"] = max(peaks["main"], main_mb)
            peaks["workers"] = max(peaks["workers"], sum(workers))
            if checkpoints and update.frame.media_time >= checkpoints[0] * 60:
                minute = checkpoints.pop(0)
                print(f"{minute:>4g} min of video: main {main_mb:6.1f} MB, workers {' + '.join(f'{w:.1f}' for w in workers)} MB, "
                      f"total {main_mb + sum(workers):6.1f} MB; peak main {peaks['main']:.1f} MB, peak workers {peaks['workers']:.1f} MB; "
                      f"wall {time.perf_counter() - started:6.1f} s", flush=True)

        summary = attendance.run_session(home, video, session="soak", config=SessionConfig(analysis_fps=args.analysis_fps),
                                         on_update=on_update)
        print(f"{summary.frames_read} frames, {summary.frames_analysed} analysed, {summary.wall_s:.0f} s; "
              f"marks: {[m.name for m in summary.marks_this_run]}")
        shutil.rmtree(work / "home", ignore_errors=True)


if __name__ == "__main__":
    main()
