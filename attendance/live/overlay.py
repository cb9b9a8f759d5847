"""The names on the picture: where each face's label goes, so that labels never cover each
other nor leave the picture (:func:`place_labels`), and the frame with them drawn for the
command line's video window (:func:`draw`; the desktop window draws the same placements
with Tk, :class:`attendance.gui.widgets.VideoView`).

A label sits under its face's box if it can, else above it, else inside its bottom edge,
moved sideways to stay inside the picture.  In a crowded picture a name that does not fit
is shortened (``"Richard Attenborough"`` -> ``"Richard A."`` -> ``"Richard"`` -> ``"RA"``,
:func:`attendance.core.names.short_names`); a face with no room even for its shortest
form keeps its box without a label.  Faces not identified yet are labelled
:data:`NOT_IDENTIFIED` (never "unknown": most are students the app has not recognised
*yet*), shortened to ``"?"`` when crowded, and placed after the identified ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from attendance.core.names import short_names

if TYPE_CHECKING:
    from attendance.live.session import SessionUpdate

#: The label of a face that is not identified (yet), and its shorter forms.
NOT_IDENTIFIED = "not identified yet"
NOT_IDENTIFIED_FORMS = (NOT_IDENTIFIED, "not yet", "?")
#: Space between a label's text and its edge (pixels).
LABEL_PAD = 4


@dataclass(frozen=True)
class PlacedLabel:
    """One face's label: ``face`` the index of its box, ``text`` (perhaps shortened), its
    box ``left``, ``top``, ``width``, ``height`` in picture pixels (inside the picture)."""

    face: int
    text: str
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


def place_labels(boxes: np.ndarray, names: Sequence[str | None], size: tuple[float, float], measure: Callable[[str], float],
                 line_px: float, unnamed: Sequence[str] = NOT_IDENTIFIED_FORMS) -> list[PlacedLabel]:
    """Where to write each face's name on a picture of ``size`` ``(width, height)`` pixels.

    ``boxes``: ``(n, 4)`` ``(top, right, bottom, left)`` in the picture's pixels;
    ``names``: per box, the name (``None``: not identified yet, labelled with the longest
    of ``unnamed`` that fits); ``measure(text)``: the text's width in pixels; ``line_px``:
    a line's height.  A label is the text plus
    :data:`LABEL_PAD` on each side.  Identified faces are placed first, larger faces
    before smaller ones.  Each label goes under its face if it can, else above it, else
    inside its bottom edge, with the longest form of its name that fits there without
    covering a label already placed; first leaving free the other faces and the place
    under each face still to be labelled (so that one long name does not take its
    neighbour's room), then only the faces, then neither.  Returns the labels placed (a
    face may have none), no two overlapping, every one inside the picture.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    width, height = float(size[0]), float(size[1])
    label_h = line_px + LABEL_PAD
    if len(boxes) == 0 or label_h > height:
        return []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 1] - boxes[:, 3])
    order = sorted(range(len(boxes)), key=lambda i: (names[i] is None, -area[i]))
    faces = boxes[:, [3, 0, 1, 2]]  # left, top, right, bottom
    under = np.column_stack([faces[:, 0], faces[:, 3], faces[:, 2], faces[:, 3] + label_h])  # the place under each face
    taken = np.zeros((0, 4))  # left, top, right, bottom of the labels placed
    waiting = set(range(len(boxes)))
    placed: list[PlacedLabel] = []
    for i in order:
        waiting.discard(i)
        name = names[i]
        forms = [(text, measure(text) + 2 * LABEL_PAD) for text in (short_names(name) if name is not None else unnamed)]
        others = np.delete(faces, i, axis=0)
        spot = None
        for obstacles in (np.vstack([taken, others, under[sorted(waiting)]]), np.vstack([taken, others]), taken):
            spot = _free_spot(faces[i], forms, label_h, (width, height), obstacles)
            if spot is not None:
                break
        if spot is None:
            continue
        text, left, top, label_w = spot
        placed.append(PlacedLabel(i, text, left, top, label_w, label_h))
        taken = np.vstack([taken, [left, top, left + label_w, top + label_h]])
    return sorted(placed, key=lambda p: p.face)


def _free_spot(face: np.ndarray, forms: list[tuple[str, float]], h: float, size: tuple[float, float],
               obstacles: np.ndarray) -> tuple[str, float, float, float] | None:
    """``(text, left, top, width)`` of the first label of ``face`` (left, top, right, bottom)
    inside a picture of ``size`` that overlaps no row of ``obstacles``: under the box, then
    above it, then inside its bottom edge; at each place the longest of ``forms`` (``(text,
    width)``, longest first) that fits; ``None`` if there is none."""
    width, height = size
    left, top, _right, bottom = (float(v) for v in face)
    for y in (bottom, top - h, min(max(0.0, bottom - h), height - h)):
        if y < 0 or y + h > height:
            continue
        for text, w in forms:
            if w > width:
                continue
            x = min(max(0.0, left), width - w)
            if not _overlaps(np.array([x, y, x + w, y + h]), obstacles):
                return text, x, y, w
    return None


def _overlaps(rect: np.ndarray, rects: np.ndarray) -> bool:
    """Whether ``rect`` (left, top, right, bottom) overlaps any row of ``rects`` ``(m, 4)``."""
    if not len(rects):
        return False
    return bool(np.any((rect[0] < rects[:, 2]) & (rects[:, 0] < rect[2]) & (rect[1] < rects[:, 3]) & (rects[:, 1] < rect[3])))


def draw(image: np.ndarray, update: SessionUpdate) -> np.ndarray:
    """The frame with boxes and names drawn (green = identified, grey = not identified
    yet; labels placed by :func:`place_labels`); BGR copy."""
    import cv2

    font, scale, thickness = cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1
    out = image.copy()
    dets = update.detections
    names = [label if person >= 0 else None for label, person in zip(update.labels, dets.person.tolist())]
    colours = [(60, 200, 60) if person >= 0 else (160, 160, 160) for person in dets.person.tolist()]
    for (top, right, bottom, left), colour in zip(dets.boxes.tolist(), colours):
        cv2.rectangle(out, (left, top), (right, bottom), colour, 2)
    (_, line), _ = cv2.getTextSize("Ag", font, scale, thickness)
    line_px = line + 6

    def measure(text: str) -> float:
        return float(cv2.getTextSize(text, font, scale, thickness)[0][0])

    for label in place_labels(dets.boxes, names, (out.shape[1], out.shape[0]), measure, line_px):
        x1, y1, x2, y2 = (round(v) for v in (label.left, label.top, label.right - 1, label.bottom - 1))
        cv2.rectangle(out, (x1, y1), (x2, y2), colours[label.face], cv2.FILLED)
        cv2.putText(out, label.text, (x1 + LABEL_PAD, y2 - LABEL_PAD), font, scale, (255, 255, 255), thickness)
    cv2.putText(out, f"present {update.present}/{update.enrolled}", (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    return out
