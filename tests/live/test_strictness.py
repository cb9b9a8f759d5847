"""The window's three strictness steps: ordered, the default step is the app's default
tolerance, and each names the rates ``attendance evaluate`` measured."""

from __future__ import annotations

from attendance.live.identity import MatchPolicy
from attendance.live.strictness import DEFAULT, STEPS, Strictness


def test_steps_are_ordered_and_the_default_is_the_app_default() -> None:
    steps = [STEPS[s] for s in (Strictness.STRICT, Strictness.NORMAL, Strictness.LENIENT)]
    assert [s.tolerance for s in steps] == sorted(s.tolerance for s in steps)
    assert [s.false_accepts for s in steps] == sorted(s.false_accepts for s in steps)  # more lenient, more strangers
    assert [s.accuracy for s in steps] == sorted(s.accuracy for s in steps)
    assert STEPS[DEFAULT].tolerance == MatchPolicy().tolerance
    assert STEPS[Strictness.NORMAL].describe(Strictness.NORMAL) == "normal (0.50): 2.8% false accepts, 65.6% recognised"
