"""Attendance charts (matplotlib, drawn off-screen with Agg): one PNG for people who would
rather look than read, readable for a whole class.

* **Top:** per session, in chronological order, how many students were present, late,
  left early, excused and absent (stacked bars).  With more sessions than their dates fit
  under the bars, every second (third, ...) session is named.
* **Bottom:** per student, one row each, their sessions stacked by status, and their
  attendance rate at the end of the row, exactly as the summary table gives it
  (attended / (sessions - excused)); a student excused from every session has no rate
  and reads ``excused``, like the blue ``excused`` cells of the tables.  Lowest rates
  first (the ones to follow up), at most :data:`MAX_STUDENT_ROWS` rows.
* **Sized to the rows:** every student row is :data:`ROW_IN` tall whatever the class's
  size (at least 70% of it in a window's room), so 35 names never overlap; the figure
  grows instead (the window scrolls it).
* **One legend for both, above them**, outside the bars; the colours are the statuses'
  own (:data:`~attendance.records.status.STATUS_COLOURS`), the hues of the workbook's
  cells and of the window's tables.

Built on :class:`matplotlib.figure.Figure` directly (no ``pyplot`` global state), so a
GUI can embed the same figure in a Tk canvas.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from attendance.core.atomic import atomic_write_bytes
from attendance.core.errors import AttendanceError
from attendance.records.export import Attendance, session_table, summary_table
from attendance.records.formats import NO_RATE, percent
from attendance.records.status import STATUS_COLOURS, Status

log = logging.getLogger(__name__)

#: Fonts tried after matplotlib's default for names in scripts it lacks (CJK, ...).
FALLBACK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")
MAX_STUDENT_ROWS = 60
DPI = 100
#: Figure width in inches when none is asked for (``attendance report``: 1000 pixels).
WIDTH_IN = 10.0
#: Height of one student's row, of the per-session panel, and of the titles, legend and axes around them, in inches.
ROW_IN, SESSIONS_IN, AROUND_IN = 0.24, 2.3, 1.7
#: Text sizes in points: tick labels and rates, titles.
LABEL_PT, TITLE_PT = 8, 10
#: Characters of a student's name (then their id: at most, at least when the figure is narrow) and of
#: a session's name under its bar; the share of the figure's width names may take; pixels of a character.
NAME_CHARS, MIN_NAME_CHARS, SESSION_CHARS, NAMES_SHARE, CHAR_PX = 30, 12, 14, 0.3, 6
#: Pixels kept between two labels side by side; pixels a legend entry takes.
LABEL_GAP_PX, LEGEND_ENTRY_PX = 4, 90
#: The least share of its natural height a figure may be squeezed to, to fit the room it is shown in.
MIN_FIT = 0.7


def figure_height(students: int) -> float:
    """Inches a figure of ``students`` rows needs (at most :data:`MAX_STUDENT_ROWS` count)."""
    return SESSIONS_IN + AROUND_IN + ROW_IN * max(min(students, MAX_STUDENT_ROWS), 2)


def report_figure(data: Attendance, width_in: float = WIDTH_IN, room_in: float | None = None) -> Figure:
    """The two-panel figure of ``data`` (see the module), ``width_in`` wide and as tall as
    its rows need (:func:`figure_height`), or ``room_in`` tall (the height of the room it
    is shown in) when that is less but at least :data:`MIN_FIT` of it: a small class fills
    its room, a whole class is taller and scrolls."""
    per_session = session_table(data)
    summary = summary_table(data)
    summary = summary.assign(_unrated=summary["attendance_rate"].isna()).sort_values(
        ["_unrated", "attendance_rate", "name"], ascending=[True, True, True])
    shown = summary.head(MAX_STUDENT_ROWS)
    rows = max(len(shown), 2)
    height = figure_height(len(shown))
    if room_in is not None and MIN_FIT * height <= room_in < height:
        height = room_in
    figure = Figure(figsize=(width_in, height), dpi=DPI, layout="constrained")
    # Two sub-figures, each laid out on its own: the per-session bars use the whole width
    # whatever room the students' names take below.
    parts = figure.subfigures(2, 1, squeeze=False, height_ratios=[SESSIONS_IN + 0.5, ROW_IN * rows + AROUND_IN - 0.5])
    upper, lower = parts[0, 0], parts[1, 0]
    top, bottom = upper.subplots(), lower.subplots()
    families = _font_families()
    statuses = [s for s in STATUS_COLOURS if s is Status.PRESENT or (per_session["status"] == s.value).any()]
    _sessions_panel(top, data, per_session, statuses, families)
    name_chars = max(MIN_NAME_CHARS, min(NAME_CHARS, int(width_in * DPI * NAMES_SHARE / CHAR_PX)))
    _students_panel(bottom, shown, per_session, statuses, families, len(summary), name_chars)
    if data.sessions:
        handles = [Patch(color=STATUS_COLOURS[s].bar, label=s.value) for s in statuses]
        columns = max(1, min(len(handles), int(width_in * DPI / LEGEND_ENTRY_PX)))
        upper.legend(handles=_row_by_row(handles, columns), loc="outside upper center", ncol=columns, fontsize=LABEL_PT,
                     frameon=False)
    _thin_session_labels(figure, top)
    return figure


def _row_by_row(handles: list[Patch], columns: int) -> list[Patch]:
    """``handles`` reordered so that a legend, which fills its ``columns`` one column after
    another, reads them in order along each row."""
    rows = -(-len(handles) // columns)
    ordered: list[Patch | None] = [None] * (rows * columns)
    for i, handle in enumerate(handles):
        ordered[(i % columns) * rows + i // columns] = handle
    return [h for h in ordered if h is not None]


def _thin_session_labels(figure: Figure, axes: Axes) -> None:
    """Name every second (third, ...) session under the bars when their labels, laid out
    side by side, would overlap."""
    ticks = list(axes.get_xticks())
    labels = [t.get_text() for t in axes.get_xticklabels()]
    renderer = FigureCanvasAgg(figure).get_renderer()
    with _missing_glyphs_quiet():
        figure.draw_without_rendering()  # the layout: where the axes and their labels go
    for step in range(1, len(ticks) + 1):
        axes.set_xticks(ticks[::step], labels[::step])
        boxes = [t.get_window_extent(renderer) for t in axes.get_xticklabels()]
        if all(a.x1 + LABEL_GAP_PX <= b.x0 for a, b in zip(boxes, boxes[1:])):
            return


def _sessions_panel(axes: Axes, data: Attendance, per_session: pd.DataFrame, statuses: list[Status], families: list[str]) -> None:
    """Stacked bars: each session's count of students of each status."""
    positions = list(range(len(data.sessions)))
    base = [0] * len(positions)
    for status in statuses:
        counts = [int(((per_session["date"] == s.day) & (per_session["session"] == s.session)
                       & (per_session["status"] == status.value)).sum()) for s in data.sessions]
        axes.bar(positions, counts, bottom=base, color=STATUS_COLOURS[status].bar, width=0.7)
        base = [b + c for b, c in zip(base, counts)]
    labels = [f"{s.day.isoformat()}\n{_plain(_short(s.session, SESSION_CHARS))}" for s in data.sessions]
    axes.set_xticks(positions, labels, fontsize=LABEL_PT, fontfamily=families)  # thinned once laid out
    axes.set_xlim(-0.6, max(len(positions), 1) - 0.4)
    axes.set_ylabel("students", fontsize=LABEL_PT)
    axes.tick_params(axis="y", labelsize=LABEL_PT)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Students per session", fontsize=TITLE_PT, loc="left", wrap=True)
    if not data.sessions:
        axes.text(0.5, 0.5, "no sessions", ha="center", va="center", transform=axes.transAxes)


