"""``python -m attendance.bench.classic_child SPEC_JSON``: one classic loop in a fresh process.

``SPEC_JSON`` is ``{"video": path, "known": path of a save_known .npz, "variant": "full" |
"fast", "tolerance": float, "every": int (optional, default 1)}``; the child prints the :class:`~attendance.bench.classic.ClassicResult`
as one JSON line.  Launched by :func:`attendance.bench.loops.run_classic_loop`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from attendance.bench.classic import load_known, run_classic


def main(argv: list[str]) -> int:
    """Run the loop ``argv[0]`` (the JSON spec) describes; print its result as JSON."""
    spec = json.loads(argv[0])
    result = run_classic(spec["video"], load_known(Path(spec["known"])), spec["variant"], float(spec["tolerance"]), every=int(spec.get("every", 1)))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
