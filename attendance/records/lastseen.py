"""When each student was last seen in a session: cheap, durable check-out times.

File, under ``logs/``, beside the session log ``<YYYY-MM-DD>_<session>.csv``:

* ``<YYYY-MM-DD>_<session>.lastseen.csv`` — UTF-8 with BOM, a header and lines of
  ``student_id, last_seen`` (ISO 8601 with UTC offset).  While a session runs, a student
  gets a line at their first sighting and then at most one per :data:`INTERVAL_S` (a
  minute) while still seen; when the run ends, one more line for everyone seen since their
  last line.  Each batch of lines is one ``write``, flushed and fsynced, like a mark, so a
  session killed with kill -9 keeps every line written before the kill (at most a minute
  behind).  A student's last sighting is the latest time in the file.

Logs from before this file existed simply have no last sightings: their exports leave
``last_seen`` empty and nobody is ``left early``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from attendance.core.csvsafe import complete_cells, csv_line, neutralise, read_lines, restore
from attendance.records import sink

SUFFIX = ".lastseen.csv"
COLUMNS = ("student_id", "last_seen")
#: Seconds between two lines for the same student while a session runs.
INTERVAL_S = 60.0


def lastseen_path(log_path: Path) -> Path:
    """The last-seen file beside the session log ``log_path``."""
    log_path = Path(log_path)
    return log_path.with_name(log_path.name[: -len(".csv")] + SUFFIX)


class LastSeenLog:
    """Writer of one session's last sightings (the session log's lock covers it)."""

    def __init__(self, path: Path, interval_s: float = INTERVAL_S) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self._fh: io.TextIOWrapper | None = None
        self._written: dict[str, datetime] = {}
        self._latest: dict[str, datetime] = {}

    def open(self) -> LastSeenLog:
        """Open for appending (header if new; a line cut by a crash is closed off first)."""
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        torn = False
        if not fresh:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"
        self._fh = open(self.path, "a", encoding="utf-8", newline="")
        if fresh or torn:
            self._write(["\ufeff" + csv_line(COLUMNS) if fresh else "\n"])
        return self

    def saw(self, sightings: Iterable[tuple[str, datetime]]) -> int:
        """Note ``(student_id, when)`` sightings (aware times); writes a line for each student
        not written in the last :data:`INTERVAL_S`; returns the lines written."""
        due, lines = [], []
        for student_id, when in sightings:
            if student_id not in self._latest or when > self._latest[student_id]:
                self._latest[student_id] = when
            written = self._written.get(student_id)
            if written is None or (when - written).total_seconds() >= self.interval_s:
                self._written[student_id] = when
                due.append((student_id, when))
                lines.append(csv_line([neutralise(student_id), when.isoformat(timespec="seconds")]))
        self._write(lines)
        if due:
            sink.written(sink.Written.LAST_SEEN, self.path, due)
        return len(due)

    def close(self) -> None:
        """Write the latest sighting of everyone seen since their last line, and close."""
        if self._fh is None:
            return
        final = [(sid, when) for sid, when in self._latest.items() if self._written.get(sid) != when]
        self._write([csv_line([neutralise(sid), when.isoformat(timespec="seconds")]) for sid, when in final])
        if final:
            sink.written(sink.Written.LAST_SEEN, self.path, final)
        self._written.update(final)
        self._fh.close()
        self._fh = None

    def _write(self, lines: list[str]) -> None:
        if not lines or self._fh is None:
            return
        self._fh.write("".join(lines))
        self._fh.flush()
        os.fsync(self._fh.fileno())


def read_last_seen(path: Path, warnings: list[str]) -> dict[str, datetime]:
    """Each student's latest sighting in ``path`` (``{}`` if there is no such file).

    A line that does not parse (cut by a crash) is skipped with a warning in ``warnings``.
    """
    lines = read_lines(Path(path), warnings, "last sightings ignored")
    latest: dict[str, datetime] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            student_id, stamp = complete_cells(line)
            when = datetime.fromisoformat(stamp)
            when = when if when.tzinfo else when.astimezone()
        except (ValueError, StopIteration, csv.Error) as exc:
            warnings.append(f"{Path(path).name} line {number}: unreadable sighting skipped ({exc})")
            continue
        student_id = str(restore(student_id))
        if student_id not in latest or when > latest[student_id]:
            latest[student_id] = when
    return latest

