"""Scoring of the benchmark's seated-class section (no processes run)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from attendance.bench.loops import LoopMark, LoopRun
from attendance.bench.measure import ProcessStats
from attendance.bench.report import seated
from attendance.bench.seated import SeatedBench, SeatedInput, judge
from attendance.demo.classroom import SIT_S


def test_marks_false_marks_speed_cores_and_delays_are_scored_against_the_video() -> None:
    truth = SeatedInput(Path("class.mp4"), Path("home"), ("ann", "bob", "cy"), ("stranger",), 5, {"ann": 3.2, "bob": 5.2, "cy": 7.2},
                        duration_s=30.0, fps=10.0)
    proc = ProcessStats(wall_s=20.0, cpu_s=30.0, peak_rss_mb=0, peak_main_mb=0, peak_workers_mb=[], peak_pss_mb=0, peak_uss_mb=0,
                        samples=0, launch_epoch=0.0, returncode=0)
    marks = [LoopMark("ann", 25, 2.5), LoopMark("bob", 45, 4.5), LoopMark("dee", 50, 5.0)]
    # The app: marked when frames 31 and 47 were on screen (3.1 s and 4.7 s of video).
    run = LoopRun("class", "app", 300, 100, 18.0, proc, marks,
                  {"mark_times": {"ann": 1.0, "bob": 2.0, "dee": 2.5}, "updates": [[30, 0.9], [31, 1.0], [47, 2.0], [50, 2.5]]})
    scored = judge("app (defaults, as fast as it can)", run, truth)
    assert scored.marked == ["ann", "bob"] and scored.missed == ["cy"] and scored.false_marks == ["dee"]
    assert scored.speed == 1.5 and scored.cores == 1.5 and scored.per_frame_s == 0.18
    assert scored.delays == {"ann": 1.1, "bob": 0.7} and scored.median_delay == 0.9 and scored.max_delay == 1.1
    # From coming into view (the targets' count) and from being seated, SIT_S later.
    assert scored.seated_delays == {"ann": round(1.1 - SIT_S, 2), "bob": round(0.7 - SIT_S, 2)}
    assert scored.median_seated_delay == round(0.9 - SIT_S, 2)
    classic = judge("classic-full, every 5th frame", LoopRun("class", "classic-full", 300, 60, 108.0, proc, marks[:2]), truth)
    bench = SeatedBench(truth, [classic, scored])
    assert bench.per_frame_ratio(scored) == 10.0 and bench.per_frame_ratio(classic) is None
    text = seated([bench, SeatedBench(replace(truth, size=(1280, 720)), [scored])])
    assert "1080p  classic-full" in text and "720p   app" in text and "0.180 (10x less)" in text
    assert "target 720p as fast as it can" in text and "target 1080p as fast as it can" in text


def test_the_app_runs_memory_is_reported_against_the_target() -> None:
    truth = SeatedInput(Path("class.mp4"), Path("home"), ("ann",), (), 35, {"ann": 3.2}, duration_s=30.0, fps=10.0)
    proc = ProcessStats(wall_s=20.0, cpu_s=30.0, peak_rss_mb=400, peak_main_mb=150.4, peak_workers_mb=[126.6, 131.0], peak_pss_mb=340.2,
                        peak_uss_mb=318, samples=9, launch_epoch=0.0, returncode=0)
    fast = judge("app (defaults, as fast as it can)", LoopRun("class", "app", 300, 100, 18.0, proc, [], {}), truth)
    small = replace(proc, peak_pss_mb=197.0)
    live = judge("app --realtime", LoopRun("class", "app realtime", 300, 100, 18.0, small, [], {"max_frame_gap_s": 0.05}), truth)
    classic = judge("classic-full, every 5th frame", LoopRun("class", "classic-full", 300, 60, 108.0, proc, []), truth)
    text = seated([SeatedBench(truth, [classic, fast, live])])
    assert "with 35 enrolled" in text and "a PSS sum of 200 MiB at most" in text
    rows = [line for line in text.splitlines() if line.startswith("1080p  app")]
    assert "340" in rows[-2] and "150" in rows[-2] and "127 + 131" in rows[-2] and "FAIL (+140)" in rows[-2]
    assert "PASS (-3)" in rows[-1]
    assert not any(line.startswith("1080p  classic") and "MiB" in line for line in text.splitlines())
