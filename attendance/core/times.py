"""Reading the times people type: a session's scheduled start."""

from __future__ import annotations

from datetime import datetime
from datetime import time as dtime

from attendance.core.errors import InvalidTimeError


def parse_start(text: str | None) -> datetime | None:
    """A scheduled start: ``HH:MM`` meaning today, local time, or an ISO 8601 date-time.

    A date-time without an offset is taken as local time.  ``None`` or ``""`` gives ``None``
    (no scheduled start).  Raises :class:`InvalidTimeError` on anything else.
    """
    if not text:
        return None
    try:
        if len(text) <= 5 and ":" in text:
            return datetime.combine(datetime.now().date(), dtime.fromisoformat(text.zfill(5))).astimezone()
        value = datetime.fromisoformat(text)
        return value if value.tzinfo else value.astimezone()
    except ValueError:
        raise InvalidTimeError(f"{text!r} is not a time: use HH:MM or an ISO 8601 date-time") from None
