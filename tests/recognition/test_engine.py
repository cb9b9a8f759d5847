"""The engine computes face_recognition's own encodings and boxes, without importing it."""

from __future__ import annotations

import numpy as np
from conftest import SHARED

from attendance.core.deps import import_face_recognition
from attendance.recognition.engine import shared_engine
from attendance.recognition.imaging import load_rgb
from attendance.recognition.photos import find_faces

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
