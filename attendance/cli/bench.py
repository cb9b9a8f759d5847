"""``attendance bench``: this app's speed side by side with the classic face_recognition loops.

A thin shell over :func:`attendance.bench.sections.run_bench`: each section prints its
table as soon as it is measured; ``--json`` also saves every figure.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from attendance.bench import DATA_ENV
from attendance.bench.sections import SECTIONS, VIDEOS


def _names(text: str, allowed: tuple[str, ...], what: str, option: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    for name in names:
        if name not in allowed:
            raise click.BadParameter(f"unknown {what} {name!r}; choose from {', '.join(allowed)}", param_hint=option)
    return names


@click.command()
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), envvar=DATA_ENV, show_envvar=True, default=None,
              help="The input folder: photos/, people/ and video/short_hamilton_clip.mp4 (the project's shared test data).")
@click.option("--quick", is_flag=True, help="Short inputs and few repeats (2-3 minutes on a busy 2-core machine): checks it runs, not for figures.")
@click.option("--sections", default=",".join(SECTIONS), show_default=True, help="Comma-separated sections to run.")
@click.option("--inputs", "inputs_text", default=",".join(VIDEOS), show_default=True, help="Videos for the loops: clip, class.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where enrolled homes and the class video are kept between runs (default: $TMPDIR/attendance-bench).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also save every figure here.")
def bench(data: Path | None, quick: bool, sections: str, inputs_text: str, cache: Path | None, json_path: Path | None) -> None:
    """Time this app against the classic face_recognition loops, in one run.

    On the shared clip and a synthetic class video: classic full-resolution loop,
    classic 1/4-scale "faster" loop, and this app's pipeline (as `attendance run`):
    wall/CPU time, fps, memory, who was marked.  Then realtime latency, matching and
    store loading at 10,000 and 100,000 enrolled, bulk enrollment on 1 vs 2 workers,
    start-up time and memory with 1,001 enrolled, and a profile of the pipeline.
    """
    from attendance.bench.sections import run_bench

    chosen = _names(sections, tuple(SECTIONS), "section", "--sections")
    videos = _names(inputs_text, VIDEOS, "input", "--inputs")
    results = run_bench(data, click.echo, chosen, videos, quick=quick, cache=cache)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
        click.echo(f"figures saved to {json_path}")
