"""The video window's picture: a frame with each face's box and name drawn on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from attendance.live.session import SessionUpdate


def draw(image: np.ndarray, update: SessionUpdate) -> np.ndarray:
    """The frame with boxes and names drawn (green = identified, grey = unknown); BGR copy."""
    import cv2

    out = image.copy()
    for (top, right, bottom, left), label, person in zip(update.detections.boxes.tolist(), update.labels, update.detections.person.tolist()):
        color = (60, 200, 60) if person >= 0 else (160, 160, 160)
        cv2.rectangle(out, (left, top), (right, bottom), color, 2)
        cv2.rectangle(out, (left, bottom), (right, bottom + 20), color, cv2.FILLED)
        cv2.putText(out, label[:24], (left + 4, bottom + 15), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
    cv2.putText(out, f"present {update.present}/{update.enrolled}", (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    return out
