"""Labels on the picture (live/overlay.py, no Tk): never two on top of each other, never
outside the picture, shortened when crowded, "not identified yet" (never "unknown") for a
face the app has not identified, identified faces served first."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attendance.live.overlay import NOT_IDENTIFIED, PlacedLabel, place_labels

CHAR_PX = 7.0  # a fixed-width stand-in for the font's measure
LINE_PX = 14.0


def measure(text: str) -> float:
    return CHAR_PX * len(text)


def box(left: float, top: float, size: float) -> list[float]:
    """``(top, right, bottom, left)`` of a square face."""
    return [top, left + size, top + size, left]


def check(labels: list[PlacedLabel], size: tuple[float, float]) -> None:
    for label in labels:
        assert 0 <= label.left and label.right <= size[0] and 0 <= label.top and label.bottom <= size[1], label
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = a.right <= b.left or b.right <= a.left or a.bottom <= b.top or b.bottom <= a.top
            assert apart, (a, b)


def test_a_lone_face_gets_its_whole_name_under_its_box() -> None:
    (label,) = place_labels(np.array([box(100, 50, 60)]), ["Laura Dern"], (640, 360), measure, LINE_PX)
    assert label.text == "Laura Dern" and label.left == 100 and label.top == 110


def test_at_the_edges_labels_move_inside_the_picture() -> None:
    size = (640, 360)
    right, bottom = place_labels(np.array([box(600, 40, 40), box(300, 320, 40)]), ["Richard Attenborough", "Matt LeBlanc"], size,
                                 measure, LINE_PX)
    check([right, bottom], size)
    assert right.text == "Richard Attenborough" and right.right == 640  # shifted left, not cut ("Richard Atten")
    assert bottom.text == "Matt LeBlanc" and bottom.bottom <= 320  # no room under the face: above it


def test_crowded_faces_get_short_names_that_do_not_collide() -> None:
    """Two faces side by side, 60 px apart: their full names would overlap."""
    size = (640, 360)
    labels = place_labels(np.array([box(100, 100, 50), box(160, 100, 50), box(220, 100, 50)]),
                          ["Richard Attenborough", "Laura Dern", "Matt LeBlanc"], size, measure, LINE_PX)
    check(labels, size)
    assert len(labels) == 3
    assert [label.text for label in labels] != ["Richard Attenborough", "Laura Dern", "Matt LeBlanc"]
    assert all(label.text in ("Richard Attenborough", "Richard A.", "Richard", "RA", "Laura Dern", "Laura D.", "Laura", "LD",
                              "Matt LeBlanc", "Matt L.", "Matt", "ML") for label in labels)


def test_faces_not_identified_yet_are_never_called_unknown_and_give_way() -> None:
    size = (640, 360)
    (alone,) = place_labels(np.array([box(100, 100, 50)]), [None], size, measure, LINE_PX)
    assert alone.text == NOT_IDENTIFIED == "not identified yet"
    # Crowded: the identified face keeps its name, the other one is shortened to "?" (or loses its label).
    labels = place_labels(np.array([box(100, 100, 50), box(155, 100, 50)]), [None, "Laura Dern"], size, measure, LINE_PX)
    check(labels, size)
    texts = {label.face: label.text for label in labels}
    assert texts[1] == "Laura Dern" and texts.get(0) in (None, "?", "not yet")
    assert all("unknown" not in label.text for label in labels)


def test_a_seated_class_of_35_in_a_small_picture() -> None:
    """35 faces in rows, the picture 400x225 (a 1280x720 class shown at 900x600): every
    label inside, none on another; names are shortened, not cut."""
    rng = np.random.default_rng(0)
    size = (400.0, 225.0)
    boxes, names = [], []
    for row in range(5):
        for seat in range(7):
            face = 12 + 3 * row
            boxes.append(box(20 + seat * 52 + row * 5, 40 + row * 35, face))
            names.append(f"Student{rng.integers(100)} Surname{seat}" if rng.random() < 0.7 else None)
    labels = place_labels(np.array(boxes), names, size, measure, LINE_PX)
    check(labels, size)
    assert len(labels) >= 10
    for label in labels:
        name = names[label.face]
        assert name is None or label.text in (name, name.split()[0] + " " + name.split()[1][0] + ".", name.split()[0], "SS")


@given(st.lists(st.tuples(st.floats(-30, 630), st.floats(-30, 350), st.floats(8, 120), st.booleans(),
                          st.text(alphabet="abc ", min_size=1, max_size=30)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_never_overlapping_never_outside(faces: list[tuple[float, float, float, bool, str]]) -> None:
    size = (640.0, 360.0)
    boxes = np.array([box(x, y, s) for x, y, s, _, _ in faces]).reshape(-1, 4)
    names = [name if known and name.strip() else None for _, _, _, known, name in faces]
    labels = place_labels(boxes, names, size, measure, LINE_PX)
    check(labels, size)
    assert len({label.face for label in labels}) == len(labels)


def test_the_command_line_video_window_draws_the_same_placements() -> None:
    """``attendance run`` without --headless: the frame with its boxes and labels (OpenCV),
    placed as place_labels says: the identified face green, the other grey, both inside."""
    import cv2

    from attendance.live.frames import Frame
    from attendance.live.overlay import draw
    from attendance.live.session import SessionUpdate
    from attendance.recognition.detections import Detections

    image = np.zeros((120, 200, 3), np.uint8)
    boxes = np.array([box(10, 20, 40), box(150, 60, 45)], np.int32)
    dets = Detections(boxes, np.zeros((2, 128), np.float32), person=np.array([0, -1]))
    out = draw(image, SessionUpdate(Frame(image, 0, 0.0, datetime.now().astimezone()), dets, ["Laura Dern", "unknown"], [], 1, 2))
    (_, line), _ = cv2.getTextSize("Ag", cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    placed = place_labels(boxes, ["Laura Dern", None], (200, 120), lambda t: cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)[0][0],
                          line + 6)
    assert [p.text for p in placed] == ["Laura Dern", NOT_IDENTIFIED]  # the second moved left (inside) and above its face
    for label, colour in zip(placed, ((60, 200, 60), (160, 160, 160))):
        assert label.right <= 200 and label.bottom <= 120
        assert tuple(out[int(label.top) + 1, int(label.left) + 1]) == colour, label
