"""``Detections``: parallel arrays of one length, or an error."""

from __future__ import annotations

import numpy as np
import pytest

from attendance.recognition.detections import Detections
from attendance.recognition.engine import ENCODING_DIM


def test_left_out_arrays_are_filled_and_mismatched_ones_refused() -> None:
    boxes = np.array([[0, 10, 10, 0], [5, 20, 20, 5]], np.int32)
    encodings = np.full((2, ENCODING_DIM), np.nan, np.float32)
    dets = Detections(boxes, encodings)
    assert dets.track_id.tolist() == [-1, -1] and dets.person.tolist() == [-1, -1] and np.isinf(dets.distance).all()
    assert len(Detections.empty()) == 0
    with pytest.raises(ValueError, match="track_id"):
        Detections(boxes, encodings, track_id=np.array([7], np.int64))
    with pytest.raises(ValueError, match="encodings"):
        Detections(boxes, encodings[:1])
    with pytest.raises(ValueError, match="person"):
        Detections(boxes[:0], encodings[:0], person=np.array([0], np.int64))
