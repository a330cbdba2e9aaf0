"""Keep person ids stable across frames and pick the subject (numpy only).

Matching: greedy on a distance between people = mean distance of the joints both have,
divided by the larger person's size; a person unmatched for `max_missing` frames is
dropped. Subject: the instructor's choice when given (`choose`), else the person with the
best size x centrality when the subject is first needed or lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def person_size(k: np.ndarray) -> float:
    seen = k[:, 2] > 0
    if seen.sum() < 2:
        return 0.0
    xy = k[seen, :2]
    return float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1])))


def person_distance(a: np.ndarray, b: np.ndarray) -> float:
    both = (a[:, 2] > 0) & (b[:, 2] > 0)
    if both.sum() < 2:
        return np.inf
    d = np.linalg.norm(a[both, :2] - b[both, :2], axis=1).mean()
    return float(d / max(person_size(a), person_size(b), 1.0))


@dataclass
class Track:
    id: int
    kpts: np.ndarray
    missing: int = 0
    age: int = 0


@dataclass
class Tracker:
    image_size: tuple[int, int]
    max_distance: float = 0.5
    max_missing: int = 15
    tracks: list[Track] = field(default_factory=list)
    subject_id: int | None = None
    chosen: bool = False
    _next: int = 1
    subject_lost: bool = False  # true on the frame where the subject was dropped

    def update(self, people: list[np.ndarray]) -> dict[int, np.ndarray]:
        """people this frame -> {track id: (17, 3)} of the people seen this frame."""
        pairs = sorted(((person_distance(t.kpts, p), ti, pi) for ti, t in enumerate(self.tracks)
                        for pi, p in enumerate(people)), key=lambda x: x[0])
        used_t, used_p, out = set(), set(), {}
        for d, ti, pi in pairs:
            if d > self.max_distance or ti in used_t or pi in used_p:
                continue
            used_t.add(ti)
            used_p.add(pi)
            t = self.tracks[ti]
            t.kpts, t.missing, t.age = people[pi], 0, t.age + 1
            out[t.id] = people[pi]
        for ti, t in enumerate(self.tracks):
            if ti not in used_t:
                t.missing += 1
        for pi, p in enumerate(people):
            if pi not in used_p:
                self.tracks.append(Track(self._next, p))
                out[self._next] = p
                self._next += 1
        alive = [t for t in self.tracks if t.missing <= self.max_missing]
        self.subject_lost = self.subject_id is not None and all(t.id != self.subject_id for t in alive)
        if self.subject_lost:
            self.subject_id, self.chosen = None, False
        self.tracks = alive
        if self.subject_id is None and out:
            self.subject_id = self._pick(out)
        return out

    def _pick(self, seen: dict[int, np.ndarray]) -> int:
        w, h = self.image_size
        centre = np.array([w / 2, h / 2])

        def merit(k: np.ndarray) -> float:
            xy = k[k[:, 2] > 0, :2]
            off = np.linalg.norm(xy.mean(0) - centre) / max(w, h)
            return person_size(k) / max(w, h) * (1.0 - off) * float(k[:, 2].mean())

        return max(seen, key=lambda i: merit(seen[i]))

    def choose(self, x: float, y: float) -> int | None:
        """The instructor clicked (x, y) image px: the nearest tracked person becomes the subject."""
        best, bd = None, np.inf
        for t in self.tracks:
            xy = t.kpts[t.kpts[:, 2] > 0, :2]
            if len(xy):
                d = float(np.min(np.linalg.norm(xy - (x, y), axis=1)))
                if d < bd:
                    best, bd = t.id, d
        if best is not None:
            self.subject_id, self.chosen = best, True
        return best

    def subject(self, seen: dict[int, np.ndarray]) -> np.ndarray | None:
        return seen.get(self.subject_id) if self.subject_id is not None else None
