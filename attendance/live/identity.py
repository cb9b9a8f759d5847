"""Decide who a tracked face is, from several agreeing sightings.

Every encoded sighting of a track is matched against the gallery (one vectorised
operation).  A sighting *votes* for the closest student only if the distance is under
``tolerance`` and the next-closest student is at least ``margin`` further away.  A track
is identified once one student has ``min_sightings`` votes and more than twice the votes
of any other student, or one vote fewer (two at least) when every one of those votes is *sure*: a
sighting the still-photo rule would accept alone (:class:`~attendance.recognition.photorule.PhotoRule`,
a stricter distance and a wider margin, measured by ``attendance evaluate``); a single
bad frame can never mark anyone, and faces that never
gather enough votes stay "unknown" and are never marked.  Identified tracks are
re-checked every ``verify_interval_s``: a track that twice in a row no longer looks like
its student (someone else stepped into the same place) is identified afresh, with those
two sightings as its first votes.  A student already identified
earlier in the session (and so already marked) is recognised again from one vote when
their face is found anew, so the window does not call them "unknown" meanwhile; so is a
student marked by an earlier run of the same session (``marked``): a face on screen never
reads "unknown" while its student is listed present.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from attendance.recognition.detections import Detections
from attendance.recognition.gallery import Gallery
from attendance.recognition.photorule import PhotoRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchPolicy:
    """Thresholds of identification (distances are Euclidean between 128-d encodings)."""

    tolerance: float = 0.5
    margin: float = 0.05
    min_sightings: int = 3
    #: A track with votes but not yet identified (a likely student) is re-encoded this
    #: often, even between the session's regular analysed frames, so that marking takes
    #: a few tenths of a second (media seconds).
    candidate_retry_s: float = 0.1
    #: Any other unidentified track is re-encoded at most this often...
    retry_interval_s: float = 0.2
    #: ... and only this often once it has been encoded ``stranger_after`` times without a
    #: single vote (a stranger: not worth an encoding every frame; a stage or a class has
    #: several, and their encodings were half of the shared clip's).
    stranger_retry_s: float = 0.6
    stranger_after: int = 4
    #: ... unless one of its sightings came within this much of the tolerance: a student
    #: whose photo matches only just (0.47-0.55) votes one sighting in two or three, and
    #: gets twice as many quick tries before being left for seconds between them.
    near_miss: float = 0.05
    #: An identified track is re-checked this often, in case another person took its place.
    verify_interval_s: float = 5.0
    #: Consecutive contradicting re-checks that undo an identification.
    doubts_to_reset: int = 2
    #: With more tracked faces than this (a seated class), re-checks of identified faces
    #: and retries of strangers are spaced out in proportion, so that twenty faces in
    #: view cost about as many encodings a second as this many.
    busy_tracks: int = 4
    #: A sighting this rule accepts alone is *sure*; ``min_sightings - 1`` votes (2 at least)
    #: that are all sure identify a track (a close match is marked one analysed frame sooner).
    sure: PhotoRule = PhotoRule()
    #: A live source's analysed frame encodes at most this many tracked faces, the most
    #: urgent first (see :meth:`Identifier.deferred`): a frame that encodes twenty faces
    #: takes seconds on a busy machine, and the next votes wait for it.
    live_encodings: int = 4


@dataclass
class TrackVotes:
    """The sightings of one track."""

    votes: dict[int, list[float]] = field(default_factory=dict)
    #: How many of each student's votes are sure (see :attr:`MatchPolicy.sure`).
    sure: dict[int, int] = field(default_factory=dict)
    sightings: int = 0
    #: The student the latest sighting was closest to, if under the tolerance (even
    #: without the margin), else -1: an unidentified face that is likely a student
    #: already identified elsewhere (a second track of the same face, or a re-check).
    closest: int = -1
    #: The smallest distance to anyone over all its sightings.
    nearest: float = float("inf")
    last_encoded: float = -1e9
    person: int = -1
    distance: float = float("inf")
    doubts: int = 0
    #: Votes of the sightings that contradicted the identification: they count for
    #: whoever the face turns out to be once the identification is undone.
    doubt_votes: dict[int, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Identification:
    """A track newly identified as gallery person ``person``."""

    track_id: int
    person: int
    distance: float


class Identifier:
    """Keeps votes per track and labels detections with the identified person."""

    def __init__(self, gallery: Gallery, policy: MatchPolicy, marked: set[str] | frozenset[str] = frozenset()) -> None:
        """``marked``: ids of students already marked present in this session (earlier runs)."""
        self.gallery = gallery
        self.policy = policy
        self.tracks: dict[int, TrackVotes] = {}
        #: Gallery indices of the students identified in this session (this run or, through
        #: ``marked``, an earlier one): one vote is enough to recognise them again.
        self.identified: set[int] = {i for i, sid in enumerate(gallery.ids) if sid in marked}
        #: Tracks whose identification was undone by the last :meth:`update` (a new person
        #: in an old track: their first sighting is now).
        self.last_resets: list[int] = []

    def update(self, dets: Detections) -> list[Identification]:
        """Vote with the encoded faces of ``dets``; label every face; return new identifications."""
        new: list[Identification] = []
        self.last_resets = []
        encoded = np.flatnonzero(dets.encoded)
        if len(encoded) and len(self.gallery):
            matches = self.gallery.match(dets.encodings[encoded])
            sure = self.policy.sure.sure(matches.distance, matches.runner_up)
            for k, i in enumerate(encoded):
                state = self.tracks.setdefault(int(dets.track_id[i]), TrackVotes())
                state.sightings += 1
                state.last_encoded = max(state.last_encoded, dets.media_time)
                d, runner_up, p = float(matches.distance[k]), float(matches.runner_up[k]), int(matches.person[k])
                state.closest = p if d < self.policy.tolerance else -1
                state.nearest = min(state.nearest, d)
                votes = d < self.policy.tolerance and runner_up - d >= self.policy.margin
                if state.person >= 0:
                    if self._still_same(state, p, d, votes):
                        continue
                    state.person, state.votes, state.doubt_votes, state.sure = -1, state.doubt_votes, {}, {}
                    self.last_resets.append(int(dets.track_id[i]))
                elif votes:
                    state.votes.setdefault(p, []).append(d)
                    if sure[k]:
                        state.sure[p] = state.sure.get(p, 0) + 1
                if state.votes:
                    found = self._decide(state)
                    if found is not None:
                        state.person, state.distance = found
                        self.identified.add(found[0])
                        new.append(Identification(int(dets.track_id[i]), found[0], found[1]))
        for j, tid in enumerate(dets.track_id):
            known = self.tracks.get(int(tid))
            if known is not None and known.person >= 0:
                dets.person[j] = known.person
                dets.distance[j] = known.distance
        return new

    def _still_same(self, state: TrackVotes, person: int, distance: float, votes: bool) -> bool:
        """Re-check of an identified track; False once it has been contradicted often enough.

        A face tracked in the same place as someone who just left would otherwise keep
        their name (and never be marked itself).  A contradicting sighting that would
        vote (``votes``) is kept in ``doubt_votes`` for whoever the face turns out to be.
        """
        if person == state.person and distance < self.policy.tolerance:
            state.doubts = 0
            state.doubt_votes = {}
            return True
        state.doubts += 1
        if votes:
            state.doubt_votes.setdefault(person, []).append(distance)
        if state.doubts < self.policy.doubts_to_reset:
            return True
        log.info("track no longer looks like %s (distance %.2f); identifying it again", self.gallery.names[state.person], distance)
        state.doubts = 0
        return False

    def _decide(self, state: TrackVotes) -> tuple[int, float] | None:
        counts = {p: len(v) for p, v in state.votes.items()}
        best = max(counts, key=counts.__getitem__)
        others = max((c for p, c in counts.items() if p != best), default=0)
        needed = self.policy.min_sightings
        if best in self.identified:
            needed = 1
        elif state.sure.get(best, 0) == counts[best]:
            needed = min(needed, max(2, needed - 1))  # one vote never suffices unless asked for
        if counts[best] >= needed and counts[best] > 2 * others:
            return best, float(np.median(state.votes[best]))
        return None

    def forget(self, track_ids: list[int]) -> None:
        """Drop the votes of tracks that ended."""
        for tid in track_ids:
            self.tracks.pop(tid, None)

    def settled(self, media_time: float) -> list[int]:
        """Track ids that need no encoding now: encoded too recently to be worth it again
        (``candidate_retry_s`` with votes, ``retry_interval_s`` without, ``stranger_retry_s``
        for a face that never got a vote, ``verify_interval_s`` once identified)."""
        return [tid for tid, s in self.tracks.items() if not self._due(s, media_time)]

    def requested(self, track_ids: list[int], media_time: float) -> None:
        """Count the tracks as encoded at ``media_time`` already: a frame that will encode
        them is in flight, so the next frame need not encode them again before its answer."""
        for tid in track_ids:
            state = self.tracks.get(tid)
            if state is not None:
                state.last_encoded = max(state.last_encoded, media_time)

    def _identifying(self, state: TrackVotes | None) -> bool:
        """Whether a track (``None``: never encoded) is still being identified: never
        encoded, or unidentified with votes or not yet taken for a stranger."""
        return state is None or (state.person < 0 and not self._stranger(state))

    def _stranger(self, state: TrackVotes) -> bool:
        """An unidentified track taken for a stranger: no vote in ``stranger_after``
        sightings, none of them a near miss (see :attr:`MatchPolicy.near_miss`), or in
        twice as many."""
        p = self.policy
        near = state.nearest < p.tolerance + p.near_miss
        return not state.votes and state.sightings >= p.stranger_after * (2 if near else 1)

    def deferred(self, track_ids: list[int]) -> list[int]:
        """Those of ``track_ids`` (due for an encoding) left for a later frame: all but the
        ``live_encodings`` most urgent.  Most urgent: faces with votes (likely students),
        then faces never encoded or not yet taken for strangers, then re-checks and strangers."""
        def rank(tid: int) -> int:
            state = self.tracks.get(tid)
            return 0 if state is not None and state.person < 0 and state.votes else 1 if self._identifying(state) else 2

        return sorted(track_ids, key=rank)[self.policy.live_encodings:]

    def candidates_due(self, media_time: float) -> bool:
        """Whether a track with votes but no identification yet is due for an encoding."""
        return any(s.person < 0 and s.votes and self._due(s, media_time) for s in self.tracks.values())

    def _due(self, state: TrackVotes, media_time: float) -> bool:
        """Whether the track's last encoding is at least its interval old (1 ms of slack
        for frame times that are multiples of the interval)."""
        return media_time - state.last_encoded + 1e-3 >= self._interval(state)

    def _interval(self, state: TrackVotes) -> float:
        p = self.policy
        crowd = max(1.0, len(self.tracks) / p.busy_tracks)
        if state.person >= 0:
            return p.candidate_retry_s if state.doubts else p.verify_interval_s * crowd
        if state.votes:
            return p.candidate_retry_s
        if self._stranger(state):
            return p.stranger_retry_s * crowd
        return p.retry_interval_s

    def unidentified(self, track_ids: list[int]) -> int:
        """How many of ``track_ids`` are faces of nobody identified yet: not identified,
        and not last seen closest (under the tolerance) to a student identified already."""
        count = 0
        for tid in track_ids:
            state = self.tracks.get(tid)
            count += state is None or (state.person < 0 and state.closest not in self.identified)
        return count

    def person_of(self, track_id: int) -> int:
        """Gallery index of the student the track is identified as, -1 if not (yet)."""
        state = self.tracks.get(track_id)
        return -1 if state is None else state.person
