"""The classic face_recognition loops (the benchmark's baseline) on the shared clip."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLIP

from attendance.bench.classic import known_from_gallery, run_classic
from attendance.bench.loops import run_classic_loop
from attendance.core.errors import SourceError
from attendance.roster.store import FaceStore

LIN = "Lin-Manuel Miranda"


@pytest.fixture(scope="module")
def known(lin_alex_home: Path) -> list:
    known = known_from_gallery(FaceStore.load(lin_alex_home / "known_faces").gallery())
    assert sorted(name for name, _ in known) == ["Alex Lacamoire", LIN]
    return known


@pytest.mark.slow
def test_full_resolution_loop_marks_lin_from_the_first_frames(known: list) -> None:
    result = run_classic(CLIP, known, "full", max_frames=20)
    assert (result.frames, result.analysed) == (20, 20)
    assert result.faces >= 10  # Lin's ~50 px face is found at full resolution
    assert result.marked == [LIN]
    mark = result.marks[0]
    assert mark.frame <= 15 and mark.second == pytest.approx(mark.frame / 29.97, abs=0.01)
    assert mark.distance < 0.6
    assert result.wall_s > 0 and result.cpu_s > 0 and result.fps > 0


@pytest.mark.slow
def test_faster_webcam_loop_finds_nobody_in_the_clip(lin_alex_home: Path) -> None:
    """1/4 scale, every other frame: the clip's faces shrink below HOG's minimum (GUIDE)."""
    run = run_classic_loop(CLIP, lin_alex_home, "classic-faster", "clip")
    assert (run.loop, run.frames, run.analysed) == ("classic-faster", 275, 138)
    assert run.extra["faces"] == 0 and run.marks == []
    # Its own process: face_recognition's four models alone take >100 MB.
    assert 100 < run.extra["ru_maxrss_mb"] < 1000


def test_tolerance_is_applied(known: list) -> None:
    result = run_classic(CLIP, known, "full", tolerance=0.2, max_frames=3)
    assert result.faces >= 1 and result.marks == ()


def test_bad_inputs(tmp_path: Path, known: list) -> None:
    with pytest.raises(ValueError):
        run_classic(CLIP, known, "fastest")
    with pytest.raises(SourceError):
        run_classic(tmp_path / "missing.mp4", known, "full")
