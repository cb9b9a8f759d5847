"""``attendance doctor``: check that every dependency imports and the face models load."""

from __future__ import annotations

from pathlib import Path

import click

from attendance.recognition.engine import shared_engine


@click.command()
def doctor() -> None:
    """Check that every dependency imports and the face models load."""
    import time

    from attendance.core.deps import model_paths, require

    for module in ("numpy", "cv2", "dlib", "PIL", "pandas", "matplotlib", "face_recognition_models"):
        mod = require(module)
        click.echo(f"ok  {module:24s} {getattr(mod, '__version__', '')}")
    start = time.perf_counter()
    shared_engine()
    click.echo(f"ok  face models loaded in {time.perf_counter() - start:.2f} s from {Path(model_paths()['encoder']).parent}")
    import numpy as np

    from attendance.recognition.analysis import Analyzer
    from attendance.recognition.engine import empty_boxes

    start = time.perf_counter()
    with Analyzer(workers=1) as analyzer:
        analyzer.wait_ready()
        blank = np.zeros((360, 640, 3), np.uint8)
        analyzer.submit(analyzer.request(blank, 0, 0.0, empty_boxes())).result(timeout=60)
    click.echo(f"ok  recognition worker started and answered in {time.perf_counter() - start:.2f} s")
    try:
        import tkinter

        click.echo(f"ok  tkinter                  Tk {tkinter.TkVersion} (the desktop window)")
    except ImportError:
        click.echo("warning: tkinter is missing, so `attendance gui` cannot open (Debian/Ubuntu: apt install python3-tk); "
                   "everything else works", err=True)
