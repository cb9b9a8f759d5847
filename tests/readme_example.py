"""The README's "Use it from Python" example, run as it is written: extracted from
``README.md``, executed by a Python (the checkout's, or an installed wheel's) in a fresh
folder beside a ``shared/data`` link, and its results read back (``tests/test_readme.py``,
``tests/test_install.py``)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

#: The README section whose first ``python`` block is the example, and its ``text`` block what it prints.
SECTION = "## Use it from Python"
#: Appended to the example: its results as one JSON line.
RESULTS = """
import json as _json, os as _os
print(_json.dumps({"matches": [[m.name, m.student_id] for m in matches], "present": summary.present, "absent": summary.absent,
                   "statuses": table[["student_id", "status", "status_source", "note"]].values.tolist(),
                   "xlsx": _os.path.getsize("drama.xlsx"), "home": str(home.root)}))
"""


def blocks(readme: Path) -> tuple[str, str]:
    """``(code, printed)``: the section's first ``python`` block and the ``text`` block after it."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    printed = re.search(r"```text\n(.*?)```", section, re.S)
    assert code and printed, f"{SECTION} needs a python block and the text it prints"
    return code.group(1), printed.group(1)


def shape(text: str) -> list[str]:
    """Lines as compared: trailing blanks dropped, decimals as ``#`` (distances depend on the build of dlib)."""
    return [re.sub(r"\d+\.\d+", "#", line.rstrip()) for line in text.strip().splitlines()]


def run_example(python: str | Path, readme: Path, shared: Path, where: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the example with ``python`` in ``where/work`` (``../shared/data`` -> ``shared``);
    returns its results, having checked it printed what the README shows."""
    code, printed = blocks(readme)
    (where / "shared").mkdir(parents=True)
    (where / "shared" / "data").symlink_to(shared, target_is_directory=True)
    (where / "work").mkdir()
    proc = subprocess.run([str(python), "-c", code + RESULTS], cwd=where / "work", capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, f"the README's example failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    *lines, results = proc.stdout.strip().splitlines()
    assert shape("\n".join(lines)) == shape(printed), "the README shows what the example prints"
    return dict(json.loads(results))
