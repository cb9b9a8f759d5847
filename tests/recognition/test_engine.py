"""The engine computes face_recognition's own encodings and boxes, without importing it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
from conftest import SHARED

from attendance.core.deps import import_face_recognition
from attendance.recognition.engine import shared_engine
from attendance.recognition.enrollment_photo import find_faces
from attendance.recognition.imaging import load_rgb

PHOTOS = SHARED / "photos"


def test_engine_encodings_equal_face_recognition() -> None:
    """Our direct dlib calls compute exactly face_recognition's encodings (model="small")."""
    fr = import_face_recognition()
    rgb = load_rgb(PHOTOS / "obama.jpg")
    boxes = find_faces(rgb)
    assert len(boxes) == 1
    ours = shared_engine().encode(rgb, boxes, jitters=1)
    theirs = np.asarray(fr.face_encodings(rgb, known_face_locations=[tuple(int(v) for v in boxes[0])], model="small"))
    assert ours.shape == theirs.shape == (1, 128)
    assert np.abs(ours - theirs).max() < 1e-5
    # Same HOG detector too: at full scale the boxes are identical.
    theirs_boxes = np.asarray(fr.face_locations(rgb, number_of_times_to_upsample=1))
    assert np.array_equal(shared_engine().detect(rgb, upsample=1), theirs_boxes)


def test_release_frees_the_detectors_buffers_and_keeps_its_detections() -> None:
    """A worker swaps in a fresh copy of the detector after a large search (the old one
    keeps that search's feature pyramid); the copy finds exactly the same faces."""
    code = textwrap.dedent(f"""
        import ctypes
        import numpy as np
        from attendance.recognition.engine import shared_engine
        from attendance.recognition.imaging import load_rgb

        def rss_mib():
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) / 1024

        engine = shared_engine()
        rgb = load_rgb({str(SHARED / "probes" / "obama_and_biden.jpg")!r})
        frame = np.ascontiguousarray(np.tile(rgb, (3, 3, 1))[:1080, :1920])
        before = engine.detect(frame[:470, :470], scale=2.5)
        kept = rss_mib()
        engine.release()
        print(kept - rss_mib(), np.array_equal(before, engine.detect(frame[:470, :470], scale=2.5)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    freed, same = out.stdout.split()
    assert same == "True"
    assert float(freed) > 3.0, out.stdout  # measured 5-10 MiB
