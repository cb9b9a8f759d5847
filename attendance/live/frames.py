"""The frame type every source produces and the live pipeline consumes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One video frame.

    ``image``: BGR ``uint8`` array ``(height, width, 3)`` as OpenCV delivers it;
    ``index``: 0-based number of the frame in its source (frames a live source dropped
    still count, so gaps show); ``media_time``: seconds since the start of the source
    (the file position for files, time since opening for live sources);
    ``captured_at``: aware local wall-clock time the frame was read.
    """

    image: np.ndarray
    index: int
    media_time: float
    captured_at: datetime
