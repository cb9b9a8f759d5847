"""The lean recognition worker process: real dlib answers, errors, and no orphans."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from attendance.recognition.analysis import AnalysisRequest, analyse
from attendance.recognition.engine import empty_boxes
from attendance.recognition.imaging import load_rgb
from attendance.recognition.worker import WorkerError, WorkerProcess


def _request(rgb: np.ndarray, scale: float = 1.0) -> AnalysisRequest:
    return AnalysisRequest(np.ascontiguousarray(rgb[:, :, ::-1]), 7, 0.25, scale, empty_boxes())


def test_worker_answers_like_the_engine_in_process_and_survives_a_bad_request(shared: Path) -> None:
    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    expected = analyse(_request(rgb))
    worker = WorkerProcess()
    try:
        assert worker.ready.result(timeout=60) is None
        bad = worker.submit(AnalysisRequest(np.zeros((10, 10), np.uint8), 0, 0.0, 1.0, empty_boxes()))
        good = worker.submit(_request(rgb))
        with pytest.raises(Exception):  # noqa: B017 - whatever dlib raises on a 2-D image comes back unchanged
            bad.result(timeout=60)
        got = good.result(timeout=60)
    finally:
        worker.close()
        worker.join(10)
    assert len(expected.boxes) == 3
    np.testing.assert_array_equal(got.boxes, expected.boxes)
    np.testing.assert_allclose(got.encodings, expected.encodings, atol=1e-6)
    assert (got.frame_index, got.media_time) == (7, 0.25)
    with pytest.raises(WorkerError):
        worker.submit(_request(rgb))


def test_worker_loads_neither_opencv_nor_the_cli() -> None:
    code = textwrap.dedent("""
        import sys
        from attendance.recognition.worker_main import serve
        from attendance.recognition.zygote_main import main
        import attendance.recognition.analysis, attendance.recognition.engine
        attendance.recognition.engine.shared_engine()
        heavy = sorted(m for m in ("cv2", "pandas", "click", "attendance.cli", "multiprocessing") if m in sys.modules)
        print(",".join(heavy))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_worker_exits_when_its_parent_is_killed(fork: bool) -> None:
    code = textwrap.dedent(f"""
        import sys, time
        from attendance.recognition.worker import WorkerProcess
        from attendance.recognition.zygote import Zygote
        zygote = Zygote() if {fork} else None
        w = WorkerProcess(zygote)
        w.ready.result(timeout=60)
        print(w.pid, zygote.pid if zygote else w.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pids = {int(pid) for pid in parent.stdout.readline().split()}
        processes = [psutil.Process(pid) for pid in pids]
        assert len(processes) == (2 if fork else 1) and all(p.is_running() for p in processes)
    finally:
        parent.kill()
        parent.wait()
    gone, alive = psutil.wait_procs(processes, timeout=10)
    assert not alive, "a worker or its zygote outlived the parent"


def test_forked_workers_share_the_models_and_answer_like_the_engine(shared: Path) -> None:
    """Two workers forked from the zygote hold the models once: each has only a few MiB of
    its own (a spawned worker has ~50), and both answer as the engine does in process."""
    from attendance.recognition.analysis import Analyzer

    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    expected = analyse(_request(rgb))
    with Analyzer(workers=2, fork=True) as analyzer:
        analyzer.wait_ready(60)
        workers = [psutil.Process(w.pid) for w in analyzer._procs if w.pid is not None]
        assert len(workers) == 2 and all(w.ppid() == analyzer._zygote.pid for w in workers if analyzer._zygote)
        own = [w.memory_full_info().uss / 2**20 for w in workers]
        assert max(own) < 20, f"forked workers' own memory {own} MiB: the models are not shared"
        assert min(w.memory_info().rss for w in workers) / 2**20 > 50  # ... though they are mapped in each
        answers = [w.submit(_request(rgb)).result(60) for w in analyzer._procs]
    for got in answers:
        np.testing.assert_array_equal(got.boxes, expected.boxes)
        np.testing.assert_allclose(got.encodings, expected.encodings, atol=1e-6)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive


def test_search_around_a_tracked_face_finds_it_and_only_it(shared: Path) -> None:
    from attendance.recognition.analysis import detect_around
    from attendance.recognition.detections import iou
    from attendance.recognition.engine import shared_engine

    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    engine = shared_engine()
    everyone = engine.detect(rgb)
    assert len(everyone) == 3
    for k in range(3):
        found = detect_around(engine, rgb, everyone[k : k + 1], max_scale=2.0)
        assert len(found) >= 1
        overlap = iou(found, everyone)
        assert overlap[0].argmax() == k and overlap[0, k] > 0.6
    # Faces 1 and 2 are ~4.5 face widths apart: searching around one does not find the other.
    assert iou(detect_around(engine, rgb, everyone[1:2], max_scale=2.0), everyone[2:3]).max(initial=0.0) < 0.3
    assert iou(detect_around(engine, rgb, everyone[2:3], max_scale=2.0), everyone[1:2]).max(initial=0.0) < 0.3
    # Two tracked boxes over the same face give one detection, not two.
    twice = detect_around(engine, rgb, np.repeat(everyone[:1], 2, axis=0), max_scale=2.0)
    assert (iou(twice, everyone[:1])[:, 0] > 0.5).sum() == 1


def test_the_bgr_frame_is_searched_and_encoded_as_its_rgb_copy_would_be(shared: Path) -> None:
    """Workers turn only what they search or encode to RGB, one channel at a time (less
    memory): the same pixels, boxes and encodings as a whole RGB copy of the frame."""
    from PIL import Image

    from attendance.recognition.engine import resized, shared_engine

    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    height, width = rgb.shape[:2]
    for scale in (2 / 3, 1.0, 2.5):
        size = (round(width * scale), round(height * scale))
        plain = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR if scale > 1 else Image.Resampling.BOX))
        np.testing.assert_array_equal(resized(rgb, scale), plain)
        np.testing.assert_array_equal(resized(bgr, scale, bgr=True), plain)
        np.testing.assert_array_equal(resized(bgr[40:300, 100:420], scale, bgr=True), resized(rgb[40:300, 100:420], scale))
    engine = shared_engine()
    boxes = engine.detect(rgb, scale=2.0)
    got = analyse(AnalysisRequest(bgr, 0, 0.0, 2.0, empty_boxes()))
    assert len(boxes) == 3
    np.testing.assert_array_equal(got.boxes, boxes)
    np.testing.assert_array_equal(got.encodings, engine.encode(rgb, boxes))  # each from a crop around its face


def test_whole_frame_searches_cost_the_same_at_any_resolution_unless_a_min_face_is_given() -> None:
    from attendance.recognition.analysis import Analyzer

    auto = Analyzer(workers=0)
    assert auto.scale_for((360, 640, 3)) == 2.0  # 50 px faces: the default
    assert auto.scale_for((720, 1280, 3)) == 1.0  # 100 px
    assert abs(auto.scale_for((1080, 1920, 3)) - 2 / 3) < 1e-9  # 150 px
    assert auto.scale_for((240, 320, 3)) == 2.0  # never above the default's scale
    assert Analyzer(workers=0, min_face_px=50).scale_for((720, 1280, 3)) == 2.0  # asked for: honoured


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_worker_killed_while_loading_its_models_is_replaced(fork: bool) -> None:
    """Killed before it said it was ready (e.g. by the out-of-memory killer at start-up): a
    new worker takes its place and the analyzer still answers, instead of failing the
    session.  A forked worker's models load in its zygote: killing that is the same case."""
    from attendance.recognition.analysis import Analyzer

    with Analyzer(workers=1, fork=fork) as analyzer:
        first = analyzer._procs[0]
        loading = analyzer._zygote.pid if analyzer._zygote else first.pid
        assert loading is not None
        psutil.Process(loading).kill()
        deadline = time.monotonic() + 60
        while not analyzer.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert analyzer._procs[0] is not first
        assert analyzer._procs[0].exit_code is None and analyzer._procs[0].pid not in (None, loading)


def test_a_forked_worker_killed_mid_work_is_replaced_from_the_same_zygote(shared: Path) -> None:
    from attendance.recognition.analysis import Analyzer

    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    with Analyzer(workers=1, fork=True) as analyzer:
        analyzer.wait_ready(60)
        zygote, first = analyzer._zygote, analyzer._procs[0]
        assert first.pid is not None
        psutil.Process(first.pid).kill()
        deadline = time.monotonic() + 10
        while first.exit_code is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert first.exit_code == -9
        answer = analyzer.submit(_request(rgb)).result(60)  # on the replacement, forked in milliseconds
        assert len(answer.boxes) == 3 and analyzer._zygote is zygote and analyzer._procs[0] is not first


def test_the_forked_workers_cpu_time_counts_in_the_parents_children_time(shared: Path) -> None:
    """The bench reads the workers' CPU from ``RUSAGE_CHILDREN``: the zygote must reap its
    workers before it exits (left to init, their CPU time would be lost)."""
    code = textwrap.dedent(f"""
        import resource
        import numpy as np
        from attendance.recognition.analysis import Analyzer, AnalysisRequest
        from attendance.recognition.engine import empty_boxes
        from attendance.recognition.imaging import load_rgb
        bgr = np.ascontiguousarray(load_rgb({str(shared / "probes" / "obama_and_biden.jpg")!r})[:, :, ::-1])
        with Analyzer(2, fork=True) as analyzer:
            analyzer.wait_ready(60)
            spent = [analyzer.submit(AnalysisRequest(bgr, i, 0.0, 2.0, empty_boxes())) for i in range(6)]
            assert all(len(f.result(60).boxes) == 3 for f in spent)
            load = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        print((done.ru_utime + done.ru_stime) - (load.ru_utime + load.ru_stime))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    # Six searches of the photo at 2x and 18 encodings: over a second of CPU on any machine.
    assert float(out.stdout.strip()) > 1.0, out.stderr
