"""Does the seated-class roll call generalise?  A matrix of short class videos beyond the benchmark's one.

Each variant is a seated class built by :mod:`attendance.demo.classroom` with another
cast (a different random draw from the shared data), back-row face size, frame size,
frame rate, camera (dim or uneven light, noise, JPEG-like compression, shake), a
restless class (every student fidgeting +-6 px across and +-3 px up and down all the
time) or events (students turning away and back, one leaving, 30 present).  Each runs through
``attendance run --headless`` defaults, as fast as it can and ``--realtime`` (the
bench's measured child process), and one table row per run gives: students marked of
those present, false marks, delay from coming into view to being marked (median /
max, media seconds), speed (x real time), CPU cores and the largest gap between frames.

    .venv/bin/python benchmarks/class_variants.py --data ../shared/data [--only dark,shake] [--no-realtime]

Videos and enrolled homes are kept in ``--cache`` (default ``/tmp/attendance-class-variants``).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from attendance.bench import DATA_ENV
from attendance.bench.inputs import data_folder
from attendance.bench.loops import run_app
from attendance.bench.seated import SeatedInput, SeatedRun, judge, read_input, write_facts
from attendance.core.errors import AttendanceError
from attendance.core.home import Home
from attendance.demo.camera_effects import CLEAN, CameraEffects
from attendance.demo.classroom import drawn_cast, enroll_scene, seated_class

HD, FULL_HD = (1280, 720), (1920, 1080)
#: Back row face size giving a smallest face of exactly 40 px (faces are 0.97-1.08 of it).
BACK_40 = 40 / 0.97
#: A restless class: every student fidgets this much (peak px across, up and down), all the time.
RESTLESS = (6.0, 3.0)


@dataclass(frozen=True)
class Variant:
    """One class video: ``cast_seed``/``present``/``absent`` draw the cast (4 strangers)."""

    name: str
    size: tuple[int, int] = HD
    fps: float = 15.0
    back_row_px: float = 44.0
    camera: CameraEffects = CLEAN
    backdrop: str = "gradient"
    cast_seed: int = 1
    present: int = 20
    absent: int = 15
    turn_away: int = 0
    leave: int = 0
    duration_s: float = 15.0
    seat_seed: int = 5
    restless_px: tuple[float, float] = (0.0, 0.0)


VARIANTS = (
    Variant("draw1-720p"),
    Variant("draw2-1080p", size=FULL_HD, cast_seed=2, seat_seed=6),
    Variant("back40-720p", back_row_px=BACK_40),
    Variant("back40-1080p", size=FULL_HD, back_row_px=BACK_40, cast_seed=2),
    Variant("back60-1080p", size=FULL_HD, back_row_px=60.0, cast_seed=3),
    Variant("dark-720p", camera=CameraEffects(gain=0.4)),
    Variant("uneven-1080p", size=FULL_HD, camera=CameraEffects(gain=0.8, uneven=0.7), cast_seed=3),
    Variant("noisy-jpeg-720p", camera=CameraEffects(noise=8.0, jpeg=30), cast_seed=2),
    Variant("shake-1080p", size=FULL_HD, camera=CameraEffects(shake_px=2.0)),
    Variant("shake-720p", camera=CameraEffects(shake_px=1.5), cast_seed=3),
    Variant("shake-room-1080p", size=FULL_HD, camera=CameraEffects(shake_px=2.0), backdrop="room", cast_seed=2),
    Variant("25fps-720p", fps=25.0, cast_seed=3),
    Variant("30fps-1080p", size=FULL_HD, fps=30.0, cast_seed=1),
    Variant("turn-away-leave-720p", turn_away=3, leave=1, duration_s=20.0, cast_seed=2),
    Variant("30-present-1080p", size=FULL_HD, present=30, absent=10, cast_seed=4),
    Variant("noise3-1080p", size=FULL_HD, camera=CameraEffects(noise=3.0), cast_seed=5, seat_seed=7),
    Variant("noise8-1080p", size=FULL_HD, camera=CameraEffects(noise=8.0), cast_seed=6, seat_seed=8),
    Variant("restless-720p", restless_px=RESTLESS, cast_seed=7, seat_seed=9),
    Variant("restless-noise3-1080p", size=FULL_HD, camera=CameraEffects(noise=3.0), restless_px=RESTLESS, cast_seed=8, seat_seed=10,
            duration_s=30.0),
)


def build(variant: Variant, data: Path, cache: Path) -> SeatedInput:
    """The variant's video and enrolled home (reused from ``cache``); the truth about them."""
    folder = cache / variant.name
    facts = folder / "scene.json"
    if not facts.exists():
        cast = drawn_cast(data, present=variant.present, absent=variant.absent, seed=variant.cast_seed)
        scene = seated_class(cast, variant.size, variant.duration_s, variant.fps, sit_window_s=min(10.0, variant.duration_s / 2),
                             seed=variant.seat_seed, back_row_px=variant.back_row_px, camera=variant.camera,
                             turn_away=variant.turn_away, leave=variant.leave, restless_px=variant.restless_px)
        scene = replace(scene, backdrop=variant.backdrop)
        folder.mkdir(parents=True, exist_ok=True)
        scene.write(folder / "class.part.mp4").replace(folder / "class.mp4")
        home_key = cache / f"home-draw{variant.cast_seed}-{variant.present}-{variant.absent}"
        if not (home_key / "done").exists():
            home = Home(home_key).ensure()
            enroll_scene(scene, home.known_faces)
            (home_key / "done").touch()
        (folder / "home").unlink(missing_ok=True)
        (folder / "home").symlink_to(home_key)
        write_facts(scene, variant.duration_s, variant.fps, facts)
    return read_input(folder, variant.size)


