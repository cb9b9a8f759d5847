"""Keep OpenCV's console warnings out of the user's terminal while it opens things.

Opening a capture prints a page of backend noise on failure, and each new DNN network
prints "Targets are not supported by the new graph engine" (OpenCV 5): around those
calls the log level is set to silent, and restored when the last of them finishes (the
level is process-wide, and captures and the face detector open in different threads).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from attendance.core.deps import require


def _cv2() -> ModuleType:
    return require("cv2")


class QuietOpenCV:
    """Silences OpenCV's console warnings while captures are opened (re-entrant across
    threads: the level is restored when the last open finishes).  A failed open is
    reported once, as a :class:`SourceError`, not as a page of backend noise."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.depth == 0:
                self.saved = _cv2().utils.logging.getLogLevel()
                _cv2().utils.logging.setLogLevel(_cv2().utils.logging.LOG_LEVEL_SILENT)
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0:
                    _cv2().utils.logging.setLogLevel(self.saved)


#: Use as ``with quiet_opencv(): ...`` around ``cv2.VideoCapture(...)``.
quiet_opencv = QuietOpenCV()
