"""The desktop app around the core: where the data lives, the remembered settings, the
menu entry, and the installation check.  Per-user folders are temporary here (conftest's
``private_user_folders`` points ``XDG_DATA_HOME`` and ``XDG_CONFIG_HOME`` at them)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from attendance.core.desktop import MenuEntry, desktop_entry, install_menu_entry, uninstall_menu_entry
from attendance.core.home import ENV_VAR, Home, HomeOrigin
from attendance.core.settings import Settings, load_settings, save_settings, settings_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def python_m() -> list[str]:
    return [sys.executable, "-m", "attendance"]


def test_the_data_folder_is_chosen_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    user = Home.resolve()
    assert user.origin is HomeOrigin.USER_DATA
    assert user.root == Path(os.environ["XDG_DATA_HOME"]) / "attendance"
    checkout = tmp_path / "checkout"
    Home(checkout).ensure()
    monkeypatch.chdir(checkout)
    assert Home.resolve() == Home(checkout) and Home.resolve().origin is HomeOrigin.CURRENT_DIR
    (checkout / "logs").rmdir()  # known_faces/ alone is not a data folder
    assert Home.resolve().origin is HomeOrigin.USER_DATA
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert Home.resolve() == Home(tmp_path / "env") and Home.resolve().origin is HomeOrigin.ENVIRONMENT
    assert Home.resolve(tmp_path / "opt").origin is HomeOrigin.OPTION
    assert str(tmp_path / "env") in Home.resolve().describe() and "ATTENDANCE_HOME" in Home.resolve().describe()


def test_without_a_home_the_data_goes_to_the_user_folder_privately(shared: Path, tmp_path: Path) -> None:
    """Opened from a menu (current directory: somewhere else), the data goes to ~/.local/share/attendance."""
    elsewhere = tmp_path / "desktop"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    user = Path(os.environ["XDG_DATA_HOME"]) / "attendance"
    shutil.rmtree(user, ignore_errors=True)
    help_text = subprocess.run([*python_m(), "--help"], cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout
    assert f"{user} (the per-user data folder)" in " ".join(help_text.split())
    enrolled = subprocess.run([*python_m(), "enroll", str(shared / "photos" / "obama.jpg"), "--name", "Obama"], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
    assert enrolled.returncode == 0, enrolled.stderr
    assert not list(elsewhere.iterdir()), "nothing written to the current directory"
    assert mode(user) == 0o700 and mode(user / "known_faces") == 0o700
    assert mode(user / "known_faces" / "gallery.npz") == 0o600
    try:
        doctor = subprocess.run([*python_m(), "doctor"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
        assert doctor.returncode == 0, doctor.stderr
        assert f"data folder              {user} (the per-user data folder)" in doctor.stdout
        assert f"settings file            {settings_path()}" in doctor.stdout
        assert "face_recognition" in doctor.stdout + doctor.stderr
    finally:
        shutil.rmtree(user)


def test_settings_round_trip_privately_and_keep_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    assert load_settings(path) == Settings()
    path.parent.mkdir()
    path.write_text(json.dumps({"source": "0", "future": {"kept": True}}), encoding="utf-8")
    loaded = load_settings(path)
    wanted = loaded.updated(source="lesson.mp4", class_name="7B", session="maths", start="08:30", grace=7.5, window=(1024, 700))
    save_settings(wanted, path)
    again = load_settings(path)
    assert again == wanted and not again.warnings
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["class"] == "7B" and data["window"] == [1024, 700] and data["future"] == {"kept": True}
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"], "no temporary file left behind"


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe garbage", b"[1, 2]", b""])
def test_a_damaged_settings_file_gives_defaults_and_a_warning(tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    loaded = load_settings(path)
    assert loaded == Settings()
    assert loaded.warnings and "damaged settings file" in loaded.warnings[0]
    assert "damaged settings file" in caplog.text


def test_a_wrong_value_is_ignored_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"session": "maths", "grace": "ten", "window": [5, "x"], "start": 830}), encoding="utf-8")
    loaded = load_settings(path)
    assert loaded == Settings(session="maths")
    assert len(loaded.warnings) == 3 and all("ignored" in w for w in loaded.warnings)


def test_install_desktop_adds_a_valid_menu_entry_and_removes_it(tmp_path: Path) -> None:
    data = tmp_path / "xdg-data"
    env = {"XDG_DATA_HOME": str(data)}
    (tmp_path / "home").mkdir()
    installed = run_cli("install-desktop", env=env, home=tmp_path / "home", check=True)
    entry = MenuEntry(data)
    assert str(entry.desktop_file) in installed.stdout
    text = entry.desktop_file.read_text(encoding="utf-8")
    assert "Icon=attendance\n" in text and "Terminal=false\n" in text
    assert f"--home {tmp_path / 'home'} gui" in text, "the entry opens the data folder the command was given"
    for icon in entry.icons:
        assert icon.stat().st_size > 500
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.fail("desktop-file-validate is missing: install the Debian package desktop-file-utils (make system-deps)")
    checked = subprocess.run([validator, str(entry.desktop_file)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr
    removed = run_cli("install-desktop", "--uninstall", env=env, check=True)
    assert not entry.desktop_file.exists() and not any(p.exists() for p in entry.icons)
    assert removed.stdout.count("removed ") == 3
    assert "no menu entry" in run_cli("install-desktop", "--uninstall", env=env, check=True).stdout
    assert "Windows and macOS" in run_cli("install-desktop", "--help").stdout


def test_exec_arguments_are_quoted_for_the_desktop_spec(tmp_path: Path) -> None:
    odd = tmp_path / 'my "class" $HOME 100%'
    text = desktop_entry(["/usr/bin/python3", "-m", "attendance", "--home", str(odd), "gui"])
    assert '--home "' in text and '\\\\"class\\\\"' in text and "\\\\$HOME" in text and "100%%" in text
    entry = install_menu_entry(["/usr/bin/python3", "-m", "attendance", "--home", str(odd), "gui"], MenuEntry(tmp_path / "data"))
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(entry.desktop_file)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout
    assert uninstall_menu_entry(MenuEntry(tmp_path / "data")) == [entry.desktop_file, *entry.icons]
