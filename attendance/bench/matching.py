"""Section ``matching``: matching one face, and loading the store, at 10,000 and 100,000
enrolled (random encodings at the norm of real ones; see :func:`~attendance.bench.inputs.synthetic_people`).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attendance.bench.inputs import synthetic_people
from attendance.bench.measure import MIB
from attendance.recognition.engine import ENCODING_DIM


@dataclass
class MatchScale:
    """``size`` enrolled encodings: median ``match_ms`` for one face, median ``load_s`` of
    what a session loads (``FaceStore.load_gallery``), median ``gallery_s`` of the full
    roster load (``FaceStore.load`` + ``gallery()``, used by roster tools), file size."""

    size: int
    match_ms: float
    match_p95_ms: float
    load_s: float
    gallery_s: float
    save_s: float
    file_mb: float


def matching_scale(sizes: Sequence[int], norm: float, repeats: int = 200, load_repeats: int = 5) -> list[MatchScale]:
    """Time ``Gallery.match`` of one face and ``FaceStore`` save/load at each gallery size."""
    from attendance.roster.store import FaceStore

    out = []
    rng = np.random.default_rng(1)
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            store = FaceStore(Path(tmp) / "known_faces", synthetic_people(size, norm))
            t = time.perf_counter()
            store.save()
            save_s = time.perf_counter() - t
            loads, galleries = [], []
            for _ in range(load_repeats):
                t = time.perf_counter()
                gallery = FaceStore.load_gallery(store.folder)
                t1 = time.perf_counter()
                FaceStore.load(store.folder).gallery()
                galleries.append(time.perf_counter() - t1)
                loads.append(t1 - t)
            assert len(gallery.encodings) == size
            query = rng.standard_normal((repeats + 5, ENCODING_DIM)).astype(np.float32)
            query *= (norm / np.linalg.norm(query, axis=1))[:, None]
            times = []
            for i in range(repeats + 5):
                t = time.perf_counter()
                gallery.match(query[i : i + 1])
                times.append(time.perf_counter() - t)
            times = times[5:]  # warm-up
            out.append(MatchScale(size, round(statistics.median(times) * 1000, 3), round(float(np.percentile(times, 95)) * 1000, 3),
                                  round(statistics.median(loads), 3), round(statistics.median(galleries), 3), round(save_s, 3),
                                  round(store.path.stat().st_size / MIB, 1)))
    return out
