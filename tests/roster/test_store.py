"""The encoding store: damaged files refused in one line, atomic replacement that survives
kill -9 (of a real bulk enrollment, at several moments), and clean-up after a crash."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SHARED, cli, copy_home, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendance.core.errors import InvalidNameError, StoreError
from attendance.recognition.engine import ENCODING_DIM
from attendance.roster.store import STORE_FILE, FaceStore, Photo


def npz(**arrays: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool (allow_pickle)
    return out.getvalue()


def meta_bytes(meta: object) -> np.ndarray:
    return np.frombuffer(json.dumps(meta).encode(), np.uint8)


def _person_edit(field: str, value: object) -> Callable[[bytes, dict, dict], bytes]:
    def edit(raw: bytes, d: dict, meta: dict) -> bytes:
        people = [dict(p) for p in meta["people"]]
        people[0][field] = value
        return npz(encodings=d["encodings"], owner=d["owner"], meta=meta_bytes({**meta, "people": people}))
    return edit


#: Ways a gallery.npz gets damaged or edited by hand: (original bytes, arrays, roster) -> new bytes.
DAMAGE: dict[str, Callable[[bytes, dict, dict], bytes]] = {
    "zero bytes": lambda b, d, m: b"",
    "truncated half": lambda b, d, m: b[: len(b) // 2],
    "truncated tail": lambda b, d, m: b[:-7],
    "text": lambda b, d, m: b"name,id\nLin,S0001\n",
    "flipped byte": lambda b, d, m: b[:150] + bytes([b[150] ^ 0xFF]) + b[151:],
    "missing roster": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"]),
    "pickled roster": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"], meta=np.array([{"x": 1}], dtype=object)),
    "roster not json": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"], meta=np.frombuffer(b"{people:", np.uint8)),
    "roster a list": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"], meta=meta_bytes([1, 2])),
    "newer format": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"], meta=meta_bytes({**m, "format": 99})),
    "NaN encoding": lambda b, d, m: npz(encodings=np.full_like(d["encodings"], np.nan), owner=d["owner"], meta=d["meta"]),
    "float64": lambda b, d, m: npz(encodings=d["encodings"].astype(np.float64), owner=d["owner"], meta=d["meta"]),
    "wrong width": lambda b, d, m: npz(encodings=d["encodings"][:, :64], owner=d["owner"], meta=d["meta"]),
    "extra row": lambda b, d, m: npz(encodings=np.vstack([d["encodings"], d["encodings"][:1]]), owner=np.append(d["owner"], 0).astype(np.int32), meta=d["meta"]),
    "owners swapped": lambda b, d, m: npz(encodings=d["encodings"], owner=d["owner"][::-1].copy(), meta=d["meta"]),
    "duplicate id": _person_edit("id", "S0002"),
    "id with space": _person_edit("id", "S 1"),
    "name with newline": _person_edit("name", "Lin\nMiranda"),
    "name a number": _person_edit("name", 7),
    "key as a path": _person_edit("key", "../../../etc/passwd"),
    "no photos": _person_edit("photos", []),
}


@pytest.fixture(scope="module")
def original(lin_alex_home: Path) -> tuple[bytes, dict, dict]:
    raw = (lin_alex_home / "known_faces" / STORE_FILE).read_bytes()
    with np.load(io.BytesIO(raw)) as data:
        arrays = {k: data[k] for k in data.files}
    return raw, arrays, json.loads(arrays["meta"].tobytes())


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_store_is_one_line_store_error(original: tuple[bytes, dict, dict], tmp_path: Path, damage: str) -> None:
    raw, arrays, meta = original
    (tmp_path / STORE_FILE).write_bytes(DAMAGE[damage](raw, arrays, meta))
    with pytest.raises(StoreError) as err:
        FaceStore.load(tmp_path)
    assert "\n" not in str(err.value) and str(tmp_path / STORE_FILE) in str(err.value)


@pytest.mark.parametrize("damage,command", [("truncated half", "roster"), ("flipped byte", "enroll"), ("name with newline", "remove"),
                                            ("pickled roster", "roster")])
def test_damaged_store_through_the_command(original: tuple[bytes, dict, dict], lin_alex_home: Path, tmp_path: Path,
                                           damage: str, command: str) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    store = home / "known_faces" / STORE_FILE
    store.write_bytes(DAMAGE[damage](*original))
    damaged = store.read_bytes()
    args = {"roster": ["roster"], "remove": ["remove", "S0001", "--yes"],
            "enroll": ["enroll", str(SHARED / "photos" / "obama-240p.jpg"), "--name", "Obama", "--jitters", "1"]}[command]
    proc = cli(*args, home=home)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"attendance: error: {store} is damaged"), proc.stderr
    assert store.read_bytes() == damaged  # a damaged store is never overwritten by a command


# ----- atomic replacement and crashes --------------------------------------------------

HALF_WRITE = """
import sys, time
from pathlib import Path
from attendance.core.atomic import atomic_write
def write(fh):
    fh.write(b"PK-half-written-store")
    fh.flush()
    Path(sys.argv[2]).touch()
    time.sleep(60)
