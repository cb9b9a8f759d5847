"""Load any photo a teacher may have as an RGB array ready for dlib.

Handles JPEG, PNG, BMP, WebP, GIF and TIFF; RGBA/LA/palette (composited on white),
grayscale, 16-bit and CMYK; applies the EXIF orientation of phone photos (which
face_recognition's ``load_image_file`` ignores, so portraits arrive on their side).  Refuses
non-images, empty or truncated files and decompression bombs with a one-line
:class:`ImageError` naming the file.
"""

from __future__ import annotations

import logging
import unicodedata
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from attendance.core.errors import ImageError

log = logging.getLogger(__name__)

#: Largest photo accepted, in pixels (50 MP; below Pillow's own bomb threshold).
MAX_PIXELS = 50_000_000

#: File name endings treated as photos when enrolling a folder.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff"})


def shown(path: str | Path) -> str:
    """A file's name fit for a one-line message: control characters (a newline in a file
    name) are shown escaped, the way ``repr`` does."""
    name = Path(path).name
    return repr(name) if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name) else name


def _one_line(exc: BaseException) -> str:
    """A library exception's text squeezed to one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (alpha composited over white)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit samples map to 8 bits by /257 (65535 -> 255), as every viewer shows them;
        # 32-bit "I" and float "F" images are read as 16-bit or 8-bit (or 0..1) by range.
        arr = np.asarray(img, dtype=np.float32)
        top = float(arr.max()) if arr.size else 0.0
        if img.mode.startswith("I;16") or top > 255.0:
            scale = 1.0 / 257.0
        elif img.mode == "F" and top <= 1.0:
            scale = 255.0
        else:
            scale = 1.0
        arr8 = np.clip(np.rint(arr * scale), 0, 255).astype(np.uint8)
        return Image.fromarray(arr8, mode="L").convert("RGB")
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def load_rgb(path: str | Path) -> np.ndarray:
    """Read ``path`` as an upright RGB photo.

    Returns a C-contiguous ``uint8`` array of shape ``(height, width, 3)``.
    Raises :class:`ImageError` with a one-line message naming the file.
    """
    path = Path(path)
    name = shown(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(f"{name}: no such file") from None
    except OSError as exc:
        raise ImageError(f"{name}: cannot read ({exc.strerror or _one_line(exc)})") from None
    if not path.is_file():
        raise ImageError(f"{name}: not a file")
    if size == 0:
        raise ImageError(f"{name}: the file is empty (0 bytes)")
    with warnings.catch_warnings(record=True) as caught:
        # Bomb warnings become errors; every other library warning (odd TIFF tags, bad
        # EXIF...) is logged instead of printed, so the user sees one line at most.
        warnings.simplefilter("always")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode(path, name)
        except ImageError:
            raise
        except UnidentifiedImageError:
            if _looks_like_image(path):
                raise ImageError(f"{name}: the image is damaged or truncated (its header cannot be decoded)") from None
            raise ImageError(f"{name}: not an image file (or a format that cannot be read)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(f"{name}: refused, the image claims an enormous pixel size (decompression bomb)") from None
        except MemoryError:
            raise ImageError(f"{name}: the image is too large to load") from None
        except Exception as exc:  # noqa: BLE001 - any decoder failure means a damaged file
            # Pillow's decoders raise OSError, SyntaxError, ValueError, EOFError,
            # struct.error, IndexError... on damaged files, depending on the format.
            raise ImageError(f"{name}: the image is damaged or truncated ({_one_line(exc)})") from None
        finally:
            for warning in caught:
                log.debug("%s: %s", name, warning.message)


#: How the image formats we read begin (JPEG, PNG, GIF, BMP, TIFF both byte orders, WebP).
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")


def _looks_like_image(path: Path) -> bool:
    """True when the file starts like an image file (so a decoding failure means damage)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    return head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _decode(path: Path, name: str) -> np.ndarray:
    """Open, check the size, take the first frame, apply EXIF orientation, make RGB."""
    with Image.open(path) as img:
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise ImageError(f"{name}: {width}x{height} pixels is too large a photo (limit {MAX_PIXELS // 1_000_000} megapixels)")
        if width < 1 or height < 1:
            raise ImageError(f"{name}: the image has no pixels ({width}x{height})")
        if getattr(img, "n_frames", 1) > 1:
            log.info("%s has %d frames; using the first", name, img.n_frames)
            img.seek(0)
        img.load()
        upright = ImageOps.exif_transpose(img)
        rgb = _to_rgb(upright)
        return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (how re-enrollment recognises an unchanged photo)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
