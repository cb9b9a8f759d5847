"""Honest accuracy on a folder-per-person dataset, the way attendance is used.

ONE photo per person is enrolled (the first, sorted by name); every other photo is a
probe.  Reported:

* rank-1 accuracy: probes identified as the right person under the tolerance;
* false-accept rate, leave-one-person-out: each person is removed from the gallery in
  turn and all their photos are shown to it; any acceptance is a false "present" of
  someone who is not there, the costly error for attendance;
* per-person results, and a sweep of tolerances computed from the same distances;
* the still-photo rule (:class:`~attendance.recognition.photorule.PhotoRule`): its
  accuracy and false-accept rate for a face seen in one photo only, at full size and
  with every photo downscaled so that its face is as small as in a class photo
  (``SMALL_FACE_SIZES``, encoded as a photo roll call encodes faces).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attendance.core.errors import AttendanceError
from attendance.core.pool import map_in_pool
from attendance.recognition.engine import ENCODING_DIM, ENROLL_JITTERS
from attendance.recognition.enrollment_photo import PhotoFace, encode_downscaled
from attendance.recognition.finders import DEFAULT_DETECTOR
from attendance.recognition.gallery import Gallery
from attendance.recognition.photorule import PHOTO_JITTERS, SMALL_FACE_SIZES, PhotoRule
from attendance.roster.enroll import PlannedPhoto, default_workers, encode_many, plan_folder

SWEEP = (0.40, 0.45, 0.50, 0.55, 0.60)


@dataclass
class PersonResult:
    """Per-person figures; ``probes`` excludes the enrolled photo."""

    name: str
    enrolled_photo: str
    probes: int = 0
    correct: int = 0
    wrong: int = 0
    rejected: int = 0
    impostor_trials: int = 0
    false_accepts: int = 0


@dataclass
class Evaluation:
    """The whole report; rates are fractions in [0, 1] (NaN when there was nothing to test)."""

    tolerance: float
    people: list[PersonResult]
    skipped: list[str] = field(default_factory=list)
    sweep: list[tuple[float, float, float]] = field(default_factory=list)
    #: ``(accuracy, false-accept rate)`` of a face seen in one photo under the photo rule's sure test.
    photo_rule: tuple[float, float] = (float("nan"), float("nan"))
    #: The same with the photos downscaled to ``SMALL_FACE_SIZES`` faces: ``(accuracy,
    #: false-accept rate, genuine faces, impostor faces)``.
    photo_rule_small: tuple[float, float, int, int] = (float("nan"), float("nan"), 0, 0)

    @property
    def probes(self) -> int:
        return sum(p.probes for p in self.people)

    @property
    def accuracy(self) -> float:
        return _ratio(sum(p.correct for p in self.people), self.probes)

    @property
    def impostor_trials(self) -> int:
        return sum(p.impostor_trials for p in self.people)

    @property
    def false_accept_rate(self) -> float:
        return _ratio(sum(p.false_accepts for p in self.people), self.impostor_trials)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def evaluate(
    dataset: Path,
    tolerance: float = 0.5,
    *,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    detector: str = DEFAULT_DETECTOR,
) -> Evaluation:
    """Evaluate one-photo enrollment on ``dataset`` (a folder of per-person folders), faces
    found by ``detector`` (``"yunet"``, or ``"hog"`` as before YuNet)."""
    plan, bad = plan_folder(dataset)
    if not plan:
        raise AttendanceError(f"{dataset}: no photos found (expected one folder per person)")
    by_person: dict[str, list[PlannedPhoto]] = {}
    for item in plan:
        by_person.setdefault(item.name, []).append(item)
    skipped = [o.message for o in bad]
    gallery_items = [items[0] for items in by_person.values()]
    probe_items = [it for items in by_person.values() for it in items[1:]]

    total = 2 * len(plan) - len(gallery_items)
    faces = _encode(gallery_items, probe_items, workers or default_workers(), detector, on_progress, total, skipped)
    done = len(gallery_items) + len(probe_items)

    names = [n for n, items in by_person.items() if items[0].path in faces]
    rows = {n: PersonResult(n, by_person[n][0].source) for n in by_person}
    for n, items in by_person.items():
        if items[0].path not in faces:
            skipped.append(f"{n}: enrollment photo unusable, person left out")
    enc = np.stack([faces[by_person[n][0].path] for n in names]) if names else np.zeros((0, ENCODING_DIM), np.float32)
    genuine, impostor = _trials(names, by_person, faces, enc)

    def tally(tol: float) -> tuple[float, float]:
        ok = sum(1 for t, p, d, _ in genuine if p == t and d < tol)
        fa = sum(1 for _, d, _ in impostor if d < tol)
        return _ratio(ok, len(genuine)), _ratio(fa, len(impostor))

    _count(rows, genuine, impostor, tolerance)
    sweep = [(tol, *tally(tol)) for tol in sorted({*SWEEP, tolerance})]
    rule = PhotoRule()
    sure_ok = sum(1 for t, p, d, r in genuine if p == t and rule.sure(np.array([d]), np.array([r]))[0])
    sure_fa = sum(1 for _, d, r in impostor if rule.sure(np.array([d]), np.array([r]))[0])
    photo = (_ratio(sure_ok, len(genuine)), _ratio(sure_fa, len(impostor)))
    own_photos = {n: [it.path for it in by_person[n] if it.path in faces] for n in names}
    small_rule = _photo_rule_small(own_photos, enc, rule, workers or default_workers(), on_progress, done, total, detector)
    return Evaluation(tolerance, [rows[n] for n in by_person], skipped, sweep, photo, small_rule)


#: A probe identified: ``(truth, predicted, distance, runner-up distance)``.
Genuine = tuple[str, str, float, float]
#: A person's photo against everyone else: ``(truth, closest distance to someone else, runner-up)``.
Impostor = tuple[str, float, float]


def _encode(gallery_items: list[PlannedPhoto], probe_items: list[PlannedPhoto], workers: int, detector: str,
            on_progress: Callable[[int, int], None] | None, total: int, skipped: list[str]) -> dict[Path, np.ndarray]:
    """Each usable photo's encoding (enrollment photos with the enrollment's jitters, probes
    with 1); why a photo is not usable goes to ``skipped``."""
    faces: dict[Path, np.ndarray] = {}
    done = 0
    for jitters, items in ((ENROLL_JITTERS, gallery_items), (1, probe_items)):
        for item, result in encode_many(items, workers, jitters, detector):
            done += 1
            if on_progress:
                on_progress(done, total)
            if isinstance(result, PhotoFace):
                faces[item.path] = result.encoding
            else:
                skipped.append(str(result))
    return faces


def _trials(names: list[str], by_person: dict[str, list[PlannedPhoto]], faces: dict[Path, np.ndarray],
            enc: np.ndarray) -> tuple[list[Genuine], list[Impostor]]:
    """Every probe matched against everyone enrolled, and every photo of a person against
    the others (leave-one-person-out)."""
    full = _gallery(names, enc)
    genuine: list[Genuine] = []
    impostor: list[Impostor] = []
    for n in names:
        probes = [faces[it.path] for it in by_person[n][1:] if it.path in faces]
        if probes:
            m = full.match(np.stack(probes))
            genuine += [(n, names[int(p)], float(d), float(r)) for p, d, r in zip(m.person, m.distance, m.runner_up)]
        others = [i for i, other in enumerate(names) if other != n]
        if others:
            without = _gallery([names[i] for i in others], enc[others])
            own = [faces[it.path] for it in by_person[n] if it.path in faces]
            m = without.match(np.stack(own))
            impostor += [(n, float(d), float(r)) for d, r in zip(m.distance, m.runner_up)]
    return genuine, impostor


def _count(rows: dict[str, PersonResult], genuine: list[Genuine], impostor: list[Impostor], tolerance: float) -> None:
    """Each person's probes (correct, wrong, rejected) and impostor trials at ``tolerance``."""
    for truth, predicted, d, _ in genuine:
        row = rows[truth]
        row.probes += 1
        if d >= tolerance:
            row.rejected += 1
        elif predicted == truth:
            row.correct += 1
        else:
            row.wrong += 1
    for truth, d, _ in impostor:
        rows[truth].impostor_trials += 1
        rows[truth].false_accepts += int(d < tolerance)


