"""The real Tk export dialog, under Xvfb, starts in the user's Documents folder as the
desktop names it (a German desktop's ``~/Dokumente``, from ``~/.config/user-dirs.dirs``),
or in the home folder when there is none, with the export's name proposed
(``Year 9 Maths 2026-12-01 to 2026-12-07.xlsx``); Escape cancels it."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

import pytest
from test_window_dialogs import FILE_DIALOG, keys, when_shown

from attendance.gui.dialogs import Dialogs, desktop_conventions, documents_folder

pytestmark = pytest.mark.gui

NAME = "Year 9 Maths 2026-12-01 to 2026-12-07.xlsx"


@pytest.mark.parametrize("documents", ["Dokumente", None])
def test_export_dialog_opens_in_documents_else_home(display: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    documents: str | None) -> None:
    home, config = tmp_path / "teacher", tmp_path / "config"
    home.mkdir()
    config.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    if documents:
        (home / documents).mkdir()
        (config / "user-dirs.dirs").write_text(f'XDG_DOCUMENTS_DIR="$HOME/{documents}"\n', encoding="utf-8")
    expected = home / documents if documents else home
    assert documents_folder() == expected
    root = tk.Tk()
    root.geometry("60x30+1200+760")
    try:
        desktop_conventions(root)
        dialogs = Dialogs(root)
        seen: dict[str, str] = {}
        data = "::tk::dialog::file::__tk_filedialog"

        def look_then_escape(name: str) -> None:
            seen["folder"] = root.tk.eval(f"set {data}(selectPath)")
            seen["proposed"] = root.tk.eval(f"[set {data}(ent)] get")
            keys(root, display, name, "Escape")

        when_shown(root, lambda: FILE_DIALOG, look_then_escape)
        assert dialogs.save_xlsx(NAME) is None, "Escape cancels"
        assert seen == {"folder": str(expected), "proposed": NAME}
    finally:
        root.destroy()
