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

from attendance.core.errors import WorkerError
from attendance.recognition.engine import shared_engine
from attendance.recognition.imaging import load_rgb
from attendance.recognition.jobs import EncodeJob, HogJob, crop_faces
from attendance.recognition.workers.pool import WorkerPool
from attendance.recognition.workers.process import WorkerProcess


def _job(rgb: np.ndarray) -> EncodeJob:
    """Encode the three faces of the photo, found by HOG (as face_recognition would)."""
    return EncodeJob(crop_faces(np.ascontiguousarray(rgb[:, :, ::-1]), shared_engine().detect(rgb)))


def _pids(pool: WorkerPool, count: int) -> list[int]:
    """The workers' pids, once the zygote has said it forked them (it may say so just after they are ready)."""
    deadline = time.monotonic() + 10
    while len(pool.pids) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return pool.pids


def test_worker_answers_like_the_engine_in_process_and_survives_a_bad_request(shared: Path) -> None:
    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    boxes = shared_engine().detect(rgb)
    expected = shared_engine().encode(rgb, boxes)
    worker = WorkerProcess()
    try:
        assert worker.ready.result(timeout=60) is None
        bad = worker.submit(HogJob(np.zeros((10, 10), np.uint8), 1.0))
        good = worker.submit(_job(rgb))
        found = worker.submit(HogJob(np.ascontiguousarray(rgb[:, :, ::-1]), 1.0))
        with pytest.raises(Exception):  # noqa: B017 - whatever dlib raises on a 2-D image comes back unchanged
            bad.result(timeout=60)
        got = good.result(timeout=60)
        np.testing.assert_array_equal(found.result(timeout=60), boxes)
    finally:
        worker.close()
        worker.join(10)
    assert len(boxes) == 3
    np.testing.assert_allclose(got.encodings, expected, atol=1e-6)  # each from a crop around its face: the same encoding
    assert len(got.thumbnails) == 3 and all(t.shape[2] == 3 and max(t.shape[:2]) <= 128 for t in got.thumbnails)
    with pytest.raises(WorkerError):
        worker.submit(_job(rgb))


def test_worker_loads_neither_opencv_nor_the_cli() -> None:
    code = textwrap.dedent("""
        import sys
        from attendance.recognition.workers.worker_main import serve
        from attendance.recognition.workers.zygote_main import main
        import attendance.recognition.jobs, attendance.recognition.engine, attendance.recognition.enrollment_photo
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
        from attendance.recognition.workers.process import WorkerProcess
        from attendance.recognition.workers.zygote import Zygote
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
    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    expected = _job(rgb).run()
    with WorkerPool(workers=2, fork=True) as pool:
        pool.wait_ready(60)
        workers = [psutil.Process(pid) for pid in _pids(pool, 2)]
        assert len(workers) == 2 and all(w.ppid() == pool._zygote.pid for w in workers if pool._zygote)
        own = [w.memory_full_info().uss / 2**20 for w in workers]
        assert max(own) < 20, f"forked workers' own memory {own} MiB: the models are not shared"
        assert min(w.memory_info().rss for w in workers) / 2**20 > 50  # ... though they are mapped in each
        answers = [w.submit(_job(rgb)).result(60) for w in pool._procs]
    for got in answers:
        np.testing.assert_allclose(got.encodings, expected.encodings, atol=1e-6)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive


def test_faces_are_encoded_from_crops_as_the_whole_photo_would_encode_them(shared: Path) -> None:
    """The session sends crops of the faces to the workers (no whole frame): the same
    encodings as the whole photo gives, and the crops split evenly between workers."""
    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    engine = shared_engine()
    boxes = engine.detect(rgb, scale=2.0)
    crops = crop_faces(np.ascontiguousarray(rgb[:, :, ::-1]), boxes)
    assert len(boxes) == 3 and sum(c.nbytes for c in crops.images) < rgb.nbytes / 2
    np.testing.assert_array_equal(EncodeJob(crops).run().encodings, engine.encode(rgb, boxes))
    assert [len(part) for part in crops.split(2)] == [2, 1] and [len(part) for part in crops.split(5)] == [1, 1, 1]


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_worker_killed_while_loading_its_models_is_replaced(fork: bool) -> None:
    """Killed before it said it was ready (e.g. by the out-of-memory killer at start-up): a
    new worker takes its place and the analyzer still answers, instead of failing the
    session.  A forked worker's models load in its zygote: killing that is the same case."""
    with WorkerPool(workers=1, fork=fork) as pool:
        first = pool._procs[0]
        loading = pool._zygote.pid if pool._zygote else first.pid
        assert loading is not None
        psutil.Process(loading).kill()
        deadline = time.monotonic() + 60
        while not pool.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool._procs[0] is not first
        assert pool._procs[0].exit_code is None and _pids(pool, 1)[0] != loading


def test_a_forked_worker_killed_mid_work_is_replaced_from_the_same_zygote(shared: Path) -> None:
    rgb = load_rgb(shared / "probes" / "obama_and_biden.jpg")
    with WorkerPool(workers=1, fork=True) as pool:
        pool.wait_ready(60)
        zygote, first = pool._zygote, pool._procs[0]
        psutil.Process(_pids(pool, 1)[0]).kill()
        deadline = time.monotonic() + 10
        while first.exit_code is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert first.exit_code == -9
        answer = pool.submit(_job(rgb)).result(60)  # on the replacement, forked in milliseconds
        assert len(answer.encodings) == 3 and pool._zygote is zygote and pool._procs[0] is not first


def test_the_forked_workers_cpu_time_counts_in_the_parents_children_time(shared: Path) -> None:
    """The bench reads the workers' CPU from ``RUSAGE_CHILDREN``: the zygote must reap its
    workers before it exits (left to init, their CPU time would be lost)."""
    code = textwrap.dedent(f"""
        import resource
        import numpy as np
        from attendance.recognition.jobs import HogJob
        from attendance.recognition.workers.pool import WorkerPool
        from attendance.recognition.imaging import load_rgb
        bgr = np.ascontiguousarray(load_rgb({str(shared / "probes" / "obama_and_biden.jpg")!r})[:, :, ::-1])
        with WorkerPool(2, fork=True) as pool:
            pool.wait_ready(60)
            spent = [pool.submit(HogJob(bgr, 2.0)) for i in range(6)]
            assert all(len(f.result(60)) == 3 for f in spent)
            load = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = resource.getrusage(resource.RUSAGE_CHILDREN)
        print((done.ru_utime + done.ru_stime) - (load.ru_utime + load.ru_stime))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    # Six searches of the photo at 2x: over a second of CPU on any machine.
    assert float(out.stdout.strip()) > 1.0, out.stderr
