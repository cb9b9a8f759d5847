"""Section ``enroll``: bulk enrollment speed (``attendance enroll DIR --workers N``) on 1 and 2
worker processes, each run measured from outside like the loops."""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from attendance.bench.measure import ProcessStats, child_error, measure_process


@dataclass
class EnrollSpeed:
    """Bulk enrollment of ``photos`` photos with ``workers`` processes (``attendance enroll DIR``)."""

    workers: int
    photos: int
    added: int
    proc: ProcessStats

    @property
    def photos_per_s(self) -> float:
        """Photos per second of process wall time."""
        return self.photos / self.proc.wall_s


#: Single photos added to the people/ folders for the enrollment benchmark (one person each).
ENROLL_EXTRA = ("obama3.jpg", "obama-1080p.jpg", "obama-240p.jpg", "biden.jpg", "lin-manuel-miranda.png", "alex-lacamoire.png")


def enrollment_speed(data: Path, worker_counts: Sequence[int] = (1, 2), extra: Sequence[str] = ENROLL_EXTRA,
                     jitters: int = 10) -> list[EnrollSpeed]:
    """``attendance enroll DIR --workers N --jitters J`` into a fresh temp home, for each N:
    the people/ folders of the input folder ``data`` plus a few of its photos/ files (symbolic links in a temp folder)."""
    from attendance.roster.enroll import plan_folder

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-enroll-") as tmp:
        src = Path(tmp) / "photos"
        src.mkdir()
        for person in sorted((data / "people").iterdir()):
            if person.is_dir():
                (src / person.name).symlink_to(person.resolve())
        for name in extra:
            (src / f"photo_{Path(name).stem.replace('-', '_')}{Path(name).suffix}").symlink_to((data / "photos" / name).resolve())
        photos = len(plan_folder(src)[0])
        for workers in worker_counts:
            home = Path(tmp) / f"home{workers}"
            stats = measure_process([sys.executable, "-m", "attendance", "--home", str(home), "enroll", str(src), "--workers", str(workers),
                                    "--jitters", str(jitters)],
                                    env={"TQDM_DISABLE": "1"})
            if stats.returncode != 0:
                raise child_error(f"attendance enroll --workers {workers}", stats)
            found = re.search(r"(\d+) added", stats.stdout)
            added = int(found.group(1)) if found else 0
            out.append(EnrollSpeed(workers, photos, added, stats))
    return out
