"""Validation of the free-text names people type: student names, student ids, sessions.

Names may hold any printable Unicode (accents, CJK, spaces, quotes, leading ``=``).  They
never become file paths: the store names files by a random key and session log files
use :func:`slug`.  Control characters (NUL, newlines, tabs) are refused because they
break CSV rows and terminal output, and so are the bidirectional embedding, override and
isolate characters, which make a name display as different text ("Trojan Source").
"""

from __future__ import annotations

import re
import unicodedata

from attendance.core.errors import InvalidNameError

MAX_NAME_CHARS = 100
MAX_ID_CHARS = 64
MAX_SESSION_CHARS = 60
MAX_CLASS_CHARS = 60

#: Unicode bidi controls that reorder the text shown (U+202A-U+202E, U+2066-U+2069).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _check_text(value: str, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidNameError(f"{what} must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise InvalidNameError(f"{what} is empty")
    plain_ascii = text.isascii() and text.isprintable()  # the common case, checked in one C call
    bad = [] if plain_ascii else [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in _BIDI_CONTROLS]
    if bad:
        raise InvalidNameError(f"{what} {text!r} contains a control character ({bad[0]!r}); use plain text")
    if len(text) > limit:
        raise InvalidNameError(f"{what} is {len(text)} characters long; at most {limit} are allowed")
    return text


def clean_name(value: str) -> str:
    """Return the normalised student name (NFC, trimmed) or raise :class:`InvalidNameError`."""
    return _check_text(value, "name", MAX_NAME_CHARS)


_SPACE = re.compile(r"\s")


def clean_id(value: str) -> str:
    """Return the normalised student id; ids may not contain whitespace."""
    text = _check_text(value, "student id", MAX_ID_CHARS)
    if _SPACE.search(text):
        raise InvalidNameError(f"student id {text!r} contains a space; use letters, digits, '-' or '_'")
    return text


def clean_session(value: str) -> str:
    """Return the normalised session name."""
    return _check_text(value, "session name", MAX_SESSION_CHARS)


def clean_class(value: str) -> str:
    """Return the normalised class name (NFC, trimmed; at most :data:`MAX_CLASS_CHARS`)."""
    return _check_text(value, "class name", MAX_CLASS_CHARS)


def same_name(a: str, b: str) -> bool:
    """Case- and normalisation-insensitive comparison of two names."""
    return unicodedata.normalize("NFC", a).casefold().strip() == unicodedata.normalize("NFC", b).casefold().strip()


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def slug(value: str) -> str:
    """A file-name-safe form of ``value``: word characters, ``.``, ``-``; never empty.

    Path separators, ``..`` and other punctuation collapse to ``_``; the result cannot
    start with ``.`` or ``-`` (no hidden files, no option-like names).
    """
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", value)).strip("._-")
    text = re.sub(r"\.{2,}", ".", text)[:MAX_SESSION_CHARS]
    return text or "session"


def name_from_filename(stem: str) -> str:
    """A display name from a photo file or folder name: ``jane_doe`` -> ``jane doe``."""
    return clean_name(stem.replace("_", " "))


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders ``Img3.jpg`` before ``Img29.jpg`` (digit runs compare as numbers, letters case-blind)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in re.split(r"(\d+)", name) if part)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 class"``, ``"2 classes"``: ``count`` and ``word``, in the plural (``many``, else
    ``word`` + ``s``, or + ``es`` after s, x, z, ch, sh) unless ``count`` is 1."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or (word + 'es' if word.endswith(('s', 'x', 'z', 'ch', 'sh')) else word + 's')}"


def short_names(name: str) -> list[str]:
    """Shorter forms of a display name, longest first, for where the whole name does not
    fit (a face's label in a crowded picture, a small tile): ``"Richard Attenborough"`` ->
    ``["Richard Attenborough", "Richard A.", "Richard", "RA"]``; a one-word name gives
    itself and its first three letters.  A suffix in brackets (``"(not in this class)"``)
    is dropped from the shorter forms.  Never empty for a non-empty name."""
    full = " ".join(name.split())
    base = re.sub(r"\s*\(.*\)$", "", full) or full
    words = base.split(" ")
    forms = [full, base]
    if len(words) > 1:
        forms += [f"{words[0]} {words[-1][0]}.", words[0], "".join(w[0] for w in words if w).upper()[:3]]
    else:
        forms.append(base[:3])
    return list(dict.fromkeys(f for f in forms if f))
