"""The roll-call readout: is everyone in view identified, and is it worth waiting?"""

from __future__ import annotations

from dataclasses import dataclass

#: How many unseen names a one-line readout lists before "and N more".
NAMES_SHOWN = 8


@dataclass(frozen=True)
class RollCall:
    """Where the roll call stands at media second ``media_time``.

    ``marked`` of ``enrolled`` students are marked present; ``unidentified``: faces in
    view (tracked now) of nobody identified yet (students still being recognised, or
    strangers; not a marked student's face between two of its identifications, see
    :meth:`~attendance.live.identity.Identifier.unidentified`); ``unseen``: names of enrolled students not marked yet;
    ``last_sweep_at``: media second at which the latest full sweep of the frame for the
    smallest faces finished (``None``: none yet, or no sweep is needed because every
    whole-frame search reaches the smallest face); ``sweep_s``: how long it took;
    ``sweeping``: the picture is swept at all (``False``: no sweep is needed at its size).
    """

    marked: int
    enrolled: int
    unidentified: int
    unseen: tuple[str, ...]
    media_time: float
    last_sweep_at: float | None = None
    sweep_s: float | None = None
    sweeping: bool = False

    def sweep_text(self, ago: bool = True) -> str:
        """When the last full sweep finished, e.g. ``"last full sweep 1.2 s ago (took 6.0 s)"``,
        or with ``ago=False`` ``"last full sweep at 10.8 s of video (took 6.0 s)"`` (a
        text that changes only when a sweep ends, for a window)."""
        if self.last_sweep_at is None:
            return "no full sweep finished yet"
        took = f" (took {self.sweep_s:.1f} s)" if self.sweep_s is not None else ""
        if not ago:
            return f"last full sweep at {self.last_sweep_at:.1f} s of video{took}"
        return f"last full sweep {max(0.0, self.media_time - self.last_sweep_at):.1f} s ago{took}"

    def unseen_text(self, limit: int = NAMES_SHOWN) -> str:
        """The unseen names, at most ``limit`` of them and a count of the rest."""
        if not self.unseen:
            return "everyone enrolled is marked"
        shown = ", ".join(self.unseen[:limit])
        more = f" and {len(self.unseen) - limit} more" if len(self.unseen) > limit else ""
        return f"{len(self.unseen)} unseen: {shown}{more}"

    def line(self) -> str:
        """One line for a terminal or a status bar."""
        return (f"roll call at {self.media_time:.0f} s: marked {self.marked} of {self.enrolled}; "
                f"{self.unidentified} in view not identified yet; {self.unseen_text()}; {self.sweep_text()}")
