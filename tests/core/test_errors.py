"""One hierarchy of errors: the tree drawn in ``core/errors.py``'s docstring is the real one,
every error class of the package is in it, and the package defines no exception elsewhere."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import attendance.core.errors as errors

PACKAGE = Path(errors.__file__).resolve().parents[1]


def drawn_tree() -> dict[str, str | None]:
    """Class name -> its parent's name, as the docstring draws them (indent = depth)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.match(r"^(\s*(?:[│ ]   )*(?:[├└]── )?)(\w+Error)\s", line + " ")
        if not found:
            continue
        depth = len(found.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[found.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, found.group(2)))
    return parents


def test_the_drawn_tree_is_the_hierarchy() -> None:
    drawn = drawn_tree()
    real = {name: cls.__mro__[1].__name__ if cls is not errors.AttendanceError else None
            for name, cls in vars(errors).items() if isinstance(cls, type) and issubclass(cls, errors.AttendanceError)}
    assert drawn == real


def test_no_exception_class_outside_core_errors() -> None:
    strays = []
    for path in PACKAGE.rglob("*.py"):
        if path == Path(errors.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                if any(b.endswith(("Error", "Exception", "Stopped")) or b in ("Exception", "BaseException") for b in bases):
                    strays.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert strays == []


def test_looks_different_keeps_its_student_through_pickling() -> None:
    """The window's enrollment runs in a worker process: the error crosses it whole."""
    err = errors.LooksDifferentError("jane.jpg looks like a different person", name="Jane Doe", student_id="1042")
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.name, back.student_id) == ("jane.jpg looks like a different person", "Jane Doe", "1042")
