"""``attendance bench``: this app's speed side by side with the classic face_recognition loops.

Each section prints its table as soon as it is measured; ``--json`` also saves every figure.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

SECTIONS = ("loops", "realtime", "matching", "enroll", "startup", "profile")
INPUTS = ("clip", "class")

#: The issue's targets.
TARGET_WALL_RATIO = 5.0
TARGET_LATENCY_S = 1.0
TARGET_MATCH_MS = 5.0
TARGET_LOAD_S = 1.0
TARGET_FIRST_S = 3.0
TARGET_MEMORY_MB = 250.0


def _ok(passed: bool | None) -> str:
    return "n/a" if passed is None else ("PASS" if passed else "FAIL")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _marks_text(run: Any) -> str:
    if not run.marks:
        return "nobody"
    return "; ".join(f"{m.name} (frame {m.frame}, {m.second:.2f} s)" for m in sorted(run.marks, key=lambda m: (m.frame, m.name)))


def _load(bench: Any) -> str:
    one, five, fifteen = bench.load_average()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def _heading(title: str, bench: Any) -> None:
    click.echo(f"\n== {title}  [{_load(bench)}]")


def print_comparison(comparison: Any) -> None:
    rows = []
    for r in comparison.runs:
        rss = f"{r.proc.peak_rss_mb:.0f}"
        if r.proc.peak_workers_mb:
            rss += f" ({r.proc.peak_main_mb:.0f} + " + " + ".join(f"{w:.0f}" for w in r.proc.peak_workers_mb) + ")"
        rows.append([r.loop, f"{r.proc.wall_s:.2f}", f"{r.loop_s:.2f}", f"{r.fps:.1f}", f"{r.proc.cpu_s:.2f}", r.frames, r.analysed,
                     rss, f"{r.proc.peak_pss_mb:.0f}", _marks_text(r)])
    click.echo(_table(["loop", "wall s", "loop s", "fps (wall)", "CPU s", "frames", "analysed", "peak RSS MiB (main + workers)",
                       "PSS MiB", "marked (first sighting used)"], rows))
    app = comparison.run("app")
    for other in comparison.runs:
        if other is app:
            continue
        wall = other.proc.wall_s / app.proc.wall_s
        loop = other.loop_s / app.loop_s if app.loop_s else float("nan")
        cpu = other.proc.cpu_s / app.proc.cpu_s if app.proc.cpu_s else float("nan")
        click.echo(f"{other.loop} / app: wall {wall:.2f}x, loop time {loop:.2f}x, CPU {cpu:.2f}x, "
                   f"peak RSS {other.proc.peak_rss_mb / app.proc.peak_rss_mb:.2f}x, PSS {other.proc.peak_pss_mb / app.proc.peak_pss_mb:.2f}x "
                   f"(above 1 = the app is faster / leaner)")
    full = comparison.run("classic-full") if any(r.loop == "classic-full" for r in comparison.runs) else None
    if full is not None:
        ratio = full.proc.wall_s / app.proc.wall_s
        click.echo(f"same people marked as classic-full: {'yes' if comparison.same_marks else 'NO'} "
                   f"(app: {', '.join(app.marked) or 'nobody'}; classic-full: {', '.join(full.marked) or 'nobody'})")
        click.echo(f"target: same marks in <= 1/{TARGET_WALL_RATIO:g} of classic-full's wall time: "
                   f"{_ok(comparison.same_marks and ratio >= TARGET_WALL_RATIO)} ({ratio:.2f}x)")
    if comparison.expected is not None:
        click.echo(f"expected (people who appear and are enrolled): {', '.join(comparison.expected)}; "
                   f"app correct: {'yes' if app.marked == comparison.expected else 'NO'}")
    duration = app.extra.get("duration_s")
    if duration:
        click.echo(f"target: faster than real time ({duration:.1f} s of video): {_ok(app.proc.wall_s < duration)} "
                   f"(app wall {app.proc.wall_s:.2f} s, session {app.loop_s:.2f} s)")
    click.echo(f"app: first result {app.extra['first_result_s']:.2f} s into the session; workers {app.extra['workers']}; "
               f"CPU main {app.extra['self_cpu_s']:.2f} s + workers {app.extra['workers_cpu_s']:.2f} s; "
               f"largest worker's kernel high-water RSS {app.extra['ru_maxrss_worker_mb']:.0f} MiB")


def print_realtime(rt: Any) -> None:
    def sec(v: float | None) -> str:
        return "never marked" if v is None else f"{v:.2f}"

    def at(frame: int | None) -> str:
        return "-" if frame is None else f"{frame} ({frame / rt.media_fps:.2f} s)"

    rows = [[lat.name, at(lat.first_match_frame), at(lat.visible_frame), sec(lat.seconds), at(lat.mark_frame), sec(lat.pipeline_s),
             _ok(None if lat.seconds is None else lat.seconds <= TARGET_LATENCY_S)] for lat in rt.latencies]
    click.echo(_table(["person", "classic-full's first match (<0.6)", f"first clearly visible ({rt.run.extra['config']['sightings']} under tolerance in 0.5 s)", "-> marked s",
                       "app's sighting frame", "sighting shown -> marked s", f"<= {TARGET_LATENCY_S:g} s"], rows))
    r = rt.run
    click.echo(f"largest gap between displayed frames: {r.extra['max_frame_gap_s'] * 1000:.0f} ms "
               f"(frame interval {1000 / rt.media_fps:.0f} ms); frames shown {r.frames}, analysed {r.analysed}, dropped {r.extra['frames_dropped']}; "
               f"first frame shown {r.extra['updates'][0][1] if r.extra['updates'] else float('nan'):.2f} s into the session "
               f"(index {r.extra['updates'][0][0] if r.extra['updates'] else '-'}); wall {r.proc.wall_s:.2f} s, CPU {r.proc.cpu_s:.2f} s")


def print_matching(rows_in: list[Any], norm: float) -> None:
    rows = [[f"{m.size:,}", f"{m.match_ms:.3f}", f"{m.match_p95_ms:.3f}", _ok(m.match_ms < TARGET_MATCH_MS), f"{m.load_s:.3f}",
             _ok(m.load_s < TARGET_LOAD_S), f"{m.gallery_s:.3f}", f"{m.save_s:.2f}", f"{m.file_mb:.1f}"] for m in rows_in]
    click.echo(f"random 128-d encodings scaled to norm {norm:.3f} (the mean norm of the real enrolled encodings)")
    click.echo(_table(["enrolled", "match 1 face ms (median)", "p95 ms", f"< {TARGET_MATCH_MS:g} ms", "session load s (load_gallery)",
                       f"load < {TARGET_LOAD_S:g} s", "full roster load s", "save s", "file MiB"], rows))


def print_enroll(rows_in: list[Any]) -> None:
    rows = [[e.workers, e.photos, e.added, f"{e.proc.wall_s:.2f}", f"{e.photos_per_s:.2f}", f"{e.proc.cpu_s:.2f}",
             f"{e.proc.cpu_s / e.proc.wall_s:.2f}", f"{e.proc.peak_rss_mb:.0f}"] for e in rows_in]
    click.echo(_table(["workers", "photos", "added", "wall s", "photos/s", "CPU s", "cores busy (CPU/wall)", "peak RSS MiB (sum)"], rows))
    if len(rows_in) >= 2:
        click.echo(f"{rows_in[-1].workers} workers vs {rows_in[0].workers}: {rows_in[-1].photos_per_s / rows_in[0].photos_per_s:.2f}x photos/s")


def print_startup(st: Any) -> None:
    app = st.app
    first = st.launch_to_first_result_s
    click.echo(f"{st.enrolled:,} enrolled; launch -> first frame analysed: {'never' if first is None else f'{first:.2f} s'} "
               f"[{_ok(None if first is None else first < TARGET_FIRST_S)} < {TARGET_FIRST_S:g} s]; "
               f"`attendance run` launch -> first 'present:' line: "
               f"{'none' if st.launch_to_first_mark_s is None else f'{st.launch_to_first_mark_s:.2f} s'}")
    workers = " + ".join(f"{w:.0f}" for w in app.proc.peak_workers_mb) or "none"
    click.echo(f"peak memory of the session's processes: PSS sum {app.proc.peak_pss_mb:.0f} MiB "
               f"[{_ok(app.proc.peak_pss_mb < TARGET_MEMORY_MB)} < {TARGET_MEMORY_MB:g} MiB] (the RAM they occupy: pages of the "
               f"shared libraries all three map are counted once); RSS sum {app.proc.peak_rss_mb:.0f} MiB "
               f"[{_ok(app.proc.peak_rss_mb < TARGET_MEMORY_MB)} < {TARGET_MEMORY_MB:g} MiB] (those pages counted in every process); "
               f"USS sum {app.proc.peak_uss_mb:.0f} MiB; RSS of main {app.proc.peak_main_mb:.0f} MiB, workers {workers} MiB")
    click.echo(f"largest worker's kernel high-water RSS (ru_maxrss) {app.extra['ru_maxrss_worker_mb']:.0f} MiB; "
               f"`attendance run` CLI process tree: peak RSS sum {st.cli_stats.peak_rss_mb:.0f} MiB, PSS {st.cli_stats.peak_pss_mb:.0f} MiB, "
               f"wall {st.cli_stats.wall_s:.2f} s")
    click.echo(f"marked: {_marks_text(app)}")


def print_profile(p: Any) -> None:
    total = sum(v[0] for k, v in p.stages.items() if not k.startswith(("identify", "analyse")))
    rows = [[k, f"{v[0]:.3f}", v[1], f"{1000 * v[0] / max(v[1], 1):.2f}", f"{100 * v[0] / p.wall_s:.1f}%"]
            for k, v in sorted(p.stages.items(), key=lambda kv: -kv[1][0])]
    click.echo(f"{p.input}: {p.frames} frames read, {p.analysed} analysed, session wall {p.wall_s:.2f} s with workers=0 "
               f"(stages below sum to {total:.2f} s without the nested totals); decoding the whole video alone: {p.decode_only_s:.3f} s")
    click.echo(_table(["stage", "total s", "calls", "ms/call", "of wall"], rows))
    click.echo("cProfile, top functions by own time:")
    click.echo(_table(["function", "calls", "own s", "cumulative s"], [list(r) for r in p.top]))


@click.command()
@click.option("--quick", is_flag=True, help="Short inputs and few repeats (about a minute): checks it runs, not for figures.")
@click.option("--sections", default=",".join(SECTIONS), show_default=True, help="Comma-separated sections to run.")
@click.option("--inputs", "inputs_text", default=",".join(INPUTS), show_default=True, help="Videos for the loops: clip, class.")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The shared test data folder (default: ../shared/data beside the checkout).")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where enrolled homes and the class video are kept between runs (default: $TMPDIR/attendance-bench).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also save every figure here.")
def bench(quick: bool, sections: str, inputs_text: str, shared: Path | None, cache: Path | None, json_path: Path | None) -> None:
    """Time this app against the classic face_recognition loops, in one run.

    On the shared clip and a synthetic class video: classic full-resolution loop,
    classic 1/4-scale "faster" loop, and this app's pipeline (as `attendance run`):
    wall/CPU time, fps, memory, who was marked.  Then realtime latency, matching and
    store loading at 10,000 and 100,000 enrolled, bulk enrollment on 1 vs 2 workers,
    start-up time and memory with 1,000 enrolled, and a profile of the pipeline.
    """
    from attendance.bench import legacy as b

    chosen = [s.strip() for s in sections.split(",") if s.strip()]
    wanted_inputs = [s.strip() for s in inputs_text.split(",") if s.strip()]
    for name in chosen:
        if name not in SECTIONS:
            raise click.BadParameter(f"unknown section {name!r}; choose from {', '.join(SECTIONS)}", param_hint="--sections")
    for name in wanted_inputs:
        if name not in INPUTS:
            raise click.BadParameter(f"unknown input {name!r}; choose from {', '.join(INPUTS)}", param_hint="--inputs")
    shared = (shared or b.SHARED_DEFAULT).resolve()
    results: dict[str, Any] = {"started": datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
                               "cpus": os.cpu_count(), "python": platform.python_version(), "load_start": b.load_average()}
    click.echo(f"attendance bench{' --quick' if quick else ''}: {results['started']}, {os.cpu_count()} cores, "
               f"Python {results['python']}, {_load(b)}")
    t0 = time.perf_counter()
    inputs = b.build_inputs(shared, quick=quick, cache=cache)
    click.echo(f"inputs ready in {time.perf_counter() - t0:.1f} s (cached under {inputs.clip_home.parent}): clip {inputs.clip.name}; "
               f"class video {inputs.class_video.name} ({inputs.class_duration_s:g} s at {inputs.class_fps:g} fps; "
               f"enrolled from people/: {', '.join(inputs.class_expected)} + rose leslie, who never appears; plus one stranger enrolled nowhere)")
    videos = {
        "clip": (inputs.clip, inputs.clip_home, None, b.video_duration(inputs.clip)),
        "class": (inputs.class_video, inputs.class_home, list(inputs.class_expected), inputs.class_duration_s),
    }
    full_runs: dict[str, Any] = {}
    if "loops" in chosen:
        results["loops"] = []
        for name in wanted_inputs:
            video, home, expected, duration = videos[name]
            _heading(f"loops on {name}: {video.name} ({duration:.1f} s of video)", b)
            loops = ("classic-full", "classic-faster", "app") + (() if quick else ("app-1worker",))
            comparison = b.compare_loops(name, video, home, expected, loops)
            comparison.run("app").extra["duration_s"] = duration
            full_runs[name] = comparison.run("classic-full")
            print_comparison(comparison)
            results["loops"].append(b.to_jsonable(comparison) | {"same_marks": comparison.same_marks})
    if "realtime" in chosen:
        results["realtime"] = []
        for name in wanted_inputs if not quick else wanted_inputs[:1]:
            video, home, _, duration = videos[name]
            _heading(f"realtime (--realtime) on {name}: {video.name}, played at its own frame rate", b)
            full = full_runs.get(name) or b.run_classic_loop(video, home, "full", name)
            rt = b.realtime_latency(name, video, home, full)
            print_realtime(rt)
            results["realtime"].append(b.to_jsonable(rt))
    if "matching" in chosen:
        sizes = (10_000,) if quick else (10_000, 100_000)
        _heading("matching one face, and loading the store, at scale", b)
        norm = b.real_encoding_norm(inputs.clip_home)
        rows = b.matching_scale(sizes, norm, repeats=20 if quick else 200, load_repeats=2 if quick else 5)
        print_matching(rows, norm)
        results["matching"] = {"norm": norm, "rows": b.to_jsonable(rows)}
    if "enroll" in chosen:
        _heading(f"bulk enrollment: attendance enroll DIR --workers N --jitters {1 if quick else 10} (people/{'' if quick else ' + some photos/'})", b)
        speeds = b.enrollment_speed(shared, extra=() if quick else b.ENROLL_EXTRA, jitters=1 if quick else 10)
        print_enroll(speeds)
        results["enroll"] = b.to_jsonable(speeds)
    if "startup" in chosen:
        extra = 100 if quick else 1000
        _heading(f"start-up and memory: a session on the clip with {extra:,} synthetic people + Lin-Manuel Miranda enrolled", b)
        home = b.big_home(shared, inputs.clip_home.parent, extra, b.real_encoding_norm(inputs.clip_home))
        st = b.startup_and_memory(inputs.clip, home)
        print_startup(st)
        results["startup"] = b.to_jsonable(st)
    if "profile" in chosen:
        _heading("where the time goes: the pipeline in this process (workers=0), cProfile + stage timers", b)
        profile = b.profile_pipeline(inputs.clip, inputs.clip_home, "clip")
        print_profile(profile)
        results["profile"] = b.to_jsonable(profile)
    results["load_end"] = b.load_average()
    results["total_s"] = round(time.perf_counter() - t0, 1)
    click.echo(f"\nbench finished in {results['total_s']:.0f} s; {_load(b)} (start: {' '.join(map(str, results['load_start']))})")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
        click.echo(f"figures saved to {json_path}")