def _gallery(names: list[str], enc: np.ndarray) -> Gallery:
    """A gallery of one encoding per person (``enc`` ``(len(names), 128)``), named and identified by ``names``."""
    return Gallery(tuple(names), tuple(names), enc, np.arange(len(names), dtype=np.int32))


def _photo_rule_small(own_photos: dict[str, list[Path]], enc: np.ndarray, rule: PhotoRule, workers: int,
                      on_progress: Callable[[int, int], None] | None, done: int, total: int,
                      detector: str) -> tuple[float, float, int, int]:
    """The photo rule on every photo of each person (``own_photos``, enrollment photo first;
    ``enc`` ``(people, 128)`` their enrollment encodings) downscaled to class-photo face
    sizes: the others are genuine trials, all of them impostor trials with the person left
    out.  Returns ``(accuracy, false-accept rate, genuine faces, impostor faces)``."""
    names = list(own_photos)
    full = _gallery(names, enc)
    trials = [(n, path) for n in names for path in own_photos[n]]
    ok = genuine = false = impostors = 0
    for (n, path), small in zip(trials, _downscaled_many([path for _, path in trials], workers, on_progress, done, total, detector)):
        if not small:
            continue
        sizes = np.array(sorted(small), np.float64)
        queries = np.stack([small[int(size)] for size in sizes])
        if path != own_photos[n][0]:
            m = full.match(queries)
            ok += int(((m.person == names.index(n)) & rule.sure(m.distance, m.runner_up, sizes)).sum())
            genuine += len(sizes)
        others = [i for i, other in enumerate(names) if other != n]
        if others:
            m = _gallery([names[i] for i in others], enc[others]).match(queries)
            false += int(rule.sure(m.distance, m.runner_up, sizes).sum())
            impostors += len(sizes)
    return _ratio(ok, genuine), _ratio(false, impostors), genuine, impostors


def _downscaled(path: Path, detector: str) -> dict[int, np.ndarray]:
    """:func:`encode_downscaled` at ``SMALL_FACE_SIZES``, ``{}`` for a photo it cannot use."""
    try:
        return encode_downscaled(path, SMALL_FACE_SIZES, PHOTO_JITTERS, detector)
    except AttendanceError:
        return {}


def _downscaled_many(paths: list[Path], workers: int, on_progress: Callable[[int, int], None] | None, done: int,
                     total: int, detector: str) -> Iterator[dict[int, np.ndarray]]:
    """:func:`_downscaled` of each of ``paths`` in order, in worker processes when there are
    several; ``on_progress(done, total)`` after each, counting on from ``done``."""
    for count, result in enumerate(map_in_pool(functools.partial(_downscaled, detector=detector), paths, workers), start=done + 1):
        if on_progress:
            on_progress(count, total)
        yield result
