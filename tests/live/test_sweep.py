"""The full-scale sweep planner and the roll-call readout (no dlib: planning only)."""

from __future__ import annotations

import numpy as np

from attendance.live.rollcall import RollCall
from attendance.live.sweep import TILE_PX, ChangeMap, SweepPlanner, split_region, tile_grid
from attendance.recognition.analysis import Analyzer


def covered(tiles: np.ndarray, width: int, height: int) -> np.ndarray:
    mask = np.zeros((height, width), bool)
    for top, right, bottom, left in tiles.tolist():
        mask[top:bottom, left:right] = True
    return mask


def test_tiles_cover_the_frame_and_every_face_up_to_the_overlap_lies_whole_in_one() -> None:
    tiles = tile_grid(1920, 1080, 480, 150)
    assert covered(tiles, 1920, 1080).all()
    for top, left in ((465, 470), (0, 1770), (930, 900), (400, 500)):  # a 150 px face anywhere
        assert any(t <= top and top + 150 <= b and lft <= left and left + 150 <= r for t, r, b, lft in tiles.tolist())


def test_a_sweep_takes_its_period_and_a_change_is_searched_at_once() -> None:
    width, height, fps = 1920, 1080, 5.0
    planner = SweepPlanner((width, height), 2.5, 40.0, 150, period_s=6.0)
    changes = ChangeMap(width)
    room = np.full((height, width, 3), 120, np.uint8)
    t = 0.0
    swept = []
    while planner.sweeps == 0:
        changes.update(room)
        swept.append(planner.plan(changes, t, np.zeros((0, 4), np.int32)))
        t += 1 / fps
    assert 5.5 <= planner.last_sweep_s <= 6.5  # type: ignore[operator]  # set once a sweep is done
    assert covered(np.concatenate(swept), width, height).all()
    # Someone sits down at the back: that region is searched in the very next frame.
    sitting = room.copy()
    sitting[300:420, 600:700] = 30
    changes.update(sitting)
    regions = planner.plan(changes, t, np.zeros((0, 4), np.int32))
    assert any(top <= 300 and 420 <= bottom and left <= 600 and 700 <= right for top, right, bottom, left in regions.tolist())
    # ... but a tracked face moving is no reason to search again.
    changes.update(room)
    planner.plan(changes, t + 0.2, np.zeros((0, 4), np.int32))
    changes.update(sitting)
    regions = planner.plan(changes, t + 0.4, np.array([[300, 700, 420, 600]], np.int32))
    grid = {tuple(tile) for tile in tile_grid(width, height, TILE_PX, 150).tolist()}
    assert all(tuple(region) in grid for region in regions.tolist())  # the sweep's own tiles only, no change region


def test_a_large_change_is_searched_in_pieces_no_larger_than_a_tile() -> None:
    width, height = 1920, 1080
    assert split_region(np.array([10, 300, 200, 20]), TILE_PX, 150).tolist() == [[10, 300, 200, 20]]  # small: whole
    pieces = split_region(np.array([100, 1900, 1000, 40]), TILE_PX, 150)
    assert covered(pieces, width, height)[100:1000, 40:1900].all() and covered(pieces, width, height).sum() == 900 * 1860
    planner = SweepPlanner((width, height), 2.5, 40.0, 150, period_s=6.0)
    changes = ChangeMap(width)
    changes.update(np.full((height, width, 3), 120, np.uint8))
    planner.plan(changes, 0.0, np.zeros((0, 4), np.int32))
    lights = np.zeros((height, width, 3), np.uint8)  # the lights changed: everything did
    lights[100:1000, 40:1900] = 250
    changes.update(lights)
    regions = planner.plan(changes, 0.2, np.zeros((0, 4), np.int32))
    sides = np.maximum(regions[:, 2] - regions[:, 0], regions[:, 1] - regions[:, 3])
    assert len(regions) and sides.max() <= TILE_PX + 150


def test_the_sweep_waits_while_faces_are_identified_but_at_most_one_period() -> None:
    width, height, fps = 1920, 1080, 5.0
    planner = SweepPlanner((width, height), 2.5, 40.0, 150, period_s=6.0)
    changes = ChangeMap(width)
    changes.update(np.full((height, width, 3), 120, np.uint8))
    t, tiles_at = 0.0, []
    while planner.sweeps == 0:
        if len(planner.plan(changes, t, np.zeros((0, 4), np.int32), sweep=False)):
            tiles_at.append(t)
        t += 1 / fps
    assert min(tiles_at) >= 6.0 - 1e-6  # nothing while waiting, then the sweep goes on regardless
    assert 11.5 <= planner.last_sweep_s <= 12.5  # type: ignore[operator]  # set once a sweep is done


def test_only_frames_whose_whole_frame_search_misses_40_px_faces_are_swept() -> None:
    auto = Analyzer(workers=0)
    assert auto.sweep_scale((360, 640, 3)) is None  # 50 px faces found anyway
    assert auto.sweep_scale((720, 1280, 3)) == 2.5
    assert auto.sweep_scale((1080, 1920, 3)) == 2.5
    assert Analyzer(workers=0, min_face_px=40).sweep_scale((1080, 1920, 3)) is None  # every whole-frame search reaches it


def test_the_roll_call_line_says_whether_to_wait() -> None:
    roll = RollCall(18, 35, 3, tuple(f"student {i}" for i in range(17)), media_time=12.0, last_sweep_at=10.5, sweep_s=6.0)
    assert roll.line() == ("roll call at 12 s: marked 18 of 35; 3 in view not identified yet; 17 unseen: student 0, student 1, "
                           "student 2, student 3, student 4, student 5, student 6, student 7 and 9 more; "
                           "last full sweep 1.5 s ago (took 6.0 s)")
    assert RollCall(2, 2, 0, (), 3.0).line().endswith("everyone enrolled is marked; no full sweep finished yet")


def test_camera_shake_against_a_sharp_room_is_no_change_but_someone_sitting_down_is() -> None:
    """A camera shaking by 2 px in front of shelves and posters made ~100 changed regions
    a frame (the whole change budget, every frame): only real changes count."""
    from attendance.demo.camera import Camera
    from attendance.demo.synthvideo import background

    width, height = 1920, 1080
    camera, rng = Camera(shake_px=2.0), np.random.default_rng(0)
    room = background((width, height), "room", seed=1).astype(np.float32)
    changes = ChangeMap(width)
    seen = changes.update(camera.film(room.copy(), 0.0, None, rng)).copy()
    none = np.zeros((0, 4), np.int32)
    for t in (0.2, 0.4, 0.6, 0.8):
        changes.update(camera.film(room.copy(), t, None, rng))
        assert len(changes.changed_regions(seen, none, 4, 40)) <= 1
    sitting = room.copy()
    sitting[300:350, 600:640] = 40.0  # a 50 px dark face where there was wall
    changes.update(camera.film(sitting, 1.0, None, rng))
    found = changes.changed_regions(seen, none, 4, 40)
    assert any(top <= 300 and 350 <= bottom and left <= 600 and 640 <= right for top, right, bottom, left in found.tolist())
