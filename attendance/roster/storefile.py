"""Reading ``gallery.npz`` and checking it before anything uses it (see :mod:`attendance.roster.store`)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from attendance.core.errors import StoreError
from attendance.recognition.engine import ENCODING_DIM

#: The store file's format number (in its ``meta``).
FORMAT = 1
RECOVER = "move it away and enroll again (attendance enroll FOLDER)"


def one_line(exc: BaseException) -> str:
    """A library exception's text on one line (its kind if it has none)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def read_store_file(where: Path) -> tuple[np.ndarray, list[dict[str, Any]], np.ndarray]:
    """Read and check ``gallery.npz``: encodings ``(n, 128)``, the people's metadata, and
    each person's number of rows ``(people,)``."""
    if not zipfile.is_zipfile(where):
        raise StoreError(f"{where} is damaged or not a store file (not a NumPy .npz archive); {RECOVER}")
    try:
        with np.load(where, allow_pickle=False) as data:
            missing = {"encodings", "owner", "meta"} - set(data.files)
            if missing:
                raise StoreError(f"{where} is damaged: missing {', '.join(sorted(missing))}; {RECOVER}")
            encodings = np.asarray(data["encodings"])
            owner = np.asarray(data["owner"])
            meta_bytes = np.asarray(data["meta"]).tobytes()
    except StoreError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, MemoryError) as exc:
        raise StoreError(f"{where} is damaged or not a store file ({one_line(exc)}); {RECOVER}") from None
    try:
        meta = json.loads(meta_bytes.decode("utf-8"))
        people_meta = meta["people"]
        if meta.get("format") != FORMAT:
            raise StoreError(f"{where} has format {meta.get('format')!r}; this version reads format {FORMAT}")
    except StoreError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise StoreError(f"{where} is damaged: unreadable roster ({one_line(exc)}); {RECOVER}") from None
    if encodings.ndim != 2 or encodings.shape[1] != ENCODING_DIM or encodings.dtype != np.float32:
        raise StoreError(f"{where} is damaged: encodings have shape {encodings.shape} {encodings.dtype}; {RECOVER}")
    if owner.shape != (len(encodings),) or not np.isfinite(encodings).all():
        raise StoreError(f"{where} is damaged: inconsistent encodings; {RECOVER}")
    try:
        counts = np.array([len(pm["photos"]) for pm in people_meta], dtype=np.int64)
        if (counts == 0).any() or counts.sum() != len(encodings) or not np.array_equal(owner, np.repeat(np.arange(len(counts)), counts)):
            raise ValueError("rows and people do not match")
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{where} is damaged: roster and encodings disagree ({one_line(exc)}); {RECOVER}") from None
    return encodings, people_meta, counts
