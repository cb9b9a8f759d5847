"""Search a large image for faces of every size within a memory bound: passes and merging.

A detector finds faces from its *reliable size* (pixels, in the image it is given) up
to a good part of that image.  To find faces down to ``m`` pixels an image is searched at
``scale = reliable / m``; when that search would exceed a budget of pixels (a 12 MP
phone photo, a 4K camera), :func:`passes` splits it into a pyramid: the whole image at
the scale that fits (the large faces) and finer levels in overlapping tiles.
:func:`merged` keeps each face once.
"""

from __future__ import annotations

import math

import numpy as np

from attendance.recognition.detections import containment, iou

#: Two boxes of which the smaller has this share of its area inside the larger are one
#: face (the same face found at two scales gives a tight box inside a loose one).
SAME_FACE_CONTAINED = 0.6
#: Two boxes overlapping this much (IoU) are one face.
SAME_FACE_IOU = 0.4

#: A region of an image ``(top, right, bottom, left)`` and the scale it is searched at.
Pass = tuple[tuple[int, int, int, int], float]


def passes(shape: tuple[int, ...], scale: float, max_pixels: float, reliable_px: float, level_factor: float) -> list[Pass]:
    """How to search an image of ``shape`` ``(h, w, ...)`` at ``scale`` within
    ``max_pixels`` a pass: ``[((top, right, bottom, left), scale), ...]``.

    One pass of the whole image when it fits.  Otherwise the whole image at a coarse
    scale, ``level_factor`` or more below ``scale`` and within ``max_pixels`` (it finds
    the large faces), then finer levels (``level_factor`` apart, the last at ``scale``)
    in tiles of at most ``max_pixels``, spread evenly; a level's tiles overlap by 1.5 times
    the smallest face the level below finds (``reliable_px`` / its scale), so every face
    lies whole in a tile of the level that needs it.
    """
    height, width = shape[:2]
    if height * width * scale * scale <= max_pixels:
        return [((0, width, height, 0), scale)]
    coarser = min(scale / level_factor, math.sqrt(max_pixels / max(1, height * width)))
    out: list[Pass] = [((0, width, height, 0), coarser)]
    side = math.sqrt(max_pixels)
    while coarser < scale * 0.999:
        level = min(coarser * level_factor, scale)
        overlap = int(math.ceil(1.5 * reliable_px / coarser))
        rows, cols = (_spans(extent, int(side / level), overlap) for extent in (height, width))
        out += [((top, right, bottom, left), level) for top, bottom in rows for left, right in cols]
        coarser = level
    return out


def _spans(extent: int, most: int, overlap: int) -> list[tuple[int, int]]:
    """``[(start, end), ...]``: as few spans of at most ``most`` pixels as cover ``extent``
    with ``overlap`` pixels shared by neighbours, all of one length."""
    if extent <= most:
        return [(0, extent)]
    count = math.ceil((extent - overlap) / max(1, most - overlap))
    length = math.ceil((extent + (count - 1) * overlap) / count)
    starts = [round(k * (extent - length) / (count - 1)) for k in range(count)]
    return [(start, start + length) for start in starts]


def merged(boxes: np.ndarray, scores: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``boxes`` (``(n, 4)``, found by overlapping passes) to keep, largest
    first: of boxes that are one face (:data:`SAME_FACE_IOU`, :data:`SAME_FACE_CONTAINED`)
    the one with the highest ``scores`` (``(n,)``; ``None``: the largest) is kept."""
    if not len(boxes):
        return np.zeros(0, np.int64)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 1] - boxes[:, 3])
    rank = np.argsort(-area, kind="stable") if scores is None else np.lexsort((-area, -np.asarray(scores)))
    same = (iou(boxes, boxes) >= SAME_FACE_IOU) | (containment(boxes, boxes) >= SAME_FACE_CONTAINED)
    keep: list[int] = []
    for i in rank.tolist():
        if not same[i, keep].any():
            keep.append(i)
    kept = np.array(keep, np.int64)
    return kept[np.argsort(-area[kept], kind="stable")]
