"""Charts for a whole class (``class_logs``: 35 students over a week, and over four weeks):
every name and rate readable (the figure grows with the rows; no two labels overlap,
measured with matplotlib's own text extents), the legend outside the bars, and a student
excused from every session shown as in the tables (``excused``, in the excused colour).
The PNGs are saved in ``test-artifacts/charts/`` to be looked at."""

from __future__ import annotations

import colorsys
import warnings
from pathlib import Path
from typing import Any

import pytest
from class_logs import CLASS, EXCUSED_ALL_WEEK, EXCUSED_ONCE, make_class_week
from conftest import ARTIFACTS
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from attendance.records.charts import LABEL_PT, ROW_IN, figure_png, report_figure
from attendance.records.export import Attendance, load, summary_table
from attendance.records.formats import NO_RATE, percent
from attendance.records.status import STATUS_COLOURS, Status

SHOTS = ARTIFACTS / "charts"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Attendance:
    logs = make_class_week(tmp_path_factory.mktemp("week") / "logs", 35, 5)
    return load(logs, class_name=CLASS)


def drawn(figure: Figure, name: str) -> FigureCanvasAgg:
    """Draw ``figure`` (saved as ``SHOTS/name.png``) and return its canvas."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.png").write_bytes(figure_png(figure))
    canvas = FigureCanvasAgg(figure)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")  # no CJK font: boxes, as in the PNG
        canvas.draw()
    return canvas


def panels(figure: Figure) -> tuple[Axes, Axes, Any]:
    """The per-session axes, the per-student axes and its rates (the secondary axis on the right)."""
    top = figure.subfigs[0].axes[0]
    bottom = figure.subfigs[1].axes[0]
    return top, bottom, bottom.child_axes[0]


def extents(canvas: FigureCanvasAgg, texts: list[Text]) -> list[Bbox]:
    renderer = canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def overlapping(boxes: list[Bbox]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1:], start=i + 1) if a.overlaps(b)]


def inside(box: Bbox, outer: Bbox) -> bool:
    return outer.x0 - 0.5 <= box.x0 and box.x1 <= outer.x1 + 0.5 and outer.y0 - 0.5 <= box.y0 and box.y1 <= outer.y1 + 0.5


@pytest.mark.parametrize("width_in", [10.0, 3.4])  # attendance report; the window's chart at 900x600
def test_35_students_every_label_readable_legend_outside(week: Attendance, width_in: float) -> None:
    figure = report_figure(week, width_in)
    canvas = drawn(figure, f"chart-35-students-{round(width_in * 100)}px")
    top, bottom, rates = panels(figure)
    names, shown_rates = bottom.get_yticklabels(), rates.get_yticklabels()
    assert len(names) == len(shown_rates) == 35 and all(float(t.get_fontsize()) >= LABEL_PT for t in names + shown_rates)
    page = Bbox.from_bounds(0, 0, *canvas.get_width_height())
    for group in (names, shown_rates, top.get_xticklabels()):
        boxes = extents(canvas, list(group))
        assert not overlapping(boxes), [t.get_text() for t in group]
        assert all(inside(b, page) for b in boxes), "no label cut at the figure's edge"
    assert all(b.x1 <= bottom.get_window_extent().x0 for b in extents(canvas, names)), "names left of the bars"
    assert all(b.x0 >= bottom.get_window_extent().x1 for b in extents(canvas, shown_rates)), "rates right of the bars"
    assert any(t.get_text().endswith("… (S0013)") for t in names), "a long name is cut, its id kept"
    legend = figure.subfigs[0].legends[0]
    box = legend.get_window_extent(canvas.get_renderer())
    entries = sorted(legend.get_texts(), key=lambda t: (-round(t.get_window_extent().y0), t.get_window_extent().x0))
    assert [t.get_text() for t in entries] == ["present", "late", "left early", "excused", "absent"], "read along the rows"
    for axes in (top, bottom):
        assert not box.overlaps(axes.get_window_extent()), "the legend is outside the bars"
    assert inside(box, page)
    titles = extents(canvas, [top.title, bottom.title, bottom.xaxis.label])
    assert all(inside(b, page) for b in titles), "titles not cut off"


def test_the_figure_grows_with_the_class(tmp_path: Path, week: Attendance) -> None:
    small = load(make_class_week(tmp_path / "logs", 5, 5), class_name=CLASS)
    tall, short = report_figure(week).get_size_inches()[1], report_figure(small).get_size_inches()[1]
    assert tall - short == pytest.approx(30 * ROW_IN)  # each row as tall in a class of 35 as in one of 5
    squeezed = report_figure(small, room_in=short - 0.5).get_size_inches()[1]
    assert squeezed == pytest.approx(short - 0.5), "a small class fits the window's room"
    assert report_figure(week, room_in=5.0).get_size_inches()[1] == pytest.approx(tall), "a whole class keeps its rows and scrolls"


def test_many_sessions_named_without_overlap(tmp_path: Path) -> None:
    term = load(make_class_week(tmp_path / "logs", 35, 28), class_name=CLASS)
    for width_in in (10.0, 3.4):
        figure = report_figure(term, width_in)
        canvas = drawn(figure, f"chart-28-sessions-{round(width_in * 100)}px")
        shown = [t for t in panels(figure)[0].get_xticklabels() if t.get_text()]
        assert 2 <= len(shown) < 28 and not overlapping(extents(canvas, shown)), "every second (third...) session named"
        assert shown[0].get_text().startswith("2026-12-01\n")


def hue(rgb: str) -> float:
    red, green, blue = (int(rgb.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hls(red, green, blue)[0]


def test_excused_shown_as_in_the_tables(week: Attendance) -> None:
    """An excused student reads ``excused`` in the chart as in the summary table (the window's
    and the workbook's), in the excused colour, and every rate the chart gives is the table's."""
    from attendance.gui.report_job import display_cell

    figure = report_figure(week)
    drawn(figure, "chart-35-students-1000px")
    _top, bottom, rates = panels(figure)
    ids = [t.get_text().rsplit("(", 1)[1].rstrip(")") for t in bottom.get_yticklabels()]
    labels = dict(zip(ids, rates.get_yticklabels()))
    summary = summary_table(week).set_index("student_id")
    for student_id, label in labels.items():
        rate = summary.loc[student_id, "attendance_rate"]
        assert label.get_text() == display_cell(rate, "attendance_rate")  # the window's table shows the same words
        assert label.get_text() == (NO_RATE if rate != rate else percent(rate))
    assert labels[EXCUSED_ALL_WEEK].get_text() == "excused" and labels[EXCUSED_ALL_WEEK].get_color() == STATUS_COLOURS[Status.EXCUSED].ink
    assert summary.loc[EXCUSED_ALL_WEEK, "excused"] == 5 and labels[EXCUSED_ONCE].get_text() == "100%"

    def segments(student_id: str) -> dict[str, float]:
        row = ids.index(student_id)
        found: dict[str, float] = {}
        for bar in bottom.patches:
            assert isinstance(bar, Rectangle)
            if abs(bar.get_y() + bar.get_height() / 2 - row) < 0.01 and bar.get_width() > 0:
                colour = to_hex(bar.get_facecolor())
                found[colour] = found.get(colour, 0) + bar.get_width()
        return found

    excused = STATUS_COLOURS[Status.EXCUSED].bar
    assert segments(EXCUSED_ALL_WEEK) == {excused: 5}, "all five sessions drawn as excused"
    assert segments(EXCUSED_ONCE)[excused] == 1
    def apart(a: str, b: str) -> float:  # hues lie on a circle: red is near 0 and near 1
        distance = abs(hue(a) - hue(b))
        return min(distance, 1 - distance)

    for colour in STATUS_COLOURS.values():  # the chart's bars, the workbook's cells, the window's text: one hue per status
        assert apart(colour.bar, colour.fill) < 0.03 and apart(colour.ink, colour.bar) < 0.04, colour
