"""Listeners told of every record line written: how a data folder connected to a school
(:mod:`attendance.school`) turns marks, last sightings, corrections and session starts and
ends into events for its outbox, without the records knowing about schools.

The records call :func:`written` right after a line is durably on disk; with no listener
(the usual case: a data folder not connected) it does nothing.  A listener must be quick
and must not raise: an exception is logged and swallowed, because the local files are the
laptop's record and must never fail because of a listener.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path

log = logging.getLogger(__name__)


class Written(str, Enum):
    """What was written.  ``payload`` given with each (see :func:`written`):

    * ``START``: the session's details (``.meta.json``) at the start of a run; ``None``.
    * ``MARK``: a :class:`~attendance.records.sessionlog.Mark` appended to the log.
    * ``LAST_SEEN``: ``[(student_id, when), ...]`` lines appended to ``.lastseen.csv``.
    * ``CORRECTION``: a :class:`~attendance.records.corrections.Correction` appended to
      ``.corrections.csv`` (called with the file's lock held).
    * ``END``: the end of a run recorded in ``.meta.json``; ``None``.
    """

    START = "start"
    MARK = "mark"
    LAST_SEEN = "lastseen"
    CORRECTION = "correction"
    END = "end"


#: ``listener(what, path, payload)``: ``path`` is the file written (the session log for
#: ``START``, ``MARK`` and ``END``; the last-seen or corrections file otherwise).
Listener = Callable[[Written, Path, object], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


def listen(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` for every line written from now on; returns the function that stops it."""
    with _lock:
        _listeners.append(listener)

    def stop() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return stop


def written(what: Written, path: Path, payload: object = None) -> None:
    """Tell the listeners that ``path`` got a durable line of kind ``what``."""
    if not _listeners:
        return
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(what, Path(path), payload)
        except Exception as exc:  # noqa: BLE001 - a listener never breaks the local record
            log.warning("%s: could not queue it for the school's server (%s); it is sent at the next sync", Path(path).name, exc)
