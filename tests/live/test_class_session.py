"""Sessions for a class, with the real models on the shared clip: Lin-Manuel Miranda is in
view but in another class, so he is recorded as a visitor, never present or absent; the
export for a class holds that class alone.  Logs written before classes existed (a
fixture made by the previous version's code) still read, export and resume."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import CLIP, ROOT, copy_home, run_cli

from attendance.records.export import load, session_table
from attendance.records.sessionlog import Attendee, Mark, SessionLog, read_log

pytestmark = pytest.mark.slow
LEGACY_LOGS = ROOT / "tests" / "fixtures" / "legacy_logs"


@pytest.fixture(scope="module")
def class_runs(lin_alex_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str],
                                                                                       subprocess.CompletedProcess[str]]:
    """Maths = {Alex}, Drama = {Lin}; one headless run of the clip for each class."""
    home = copy_home(lin_alex_home, tmp_path_factory.mktemp("class_runs"))
    for name, student in (("Maths", "Alex Lacamoire"), ("Drama", "S0001")):
        run_cli("class", "create", name, home=home, check=True)
        run_cli("class", "add", name, student, home=home, check=True)
    maths = run_cli("run", "--source", str(CLIP), "--headless", "--class", "maths", "--analysis-fps", "3", home=home)
    drama = run_cli("run", "--source", str(CLIP), "--headless", "--class", "Drama", "--analysis-fps", "3", home=home)
    return home, maths, drama


def table(home: Path, *args: str) -> list[dict[str, str]]:
    proc = run_cli("export", *args, home=home, check=True)
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_student_of_another_class_is_a_visitor(class_runs: tuple[Path, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]) -> None:
    home, maths, _ = class_runs
    assert maths.returncode == 0, maths.stderr
    assert "visitor (not in this class): Lin-Manuel Miranda (S0001)" in maths.stdout
    assert "session 'Maths': 0 present of 1 class 'Maths': nobody" in maths.stdout
    assert "absent: Alex Lacamoire" in maths.stdout and "visitors (not in this class): Lin-Manuel Miranda" in maths.stdout
    (log,) = [p for p in (home / "logs").glob("*_Maths.csv")]
    rows = read_log(log).rows
    assert [(r["student_id"], r["role"]) for r in rows] == [("S0001", Attendee.VISITOR)]
    meta = json.loads(log.with_name(log.name.replace(".csv", ".meta.json")).read_text())
    assert meta["class"] == "Maths" and meta["roster"] == [{"id": "S0002", "name": "Alex Lacamoire"}]  # not a member


def test_class_session_marks_its_member(class_runs: tuple[Path, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]) -> None:
    _, _, drama = class_runs
    assert drama.returncode == 0, drama.stderr
    assert "present: Lin-Manuel Miranda (S0001)" in drama.stdout
    assert "session 'Drama': 1 present of 1 class 'Drama': Lin-Manuel Miranda" in drama.stdout and "absent" not in drama.stdout


def test_export_per_class_holds_that_class_alone(class_runs: tuple[Path, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]) -> None:
    home = class_runs[0]
    maths = table(home, "--class", "Maths", "--format", "session")
    assert [(r["session"], r["student_id"], r["status"]) for r in maths] == [("Maths", "S0002", "absent")]
    assert table(home, "--class", "Maths", "--format", "events") == []
    matrix = table(home, "--class", "maths")
    assert [r["student_id"] for r in matrix] == ["S0002"] and list(matrix[0])[2:] == [f"{datetime.now():%Y-%m-%d} Maths"]
    summary = table(home, "--class", "Drama", "--format", "summary")
    assert [(r["student_id"], r["sessions"], r["attended"]) for r in summary] == [("S0001", "1", "1")]
    everything = table(home, "--format", "events")
    assert sorted((r["session"], r["student_id"], r["status"]) for r in everything) == [("Drama", "S0001", "present"), ("Maths", "S0001", "visitor")]
    unknown = run_cli("export", "--class", "Physics", home=home)
    assert unknown.returncode == 1 and "match class 'Physics'" in unknown.stderr
    chart = run_cli("report", "--class", "Maths", "-o", str(home / "maths.png"), home=home)
    assert chart.returncode == 0 and (home / "maths.png").stat().st_size > 1000, chart.stderr


def test_class_errors(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    none = run_cli("run", "--source", str(CLIP), "--headless", "--class", "Maths", home=home)
    assert none.returncode == 1 and "there is no class 'Maths' (classes: none yet" in none.stderr
    run_cli("class", "create", "Maths", home=home, check=True)
    empty = run_cli("run", "--source", str(CLIP), "--headless", "--class", "Maths", home=home)
    assert empty.returncode == 1 and "class 'Maths' has no students yet" in empty.stderr
    assert not (home / "logs").exists() or not list((home / "logs").glob("*.csv"))


def test_logs_from_before_classes_read_export_and_resume(tmp_path: Path) -> None:
    logs = shutil.copytree(LEGACY_LOGS, tmp_path / "logs")
    data = load(logs)
    assert data.warnings == [] and data.sessions[0].class_name is None
    assert [(r.student_id, r.status) for r in session_table(data).itertuples()] == [("S0001", "present"), ("S0002", "absent")]
    assert run_cli("export", "--class", "Maths", home=tmp_path).returncode == 1  # no class session there
    log = SessionLog(logs, "maths", day=datetime(2026, 11, 20).date())
    with log.open([("S0002", "Alex Lacamoire")], details={"class": "Maths"}):
        assert log.marked == {"S0001": "Lin-Manuel Miranda"}
        log.mark(Mark("S0009", "Guest", datetime(2026, 11, 20, 8, 40, tzinfo=timezone.utc), 0.3, "cam0", 1, 0.0, Attendee.VISITOR))
    read = read_log(logs / "2026-11-20_maths.csv")
    assert read.warnings == [] and [(r["student_id"], r["role"]) for r in read.rows] == [("S0001", Attendee.MEMBER), ("S0009", Attendee.VISITOR)]
    statuses = {(r.student_id, r.status) for r in session_table(load(logs, class_name="maths")).itertuples()}
    assert statuses == {("S0001", "present"), ("S0002", "absent")}  # the guest is neither
