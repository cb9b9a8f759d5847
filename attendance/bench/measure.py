"""Watching one process tree from outside: wall time, CPU time and memory of a command.

Every loop the benchmark compares runs in its own fresh process, launched and watched
the same way, so the figures compare like with like:

* ``wall_s``: launch to exit of the process (Python start-up and imports included);
* ``cpu_s``: user + system CPU of the process *and all its worker processes*
  (``getrusage(RUSAGE_CHILDREN)`` before/after; workers are joined before the child
  exits, so their time is included);
* memory: the process tree (main + workers) is sampled every :data:`SAMPLE_S` seconds
  with psutil; the peak of the summed RSS, each process's own peak RSS, and the peak of
  the summed PSS (shared library pages split between the processes that map them) are
  reported, in MiB.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from attendance.core.errors import AttendanceError

#: psutil sampling period of a measured process tree, seconds.
SAMPLE_S = 0.04
#: Bytes per MiB.
MIB = 1024.0 * 1024.0


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


def child_error(what: str, stats: ProcessStats) -> AttendanceError:
    """The one-line error for a measured child that failed: its exit status and last stderr line."""
    last = (stats.stderr.strip().splitlines() or ["no message"])[-1]
    return AttendanceError(f"bench: {what} failed (exit {stats.returncode}): {last}")


def load_average() -> tuple[float, float, float]:
    """``os.getloadavg()`` rounded (1, 5, 15 minutes)."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)
