"""Check the installation: what ``attendance doctor`` prints and the window's "Check installation" shows.

:func:`run_checks` yields one :class:`Check` at a time (the command prints each as it
comes; the window shows them when all are done).  Required pieces that are missing or
broken are :attr:`CheckStatus.FAILED`, with the command that fixes them; optional ones
(Tk for the window, face_recognition for the benchmark) are warnings.
"""

from __future__ import annotations

import enum
import importlib.util
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from attendance.core.deps import model_paths, require
from attendance.core.errors import AttendanceError
from attendance.core.home import Home
from attendance.core.settings import settings_path

#: Modules the app cannot run without (import names).
REQUIRED = ("numpy", "cv2", "dlib", "PIL", "pandas", "openpyxl", "matplotlib", "face_recognition_models", "platformdirs",
            "pathvalidate")


class CheckStatus(enum.Enum):
    """How one check went; the value starts the line ``doctor`` prints."""

    OK = "ok"
    WARNING = "warning:"
    FAILED = "FAILED:"


@dataclass(frozen=True)
class Check:
    """One checked thing: its ``status`` and a one-line ``text``."""

    status: CheckStatus
    text: str

    def line(self) -> str:
        return f"{self.status.value}  {self.text}"


def _modules() -> Iterator[Check]:
    for module in REQUIRED:
        try:
            mod = require(module)
        except AttendanceError as exc:
            yield Check(CheckStatus.FAILED, str(exc))
            continue
        yield Check(CheckStatus.OK, f"{module:24s} {getattr(mod, '__version__', '')}".rstrip())


def _recognition() -> Iterator[Check]:
    """The face models and the face detector load here, and a real recognition worker starts and answers."""
    import numpy as np

    from attendance.recognition.engine import shared_engine
    from attendance.recognition.jobs import EncodeJob, crop_faces
    from attendance.recognition.workers.pool import WorkerPool
    from attendance.recognition.yunet import MODEL_FILE, YuNet

    try:
        start = time.perf_counter()
        shared_engine()
        yield Check(CheckStatus.OK, f"face models loaded in {time.perf_counter() - start:.2f} s from {Path(model_paths()['encoder']).parent}")
        start = time.perf_counter()
        blank = np.zeros((360, 640, 3), np.uint8)
        YuNet().detect(blank, 40)
        yield Check(CheckStatus.OK, f"face detector (YuNet, {MODEL_FILE}, SHA-256 checked) ran in {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        with WorkerPool(workers=1) as pool:
            pool.wait_ready()
            pool.submit(EncodeJob(crop_faces(blank, np.array([[100, 200, 200, 100]], np.int32)))).result(timeout=60)
        yield Check(CheckStatus.OK, f"recognition worker started and answered in {time.perf_counter() - start:.2f} s")
    except AttendanceError as exc:
        yield Check(CheckStatus.FAILED, f"face recognition: {exc}")


def _optional() -> Iterator[Check]:
    try:
        import tkinter

        yield Check(CheckStatus.OK, f"tkinter                  Tk {tkinter.TkVersion} (the desktop window)")
    except ImportError:
        yield Check(CheckStatus.WARNING, "tkinter is missing, so the window cannot open (Debian/Ubuntu: sudo apt install python3-tk); "
                                         "the commands work")
    if importlib.util.find_spec("face_recognition") is None:
        yield Check(CheckStatus.WARNING, "face_recognition is not installed: optional, only `attendance bench` needs it "
                                         "(pip install --no-deps face_recognition==1.3.0)")
    else:
        yield Check(CheckStatus.OK, f"face_recognition         {metadata.version('face_recognition')} (optional: the benchmark's classic loops)")


def _data_folder(home: Home) -> Iterator[Check]:
    yield Check(CheckStatus.OK, f"data folder              {home.describe()}")
    faces = home.known_faces
    if not home.root.exists():
        yield Check(CheckStatus.OK, "data folder is created on first use")
    elif not os.access(home.root, os.W_OK):
        yield Check(CheckStatus.FAILED, f"the data folder {home.root} is not writable: choose another with --home")
    elif os.name == "posix" and faces.is_dir() and stat.S_IMODE(faces.stat().st_mode) & 0o077:
        yield Check(CheckStatus.WARNING, f"{faces} can be read by other users (mode {stat.S_IMODE(faces.stat().st_mode):o}); "
                                         f"fix: chmod 700 {faces}")
    yield Check(CheckStatus.OK, f"settings file            {settings_path()}")


def run_checks(home: Home) -> Iterator[Check]:
    """Every check, in order: required modules, face models and a worker, optional pieces, data folder."""
    failed = False
    for check in _modules():
        failed = failed or check.status is CheckStatus.FAILED
        yield check
    if not failed:
        yield from _recognition()
    yield from _optional()
    yield from _data_folder(home)
