"""The still-photo rule on hand-made distance matrices: one-to-one pairing, the
lookalike explained away, and the size-dependent tolerance."""

from __future__ import annotations

import numpy as np

from attendance.recognition.photorule import PhotoRule

INF = np.inf


def test_a_stranger_closest_to_a_student_seen_closer_elsewhere_is_nobody() -> None:
    """Face 1 (a stranger) is closest to student 0, but face 0 is closer still: only face 0 gets them."""
    person, distance, _ = PhotoRule().pairs(np.array([[0.30, 0.80], [0.44, 0.90]]))
    assert person.tolist() == [0, -1] and distance.tolist() == [0.30, 0.44]


def test_a_lookalike_in_the_same_photo_is_no_rival() -> None:
    """Students 0 and 1 look alike (0.42 vs 0.35 for face 0); student 1 is face 1, so face 0's
    runner-up is the next person (0.80), and both are sure; without face 1 the margin fails."""
    rule = PhotoRule()
    both = np.array([[0.35, 0.42, 0.80], [0.43, 0.30, 0.85]])
    person, distance, runner_up = rule.pairs(both)
    assert person.tolist() == [0, 1] and runner_up.tolist() == [0.80, 0.85]
    assert rule.sure(distance, runner_up, np.array([45.0, 45.0])).all()
    person, distance, runner_up = rule.pairs(both[:1])
    assert person.tolist() == [0] and runner_up.tolist() == [0.42] and not rule.sure(distance, runner_up)[0]


def test_smaller_faces_have_a_wider_tolerance() -> None:
    """0.46 from 60 px up, 0.48 from 45 px, 0.50 from 36 px, 0.52 below; the margin always holds."""
    rule = PhotoRule()
    assert rule.tolerance_for(np.array([100.0, 60.0, 59.0, 45.0, 44.0, 36.0, 35.0, 30.0])).tolist() == [0.46, 0.46, 0.48, 0.48, 0.50, 0.50, 0.52, 0.52]
    sure = rule.sure(np.array([0.47, 0.47, 0.49, 0.49]), np.array([0.70, 0.70, 0.70, 0.58]), np.array([80.0, 40.0, 32.0, 32.0]))
    assert sure.tolist() == [False, True, True, False]


def test_empty_photo_or_gallery() -> None:
    person, distance, runner_up = PhotoRule().pairs(np.zeros((0, 3)))
    assert person.shape == distance.shape == runner_up.shape == (0,)
    person, _, runner_up = PhotoRule().pairs(np.full((2, 0), INF))
    assert person.tolist() == [-1, -1] and np.isinf(runner_up).all()
