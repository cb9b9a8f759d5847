"""One classroom laptop of the ``school`` benchmark, as a process of its own
(``python -m attendance.bench.school_child HOME MODE SESSION FIRST_STUDENT OUT``).

``live``: replays a 35-student class session through the records' own writer (the real
sink, outbox and pusher of :mod:`attendance.school.link`) over about 15 s: the start, a
mark per student as they arrive, their first sightings, a correction, the end; writes
when each mark was on disk (Unix time) to ``OUT`` (JSON) and exits once its link has sent
everything.

``backlog``: the server is down; writes ten minutes of a class at once (marks, a line per
student per minute, corrections), tells the parent (``OUT`` with the outbox's count), then
waits, its pusher retrying, until the parent creates ``OUT.stop``.
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from attendance.core.home import Home
from attendance.records.corrections import Action
from attendance.records.marking import correct
from attendance.records.sessionlog import Mark, SessionLog
from attendance.roster.store import FaceStore
from attendance.school.link import attach, link_of

CLASS_SIZE = 35


def main(argv: list[str]) -> int:
    home, mode, session, first, out = Home(Path(argv[0])), argv[1], argv[2], int(argv[3]), Path(argv[4])
    logging.basicConfig(level=logging.ERROR)
    people = FaceStore.load_gallery(home.known_faces)
    roster = [(people.ids[(first + i) % len(people.ids)], people.names[(first + i) % len(people.ids)]) for i in range(CLASS_SIZE)]
    rng = random.Random(first)
    detach = attach(home)
    link = link_of(home)
    assert link is not None, "the data folder is not connected"
    start = datetime.now().astimezone()
    marked: dict[str, float] = {}
    with SessionLog(home.logs, session) as log:
        log.open(roster, start, 5.0, "bench", 10.0, {"class": session})
        if mode == "live":
            for sid, name in sorted(roster, key=lambda _: rng.random()):
                time.sleep(rng.uniform(0.1, 0.7))
                log.mark(Mark(sid, name, datetime.now().astimezone(), 0.35, "bench", 0, 0.0))
                marked[sid] = time.time()
                log.saw([(sid, datetime.now().astimezone())])
        else:
            for i, (sid, name) in enumerate(roster):
                log.mark(Mark(sid, name, start + timedelta(seconds=10 * i), 0.35, "bench", 0, 0.0))
            for minute in range(10):
                log.saw([(sid, start + timedelta(minutes=minute, seconds=30)) for sid, _ in roster])
        for sid, _ in roster[:2]:
            correct(home.logs, session, start.date(), sid, Action.EXCUSED, "bench")
    if mode == "live":
        deadline = time.monotonic() + 60
        while link.state().waiting and time.monotonic() < deadline:
            time.sleep(0.1)
        out.write_text(json.dumps({"marked": marked, "waiting": link.state().waiting}))
    else:
        waiting, sent = link.outbox.counts()
        out.write_text(json.dumps({"events": waiting + sent}))
        stop = out.with_name(out.name + ".stop")
        while not stop.exists():
            time.sleep(0.1)
    detach()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
