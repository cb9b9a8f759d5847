"""``attendance bench``: it runs end to end and the app marks the same people as the classic
full-resolution loop.  No timing assertions: timings are the benchmark's output, not a test."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import copy_home, run_cli

from attendance.bench import DATA_ENV
from attendance.bench.inputs import data_folder, synthetic_people
from attendance.bench.matching import matching_scale
from attendance.bench.measure import measure_process
from attendance.bench.realtime import first_clearly_visible
from attendance.cli import main
from attendance.core.errors import AttendanceError


def test_cpu_time_of_a_process_includes_its_children() -> None:
    """The app's work happens in worker processes: their CPU must be counted."""
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}], check=True)"
    stats = measure_process([sys.executable, "-c", parent])
    assert stats.returncode == 0
    assert stats.cpu_s >= 0.55  # the grandchild's 0.6 s of CPU is included
    assert stats.peak_rss_mb > 0 and stats.samples > 0


def test_synthetic_store_matches_and_loads(tmp_path: Path) -> None:
    people = synthetic_people(50, norm=1.47, seed=4)
    norms = np.linalg.norm(np.concatenate([p.encodings for p in people]), axis=1)
    assert np.allclose(norms, 1.47, atol=1e-4)
    (row,) = matching_scale([500], norm=1.47, repeats=5, load_repeats=1)
    assert row.size == 500 and row.match_ms > 0 and row.load_s > 0 and row.file_mb > 0


def test_unknown_section_is_a_usage_error() -> None:
    proc = run_cli("bench", "--sections", "loops,speed")
    assert proc.returncode == 2
    assert "unknown section 'speed'" in proc.stderr and "Traceback" not in proc.stderr


def test_the_input_folder_comes_only_from_the_option_or_its_variable(tmp_path: Path) -> None:
    """No default path inside the package: without --data or $ATTENDANCE_DATA, one line naming both."""
    result = CliRunner().invoke(main, ["bench", "--sections", "matching"], env={DATA_ENV: None})
    assert result.exit_code == 1
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert "--data" in result.stderr and DATA_ENV in result.stderr
    with pytest.raises(AttendanceError, match="--data"):
        data_folder(tmp_path)  # a folder without the clip


@pytest.mark.slow
def test_quick_bench_runs_and_app_marks_what_classic_full_marks(shared: Path, lin_alex_home: Path, people_home: Path, tmp_path: Path) -> None:
    """Classic full, classic faster and the app on a short synthetic class video (Obama and
    Alex Lacamoire enrolled among five, plus a stranger enrolled nowhere)."""
    cache = tmp_path / "cache"
    copy_home(lin_alex_home, cache / "home-lin-alex")
    copy_home(people_home, cache / "home-class")
    out = tmp_path / "bench.json"
    proc = run_cli("bench", "--quick", "--data", str(shared), "--sections", "loops", "--inputs", "class", "--cache", str(cache),
                   "--json", str(out), timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for heading in ("classic-full", "classic-faster", "app", "wall s", "CPU s", "peak RSS", "same people marked as classic-full: yes"):
        assert heading in proc.stdout, heading
    figures = json.loads(out.read_text(encoding="utf-8"))
    (loops,) = figures["loops"]
    runs = {r["loop"]: r for r in loops["runs"]}
    assert set(runs) == {"classic-full", "classic-faster", "app"}
    marked = {loop: sorted(m["name"] for m in r["marks"]) for loop, r in runs.items()}
    assert marked["classic-full"] == marked["app"] == ["alex lacamoire", "obama"]
    assert loops["same_marks"] is True
    frames = {r["frames"] for r in runs.values()}
    assert len(frames) == 1 and frames.pop() > 0  # every loop read the whole video
    for r in runs.values():
        assert r["proc"]["cpu_s"] > 0 and r["proc"]["peak_rss_mb"] > 0 and r["proc"]["wall_s"] > 0
    app = runs["app"]
    assert len(app["proc"]["peak_workers_mb"]) == app["extra"]["workers"] + 1 >= 2  # the zygote and the workers forked from it
    assert app["extra"]["workers_cpu_s"] > 0  # the recognition ran in the workers and was counted


def test_clearly_visible_needs_as_many_matches_as_the_app_within_half_a_second() -> None:
    # Lin in the clip at 29.97 fps: two isolated matches (frames 2, 3), then the large appearance.
    assert first_clearly_visible([2, 3, 85, 86, 88, 90], 29.97, 3) == 85
    assert first_clearly_visible([2, 3, 16], 29.97, 3) == 2  # 14 frames < 0.5 s
    assert first_clearly_visible([2, 3, 17], 29.97, 3) is None
    assert first_clearly_visible([5], 10.0, 1) == 5


@pytest.mark.slow
def test_the_detectors_section_compares_hog_and_yunet_by_face_height(shared: Path, tmp_path: Path) -> None:
    """``--sections detectors --quick``: every setting on one scene per face height; YuNet
    finds the 40 px faces that HOG's live scale cannot, and the table says so."""
    out = tmp_path / "bench.json"
    proc = run_cli("bench", "--quick", "--data", str(shared), "--sections", "detectors", "--json", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ms per 1080p frame" in proc.stdout and "false per frame" in proc.stdout
    runs = json.loads(out.read_text(encoding="utf-8"))["detectors"]
    by = {(r["name"], r["setting"].split(":")[0]): r for r in runs}
    yunet, hog = by[("yunet_n", "app default")], by[("hog", "live default")]
    found, pasted = yunet["recall"]["40"]
    assert found >= 0.9 * pasted and hog["recall"]["40"][0] == 0  # HOG's live scale at 1080p finds nothing under ~150 px
    assert 0 < yunet["s_1080p"] < hog["s_1080p"] * 10 and yunet["false_per_frame"] < 1
