"""The desktop around the app: its menu entry and icon, and opening a folder in the file manager.

The menu entry is a freedesktop ``.desktop`` file in ``$XDG_DATA_HOME/applications``
(``~/.local/share/applications``) with the icon copied into the user's ``hicolor`` icon
theme, so it works on Linux desktops (GNOME, KDE, Xfce...).  Windows and macOS have no
such file: there :func:`install_menu_entry` refuses with a message saying how to start
the app instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from attendance.core.errors import AttendanceError

log = logging.getLogger(__name__)

APP_ID = "attendance"
ICONS = {"png": Path("icons/hicolor/256x256/apps") / f"{APP_ID}.png", "svg": Path("icons/hicolor/scalable/apps") / f"{APP_ID}.svg"}
UNSUPPORTED = ("a menu entry can only be added on Linux (freedesktop menus); on Windows and macOS start the app "
               "with the `attendance` command (pipx puts it on PATH) or make a shortcut to it yourself")


def icon_file(kind: str = "png") -> Path:
    """The app's icon shipped inside the package: ``"png"`` (256x256) or ``"svg"``."""
    return Path(str(resources.files("attendance.core") / "assets" / f"attendance.{kind}"))


@dataclass(frozen=True)
class MenuEntry:
    """Where the menu entry's files go under ``data_home`` (``$XDG_DATA_HOME``)."""

    data_home: Path

    @classmethod
    def for_user(cls) -> MenuEntry:
        """The current user's entry (``$XDG_DATA_HOME``, default ``~/.local/share``)."""
        return cls(Path(platformdirs.user_data_dir()))

    @property
    def desktop_file(self) -> Path:
        return self.data_home / "applications" / f"{APP_ID}.desktop"

    @property
    def icons(self) -> list[Path]:
        return [self.data_home / rel for rel in ICONS.values()]


def _quote_arg(arg: str) -> str:
    """One argument of a ``.desktop`` ``Exec`` key, quoted as the freedesktop spec asks."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%="):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return '"' + inner.replace("\\", "\\\\") + '"'  # the key's own string escaping doubles backslashes


def desktop_entry(command: Sequence[str], icon: str = APP_ID) -> str:
    """The text of the ``.desktop`` file that runs ``command`` (the window)."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=Attendance",
        "GenericName=Attendance tracker",
        "Comment=Mark students present from a webcam; export the attendance as a spreadsheet",
        f"Exec={' '.join(_quote_arg(a) for a in command)}",
        f"Icon={icon}",
        "Terminal=false",
        "Categories=Education;",
        "Keywords=attendance;register;webcam;class;students;",
        "StartupWMClass=Attendance",
        "",
    ])


def window_command(home: Path | None = None) -> list[str]:
    """The command a menu entry runs: this Python, ``-m attendance gui`` (with ``--home``)."""
    return [sys.executable, "-m", "attendance", *(["--home", str(home)] if home else []), "gui"]


def _check_platform() -> None:
    if sys.platform in ("win32", "cygwin", "darwin"):
        raise AttendanceError(UNSUPPORTED)


def install_menu_entry(command: Sequence[str], entry: MenuEntry | None = None) -> MenuEntry:
    """Write the ``.desktop`` file running ``command`` and the icons; returns where they went."""
    _check_platform()
    entry = entry or MenuEntry.for_user()
    try:
        for kind, target in zip(ICONS, entry.icons):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(icon_file(kind), target)
        entry.desktop_file.parent.mkdir(parents=True, exist_ok=True)
        entry.desktop_file.write_text(desktop_entry(command), encoding="utf-8")
    except OSError as exc:
        raise AttendanceError(f"could not write the menu entry: {exc}") from exc
    log.info("menu entry written to %s", entry.desktop_file)
    return entry


def uninstall_menu_entry(entry: MenuEntry | None = None) -> list[Path]:
    """Remove the ``.desktop`` file and the icons; returns the files that were there."""
    _check_platform()
    entry = entry or MenuEntry.for_user()
    removed = []
    for path in (entry.desktop_file, *entry.icons):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise AttendanceError(f"could not remove {path}: {exc}") from exc
    return removed


def open_folder(folder: Path) -> None:
    """Show ``folder`` (which must exist) in the platform's file manager; returns at once."""
    if not folder.is_dir():
        raise AttendanceError(f"cannot open the folder: {folder} does not exist")
    if sys.platform == "win32":
        os.startfile(folder)  # type: ignore[attr-defined]  # Windows only
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise AttendanceError(f"cannot open the folder: {opener} is missing; the data folder is {folder}")
    try:
        subprocess.Popen([opener, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise AttendanceError(f"cannot open the folder with {opener}: {exc}") from exc
