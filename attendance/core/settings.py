"""The window's remembered settings: a small JSON file in the platform's config folder.

``~/.config/attendance/settings.json`` on Linux (``$XDG_CONFIG_HOME`` moves it),
``%LOCALAPPDATA%\\attendance`` on Windows, ``~/Library/Application Support/attendance``
on macOS.  It is replaced atomically (owner-only, 0600).  A damaged file, or a value of
the wrong type in it, is ignored with a warning: the window then starts with defaults.
Keys this version does not know are kept as they are when the file is written again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from attendance.core.atomic import atomic_write_bytes
from attendance.core.home import APP_NAME

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"


def settings_path() -> Path:
    """Where the settings live (the file may not exist yet)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


@dataclass(frozen=True)
class Settings:
    """What the window remembers between runs; ``None`` means "use the default".

    ``source`` is the last session source as typed (camera index, file or URL);
    ``class_name`` the last class (JSON key ``"class"``); ``session`` the session name;
    ``start`` the start time as typed (``"08:30"``); ``grace`` the late-after period in
    minutes; ``strictness`` the tolerance step's name (``"strict"``...); ``window`` the
    window size ``(width, height)`` in pixels.  ``extra`` holds
    keys of the file this version does not know; ``warnings`` what was ignored on loading.
    """

    source: str | None = None
    class_name: str | None = None
    session: str | None = None
    start: str | None = None
    grace: float | None = None
    strictness: str | None = None
    window: tuple[int, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def updated(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)


#: The fields written to the file (the others describe the loading).
SAVED = tuple(f.name for f in fields(Settings) if f.name not in ("extra", "warnings"))
#: JSON key of each field, where it differs from the field's name.
_KEYS = {"class_name": "class"}


def _key(name: str) -> str:
    return _KEYS.get(name, name)


def _read_value(name: str, value: Any) -> Any:
    """``value`` from the JSON file as the field ``name`` holds it; ``ValueError`` if unusable."""
    if value is None:
        return None
    if name == "grace":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 600:
            raise ValueError("not a number of minutes between 0 and 600")
        return float(value)
    if name == "window":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 20000 for v in value)):
            raise ValueError("not [width, height] in pixels")
        return (value[0], value[1])
    if not isinstance(value, str) or len(value) > 2000:
        raise ValueError("not a text")
    return value


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path`` (default :func:`settings_path`); defaults if missing or damaged."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _damaged(f"ignored the damaged settings file {path} ({exc}); started with defaults")
    if not isinstance(raw, dict):
        return _damaged(f"ignored the damaged settings file {path} (not a JSON object); started with defaults")
    values: dict[str, Any] = {}
    problems = []
    for name in SAVED:
        if _key(name) not in raw:
            continue
        try:
            values[name] = _read_value(name, raw.pop(_key(name)))
        except ValueError as exc:
            problems.append(f"ignored {_key(name)!r} in the settings file {path}: {exc}")
            log.warning("%s", problems[-1])
    return Settings(**values, extra=raw, warnings=tuple(problems))


def _damaged(message: str) -> Settings:
    log.warning("%s", message)
    return Settings(warnings=(message,))


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (default :func:`settings_path`) atomically; returns the path."""
    path = path or settings_path()
    data: dict[str, Any] = dict(settings.extra)
    for name in SAVED:
        value = getattr(settings, name)
        if value is not None:
            data[_key(name)] = list(value) if isinstance(value, tuple) else value
    atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path
