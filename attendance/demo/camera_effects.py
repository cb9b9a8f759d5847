"""What a real classroom camera does to the picture: dim or uneven light, sensor noise,
JPEG-like compression, a little shake.

Applied by :func:`attendance.demo.synthvideo.make_class_video` to each composed frame
(float32 RGB ``(h, w, 3)``, 0-255) before it is encoded, so one scene can be filmed
by several cameras.  The default :class:`CameraEffects` changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from attendance.core.deps import require


@dataclass(frozen=True)
class CameraEffects:
    """How the camera sees the room.

    ``gain``: overall exposure (1.0 as lit, 0.4 a dim room); ``uneven``: light falling off
    across the frame, the far side getting ``1 - uneven`` of the near side's light (a
    window on one side); ``noise``: extra sensor noise, standard deviation in grey levels;
    ``jpeg``: JPEG quality each frame goes through (``None``: none; 30 is a cheap webcam's
    MJPEG); ``shake_px``: peak camera shake, pixels of the output frame (a slow drift
    plus a small jitter, like a laptop on a desk that people bump).
    """

    gain: float = 1.0
    uneven: float = 0.0
    noise: float = 0.0
    jpeg: int | None = None
    shake_px: float = 0.0

    @property
    def label(self) -> str:
        """A short description for tables, e.g. ``"gain 0.45, noise 8"`` (``"clean"``)."""
        parts = [f"gain {self.gain:g}"] if self.gain != 1.0 else []
        parts += [f"uneven {self.uneven:g}"] if self.uneven else []
        parts += [f"noise {self.noise:g}"] if self.noise else []
        parts += [f"jpeg q{self.jpeg}"] if self.jpeg is not None else []
        parts += [f"shake {self.shake_px:g} px"] if self.shake_px else []
        return ", ".join(parts) or "clean"

    def light(self, size: tuple[int, int]) -> np.ndarray | None:
        """The light falling on a ``size`` = ``(width, height)`` frame: float32 ``(h, w, 1)``
        multipliers (``None`` when uniform and 1)."""
        if self.gain == 1.0 and not self.uneven:
            return None
        width, height = size
        across = np.linspace(1.0, 1.0 - self.uneven, width, dtype=np.float32)[None, :]
        down = np.linspace(1.0, 1.0 - self.uneven / 3, height, dtype=np.float32)[:, None]
        return (self.gain * across * down)[:, :, None]

    def shake(self, t: float, rng: np.random.Generator) -> tuple[float, float]:
        """The camera's offset ``(dx, dy)`` in pixels at ``t`` seconds."""
        if not self.shake_px:
            return 0.0, 0.0
        drift = (math.sin(2 * math.pi * 0.4 * t), math.sin(2 * math.pi * 0.27 * t + 1.0))
        jitter = rng.normal(0.0, 0.25, 2)
        return (self.shake_px * (0.75 * drift[0] + jitter[0]), self.shake_px * (0.75 * drift[1] + jitter[1]))

    def film(self, frame: np.ndarray, t: float, light: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
        """The picture the camera records of ``frame`` (float32 RGB, modified) at ``t``
        seconds with ``light`` from :meth:`light`: RGB uint8, same shape."""
        cv2 = require("cv2")
        if self.shake_px:
            dx, dy = self.shake(t, rng)
            matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], np.float32)
            frame = cv2.warpAffine(frame, matrix, (frame.shape[1], frame.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if light is not None:
            frame *= light
        if self.noise:
            frame += self.noise * rng.standard_normal(frame.shape[:2], dtype=np.float32)[:, :, None]
            frame += self.noise / 2 * rng.standard_normal(frame.shape, dtype=np.float32)
        out = np.clip(frame, 0, 255).astype(np.uint8)
        if self.jpeg is not None:
            ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(self.jpeg)])
            if ok:
                out = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        return out


#: A camera that changes nothing.
CLEAN = CameraEffects()