def _students_panel(axes: Axes, shown: pd.DataFrame, per_session: pd.DataFrame, statuses: list[Status], families: list[str],
                    students: int, name_chars: int) -> None:
    """One row per student: their sessions stacked by status, their rate at the end."""
    ids = list(shown["student_id"])
    rows = list(range(len(ids)))
    counts = per_session.groupby(["student_id", "status"]).size() if len(per_session) else pd.Series(dtype=int)
    left = [0] * len(ids)
    for status in statuses:
        widths = [int(counts.get((sid, status.value), 0)) for sid in ids]
        axes.barh(rows, widths, left=left, color=STATUS_COLOURS[status].bar, height=0.72)
        left = [a + b for a, b in zip(left, widths)]
    most = max(left, default=1) or 1
    names = [_plain(f"{_short(r.name, name_chars)} ({r.student_id})") for r in shown.itertuples(index=False)]
    axes.set_yticks(rows, names, fontsize=LABEL_PT, fontfamily=families)
    axes.set_ylim(max(len(rows), 2) - 0.5, -0.5)  # first row on top, rows the same height for 1 student as for 35
    axes.set_xlim(0, most)
    # The rates as the tick labels of a second axis on the right: laid out beside the bars, never over them.
    rates = axes.secondary_yaxis("right")
    rated = [r.attendance_rate == r.attendance_rate for r in shown.itertuples(index=False)]  # NaN: every session excused
    rates.set_yticks(rows, [percent(r.attendance_rate) if ok else NO_RATE for r, ok in zip(shown.itertuples(index=False), rated)],
                     fontsize=LABEL_PT)
    for label, ok in zip(rates.get_yticklabels(), rated):
        label.set_color("black" if ok else STATUS_COLOURS[Status.EXCUSED].ink)
    rates.tick_params(length=0)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=LABEL_PT)
    axes.set_xlabel("sessions; the rate = attended / (sessions - excused)", fontsize=LABEL_PT, wrap=True)
    title = "Each student, lowest rate first"
    if students > len(shown):
        title += f" (the lowest {len(shown)} of {students})"
    axes.set_title(title, fontsize=TITLE_PT, loc="left", wrap=True)


def write_report(data: Attendance, path: Path) -> Path:
    """Render :func:`report_figure` of ``data`` to the PNG ``path`` (written atomically)."""
    path = Path(path)
    try:
        atomic_write_bytes(path, figure_png(report_figure(data)), mode=0o644)
    except OSError as exc:
        raise AttendanceError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def figure_png(figure: Figure) -> bytes:
    """``figure`` as PNG bytes."""
    buffer = io.BytesIO()
    with _missing_glyphs_quiet():
        FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


@contextmanager
def _missing_glyphs_quiet() -> Iterator[None]:
    """Without a CJK font installed such names draw as boxes: not worth a warning per glyph."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        yield


def _plain(text: str) -> str:
    """``text`` shown literally: ``$`` would start matplotlib's maths mode."""
    return text.replace("$", r"\$")


def _short(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, ending with ``…`` when cut."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _font_families() -> list[str]:
    """matplotlib's default sans-serif family, then the installed fallbacks for other scripts."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    extra = [name for name in FALLBACK_FONTS if name in installed]
    if not extra:
        log.debug("no CJK font installed; such names in charts draw as boxes")
    return ["DejaVu Sans", *extra]
