"""Matching face encodings against every enrolled encoding in one vectorised step."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attendance.recognition.engine import ENCODING_DIM


@dataclass(frozen=True)
class Matches:
    """Result of :meth:`Gallery.match` for ``m`` query faces.

    ``person``: ``(m,)`` int, index into the gallery's people of the closest person (-1
    when the gallery is empty); ``distance``: ``(m,)`` float32, distance to that person's
    closest encoding; ``runner_up``: ``(m,)`` float32, distance to the closest *other*
    person (``inf`` when only one person is enrolled).
    """

    person: np.ndarray
    distance: np.ndarray
    runner_up: np.ndarray


@dataclass(frozen=True)
class Gallery:
    """An immutable snapshot of the enrolled encodings.

    ``encodings``: ``(n, 128)`` float32, one row per enrollment photo; ``owner``: ``(n,)``
    int32, the index into ``ids``/``names`` of each row's person.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    encodings: np.ndarray
    owner: np.ndarray
    #: ``(n,)`` float32 squared norms of ``encodings``, computed once (not an argument).
    _sq_norms: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        enc = np.ascontiguousarray(self.encodings, dtype=np.float32).reshape(-1, ENCODING_DIM)
        object.__setattr__(self, "encodings", enc)
        object.__setattr__(self, "owner", np.asarray(self.owner, dtype=np.int32).reshape(-1))
        object.__setattr__(self, "_sq_norms", np.einsum("ij,ij->i", enc, enc))

    @classmethod
    def empty(cls) -> Gallery:
        return cls((), (), np.zeros((0, ENCODING_DIM), np.float32), np.zeros((0,), np.int32))

    def __len__(self) -> int:
        """Number of people."""
        return len(self.ids)

    def match(self, queries: np.ndarray) -> Matches:
        """Closest person for each row of ``queries`` (``(m, 128)``).

        One matrix product against all ``n`` rows: ``|q - e|^2 = |q|^2 + |e|^2 - 2 q.e``.
        """
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, ENCODING_DIM)
        m = len(q)
        if m == 0 or len(self.encodings) == 0:
            return Matches(np.full(m, -1, np.int64), np.full(m, np.inf, np.float32), np.full(m, np.inf, np.float32))
        # (n, m) = gallery @ queries^T: one pass over the gallery (memory-bound at 100k rows).
        products = self.encodings @ q.T
        sq = self._sq_norms[None, :] - 2.0 * products.T  # |e|^2 - 2 q.e; |q|^2 added after the argmin
        best_row = np.argmin(sq, axis=1)
        rows = np.arange(m)
        best_person = self.owner[best_row].astype(np.int64)
        q_sq = np.einsum("ij,ij->i", q, q)
        best = np.sqrt(np.maximum(sq[rows, best_row] + q_sq, 0.0))
        others = np.where(self.owner[None, :] == best_person[:, None], np.inf, sq)
        runner_up = np.sqrt(np.maximum(others.min(axis=1) + q_sq, 0.0))
        return Matches(best_person, best.astype(np.float32), runner_up.astype(np.float32))

    def person_distances(self, queries: np.ndarray) -> np.ndarray:
        """``(m, people)`` float32: distance of each row of ``queries`` (``(m, 128)``) to
        each person's closest encoding (``inf`` for a person without encodings)."""
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, ENCODING_DIM)
        out = np.full((len(q), len(self.ids)), np.inf, np.float32)
        if len(q) and len(self.encodings):
            sq = self._sq_norms[None, :] - 2.0 * (q @ self.encodings.T) + np.einsum("ij,ij->i", q, q)[:, None]
            rows = np.sqrt(np.maximum(sq, 0.0)).astype(np.float32)
            np.minimum.at(out.T, self.owner, rows.T)
        return out

