"""A private X server for GUI tests: Xvfb on a display number it picks itself."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """Start ``Xvfb`` (``-displayfd``: no clash with other test runs); yield ``":N"``."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is missing: install the Debian package xvfb (make system-deps)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            pytest.fail(f"Xvfb did not start (exit status {proc.poll()})")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def screenshot(display: str, bbox: tuple[int, int, int, int], path: Path) -> Path:
    """Save the screen area ``bbox`` (left, top, right, bottom) of ``display`` as a PNG."""
    from PIL import ImageGrab

    path.parent.mkdir(parents=True, exist_ok=True)
    ImageGrab.grab(bbox=bbox, xdisplay=display).save(path)
    return path
