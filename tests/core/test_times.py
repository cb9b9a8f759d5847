"""Dates and times as teachers type them (shared by the command line and the window)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from attendance.core.errors import InvalidTimeError
from attendance.core.times import parse_date, parse_start, parse_time


@pytest.mark.parametrize("text", ["24/11/2026", "2026-11-24", "24.11.2026", "24-11-2026", " 24/11/2026 "])
def test_dates(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 24)


@pytest.mark.parametrize("text, expected", [("8:30", time(8, 30)), ("08:30", time(8, 30)), ("8.30", time(8, 30)), ("8h30", time(8, 30)),
                                            ("14:05", time(14, 5)), ("2:05 pm", time(14, 5)), ("12:15 am", time(0, 15))])
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected
    assert parse_start(text) == datetime.combine(date.today(), expected).astimezone()


def test_starts_with_a_date() -> None:
    local = datetime(2026, 11, 24, 8, 30).astimezone()
    assert parse_start("24/11/2026 8:30") == parse_start("2026-11-24 08:30") == parse_start("2026-11-24T08:30") == local
    assert parse_start("2026-11-24T08:30:00+01:00") == datetime.fromisoformat("2026-11-24T08:30:00+01:00")
    assert parse_start("") is None and parse_start(None) is None and parse_start("  ") is None


@pytest.mark.parametrize("text", ["25:99", "8", "tomorrow", "31/02/2026", "11/24/2026", "13:00 pm"])
def test_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidTimeError, match=r"is not a start time: type it like 8:30 or 14:05 \(today\), or 24/11/2026 8:30$"):
        parse_start(text)
    with pytest.raises(InvalidTimeError, match=r"is not a date: type it like 24/11/2026 or 2026-11-24$"):
        parse_date(text)
