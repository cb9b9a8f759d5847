"""Reading the dates and times people type, the same way in the command line and the window.

Dates: ``24/11/2026``, ``24.11.2026``, ``24-11-2026`` (day first) or ``2026-11-24``.
Times: ``8:30``, ``08:30``, ``8.30``, ``8h30``, ``14:05``, ``2:05 pm``.  A start may be a
time (today), a date and a time (``24/11/2026 8:30``), or an ISO 8601 date-time.
Anything else is refused with an example of what is accepted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import time as dtime

from attendance.core.errors import InvalidTimeError

DATE_EXAMPLE = "24/11/2026 or 2026-11-24"
TIME_EXAMPLE = "8:30 or 14:05"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_TIME = re.compile(r"(\d{1,2})(?:[:.hH](\d{2}))?\s*([aApP]\.?[mM]\.?)?")


def _date_or_none(text: str) -> date | None:
    iso, day_first = _ISO_DATE.fullmatch(text), _DAY_FIRST.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
    except ValueError:
        return None
    return None


def _time_or_none(text: str) -> dtime | None:
    match = _TIME.fullmatch(text)
    if not match or (match[2] is None and match[3] is None):  # a bare number is not a time
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3][0] in "pP" else 0)
    return dtime(hour, minute) if hour < 24 and minute < 60 else None


def parse_date(text: str) -> date:
    """A date as typed (see the module's docstring); :class:`InvalidTimeError` otherwise."""
    value = _date_or_none(text.strip())
    if value is None:
        raise InvalidTimeError(f"{text.strip()!r} is not a date: type it like {DATE_EXAMPLE}")
    return value


def parse_time(text: str) -> dtime:
    """A time of day as typed (see the module's docstring); :class:`InvalidTimeError` otherwise."""
    value = _time_or_none(text.strip())
    if value is None:
        raise InvalidTimeError(f"{text.strip()!r} is not a time: type it like {TIME_EXAMPLE}")
    return value


def parse_start(text: str | None) -> datetime | None:
    """A scheduled start, local time: a time (today), a date and a time, or an ISO 8601
    date-time (one without an offset is local time).

    ``None`` or blank gives ``None`` (no scheduled start).  Raises :class:`InvalidTimeError`,
    with examples, on anything else.
    """
    text = (text or "").strip()
    if not text:
        return None
    at = _time_or_none(text)
    if at is not None:
        return datetime.combine(date.today(), at).astimezone()
    day_text, _, time_text = text.replace("T", " ", 1).partition(" ")
    day, at = _date_or_none(day_text), _time_or_none(time_text.strip())
    if day is not None and at is not None:
        return datetime.combine(day, at).astimezone()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidTimeError(f"{text!r} is not a start time: type it like {TIME_EXAMPLE} (today), or 24/11/2026 8:30") from None
    return value if value.tzinfo else value.astimezone()
