"""Units of the live pipeline: matching maths, tracking, the voting rule."""

from __future__ import annotations

import numpy as np

from attendance.live.identity import Identifier, MatchPolicy
from attendance.live.tracker import Tracker
from attendance.recognition.detections import Detections, containment, iou
from attendance.recognition.engine import ENCODING_DIM
from attendance.recognition.gallery import Gallery
from attendance.recognition.photorule import PhotoRule
from attendance.recognition.pyramid import merged, passes


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, ENCODING_DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True) * 0.6


def test_match_equals_brute_force() -> None:
    rng = np.random.default_rng(1)
    enc = unit(rng, 50)
    owner = np.repeat(np.arange(25), 2).astype(np.int32)
    gallery = Gallery(tuple(f"S{i}" for i in range(25)), tuple(f"p{i}" for i in range(25)), enc, owner)
    queries = enc[[3, 10]] + rng.normal(scale=0.01, size=(2, ENCODING_DIM)).astype(np.float32)
    m = gallery.match(queries)
    for k, q in enumerate(queries):
        d = np.linalg.norm(enc - q, axis=1)
        per_person = np.array([d[owner == p].min() for p in range(25)])
        order = np.argsort(per_person)
        assert m.person[k] == order[0]
        assert np.isclose(m.distance[k], per_person[order[0]], atol=1e-4)
        assert np.isclose(m.runner_up[k], per_person[order[1]], atol=1e-4)


def test_empty_gallery_matches_nobody() -> None:
    m = Gallery.empty().match(np.zeros((2, ENCODING_DIM), np.float32))
    assert m.person.tolist() == [-1, -1] and np.isinf(m.distance).all()


def test_iou() -> None:
    a = np.array([[0, 10, 10, 0]])
    b = np.array([[0, 10, 10, 0], [0, 20, 10, 10], [5, 15, 15, 5]])
    assert np.allclose(iou(a, b)[0], [1.0, 0.0, 25 / 175])


def test_a_face_found_at_two_scales_is_kept_once() -> None:
    """A tight box inside a loose one (IoU 0.46, seen on a seated class) is one face; two
    neighbours touching at the edge are two."""
    loose, tight, neighbour = [141, 525, 213, 453], [148, 514, 198, 464], [141, 597, 213, 525]
    boxes = np.array([tight, loose, neighbour], np.int32)
    assert iou(boxes[:1], boxes[1:2])[0, 0] < 0.5 and containment(boxes[:1], boxes[1:2])[0, 0] == 1.0
    assert boxes[merged(boxes)].tolist() == [loose, neighbour]
    # With scores, the surer box of the one face is kept (a pass that saw it whole).
    assert boxes[merged(boxes, np.array([0.9, 0.6, 0.8]))].tolist() == [neighbour, tight]


def test_a_search_too_large_for_one_pass_is_tiled_so_that_every_face_lies_whole_in_a_tile() -> None:
    """A 4000x3000 photo searched for 20 px faces (YuNet at 0.9x) within 0.3 MP a pass: the
    whole photo at a scale that fits, then levels in tiles; each face the coarser level
    cannot find (under 18 px at its scale) lies whole inside a tile of the level that finds it."""
    shape, scale, budget, reliable = (3000, 4000, 3), 0.9, 300_000, 18.0
    plan = passes(shape, scale, budget, reliable, 3.0)
    (whole, whole_scale), tiles = plan[0], plan[1:]
    assert whole == (0, 4000, 3000, 0) and abs(whole_scale - (budget / 12e6) ** 0.5) < 1e-9
    assert max(s for _, s in tiles) == scale
    for (top, right, bottom, left), level in tiles:
        assert (bottom - top) * (right - left) * level**2 <= budget * 1.01
    rng = np.random.default_rng(3)
    for _ in range(200):  # faces too small for the whole pass, anywhere
        size = rng.uniform(20, reliable / whole_scale)
        y, x = rng.uniform(0, 3000 - size), rng.uniform(0, 4000 - size)
        holders = [(t, r, b, lf) for (t, r, b, lf), _ in tiles if t <= y and b >= y + size and lf <= x and r >= x + size]
        assert holders, (size, y, x)
    assert passes((720, 1280, 3), 0.5, budget, reliable, 3.0) == [((0, 1280, 720, 0), 0.5)]  # a 720p frame: one pass
    frame = passes((1080, 1920, 3), 0.5, budget, reliable, 3.0)  # 1080p: a coarse pass for large faces, two halves
    assert [s for _, s in frame] == [0.5 / 3, 0.5, 0.5] and all((b - t) * (r - lf) * s * s <= budget for (t, r, b, lf), s in frame)


