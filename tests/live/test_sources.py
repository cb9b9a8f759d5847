"""Frame sources on real media: the shared clip, clips cut with ffmpeg, image folders, and
a loopback MJPEG stream served by ffmpeg that is stopped and restarted mid-read."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import CLIP
from streaming import LoopbackStream, free_port

from attendance.core.errors import MissingFileError, SourceError
from attendance.core.names import natural_key
from attendance.live.frames import Frame
from attendance.live.readers import FolderReader, redact_url
from attendance.live.sources import READ_AHEAD, READ_AHEAD_BYTES, FrameSource, Reconnect, SourceEvent, open_source, read_ahead_depth

CLIP_FRAMES = 275
CLIP_FPS = 29.97


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 2 s (60 frames at 29.97 fps) of the shared clip, cut with ffmpeg."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make system-deps)")
    out = tmp_path_factory.mktemp("clips") / "two_seconds.avi"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(CLIP), "-frames:v", "60", "-an",
                    "-c:v", "mjpeg", "-q:v", "5", str(out)], check=True, timeout=60)
    return out


def drain(source: FrameSource, timeout: float = 5.0) -> list[Frame]:
    """Every frame until the source ends (each read bounded by ``timeout`` s)."""
    frames: list[Frame] = []
    while (frame := source.read(timeout=timeout)) is not None:
        frames.append(frame)
    assert source.ended, "read() gave None before the source ended"
    return frames


# -- files -------------------------------------------------------------------------------
def test_file_fast_mode_reads_every_frame_in_order() -> None:
    with open_source(CLIP) as src:
        assert (src.live, src.fps, src.frame_size) == (False, pytest.approx(CLIP_FPS, abs=0.01), (640, 360))
        frames = drain(src)
        assert src.read(timeout=0.1) is None and src.ended
    assert [f.index for f in frames] == list(range(CLIP_FRAMES))
    assert src.frames_read == CLIP_FRAMES and src.frames_dropped == 0
    for f in frames[::25]:
        assert f.media_time == pytest.approx(f.index / CLIP_FPS, abs=0.002)
        assert f.image.shape == (360, 640, 3) and f.image.dtype == np.uint8
        assert f.captured_at.tzinfo is not None
    # BGR as OpenCV decodes it: identical to a plain VideoCapture read of the same frame
    cap = cv2.VideoCapture(str(CLIP))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
    ok, first = cap.read()
    cap.release()
    assert ok and np.array_equal(first, frames[0].image)


def test_realtime_file_is_paced_at_its_frame_rate(short_clip: Path) -> None:
    started = time.monotonic()
    with open_source(short_clip, realtime=True) as src:
        assert not src.live
        frames = drain(src)
    elapsed = time.monotonic() - started
    duration = 59 / CLIP_FPS  # first to last frame
    assert duration - 0.1 < elapsed < duration + 0.8, elapsed
    assert src.frames_read + src.frames_dropped == 60
    assert src.frames_dropped <= 3  # an eager consumer takes (nearly) every frame
    assert [f.index for f in frames] == sorted({f.index for f in frames})


def test_realtime_slow_consumer_gets_newest_frame_without_lag(short_clip: Path) -> None:
    """A consumer 8x slower than the video: most frames are dropped, none is stale."""
    with open_source(short_clip, realtime=True) as src:
        started = time.monotonic()
        lags: list[float] = []
        indices: list[int] = []
        while (frame := src.read(timeout=5)) is not None:
            lags.append((time.monotonic() - started) - frame.media_time)
            indices.append(frame.index)
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    assert elapsed < 2.8, "the consumer's slowness must not stretch the video"
    assert 5 <= src.frames_read <= 12 and src.frames_dropped >= 45
    assert src.frames_read + src.frames_dropped == 60
    assert all(b > a for a, b in zip(indices, indices[1:]))
    assert max(lags) < 0.2, lags  # the frame handed over is the newest (one frame = 33 ms)


# -- folders -------------------------------------------------------------------------------
def test_folder_in_natural_order_skipping_non_images(tmp_path: Path) -> None:
    for n in (1, 2, 10, 3):
        cv2.imwrite(str(tmp_path / f"frame{n}.png"), np.full((48, 64, 3), n * 20, np.uint8))
    (tmp_path / "notes.txt").write_text("not a frame")
    (tmp_path / "frame4.jpg").write_bytes(b"not really a jpeg")  # listed, unreadable: skipped
    with open_source(tmp_path) as src:
        assert (src.live, src.fps, src.frame_size) == (False, 10.0, (64, 48))
        frames = drain(src)
    assert [int(f.image[0, 0, 0]) for f in frames] == [20, 40, 60, 200]  # 1, 2, 3, 10
    assert [f.index for f in frames] == [0, 1, 2, 4]  # the unreadable frame4.jpg leaves a gap
    assert [f.media_time for f in frames] == pytest.approx([0.0, 0.1, 0.2, 0.4])
    with open_source(str(tmp_path), folder_fps=4) as src:
        first, second = src.read(timeout=5), src.read(timeout=5)
        assert first is not None and second is not None and (first.media_time, second.media_time) == (0, 0.25)


@pytest.mark.parametrize(("size", "ahead"), [((640, 360), 4), ((1920, 1080), 1)])
def test_read_ahead_is_bounded_in_bytes(tmp_path: Path, size: tuple[int, int], ahead: int) -> None:
    """A file read in order buffers READ_AHEAD frames, but a 1080p frame is 6.2 MB: one.
    The capture thread waits for room before it reads, so it holds no frame besides."""
    width, height = size
    assert read_ahead_depth(width * height * 3) == ahead
    assert read_ahead_depth(1) == READ_AHEAD and read_ahead_depth(2 * READ_AHEAD_BYTES) == 1
    for n in range(8):
        cv2.imwrite(str(tmp_path / f"f{n}.png"), np.full((height, width, 3), n * 30, np.uint8))
    with open_source(tmp_path) as src:
        reader = src._reader
        assert isinstance(reader, FolderReader)
        deadline = time.monotonic() + 20
        while reader.position < ahead - 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # time to read further, if it were allowed to
        assert reader.position == ahead - 1  # frames 0 .. ahead-1 are queued, none is held besides
        frames = drain(src)
    assert [int(f.image[0, 0, 0]) for f in frames] == [n * 30 for n in range(8)]


def test_natural_key_and_url_redaction() -> None:
    assert sorted(["f10.png", "F2.png", "f1.png"], key=natural_key) == ["f1.png", "F2.png", "f10.png"]
    assert redact_url("rtsp://admin:s3cret@10.0.0.5:554/Streaming/101?token=abc") == "rtsp://10.0.0.5:554/Streaming/101?..."
    assert redact_url("http://[::1]:8080/video") == "http://[::1]:8080/video"


# -- sources that cannot be opened ---------------------------------------------------------------
def _closed_port_url() -> str:
    return f"http://viewer:s3cret@127.0.0.1:{free_port()}/x.mjpg?token=abc"


@pytest.mark.parametrize("make_spec, expected", [
    (lambda d: str(d / "missing.mp4"), "no such file or folder"),
    (lambda d: str(d / "missing_dir") + "/", "no such file or folder"),
    (lambda d: (d / "fake.mp4").write_text("hello") and str(d / "fake.mp4"), "not a video OpenCV can read"),
    (lambda d: (d / "empty").mkdir() or str(d / "empty"), "no images in this folder"),
    (lambda d: 7, "no camera at index 7"),
    (lambda d: "7", "no camera at index 7"),
    (lambda d: _closed_port_url(), "cannot open the stream"),
    (lambda d: "ftp://127.0.0.1/cam", "unsupported stream type"),
], ids=["missing-file", "missing-folder", "text-as-mp4", "empty-folder", "camera-int", "camera-str", "closed-port",
        "ftp"])
def test_unopenable_sources_fail_fast_with_one_line(tmp_path: Path, make_spec: Callable[[Path], str], expected: str) -> None:
    spec = make_spec(tmp_path)
    started = time.monotonic()
    # A missing path is the MissingFileError every command gives; the rest are SourceErrors.
    with pytest.raises(MissingFileError if "no such file" in expected else SourceError) as err:
        open_source(spec, timeout=3)
    assert time.monotonic() - started < 2.0
    message = str(err.value)
    assert expected in message and "\n" not in message
    assert "s3cret" not in message and "token" not in message and "viewer" not in message


def test_stream_that_never_answers_times_out() -> None:
    """A server that accepts the connection and then says nothing: bounded by ``timeout``."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        started = time.monotonic()
        with pytest.raises(SourceError, match="no answer within 1 s"):
            open_source(f"http://127.0.0.1:{server.getsockname()[1]}/cam.mjpg", timeout=1.0)
        assert time.monotonic() - started < 3.0


