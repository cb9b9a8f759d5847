"""A loopback video stream for tests: Debian's ffmpeg serving a clip as MJPEG over HTTP.

``ffmpeg -re -stream_loop -1 -i CLIP -f mpjpeg -listen 1 http://127.0.0.1:PORT/cam.mjpg``
plays the clip in a loop at its own speed to ONE client (an IP camera's
``multipart/x-mixed-replace`` stream).  ffmpeg exits when that client leaves, so
:meth:`LoopbackStream.start` runs a fresh server on the same port each time; stop it to
simulate a camera that drops, start it again to bring it back.  Only 127.0.0.1.

    with LoopbackStream(clip) as stream:      # serving
        src = open_source(stream.url)
        stream.stop(); stream.start()         # drop and come back
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody is listening on (and that is then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_listening(port: int) -> bool:
    """Whether some process listens on 127.0.0.1:``port`` (Linux ``/proc/net/tcp``).

    Probing by connecting would use up the single client an ``-listen 1`` server takes.
    """
    wanted = f"0100007F:{port:04X}"
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    rows = (line.split() for line in lines)
    return any(len(row) > 3 and row[1] == wanted and row[3] == "0A" for row in rows)  # 0A = LISTEN


class LoopbackStream:
    """An ffmpeg MJPEG-over-HTTP server of ``clip`` on 127.0.0.1 (started on enter).

    ``fps``: re-time the stream (``None`` = the clip's own rate); ``quality``: MJPEG
    ``-q:v`` (2 best .. 31 worst).  Every ffmpeg is killed by :meth:`stop` / on exit.
    """

    def __init__(self, clip: Path, port: int | None = None, fps: float | None = None, quality: int = 6) -> None:
        if shutil.which("ffmpeg") is None:
            pytest.skip("ffmpeg is not installed (make system-deps)")
        self.clip = clip
        self.port = port or free_port()
        self.fps = fps
        self.quality = quality
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cam.mjpg"

    def start(self, timeout: float = 5.0) -> LoopbackStream:
        """Start serving; returns once the port is listening (or raises after ``timeout`` s)."""
        self.stop()
        rate = ["-r", f"{self.fps:g}"] if self.fps else []
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(self.clip),
               "-an", *rate, "-c:v", "mjpeg", "-q:v", str(self.quality), "-f", "mpjpeg", "-listen", "1", self.url]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not is_listening(self.port):
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"ffmpeg server exited ({self.proc.returncode}): {err.strip()[-500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ffmpeg did not listen on port {self.port} within {timeout} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Kill the server (a camera that drops off the network)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None

    def __enter__(self) -> LoopbackStream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
