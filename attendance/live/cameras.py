"""Which cameras open: probe the first few camera indices (for the window's source field).

Opening a camera may take a few hundred milliseconds (or block longer on a busy device),
so callers run :func:`probe_cameras` off the UI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import cv2

from attendance.core.quiet import quiet_opencv

log = logging.getLogger(__name__)

#: Camera indices the window tries (0 = the first webcam).
PROBED_INDICES = range(4)


@dataclass(frozen=True)
class Camera:
    """A camera that opened and gave a picture: its ``index`` and picture size in pixels."""

    index: int
    width: int
    height: int

    @property
    def label(self) -> str:
        """How the window lists it, e.g. ``"Camera 0 (640x480)"``."""
        return f"Camera {self.index} ({self.width}x{self.height})"


def probe_camera(index: int) -> Camera | None:
    """Open camera ``index``, read one picture and release it; ``None`` if it does not open."""
    with quiet_opencv():
        cap = cv2.VideoCapture(index)
    try:
        if not cap.isOpened():
            return None
        ok, image = cap.read()
        if not ok or image is None:
            return None
        return Camera(index, int(image.shape[1]), int(image.shape[0]))
    finally:
        cap.release()


def probe_cameras(indices: Iterable[int] = PROBED_INDICES) -> list[Camera]:
    """The cameras among ``indices`` that open and give a picture, in index order."""
    start = time.perf_counter()
    found = [camera for camera in map(probe_camera, indices) if camera is not None]
    log.info("cameras found: %s (probed in %.2f s)", [c.label for c in found] or "none", time.perf_counter() - start)
    return found
