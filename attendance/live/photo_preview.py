"""Each photo of a roll call, ready for a window to show: reduced, with its named boxes.

The roll call itself is :func:`attendance.live.photo_rollcall.run_photos`; a window runs it
in a :class:`~attendance.core.background.BackgroundTask` and prepares these previews in the
same thread, so loading and reducing the photos never holds up the window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image

from attendance.core.errors import AttendanceError
from attendance.live.readout import PhotoReport
from attendance.recognition.imaging import load_rgb

log = logging.getLogger(__name__)

#: Longest side of a photo kept for display (pixels): sharp on a full-screen window.
PREVIEW_PX = 1600


@dataclass(frozen=True)
class PhotoView:
    """One analysed photo for display: ``image`` BGR ``(h, w, 3)`` uint8, at most
    :data:`PREVIEW_PX` on its longer side; ``boxes`` ``(n, 4)`` top, right, bottom, left in
    its pixels, faces not identified first (names are drawn over them); per box the
    name it was taken for (``None``: not identified)."""

    report: PhotoReport
    image: np.ndarray
    boxes: np.ndarray
    names: tuple[str | None, ...]


def photo_view(report: PhotoReport, max_side: int = PREVIEW_PX) -> PhotoView:
    """The photo of ``report`` reduced for display, with its boxes scaled to match."""
    rgb = load_rgb(report.path)
    scale = min(1.0, max_side / max(rgb.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))
    boxes = np.round(np.asarray(report.boxes, np.float64) * scale).astype(np.int32).reshape(-1, 4)
    order = sorted(range(len(report.names)), key=lambda i: report.names[i] is not None)  # names drawn last, on top
    return PhotoView(report, np.ascontiguousarray(rgb[:, :, ::-1]), boxes[order], tuple(report.names[i] for i in order))


def photo_views(reports: list[PhotoReport]) -> list[PhotoView]:
    """A view of each photo read (a photo that can no longer be read is left out, with a warning)."""
    views = []
    for report in (r for r in reports if r.skipped is None):
        try:
            views.append(photo_view(report))
        except AttendanceError as exc:
            log.warning("cannot show %s: %s", report.path.name, exc)
    return views
