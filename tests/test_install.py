"""Install as a teacher would: build the wheel, install it into a fresh venv outside the
checkout (no make, no repository, no face_recognition), then run ``attendance doctor``,
``attendance demo`` and ``attendance install-desktop`` from that venv, the README's Python
example with that venv's Python (``import attendance`` from the wheel), and open the window
under Xvfb with the menu entry's command, then close it with Ctrl+Q.

pip takes the dependencies from its cache when it has them (the first run on a new
machine downloads them).  The time of each step is printed (``-s`` shows it); the whole
test takes about a minute on an idle 2-core machine.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS, ROOT, SHARED
from readme_example import run_example
from xvfb import screenshot, xvfb

pytestmark = pytest.mark.slow

#: What the wheel is built from: the package and its packaging files, nothing else of the checkout.
SOURCES = ("attendance", "setup.cfg", "pyproject.toml", "README.md")


def timed(times: dict[str, float], step: str, args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, **kwargs)
    times[step] = time.perf_counter() - start
    assert proc.returncode == 0, f"{step} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def build_wheel(work: Path, times: dict[str, float]) -> Path:
    src = work / "src"
    src.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    timed(times, "build wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(src)])
    (wheel,) = (work / "dist").glob("attendance-*.whl")
    return wheel


def close_window(env: dict[str, str], proc: subprocess.Popen[str]) -> str:
    """Find the window, screenshot it, press Ctrl+Q in it (File > Quit); its stderr."""
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Attendance"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert found.returncode == 0 and found.stdout.strip(), found.stderr
    window = found.stdout.split()[0]
    time.sleep(1.5)  # let it draw (and the camera probe answer)
    geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], env=env, capture_output=True, text=True,
                              check=True).stdout
    g = dict(line.split("=") for line in geometry.split())
    x, y, w, h = (int(g[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    screenshot(env["DISPLAY"], (x, y, x + w, y + h), ARTIFACTS / "screenshots" / "installed-wheel-window.png")
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=10)
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+q"], env=env, check=True, timeout=10)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return err


def test_the_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    times: dict[str, float] = {}
    wheel = build_wheel(tmp_path / "build", times)
    venv = tmp_path / "venv"
    timed(times, "make a fresh venv", [sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python, attendance = venv / "bin" / "python", venv / "bin" / "attendance"
    # This pip installs into the new venv (--python): same result as the venv's own pip, without
    # copying pip into it first; --no-compile leaves the .pyc files to the first import.
    timed(times, "pip install the wheel", [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile",
                                           str(wheel)])

    desk = tmp_path / "desktop"  # the current directory when the app starts from a menu: not a data folder
    desk.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ATTENDANCE_HOME", "PYTHONPATH", "VIRTUAL_ENV")}
    where = timed(times, "import", [str(python), "-c", "import attendance, face_recognition_models; print(attendance.__file__)"],
                  cwd=desk, env=env).stdout
    assert Path(where.strip()).is_relative_to(venv), "the installed package runs, not the checkout"
    assert subprocess.run([str(python), "-c", "import face_recognition"], capture_output=True).returncode != 0, \
        "face_recognition is not needed and not installed"

    doctor = timed(times, "attendance doctor", [str(attendance), "doctor"], cwd=desk, env=env, timeout=120)
    assert "ok  face models loaded" in doctor.stdout and "ok  recognition worker started and answered" in doctor.stdout
    data = Path(env["XDG_DATA_HOME"]) / "attendance"
    assert f"data folder              {data} (the per-user data folder)" in doctor.stdout
    assert "face_recognition is not installed: optional" in doctor.stderr

    demo = timed(times, "attendance demo", [str(attendance), "demo", "--headless"], cwd=desk, env=env, timeout=180)
    assert "1 present of 1 enrolled: Grace Hopper" in demo.stdout, demo.stdout

    start = time.perf_counter()
    example = run_example(python, ROOT / "README.md", SHARED, tmp_path / "example", env=env)
    times["the README's Python example"] = time.perf_counter() - start
    assert example["present"] == [["1042", "Lin-Manuel Miranda"]] and ["Barack Obama", "1044"] in example["matches"]

    menu = timed(times, "install-desktop", [str(attendance), "install-desktop"], cwd=desk, env=env)
    assert "menu entry:" in menu.stdout and (Path(env["XDG_DATA_HOME"]) / "icons/hicolor/256x256/apps/attendance.png").is_file()
    entry = (Path(env["XDG_DATA_HOME"]) / "applications" / "attendance.desktop").read_text(encoding="utf-8")
    (exec_line,) = [line.removeprefix("Exec=") for line in entry.splitlines() if line.startswith("Exec=")]
    command = shlex.split(exec_line)  # no field codes or quoting needed in these paths
    assert command == [str(python), "-m", "attendance", "gui"]

    with xvfb() as display:
        start = time.perf_counter()
        window_env = {**env, "DISPLAY": display}
        # Started as the menu entry starts it: its Exec command, from a folder that is no data folder.
        proc = subprocess.Popen(command, cwd=desk, env=window_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            err = close_window(window_env, proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        times["open and close the window"] = time.perf_counter() - start
    assert "Traceback" not in err
    assert (data / "known_faces").is_dir() and (data / "logs").is_dir(), "the window made its data folder in the user's"
    settings = json.loads((Path(env["XDG_CONFIG_HOME"]) / "attendance" / "settings.json").read_text(encoding="utf-8"))
    assert settings["session"] == "class" and len(settings["window"]) == 2, "closing saved the settings"
    print("wheel install test: " + ", ".join(f"{step} {s:.1f} s" for step, s in times.items()) + f"; total {sum(times.values()):.1f} s")
