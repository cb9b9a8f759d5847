"""Frame sources: a webcam, a video file, a folder of images or a network stream.

:func:`open_source` turns what the user typed (``0``, ``clip.mp4``, ``frames/``,
``rtsp://...``) into a :class:`FrameSource`.  Capture always runs in its own thread:

* **live** sources (a camera or a stream) and files played with ``realtime=True`` hand
  over only the NEWEST frame: a slow consumer never builds up lag, and frames it never
  took are counted in ``frames_dropped``;
* a file or folder played as fast as possible hands over EVERY frame in order (the
  thread is then a small read-ahead buffer).

How the images themselves are read (OpenCV, a folder) is :mod:`attendance.live.readers`.

A camera or stream that fails mid-session is reopened with exponential backoff until
:attr:`Reconnect.give_up_after` seconds have passed; meanwhile ``read`` just times out.
Losses, reconnections and giving up are logged and kept in :attr:`FrameSource.events`
(``str(event)`` is a one-line message for the user).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

import numpy as np

from attendance.core.errors import SourceError
from attendance.core.files import existing
from attendance.live.frames import Frame
from attendance.live.readers import FRAME_SUFFIXES, STREAM_SCHEMES, CaptureReader, FolderReader, Reader, redact_url

log = logging.getLogger(__name__)

#: Frames buffered ahead of the consumer when a file is read in order, at most ...
READ_AHEAD = 4
#: ... and bytes of pictures buffered at most (always one frame): a 640x360 BGR frame is
#: 0.7 MB (4 frames), 1280x720 2.8 MB (3), 1920x1080 6.2 MB (1).
READ_AHEAD_BYTES = 8 * 1024 * 1024

#: Frame rate assumed for a video file that does not state one (frames per second).
DEFAULT_FPS = 30.0


@dataclass(frozen=True)
class Reconnect:
    """How a camera or stream that fails mid-session is reopened.

    The first retry waits ``first_delay`` seconds, each next one twice as long, at most
    ``max_delay``; after ``give_up_after`` seconds without a frame (``None`` = never)
    the source ends.
    """

    first_delay: float = 0.5
    max_delay: float = 8.0
    give_up_after: float | None = 60.0


class SourceEventKind(str, Enum):
    """What happened to a live source (str-valued: logs and comparisons see the plain word)."""

    LOST = "lost"
    RECONNECTED = "reconnected"
    GAVE_UP = "gave_up"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SourceEvent:
    """A change in a live source's health.

    ``kind``: ``LOST`` (frames stopped), ``RECONNECTED`` (frames again; ``gap_s`` is
    the time since the last frame, in seconds) or ``GAVE_UP``.  ``at``: aware local
    wall-clock time (for ``"lost"``: when the last frame came); ``media_time``: the same
    instant in seconds since the source was opened.  ``str(event)`` is a one-line message
    for the user.
    """

    kind: SourceEventKind
    at: datetime
    media_time: float
    message: str
    gap_s: float | None = None

    def __str__(self) -> str:
        return self.message


def read_ahead_depth(frame_bytes: int) -> int:
    """Frames read ahead for frames of ``frame_bytes`` bytes each: :data:`READ_AHEAD`,
    fewer when they would hold more than :data:`READ_AHEAD_BYTES`, never less than one."""
    return max(1, min(READ_AHEAD, READ_AHEAD_BYTES // max(1, frame_bytes)))


class _Handoff:
    """Frames from the capture thread to the consumer.

    ``newest=True``: one slot, a new frame replaces an unread one (counted as dropped).
    ``newest=False``: a FIFO of ``depth`` frames; the producer waits for room (before
    reading the next frame: :meth:`wait_for_room`, so it holds no extra frame meanwhile).
    """

    def __init__(self, newest: bool, depth: int = READ_AHEAD) -> None:
        self.newest = newest
        self.depth = 1 if newest else depth
        self.items: deque[Frame] = deque()
        self.cond = threading.Condition()
        self.finished = False
        self.dropped = 0

    def wait_for_room(self, stop: threading.Event) -> None:
        """FIFO: wait until fewer than ``depth`` frames are queued (or ``stop`` is set)."""
        with self.cond:
            while not self.newest and len(self.items) >= self.depth and not stop.is_set():
                self.cond.wait(0.1)

    def put(self, frame: Frame, stop: threading.Event) -> None:
        self.wait_for_room(stop)
        with self.cond:
            if self.newest and self.items:
                self.items.popleft()
                self.dropped += 1
            self.items.append(frame)
            self.cond.notify_all()

    def get(self, timeout: float | None) -> Frame | None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.items or self.finished, timeout):
                return None
            if not self.items:
                return None
            frame = self.items.popleft()
            self.cond.notify_all()
            return frame

    def finish(self) -> None:
        with self.cond:
            self.finished = True
            self.cond.notify_all()

    @property
    def drained(self) -> bool:
        with self.cond:
            return self.finished and not self.items


class FrameSource:
    """Frames from one source, captured in a background thread.  Use :func:`open_source`.

    ``description``: what the source is, for logs and the attendance CSV (never a
    password or a URL's query).  ``fps``: the source's frame rate if known.  ``live``:
    a camera or stream (frames happen whether or not anyone reads them).
    ``frame_size``: ``(width, height)`` of the first frame, in pixels.
    ``frames_read``: frames handed to the consumer; ``frames_dropped``: frames captured
    but replaced by a newer one before the consumer took them.
    """

    def __init__(self, reader: Reader, description: str, *, live: bool, fps: float | None, realtime: bool,
                 reconnect: Reconnect | None, first: np.ndarray) -> None:
        self.description = description
        self.live = live
        self.fps = fps
        self.frame_size: tuple[int, int] = (int(first.shape[1]), int(first.shape[0]))
        self.frames_read = 0
        #: Health changes of a live source, oldest first (appended by the capture thread).
        self.events: list[SourceEvent] = []
        self.status = ""
        self._reader = reader
        self._reconnect = reconnect if live else None
        self._paced = realtime and not live
        self._handoff = _Handoff(newest=live or realtime, depth=read_ahead_depth(first.nbytes))
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._opened = time.monotonic()
        self._last_frame_at = self._opened
        self._next_index = 0
        self._first: np.ndarray | None = first
        self._thread = threading.Thread(target=self._run, name=f"capture {description}", daemon=True)
        self._thread.start()

    # -- consumer side -----------------------------------------------------------------
    def read(self, timeout: float | None = None) -> Frame | None:
        """The next frame (the newest one for live/realtime sources).

        Waits at most ``timeout`` seconds (``None``: until a frame comes or the source
        ends).  Returns ``None`` on a timeout or once the source has ended for good;
        :attr:`ended` tells which.  While a camera or stream is reconnecting, reads time
        out.  Raises :class:`SourceError` if capture failed unexpectedly.
        """
        frame = self._handoff.get(timeout)
        if frame is not None:
            self.frames_read += 1
        elif self._error is not None and self._handoff.drained:
            raise SourceError(f"{self.description}: capture failed: {self._error}")
        return frame

    @property
    def ended(self) -> bool:
        """True when no frame will ever come again (file over, gave up, or closed)."""
        return self._handoff.drained

    @property
    def frames_dropped(self) -> int:
        return self._handoff.dropped

    def close(self) -> None:
        """Stop capturing and release the device, file or connection (idempotent)."""
        self._stop.set()
        self._handoff.finish()
        self._thread.join(timeout=self._reader.timeout_s + 2.0)
        if self._thread.is_alive():
            log.warning("%s: capture thread did not stop in time", self.description)

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FrameSource {self.description!r} live={self.live} read={self.frames_read} dropped={self.frames_dropped}>"

    # -- capture thread ----------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._capture()
        except BaseException as exc:  # noqa: BLE001 - surfaced to the consumer by read()
            log.exception("%s: capture failed", self.description)
            self._error = exc
        finally:
            self._reader.close()
            self._handoff.finish()

    def _capture(self) -> None:
        paced_start: float | None = None
        while not self._stop.is_set():
            self._handoff.wait_for_room(self._stop)
            if paced_start is not None:
                # Decode the next frame only once it is due (at the earliest: a folder may
                # skip unreadable images); decoded early, it would wait in memory (6 MB at 1920x1080).
                if self._stop.wait(max(0.0, paced_start + self._next_index / (self.fps or DEFAULT_FPS) - time.monotonic())):
                    return
            image, self._first = (self._first if self._first is not None else self._reader.grab()), None
            if image is None:
                if self._reconnect is None or self._stop.is_set() or not self._reopen(self._reconnect):
                    return
                continue
            self._last_frame_at = time.monotonic()
            index = self._reader.position if isinstance(self._reader, FolderReader) else self._next_index
            self._next_index = index + 1
            # Files: index / frame rate.  (CAP_PROP_POS_MSEC is not reliable: on an AVI cut
            # from the shared clip it reads 0.0, 0.868, 0.901 ... for the first frames.)
            media_time = time.monotonic() - self._opened if self.live else index / (self.fps or DEFAULT_FPS)
            if self._paced:
                now = time.monotonic()
                if paced_start is None:
                    paced_start = now - media_time
                if self._stop.wait(max(0.0, paced_start + media_time - now)):
                    return
            self._handoff.put(Frame(image, index, media_time, datetime.now().astimezone()), self._stop)

    def _reopen(self, policy: Reconnect) -> bool:
        """Reopen a lost camera/stream with backoff; False if stopped or given up.

        The outage is timed from the last frame received (a hung stream is noticed only
        when a read times out).
        """
        lost = self._last_frame_at
        at = datetime.now().astimezone() - timedelta(seconds=time.monotonic() - lost)
        self._event(SourceEventKind.LOST, f"{self.description}: lost at {at:%H:%M:%S} ({lost - self._opened:.1f} s in); reconnecting",
                    at=at, media_time=lost - self._opened)
        delay = policy.first_delay
        while True:
            waited = time.monotonic() - lost
            if policy.give_up_after is not None:
                left = policy.give_up_after - waited
                if left <= 0:
                    self._event(SourceEventKind.GAVE_UP, f"{self.description}: gave up after {waited:.0f} s without a frame")
                    return False
                delay = min(delay, left)
            self.status = f"reconnecting (no frames for {waited:.0f} s)"
            if self._stop.wait(delay):
                return False
            try:
                self._reader.open()
            except SourceError as exc:
                log.debug("reconnect attempt failed: %s", exc)
                delay = min(delay * 2, policy.max_delay)
                continue
            gap = time.monotonic() - lost
            self._event(SourceEventKind.RECONNECTED, f"{self.description}: reconnected after {gap:.1f} s", gap)
            return True

    def _event(self, kind: SourceEventKind, message: str, gap: float | None = None, *,
               at: datetime | None = None, media_time: float | None = None) -> None:
        at = at or datetime.now().astimezone()
        event = SourceEvent(kind, at, time.monotonic() - self._opened if media_time is None else media_time, message, gap)
        (log.error if kind is SourceEventKind.GAVE_UP else log.warning)("%s", message)
        self.status = "" if kind is SourceEventKind.RECONNECTED else message
        self.events.append(event)


def _reader_for(text: str, camera: bool, folder_fps: float, timeout: float) -> tuple[Reader, str, bool]:
    """``(reader, description, live)`` for the source named by ``text`` (``camera``: a camera
    index; see :func:`open_source`), not opened yet."""
    if camera:
        description = f"camera {int(text)}"
        return CaptureReader(int(text), description, "camera", timeout), description, True
    if "://" in text and text.split("://", 1)[0].lower() in STREAM_SCHEMES:
        description = redact_url(text)
        return CaptureReader(text, description, "stream", timeout), description, True
    path = Path(text).expanduser()
    if path.is_dir():
        description = f"{path} (folder of images)"
        try:
            folder = FolderReader(path, description, folder_fps)
        except OSError as exc:
            raise SourceError(f"{path}: cannot list this folder ({exc.strerror or exc})") from None
        if not folder.paths:
            raise SourceError(f"{path}: no images in this folder ({', '.join(sorted(FRAME_SUFFIXES))})")
        return folder, description, False
    if path.is_file():
        return CaptureReader(str(path), str(path), "file", timeout), str(path), False
    if "://" in text:
        raise SourceError(f"{redact_url(text)}: unsupported stream type (use {', '.join(s + '://' for s in STREAM_SCHEMES)})")
    existing(path)  # raises the same "no such file or folder" as every command
    raise SourceError(f"{path}: neither a file nor a folder")


def open_source(spec: str | int | os.PathLike[str], *, realtime: bool = False, reconnect: Reconnect | None = None,
                folder_fps: float = 10.0, timeout: float = 5.0) -> FrameSource:
    """Open what the user named as a frame source.

    ``spec``: a camera index (``0`` or ``"0"``), a video file, a folder of images (read
    in natural name order at ``folder_fps`` frames per second of media time), or a
    stream URL (``rtsp://``, ``rtsps://``, ``http(s)://``, ``udp://``, ``tcp://``,
    ``rtmp://``).  ``realtime``: play a file or folder at its own frame rate, handing
    over only the newest frame, like a camera.  ``reconnect``: the policy for a camera
    or stream that fails mid-session (default :class:`Reconnect()`).  ``timeout``:
    seconds allowed for a stream to connect, and for each read from it.

    Raises :class:`SourceError` (one line) if the source does not exist or cannot be
    opened; opening takes at most about ``timeout`` seconds.
    """
    if folder_fps <= 0:
        raise SourceError(f"the frame rate of a folder of images must be positive, not {folder_fps:g}")
    text = str(spec).strip()
    camera = isinstance(spec, int) or text.isdigit()
    reader, description, live = _reader_for(text, camera, folder_fps, timeout)
    reader.open()
    try:
        first = reader.grab()
    except BaseException:
        reader.close()
        raise
    if first is None:
        reader.close()
        why = ("the camera gave no picture" if camera else
               "connected, but no frame arrived" if live else
               "no readable image in this folder" if isinstance(reader, FolderReader) else
               "no frame could be read (empty or damaged video)")
        raise SourceError(f"{description}: {why}")
    fps = reader.fps
    source = FrameSource(reader, description, live=live, fps=fps, realtime=realtime,
                         reconnect=(reconnect or Reconnect()), first=first)
    log.info("opened %s (%s, %s fps, %dx%d)", description, "live" if live else ("realtime" if realtime else "every frame"),
             f"{fps:.2f}" if fps else "unknown", *source.frame_size)
    return source
