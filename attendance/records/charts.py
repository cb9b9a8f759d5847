"""Attendance charts (matplotlib, drawn off-screen with Agg): one PNG for people who would
rather look than read.

Top: per session, in chronological order, how many students were present on time, late
and absent, excused by a teacher included (stacked bars).  Bottom: per student, the attendance rate over the sessions
they were on the roster for (see :mod:`attendance.records.export` for who counts where).

Built on :class:`matplotlib.figure.Figure` directly (no ``pyplot`` global state), so a
GUI can embed the same figure in a Tk canvas.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError
from attendance.records.export import ABSENT, EXCUSED, LATE, PRESENT, Attendance, session_table, summary_table

log = logging.getLogger(__name__)

COLOURS = {PRESENT: "#2e7d32", LATE: "#f9a825", EXCUSED: "#90caf9", ABSENT: "#cfd8dc"}
#: Fonts tried after matplotlib's default for names in scripts it lacks (CJK, ...).
FALLBACK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")
MAX_STUDENT_ROWS = 60


def report_figure(data: Attendance) -> Figure:
    """A two-panel figure of ``data``: per-session counts over time, per-student rates.

    Height grows with the number of students (at most :data:`MAX_STUDENT_ROWS` shown,
    the lowest rates first, as they are the ones to follow up).
    """
    per_session = session_table(data)
    summary = summary_table(data).sort_values(["attendance_rate", "name"], ascending=[True, True])
    shown = summary.head(MAX_STUDENT_ROWS)
    height = 4.0 + 0.28 * max(len(shown), 3)
    figure = Figure(figsize=(10, height), dpi=100, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=[4.0, max(0.28 * len(shown), 1.5)])
    families = _font_families()

    labels = [f"{s.day.isoformat()}\n{_plain(s.session)}" for s in data.sessions]
    counts: dict[str, list[int]] = {status: [] for status in COLOURS}
    for info in data.sessions:
        status = per_session.loc[(per_session["date"] == info.day) & (per_session["session"] == info.session), "status"]
        for key in counts:
            counts[key].append(int((status == key).sum()))
    base = [0] * len(labels)
    positions = list(range(len(labels)))
    for key in COLOURS:
        top.bar(positions, counts[key], bottom=base, color=COLOURS[key], label=key, width=0.7)
        base = [b + c for b, c in zip(base, counts[key])]
    top.set_xticks(positions, labels, rotation=30 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center",
                   fontsize=8, fontfamily=families)
    top.set_ylabel("students")
    top.set_title("Attendance per session", fontsize=10, loc="right")  # right-aligned: never cut off when narrow
    top.yaxis.get_major_locator().set_params(integer=True)
    if labels:
        top.legend(loc="upper left", fontsize=8)  # one column: fits the window's narrowest chart (~340 px)
    else:
        top.text(0.5, 0.5, "no sessions", ha="center", va="center", transform=top.transAxes)

    names = [_plain(f"{r.name} ({r.student_id})") for r in shown.itertuples(index=False)]
    rates = [100.0 * (r.attendance_rate if r.attendance_rate == r.attendance_rate else 0.0) for r in shown.itertuples(index=False)]
    rows = list(range(len(names)))
    bottom.barh(rows, rates, color=COLOURS[PRESENT], height=0.7)
    for row, rec in zip(rows, shown.itertuples(index=False)):
        bottom.text(101, row, f"{rec.attended}/{rec.sessions}" + (f", {rec.late} late" if rec.late else ""), va="center", fontsize=8)
    bottom.set_yticks(rows, names, fontsize=8, fontfamily=families)
    bottom.invert_yaxis()
    bottom.set_xlim(0, 118)
    bottom.set_xticks([0, 50, 100])
    bottom.set_xlabel("attendance rate (%)")
    title = "Attendance rate per student"
    if len(summary) > len(shown):
        title += f" (lowest {len(shown)} of {len(summary)})"
    bottom.set_title(title, fontsize=10, loc="right")
    return figure


def write_report(data: Attendance, path: Path) -> Path:
    """Render :func:`report_figure` of ``data`` to the PNG ``path`` (written atomically)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Without a CJK font installed such names draw as boxes: not worth a warning per glyph.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        FigureCanvasAgg(report_figure(data)).print_png(buffer)
    path = Path(path)
    try:
        atomic_write_bytes(path, buffer.getvalue(), mode=0o644)
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def _plain(text: str) -> str:
    """``text`` shown literally: ``$`` would start matplotlib's maths mode."""
    return text.replace("$", r"\$")


def _font_families() -> list[str]:
    """matplotlib's default sans-serif family, then the installed fallbacks for other scripts."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    extra = [name for name in FALLBACK_FONTS if name in installed]
    if not extra:
        log.debug("no CJK font installed; such names in charts draw as boxes")
    return ["DejaVu Sans", *extra]