# -- a live loopback stream that drops and comes back ---------------------------------------
def _pump(src: FrameSource, seconds: float) -> tuple[list[int], int]:
    """Read for ``seconds`` with a consumer slower than the stream; (indices, timeouts)."""
    indices: list[int] = []
    timeouts = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and not src.ended:
        frame = src.read(timeout=0.1)
        if frame is None:
            timeouts += 1
        else:
            indices.append(frame.index)
            time.sleep(0.06)  # ~15 reads/s from a ~30 fps stream
    return indices, timeouts


def test_stream_reconnects_after_the_server_restarts_then_gives_up() -> None:
    policy = Reconnect(first_delay=0.25, max_delay=1.0, give_up_after=2.5)
    with LoopbackStream(CLIP) as server:
        with open_source(server.url, reconnect=policy, timeout=2.0) as src:
            assert src.live and src.description == server.url and src.frame_size == (640, 360)
            before, _ = _pump(src, 1.5)
            assert len(before) >= 8 and src.frames_dropped >= 5  # newest-frame hand-over

            server.stop()  # the camera drops off the network
            during, timeouts = _pump(src, 0.8)
            assert not src.ended and timeouts >= 5 and len(during) <= 5  # only frames already in flight
            assert "reconnecting" in src.status
            server.start()

            after, _ = _pump(src, 3.0)
            assert len(after) >= 10, "frames continue after the reconnect"
            indices = before + during + after
            assert all(b > a for a, b in zip(indices, indices[1:]))

            server.stop()  # and this time it stays away
            started = time.monotonic()
            indices += _pump(src, 6.0)[0]
            assert src.ended and src.read(timeout=0.1) is None
            assert 2.0 < time.monotonic() - started < 4.5
            # every captured frame (numbered across the reconnect) was handed over or counted as dropped
            assert src.frames_read == len(indices) and src.frames_read + src.frames_dropped == indices[-1] + 1

    events: list[SourceEvent] = src.events
    assert [e.kind for e in events] == ["lost", "reconnected", "lost", "gave_up"]
    gap = events[1].gap_s
    assert gap is not None and 0.8 < gap < 3.0, gap
    assert [str(e) for e in events] == [e.message for e in events]
    assert "lost at" in str(events[0]) and f"reconnected after {gap:.1f} s" in str(events[1])
