"""How images are read from each kind of frame source: an OpenCV capture on a camera,
a video file or a stream URL, or the images of a folder in natural name order.  OpenCV's
own console noise is kept quiet; a failure is one :class:`SourceError` line.  The
capture thread, hand-over and reconnection around them are :mod:`attendance.live.sources`.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

import cv2
import numpy as np

from attendance.core.errors import SourceError
from attendance.core.names import natural_key
from attendance.core.quiet import quiet_opencv

# FFmpeg's own console messages ("Connection refused", h264 packet-loss noise) mean
# nothing to a teacher; failures are reported once, as SourceError or events.  Read by
# OpenCV when its FFmpeg backend is first used (not at import: checked with
# opencv-python 5.0); an explicit setting is kept.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

log = logging.getLogger(__name__)

#: URL schemes opened as network streams (through OpenCV's FFmpeg backend).
STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https", "udp", "tcp", "rtmp")

#: File name endings read from a folder of images (others are skipped).
FRAME_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"})


def redact_url(url: str) -> str:
    """``url`` without user name, password, query or fragment (they may carry secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    tail = "?..." if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{tail}"




class Reader(Protocol):
    """One way of getting images; used only by the capture thread after :meth:`open`.

    ``fps``: frames per second if known (after :meth:`open`); ``timeout_s``: the longest
    a :meth:`grab` or :meth:`open` may block, in seconds.
    """

    fps: float | None
    timeout_s: float

    def open(self) -> None:
        """(Re)open; raises :class:`SourceError` with a one-line message on failure."""

    def grab(self) -> np.ndarray | None:
        """The next BGR image, or ``None`` when nothing more comes (end of a file, or a
        lost camera/stream)."""

    def close(self) -> None:
        """Release the device, file or connection."""


class CaptureReader:
    """A ``cv2.VideoCapture`` on a camera index, a video file or a stream URL."""

    def __init__(self, target: int | str, description: str, kind: Literal["camera", "file", "stream"], timeout_s: float) -> None:
        self.target = target
        self.description = description
        self.kind = kind
        self.timeout_s = timeout_s
        self.cap: cv2.VideoCapture | None = None
        self.fps: float | None = None

    def open(self) -> None:
        self.close()
        started = time.monotonic()
        with quiet_opencv():
            if self.kind == "camera":
                cap = cv2.VideoCapture(int(self.target))
            elif self.kind == "stream":
                ms = int(self.timeout_s * 1000)
                cap = cv2.VideoCapture(str(self.target), cv2.CAP_FFMPEG,
                                       [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms])
            else:
                cap = cv2.VideoCapture(str(self.target), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise SourceError(self._failure(time.monotonic() - started))
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if 0.5 <= fps <= 1000 else None
        self.cap = cap

    def _failure(self, elapsed: float) -> str:
        if self.kind == "camera":
            return f"no camera at index {self.target} (is it connected, and not in use by another program?)"
        if self.kind == "stream":
            if elapsed >= self.timeout_s * 0.9:
                return f"{self.description}: no answer within {self.timeout_s:g} s (check the address and that the camera is on)"
            return f"{self.description}: cannot open the stream (unreachable, refused, or not a video stream)"
        return f"{self.description}: not a video OpenCV can read"

    def grab(self) -> np.ndarray | None:
        if self.cap is None:
            return None
        ok, image = self.cap.read()
        return image if ok else None

    def close(self) -> None:
        if self.cap is not None:
            self.cap.release()
            self.cap = None


class FolderReader:
    """The images of a folder in natural name order; unreadable images are skipped."""

    def __init__(self, folder: Path, description: str, fps: float) -> None:
        self.description = description
        self.fps: float | None = fps
        self.timeout_s = 0.0
        self.paths = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES),
                            key=lambda p: natural_key(p.name))
        self.next = 0

    def open(self) -> None:
        self.next = 0

    def grab(self) -> np.ndarray | None:
        while self.next < len(self.paths):
            path = self.paths[self.next]
            self.next += 1
            try:
                image = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_COLOR)
            except (OSError, cv2.error):
                image = None
            if image is not None:
                return image
            log.warning("%s: skipped %s (not a readable image)", self.description, path.name)
        return None

    @property
    def position(self) -> int:
        """Index (in the sorted list) of the image :meth:`grab` returned last."""
        return self.next - 1

    def close(self) -> None:
        pass
