"""Live sessions on videos made from shared photos, and the realtime display loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import CLIP, copy_home

from attendance.core.home import Home
from attendance.demo.synthvideo import video_from_photo
from attendance.live.config import SessionConfig
from attendance.live.session import LiveSession, SessionUpdate

pytestmark = pytest.mark.slow


def test_obama_and_biden_marked_third_face_unknown(people_home: Path, shared: Path, tmp_path: Path) -> None:
    """Five people enrolled; a video of the 3-person probe photo marks exactly Obama and Biden."""
    home = Home(copy_home(people_home, tmp_path / "home"))
    video = video_from_photo(shared / "probes" / "obama_and_biden.jpg", tmp_path / "obama_and_biden.mp4", seconds=3, fps=10)
    labels_seen: set[str] = set()
    faces_seen = 0

    def on_update(update: SessionUpdate) -> None:
        nonlocal faces_seen
        labels_seen.update(update.labels)
        faces_seen = max(faces_seen, sum(label != "too small" for label in update.labels))  # faces large enough to identify

    summary = LiveSession(home, str(video), "probe", SessionConfig(workers=2)).run(on_update)
    assert sorted(m.name for m in summary.marks_this_run) == ["biden", "obama"]
    assert all(m.distance < 0.5 for m in summary.marks_this_run)
    # The third person is shown unnamed (not identified).  At some scales YuNet also takes
    # the raised hand in this photo for a face (score 0.61-0.65, just over its 0.6
    # threshold), never named either.
    assert faces_seen in (3, 4) and "" in labels_seen
    assert sorted(n for _, n in summary.absent) == ["alex lacamoire", "kit harington", "rose leslie"]


@pytest.mark.usefixtures("steady_heap")
def test_realtime_display_loop_never_waits_for_recognition(lin_alex_home: Path, tmp_path: Path) -> None:
    """At the clip's own 30 fps, frames keep coming while faces are found (YuNet thread) and encoded (workers)."""
    home = Home(copy_home(lin_alex_home, tmp_path / "home"))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def on_update(update: SessionUpdate) -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    stop = threading.Event()
    summary = LiveSession(home, str(CLIP), "realtime", SessionConfig(realtime=True)).run(on_update, stop)
    assert [m.name for m in summary.marks_this_run] == ["Lin-Manuel Miranda"]
    assert summary.frames_analysed >= 20
    shown = gaps[1:]
    stalls = [round(g * 1000) for g in shown if g >= 0.1]
    # An encoding takes ~80-130 ms: a loop that waited on recognition (measured by making
    # collect() block) stalls 105-270 ms about 20 times in this clip.  This one may be
    # stalled once or twice by the machine, never at every analysed frame, and never frozen.
    assert len(stalls) <= 2, f"display loop stalled at {len(stalls)} frames: {stalls} ms"
    assert max(shown) < 0.3, f"display loop froze {max(shown) * 1000:.0f} ms"
    assert len(gaps) > 150  # most of the 275 frames were shown, not skipped