def row(variant: Variant, loop: str, run: SeatedRun, truth: SeatedInput) -> str:
    """One markdown table row."""
    med, top = run.median_delay, run.max_delay
    delay = f"{med:.1f} / {top:.1f}" if med is not None and top is not None else "-"
    gap = run.run.extra.get("max_frame_gap_s") if run.run.loop == "app realtime" else None
    gap_text = f"{1000 * gap:.0f}" if gap is not None else "-"
    size = f"{variant.size[1]}p"
    restless = f", restless +-{variant.restless_px[0]:g}/{variant.restless_px[1]:g} px" if any(variant.restless_px) else ""
    return (f"| {variant.name} | {size} {variant.fps:g} fps, back {variant.back_row_px * 0.97:.0f} px, {variant.camera.label}"
            f"{', ' + variant.backdrop if variant.backdrop != 'gradient' else ''}{restless} "
            f"| {loop} | {len(run.marked)}/{len(truth.present)} | {len(run.false_marks)} | {delay} | {run.speed:.2f}x | {run.cores:.2f} "
            f"| {gap_text} | {', '.join(run.missed) or ''} |")


HEADER = ("| variant | video | loop | marked | false | delay median / max s | speed | cores | largest frame gap ms | missed |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=os.environ.get(DATA_ENV), help=f"the shared data folder (default: ${DATA_ENV})")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/attendance-class-variants"))
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    parser.add_argument("--no-realtime", action="store_true", help="run only as fast as it can")
    args = parser.parse_args()
    try:
        data = data_folder(args.data)
    except AttendanceError as exc:
        parser.error(str(exc))
    wanted = [v for v in VARIANTS if not args.only or v.name in args.only.split(",")]
    print(HEADER, flush=True)
    for variant in wanted:
        truth = build(variant, data, args.cache)
        loops = [("defaults", False)] + ([] if args.no_realtime else [("--realtime", True)])
        for loop, realtime in loops:
            try:
                run = judge(loop, run_app(truth.video, truth.home, variant.name, realtime=realtime), truth)
            except AttendanceError as exc:
                print(f"| {variant.name} | | {loop} | failed: {exc} |", flush=True)
                continue
            print(row(variant, loop, run, truth), flush=True)
            if run.false_marks:
                print(f"  false marks in {variant.name}: {', '.join(run.false_marks)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