def dets(boxes: list[list[int]], t: float, encodings: np.ndarray | None = None) -> Detections:
    b = np.array(boxes, np.int32).reshape(-1, 4)
    e = encodings if encodings is not None else np.full((len(b), ENCODING_DIM), np.nan, np.float32)
    return Detections(b, e, int(t * 10), t)


def test_tracker_follows_moving_face_and_drops_old_tracks() -> None:
    tracker = Tracker(max_age_s=0.5)
    d1 = dets([[100, 200, 200, 100], [10, 60, 60, 10]], 0.0)
    tracker.update(d1)
    d2 = dets([[105, 208, 205, 108]], 0.2)
    tracker.update(d2)
    assert d2.track_id[0] == d1.track_id[0]
    d3 = dets([[300, 400, 400, 300]], 1.0)
    dropped = tracker.update(d3)
    assert set(dropped) == {int(d1.track_id[0]), int(d1.track_id[1])}
    assert d3.track_id[0] not in d1.track_id


def near(rng: np.random.Generator, encoding: np.ndarray, distance: float) -> np.ndarray:
    """``(1, 128)`` float32: a sighting exactly ``distance`` from ``encoding`` ``(128,)``."""
    direction = unit(rng, 1)[0]
    return (encoding + distance * direction / np.linalg.norm(direction)).astype(np.float32)[None, :]


