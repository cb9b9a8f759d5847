"""Section ``loops``: the classic loops and this app, one after another on the same video.

Each loop runs in its own measured process (:mod:`attendance.bench.loops`); the app must
mark the same people as the classic full-resolution loop.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from attendance.bench.loops import LoopRun, run_app, run_classic_loop

log = logging.getLogger(__name__)

#: The loops compared by default; ``"app-1worker"`` (the app with one analysis process) may be added.
DEFAULT_LOOPS = ("classic-full", "classic-faster", "app")


@dataclass
class Comparison:
    """The three loops on one input, and whether the app marked the same people as classic-full."""

    input: str
    runs: list[LoopRun]
    expected: list[str] | None = None

    def run(self, loop: str) -> LoopRun:
        """The run of ``loop`` (``"app"``, ``"classic-full"``, ...)."""
        return next(r for r in self.runs if r.loop == loop)

    @property
    def same_marks(self) -> bool:
        """Whether the app marked the same people as classic-full."""
        return self.run("app").marked == self.run("classic-full").marked


def compare_loops(label: str, video: Path, home: Path, expected: Sequence[str] | None = None,
                  loops: Sequence[str] = DEFAULT_LOOPS) -> Comparison:
    """Run the chosen loops one after another on ``video`` with ``home``'s enrolled people.

    ``"app-1worker"`` is the app with one analysis process instead of the default; the
    classic loops are ``"classic-full"`` and ``"classic-faster"``.
    """
    runs = []
    for loop in loops:
        log.info("bench: %s on %s", loop, label)
        if loop == "app":
            runs.append(run_app(video, home, label))
        elif loop == "app-1worker":
            runs.append(replace(run_app(video, home, label, workers=1), loop=loop))
        else:
            runs.append(run_classic_loop(video, home, loop, label))
    return Comparison(label, runs, sorted(expected) if expected is not None else None)