atomic_write(Path(sys.argv[1]), write)
"""


def test_kill_during_write_keeps_old_store_and_next_edit_cleans_up(lin_alex_home: Path, tmp_path: Path) -> None:
    """kill -9 while the new gallery.npz is half written: the old one is intact and loads;
    the half-written temporary file is never read, and the next edit deletes it."""
    home = copy_home(lin_alex_home, tmp_path / "home")
    folder = home / "known_faces"
    before = (folder / STORE_FILE).read_bytes()
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", HALF_WRITE, str(folder / STORE_FILE), str(ready)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    leftovers = list(folder.glob(".gallery.npz.*.tmp"))
    assert len(leftovers) == 1 and leftovers[0].read_bytes() == b"PK-half-written-store"
    assert (folder / STORE_FILE).read_bytes() == before
    assert [p.name for p in FaceStore.load(folder).people] == ["Lin-Manuel Miranda", "Alex Lacamoire"]
    with FaceStore.edit(folder):
        pass
    assert not list(folder.glob(".*.tmp"))


def _snapshot(path: Path) -> tuple[int, int] | None:
    try:
        st_ = path.stat()
    except FileNotFoundError:
        return None
    return st_.st_ino, st_.st_mtime_ns


def test_kill_9_during_bulk_enroll_then_rerun_finishes(tmp_path: Path) -> None:
    """A real bulk ``attendance enroll`` is killed with SIGKILL right after it rewrote the
    store, at two different moments (with 2 worker processes, then 1); every time the store
    loads and the photos already saved are not encoded again.  A last run completes the class."""
    home = tmp_path / "home"
    home.mkdir()
    store = home / "known_faces" / STORE_FILE
    env = {**os.environ, "ATTENDANCE_HOME": str(home)}
    saved_before = 0
    for delay, workers in ((0.0, "2"), (0.3, "1")):
        proc = subprocess.Popen([sys.executable, "-m", "attendance", "enroll", str(SHARED / "people"), "--jitters", "1", "--workers", workers],
                                cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            first = _snapshot(store)
            deadline = time.monotonic() + 120
            while _snapshot(store) == first:
                assert proc.poll() is None, "enroll finished before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.005)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            try:  # the worker processes and resource tracker this run started
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        saved = FaceStore.load(home / "known_faces")
        rows = sum(len(p.photos) for p in saved.people)
        assert rows > saved_before, "each run must have saved at least one more photo"
        saved_before = rows
    proc_done = run_cli("enroll", str(SHARED / "people"), "--jitters", "1", home=home)
    assert proc_done.returncode == 0, proc_done.stderr
    assert f"9 photos of 5 people: {9 - saved_before} added, 0 updated, {saved_before} unchanged, 0 failed" in proc_done.stdout
    final = FaceStore.load(home / "known_faces")
    assert sorted(p.name for p in final.people) == ["alex lacamoire", "biden", "kit harington", "obama", "rose leslie"]
    assert sum(len(p.photos) for p in final.people) == 9
    assert not list((home / "known_faces").glob(".*.tmp")) and not list((home / "known_faces" / "thumbs").glob(".*.tmp"))
    thumbs = sorted(t.stem for t in (home / "known_faces" / "thumbs").glob("*.jpg"))
    assert len(thumbs) == 5 + 9  # one per student and one per photo: no orphan face thumbnails
    assert sorted(final.photo_thumbnail_path(p, ph).stem for p in final.people for ph in p.photos) == [t for t in thumbs if "-" in t]


def test_orphan_thumbnail_removed_on_next_edit(lin_alex_home: Path, tmp_path: Path) -> None:
    """A save killed after a new person's thumbnail was written leaves a face nobody owns."""
    home = copy_home(lin_alex_home, tmp_path / "home")
    thumbs = home / "known_faces" / "thumbs"
    kept = sorted(thumbs.glob("*.jpg"))
    assert len(kept) == 4  # each student's thumbnail and their one photo's
    orphan = thumbs / ("ab" * 8 + ".jpg")
    orphan.write_bytes(kept[0].read_bytes())
    key = FaceStore.load(home / "known_faces").people[0].key
    removed_photo = thumbs / f"{key}-{'cd' * 8}.jpg"  # a photo removed by a save that was then killed
    removed_photo.write_bytes(kept[0].read_bytes())
    with FaceStore.edit(home / "known_faces"):
        pass
    assert not orphan.exists() and not removed_photo.exists() and sorted(thumbs.glob("*.jpg")) == kept


def test_person_without_photo_is_never_saved(tmp_path: Path) -> None:
    with FaceStore.edit(tmp_path) as store:
        store.add_person("Nobody Yet")
    assert FaceStore.load(tmp_path).people == []


def test_second_editor_waits_then_gives_one_line_error(tmp_path: Path) -> None:
    with FaceStore.edit(tmp_path):
        with pytest.raises(StoreError, match="being changed by another attendance command"):
            with FaceStore.edit(tmp_path, timeout=0.2):
                pass


names = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(names, st.integers(1, 3)), min_size=0, max_size=6), seed=st.integers(0, 2**32 - 1))
def test_save_load_round_trip(tmp_path_factory: pytest.TempPathFactory, people: list[tuple[str, int]], seed: int) -> None:
    """Whatever the names and photo counts, the saved store loads back exactly."""
    folder = tmp_path_factory.mktemp("rt")
    rng = np.random.default_rng(seed)
    store = FaceStore(folder)
    for name, photos in people:
        try:
            person = store.add_person(name)
        except InvalidNameError:  # names clean_name refuses (bidi controls) are not stored
            continue
        for k in range(photos):
            store.set_photo(person, Photo(f"{k}.jpg", f"{seed:x}{len(store.people)}{k}", "2026-01-01T00:00:00+00:00"),
                            rng.normal(size=ENCODING_DIM).astype(np.float32), None)
    store.save()
    back = FaceStore.load(folder)
    assert [(p.id, p.name, p.key, p.photos) for p in back.people] == [(p.id, p.name, p.key, p.photos) for p in store.people]
    for a, b in zip(back.people, store.people):
        assert np.array_equal(a.encodings, b.encodings)