def identified_after(distances: list[float], min_sightings: int = 3) -> int | None:
    """After how many sightings at ``distances`` from student B (far from the others) the track is identified."""
    rng = np.random.default_rng(2)
    enc = unit(rng, 3)
    gallery = Gallery(("A", "B", "C"), ("a", "b", "c"), enc, np.arange(3, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(tolerance=0.5, margin=0.05, min_sightings=min_sightings, retry_interval_s=0.0))
    for k, distance in enumerate(distances):
        d = dets([[0, 100, 100, 0]], k * 0.2, near(rng, enc[1], distance))
        d.track_id = np.array([7])
        found = ident.update(d)
        if found:
            assert found[0].person == 1 and d.person[0] == 1
            return k + 1
    return None


#: No sighting is sure (see MatchPolicy.sure): tests of the other rules count min_sightings votes.
NEVER_SURE = PhotoRule(tolerance=0.0)


def test_one_good_sighting_never_marks_and_agreement_does() -> None:
    # Votes (under 0.5) that are not sure (the photo rule's 0.45): min_sightings of them.
    assert identified_after([0.47, 0.48, 0.47, 0.46]) == 3
    # Sure sightings (a still photo's rule would accept each alone): one fewer, never just one.
    assert identified_after([0.30, 0.35, 0.30]) == 2
    assert identified_after([0.30], min_sightings=2) is None and identified_after([0.30, 0.30], min_sightings=2) == 2
    # One vote that is not sure: the ordinary count.
    assert identified_after([0.30, 0.47, 0.30, 0.30]) == 3
    assert identified_after([0.55, 0.30, 0.30]) == 3


def test_far_faces_never_vote() -> None:
    rng = np.random.default_rng(3)
    enc = unit(rng, 2)
    gallery = Gallery(("A", "B"), ("a", "b"), enc, np.arange(2, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(min_sightings=1))
    stranger = unit(rng, 1)  # ~0.85 from both: unknown
    d = dets([[0, 100, 100, 0]], 0.0, stranger)
    d.track_id = np.array([1])
    assert ident.update(d) == [] and d.person[0] == -1


def test_a_student_already_identified_is_recognised_again_from_one_sighting() -> None:
    rng = np.random.default_rng(4)
    enc = unit(rng, 2)
    gallery = Gallery(("A", "B"), ("a", "b"), enc, np.arange(2, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(min_sightings=2, retry_interval_s=0.0, sure=NEVER_SURE))
    for k, track in enumerate([1, 1, 2]):
        d = dets([[0, 100, 100, 0]], k * 0.2, (enc[[0]] + 0.005).astype(np.float32))
        d.track_id = np.array([track])
        found = ident.update(d)
        assert d.person[0] == (-1 if k == 0 else 0)
        assert [f.track_id for f in found] == ([] if k == 0 else [track])
    d = dets([[0, 100, 100, 0]], 1.0, (enc[[1]] + 0.005).astype(np.float32))
    d.track_id = np.array([3])
    assert ident.update(d) == [] and d.person[0] == -1  # B was never identified: needs 2 sightings
    # B marked present by an earlier run of the session: named from the first sighting,
    # as the present list names them.
    again = Identifier(gallery, MatchPolicy(min_sightings=2, retry_interval_s=0.0, sure=NEVER_SURE), marked={"B"})
    d = dets([[0, 100, 100, 0]], 0.0, (enc[[1]] + 0.005).astype(np.float32))
    d.track_id = np.array([1])
    assert [f.person for f in again.update(d)] == [1] and d.person[0] == 1


def test_a_newcomer_in_the_same_place_is_identified_afresh() -> None:
    """Someone stepping into the spot another student just left does not inherit their name."""
    rng = np.random.default_rng(5)
    enc = unit(rng, 2)
    gallery = Gallery(("A", "B"), ("a", "b"), enc, np.arange(2, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(min_sightings=2, retry_interval_s=0.0, verify_interval_s=0.0, doubts_to_reset=2, sure=NEVER_SURE))
    marks = []
    for k, who in enumerate([0, 0, 1, 1, 1, 1]):
        d = dets([[0, 100, 100, 0]], k * 0.2, (enc[[who]] + 0.005).astype(np.float32))
        d.track_id = np.array([9])
        marks += [(f.person, k) for f in ident.update(d)]
        assert ident.last_resets == ([9] if k == 3 else [])
    # A identified at the 2nd sighting; B contradicts twice: the reset, and those two
    # sightings are B's 2 votes, so B is identified at once.
    assert marks == [(0, 1), (1, 3)]
    assert d.person[0] == 1 and ident.last_resets == []


def test_encoding_cadence_candidates_fast_strangers_slow() -> None:
    rng = np.random.default_rng(5)
    enc = unit(rng, 2)
    gallery = Gallery(("A", "B"), ("a", "b"), enc, np.arange(2, dtype=np.int32))
    policy = MatchPolicy(tolerance=0.5, margin=0.05, min_sightings=3)
    ident = Identifier(gallery, policy)
    stranger = unit(rng, 1)  # ~0.85 from both: never votes
    t = 0.0
    for _ in range(2 * policy.min_sightings):
        d = dets([[0, 100, 100, 0]], t, stranger)
        d.track_id = np.array([1])
        ident.update(d)
        t += policy.retry_interval_s
    assert not ident.candidates_due(t + 1.0)  # no votes: not a candidate
    assert ident.settled(t + policy.retry_interval_s) == [1]  # backed off ...
    assert ident.settled(t - policy.retry_interval_s + policy.stranger_retry_s) == []  # ... to stranger_retry_s
    d = dets([[200, 300, 300, 200]], t, (enc[[0]] + 0.005).astype(np.float32))
    d.track_id = np.array([2])
    ident.update(d)  # one vote for A: a candidate, due again after candidate_retry_s
    assert not ident.candidates_due(t + policy.candidate_retry_s / 2)
    assert ident.candidates_due(t + policy.candidate_retry_s)
    assert 2 not in ident.settled(t + policy.candidate_retry_s)


def test_a_track_missed_in_the_last_frame_is_not_trusted_to_skip_encoding() -> None:
    tracker = Tracker(max_age_s=1.0)
    first = dets([[100, 200, 200, 100], [10, 60, 60, 10]], 0.0)
    tracker.update(first)
    a, b = (int(t) for t in first.track_id)
    assert tracker.seen_last([a, b]) == [a, b]
    tracker.update(dets([[12, 62, 62, 12]], 0.2))  # the face in track a left (or was missed)
    assert tracker.seen_last([a, b]) == [b]
    back = dets([[100, 200, 200, 100], [12, 62, 62, 12]], 0.4)  # someone in a's place: same track ...
    tracker.update(back)
    assert int(back.track_id[0]) == a and tracker.seen_last([a, b]) == [a, b]  # ... encoded, since it was not skipped


def test_the_readout_counts_faces_of_nobody_identified() -> None:
    """A second track of a student already identified, seen close to them but without the
    margin, is not 'not identified'; a stranger is."""
    rng = np.random.default_rng(6)
    enc = unit(rng, 2)
    gallery = Gallery(("A", "B"), ("a", "b"), enc, np.arange(2, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(min_sightings=2, retry_interval_s=0.0))
    for k in range(2):
        d = dets([[0, 100, 100, 0]], k * 0.2, near(rng, enc[0], 0.3))
        d.track_id = np.array([1])
        ident.update(d)
    assert ident.person_of(1) == 0
    # Track 2: A again, 0.40 away on the way to B (0.84 from A): 0.44 from B, no margin, no
    # vote; track 3: a stranger.
    between = (enc[0] + (enc[1] - enc[0]) * (0.40 / np.linalg.norm(enc[1] - enc[0])))[None, :]
    d = dets([[0, 300, 100, 200], [0, 500, 100, 400]], 0.4, np.concatenate([between, unit(rng, 1) / 0.6]).astype(np.float32))
    d.track_id = np.array([2, 3])
    ident.update(d)
    assert ident.person_of(2) == ident.person_of(3) == -1
    assert ident.unidentified([1, 2, 3]) == 1 and ident.unidentified([4]) == 1


def test_a_live_frame_encodes_likely_students_and_new_faces_first() -> None:
    rng = np.random.default_rng(7)
    enc = unit(rng, 3)
    gallery = Gallery(("A", "B", "C"), ("a", "b", "c"), enc, np.arange(3, dtype=np.int32))
    ident = Identifier(gallery, MatchPolicy(min_sightings=3, retry_interval_s=0.0, live_encodings=2, sure=NEVER_SURE))
    d = dets([[0, 100, 100, 0], [0, 300, 100, 200]], 0.0, np.concatenate([near(rng, enc[0], 0.47), unit(rng, 1) / 0.6]).astype(np.float32))
    d.track_id = np.array([1, 2])  # 1: one vote for A; 2: a face that got none
    ident.update(d)
    # 1, a likely student, first; then 2 and 3 (never encoded), new faces alike.
    assert ident.deferred([2, 3, 1]) == [3]
    for k in range(1, 6):  # 2 gets no vote in 6 sightings: a stranger, after the new face 3
        d = dets([[0, 300, 100, 200]], 0.2 * k, unit(rng, 1) / 0.6)
        d.track_id = np.array([2])
        ident.update(d)
    assert ident.deferred([2, 3, 1]) == [2] and ident.deferred([2]) == []
