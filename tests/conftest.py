"""Shared fixtures: the shared data folder, the command line run in this process
(:func:`cli`) or in a real one (:func:`run_cli`), and enrolled homes built once per test
session with the real dlib models.

The test folders mirror the package (``tests/core/`` tests ``attendance/core/``, and so on;
``tests/cli/`` the command line as a whole).  They are plain folders, not packages: this
rootdir conftest puts ``tests/`` on ``sys.path``, so every test imports the shared helpers
as ``from conftest import ...``, ``from xvfb import ...``, ``from tkdriver import ...`` (the GUI
tests' main-loop, close and screenshot helpers) and ``from streaming import ...``.
Test file names must therefore be unique across folders.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from attendance.bench import DATA_ENV

#: The PostgreSQL server of the school tests and its fixtures (``pg``, ``pg_up``, ``school``).
pytest_plugins = ("pgserver",)

ROOT = Path(__file__).resolve().parents[1]
#: The shared test data: ``$ATTENDANCE_DATA`` (what ``attendance bench --data`` reads too), else
#: ``../shared/data`` beside the checkout.  The one place that default is written.
SHARED = Path(os.environ.get(DATA_ENV) or ROOT.parent / "shared" / "data").resolve()
CLIP = SHARED / "video" / "short_hamilton_clip.mp4"
ARTIFACTS = ROOT / "test-artifacts"
XDG_VARS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME")


@dataclass(frozen=True)
class CliResult:
    """What a command run by :func:`cli` left: the fields of :class:`subprocess.CompletedProcess` tests read."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class _CurrentStderr(logging.StreamHandler):
    """A log handler writing to whatever ``sys.stderr`` is at the time (CliRunner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def cli(*args: str, home: Path | None = None, check: bool = False, input: str | None = None,
        env: dict[str, str] | None = None) -> CliResult:
    """Run ``attendance ARGS`` in this process with click's ``CliRunner``: the same data
    home, environment and working folder as :func:`run_cli`, and the warnings the
    command logs on stderr as ``attendance: ...`` like the real program, without starting
    Python and loading the models again (~2-3 s a command).  Use :func:`run_cli` where the
    process itself is under test (kill -9, workers, orphans, ``python -m attendance``) and
    for commands that spawn a pool of encoding workers (a folder with more than one
    worker, ``evaluate``): spawned from pytest, those re-import it (measured twice as slow)
    and log to pytest's own stderr."""
    from click.testing import CliRunner

    from attendance.cli.main import main

    handler = _CurrentStderr()
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("attendance: %(message)s"))
    logging.getLogger().addHandler(handler)
    cwd = os.getcwd()
    os.chdir(home or ROOT)
    try:
        result = CliRunner().invoke(main, list(args), input=input, env={"ATTENDANCE_HOME": str(home) if home else None, **(env or {})},
                                    prog_name="attendance", catch_exceptions=False)
    finally:
        os.chdir(cwd)
        logging.getLogger().removeHandler(handler)
    done = CliResult(args, result.exit_code, result.stdout, result.stderr)
    if check and done.returncode != 0:
        raise AssertionError(f"attendance {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def run_cli(*args: str, home: Path | None = None, timeout: float = 300, check: bool = False, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m attendance ARGS`` in a real subprocess; returns the completed process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("ATTENDANCE_HOME", None)
    if home is not None:
        full_env["ATTENDANCE_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-m", "attendance", *args], capture_output=True, text=True, timeout=timeout,
                          env=full_env, input=input, cwd=str(home or ROOT))
    if check and proc.returncode != 0:
        raise AssertionError(f"attendance {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session", autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the per-user data and config folders (platformdirs, via XDG) at a temporary
    folder, for this process and every command it runs: tests never touch the real ones."""
    base = tmp_path_factory.mktemp("xdg")
    saved = {var: os.environ.get(var) for var in XDG_VARS}
    for var in XDG_VARS:
        os.environ[var] = str(base / var.lower())
    yield base
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


@pytest.fixture(autouse=True)
def fresh_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no remembered window settings (a window saves them on close)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def steady_heap() -> Iterator[None]:
    """Keep this test process's own garbage out of a test that times a loop.

    By the time such a test runs, the pytest process holds the objects of a few hundred
    tests, and a full collection of them took 100-240 ms here (measured with
    ``gc.callbacks`` over the whole suite): a pause of the test harness, which CI once
    counted as the display loop's.  The app's own processes are small (a full collection
    of everything the window imports: 46 ms).  Objects made before the test are frozen
    (``gc.freeze``), so the collections during it see only the test's own.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests need ../shared/data beside the checkout, or ${DATA_ENV}")
    return SHARED


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lin_alex_home(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """A home with Lin-Manuel Miranda (S0001) and Alex Lacamoire (S0002) enrolled.

    Built once per test session; tests that change a store must copy it first
    (see ``copy_home``).
    """
    home = tmp_path_factory.mktemp("lin_alex")
    cli("enroll", str(shared / "photos" / "lin-manuel-miranda.png"), "--name", "Lin-Manuel Miranda", "--id", "S0001", home=home, check=True)
    cli("enroll", str(shared / "photos" / "alex-lacamoire.png"), "--name", "Alex Lacamoire", "--id", "S0002", home=home, check=True)
    return home


@pytest.fixture(scope="session")
def people_home(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> Path:
    """A home with the five people of ``shared/data/people`` enrolled (built once).

    In a real process: its two encoding workers, spawned from this one, would re-import
    pytest and its plugins (measured 19.6 s instead of 12.3 s)."""
    home = tmp_path_factory.mktemp("people")
    run_cli("enroll", str(shared / "people"), home=home, check=True)
    return home


@dataclass(frozen=True)
class ClassOf35:
    """A class of 35 for the window at class size: ``home`` (everyone enrolled, jitters 1,
    ids ``C001``...; one class, :attr:`CLASS`, of all 35), a 1280x720 ``video`` of the 20
    ``seated`` ones ``(id, name)`` sitting down among 4 strangers, and a ``photo`` of the
    class seated (its last moment), a JPEG; ``absent``: the 15 enrolled and never in view."""

    CLASS = "Year 9 Maths"

    home: Path
    video: Path
    photo: Path
    seated: tuple[tuple[str, str], ...]
    absent: tuple[tuple[str, str], ...]


@pytest.fixture(scope="session")
def class35(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> ClassOf35:
    """:class:`ClassOf35` from the shared data (the benchmark's cast: ``shared_cast``), built
    once per test session (~45 s: the cast's photos are encoded to pair them, then 35 enrolled)."""
    from PIL import Image

    from attendance.demo.classroom import enroll_scene, seated_class, shared_cast
    from attendance.roster.classes import ClassBook

    folder = tmp_path_factory.mktemp("class35")
    cast = [replace(p, name=p.name.title()) for p in shared_cast(shared)]  # names as a school's roster writes them
    scene = seated_class(cast, size=(1280, 720), duration_s=40.0, fps=5.0, sit_window_s=3.0, seed=1)
    video = scene.write(folder / "class.mp4")
    photo = folder / "Img3.jpg"
    Image.fromarray(scene.photo()).save(photo, quality=92)
    home = folder / "home"
    (home / "logs").mkdir(parents=True)
    enroll_scene(scene, home / "known_faces", jitters=1)
    with ClassBook.edit(home / "known_faces") as (book, store):
        book.create(ClassOf35.CLASS)
        book.add(ClassOf35.CLASS, store.people)
    ids = {p.name: f"C{k:03d}" for k, p in enumerate(scene.enrolled, start=1)}
    seated = tuple((ids[n], n) for n in scene.present)
    absent = tuple((ids[p.name], p.name) for p in scene.enrolled if p.class_photo is None)
    assert len(ids) == 35 and len(seated) == 20 and len(absent) == 15
    return ClassOf35(home, video, photo, seated, absent)


def copy_home(src: Path, dst: Path) -> Path:
    """Copy an enrolled home so a test can change it without touching the shared one."""
    import shutil

    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """One private X server (Xvfb, 1280x800) for every GUI test of the session, as
    ``$DISPLAY``: a process whose Tk once used a display that then went away dies at the
    next Tk call, so the server lives as long as the test process."""
    from xvfb import xvfb

    old = os.environ.get("DISPLAY")
    with xvfb() as name:
        os.environ["DISPLAY"] = name
        try:
            yield name
        finally:
            if old is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = old
