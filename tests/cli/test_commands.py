"""The command line as a whole: the data home (--home, ATTENDANCE_HOME, the working
folder), --help and usage errors on every command, one error for a missing file, and doctor.
Commands run in this process (``cli``) unless the real process is the point: the working
folder and environment of ``python -m attendance``, and doctor starting a real worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SHARED, CliResult, cli, copy_home, run_cli

PHOTOS = SHARED / "photos"


def test_data_home_option_env_and_cwd(people_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ATTENDANCE_HOME"}

    def roster(*args: str, cwd: Path, extra: dict[str, str] | None = None) -> str:
        proc = subprocess.run([sys.executable, "-m", "attendance", *args, "roster", "--csv"], cwd=cwd, env={**env, **(extra or {})},
                              capture_output=True, text=True, timeout=60, check=True)
        return proc.stdout

    five = roster(cwd=people_home)
    assert len(five.splitlines()) == 6
    assert roster(cwd=empty, extra={"ATTENDANCE_HOME": str(people_home)}) == five
    assert roster("--home", str(people_home), cwd=empty) == five
    assert roster("--home", str(empty), cwd=people_home, extra={"ATTENDANCE_HOME": str(people_home)}) == "id,name,photos,enrolled\n"
    target = tmp_path / "elsewhere"
    subprocess.run([sys.executable, "-m", "attendance", "--home", str(target), "enroll", str(PHOTOS / "alex-lacamoire.png"),
                    "--name", "Alex", "--jitters", "1"], cwd=empty, env=env, capture_output=True, timeout=120, check=True)
    assert (target / "known_faces" / "gallery.npz").is_file() and (target / "logs").is_dir()
    assert list(empty.iterdir()) == []


def test_help_on_every_subcommand() -> None:
    from attendance.cli.main import main

    commands = sorted(main.commands)
    assert {"enroll", "roster", "remove", "evaluate"} <= set(commands)
    # `python -m attendance` itself once, in a real process; every command's --help in this one.
    module = subprocess.run([sys.executable, "-m", "attendance", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    helps: dict[str, subprocess.CompletedProcess[str] | CliResult] = {"python -m": module, **{name: cli(*([name] if name else []), "--help") for name in ["", *commands]}}
    for name, proc in helps.items():
        out, err = proc.stdout, proc.stderr
        assert proc.returncode == 0 and out.startswith("Usage: ") and "Traceback" not in err, (name, err)
        assert "--help" in out
    usage = cli("enroll")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    no_name = cli("enroll", str(PHOTOS / "obama.jpg"))
    assert no_name.returncode == 2 and "needs --name" in no_name.stderr


def test_doctor_checks_the_models_and_a_real_recognition_worker() -> None:
    proc = run_cli("doctor", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "ok  face models loaded" in proc.stdout
    assert "ok  recognition worker started and answered" in proc.stdout


def test_a_missing_file_is_the_same_error_in_every_command(lin_alex_home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.jpg"
    for args in (["enroll", str(missing), "--name", "X"], ["enroll", str(missing)], ["evaluate", str(missing)],
                 ["run", "--source", str(missing), "--headless"]):
        proc = cli(*args, home=lin_alex_home)
        assert (proc.returncode, proc.stderr) == (1, f"attendance: error: {missing}: no such file or folder\n"), args


def test_dates_as_teachers_type_them(lin_alex_home: Path) -> None:
    understood = run_cli("export", "--from", "24/11/2026", "--to", "2026-11-30", home=lin_alex_home)
    assert understood.returncode == 1 and "match from 2026-11-24 to 2026-11-30" in understood.stderr
    refused = run_cli("export", "--from", "31/02/2026", home=lin_alex_home)
    assert refused.returncode == 2 and "'31/02/2026' is not a date: type it like 24/11/2026 or 2026-11-24" in refused.stderr


def test_run_on_several_photo_files(lin_alex_home: Path, tmp_path: Path) -> None:
    """Several photo files as one source (what the window's Photos… gives), joined by os.pathsep."""
    home = copy_home(lin_alex_home, tmp_path / "home")
    source = os.pathsep.join(str(PHOTOS / name) for name in ("alex-lacamoire.png", "lin-manuel-miranda.png"))
    proc = cli("run", "--source", source, "--session", "two", home=home, check=True)
    assert "photo alex-lacamoire.png: found Alex Lacamoire; 0 faces not identified" in proc.stdout, proc.stdout
    assert "photo lin-manuel-miranda.png: found Lin-Manuel Miranda; 0 faces not identified" in proc.stdout, proc.stdout
    missing = cli("run", "--source", f"{source}{os.pathsep}{tmp_path / 'gone.jpg'}", "--session", "three", home=home)
    assert missing.returncode == 1 and "gone.jpg: not a photo file" in missing.stderr and "Traceback" not in missing.stderr
