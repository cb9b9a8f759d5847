"""The README tells the truth: its Python example runs and prints what it shows, every
command and subcommand of ``attendance`` is in it, and its design section's map of
"Where things are" lists every module of the package."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from conftest import ROOT
from readme_example import run_example

from attendance.cli.main import main

README = ROOT / "README.md"


def commands(group: click.Group, prefix: str = "attendance") -> list[str]:
    """``attendance CMD`` and ``attendance GROUP SUB`` for every command, however deep."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
    return found


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    listed = commands(main)
    assert len(listed) > 25 and "attendance school today" in listed and "attendance class show" in listed
    assert [c for c in listed if c not in text] == []


def module_map() -> dict[str, str]:
    """The design section's map: folder (``cli/``, ...; ``""`` for the top) -> the text listing its modules."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"\*\*Where things are\.\*\*.*?```\n(.*?)```", text, re.S)
    assert block, "the design section has its map of Where things are"
    folders: dict[str, str] = {}
    folder = ""
    for line in block.group(1).splitlines():
        first = line.split()[0] if line.strip() else ""
        if not line.startswith(" ") and first.endswith("/"):
            folder = first
        folders[folder] = folders.get(folder, "") + " " + line
    return folders


def test_every_module_is_on_the_map() -> None:
    folders = module_map()
    package = ROOT / "attendance"
    missing = []
    for path in sorted(package.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        parts = path.relative_to(package).parts
        folder = f"{parts[0]}/" if len(parts) > 1 else ""
        if not re.search(rf"(?<![\w/]){re.escape(path.name)}\b", folders.get(folder, "")):
            missing.append(str(path.relative_to(package)))
    assert missing == []


@pytest.mark.slow
def test_the_python_example_runs(shared: Path, tmp_path: Path) -> None:
    import sys

    results = run_example(sys.executable, README, shared, tmp_path)
    assert ["Barack Obama", "1044"] in results["matches"] and results["present"] == [["1042", "Lin-Manuel Miranda"]]
    assert results["statuses"] == [["1042", "present", "camera", ""], ["1044", "excused", "teacher", "dentist"]]
    assert results["xlsx"] > 0 and Path(results["home"]) == tmp_path / "work" / "school-data"
