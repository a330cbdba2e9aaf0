"""Keep person ids stable across frames and pick the subject (numpy only).

Matching, in three rounds: (1) the subject keeps the closest person within the looser
`subject_distance` (an assembled body changes shape between frames as its weaker limbs drop
in and out, and losing the subject for a frame loses that frame of the test); (2) greedy on
a distance between people = mean distance of the joints both have, divided by the larger
person's size; (3) a track and a person still unmatched whose boxes overlap by IoU >=
`min_iou` (the same body seen with a different set of joints). A person unmatched for
`max_missing` frames is dropped. Round 1 never takes a person another track follows better,
unless that track overlaps the subject's box mostly (a fragment of the subject's own body,
which a weak pose model keeps finding) and was never seen beside the subject as a person of
its own (someone walking in front, who covers the subject's box, is theirs).

Subject: the instructor's choice when given (`choose`), else the person with the best size
x centrality when the subject is first needed or lost, where someone standing upright with
the arms down (a grader, a trainer) counts for a third: a test's subject lies, hangs or holds
a plank, and the bigger, nearer person beside them is usually the one watching. A person
seen beside the subject for `beside_frames` frames is a bystander: when the subject is lost
(hidden by someone walking in front), bystanders are not picked for `patience` frames, so
the subject is unseen meanwhile and picked again when they reappear.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.core.visibility import visible


def standing_idle(k: np.ndarray) -> bool:
    """Upright trunk (shoulders over hips, within 30 deg of vertical) and wrists below the
    shoulders: the posture of someone watching, not of a push-up, pull-up or sit-up."""
    seen = visible(k)
    sh, hip, wr = (5, 6), (11, 12), (9, 10)
    if not (seen[list(sh)].any() and seen[list(hip)].any() and seen[list(wr)].any()):
        return False
    s = k[[j for j in sh if seen[j]], :2].mean(0)
    h = k[[j for j in hip if seen[j]], :2].mean(0)
    w_y = k[[j for j in wr if seen[j]], 1].mean()
    up = h[1] - s[1]
    return bool(up > 0 and abs(h[0] - s[0]) < up * np.tan(np.radians(30)) and w_y > s[1])


def person_size(k: np.ndarray) -> float:
    seen = visible(k)
    if seen.sum() < 2:
        return 0.0
    xy = k[seen, :2]
    return float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1])))


def _boxes(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float] | None:
    """-> (intersection, area a, area b) of the boxes around two people's found joints."""
    sa, sb = visible(a), visible(b)
    if sa.sum() < 2 or sb.sum() < 2:
        return None
    alo, ahi = a[sa, :2].min(0), a[sa, :2].max(0)
    blo, bhi = b[sb, :2].min(0), b[sb, :2].max(0)
    inter = float(np.prod(np.clip(np.minimum(ahi, bhi) - np.maximum(alo, blo), 0, None)))
    return inter, float(np.prod(ahi - alo)), float(np.prod(bhi - blo))


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of the boxes around two people's found joints (0 when either has fewer than 2)."""
    r = _boxes(a, b)
    if r is None:
        return 0.0
    union = r[1] + r[2] - r[0]
    return r[0] / union if union > 0 else 0.0


def box_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller box inside the other: near 1 for a fragment of a body."""
    r = _boxes(a, b)
    return r[0] / max(min(r[1], r[2]), 1.0) if r is not None else 0.0


def box_inside(a: np.ndarray, b: np.ndarray) -> float:
    """Share of a's box inside b's: near 1 when a is a piece of b (or b's double), small when a
    is a bigger person in front of b."""
    r = _boxes(a, b)
    return r[0] / max(r[1], 1.0) if r is not None else 0.0


def person_distance(a: np.ndarray, b: np.ndarray) -> float:
    both = visible(a) & visible(b)
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
    beside: int = 0   # frames seen beside the subject (not inside its box): a bystander


@dataclass
class Tracker:
    image_size: tuple[int, int]
    max_distance: float = 0.5
    subject_distance: float = 1.0
    min_iou: float = 0.3
    max_missing: int = 15
    beside_frames: int = 10
    patience: int = 90              # 3 s at 30 fps: a hidden subject is waited for this long
    tracks: list[Track] = field(default_factory=list)
    subject_id: int | None = None
    chosen: bool = False
    _next: int = 1
    _waited: int = 0  # frames without a subject since it was lost
    subject_lost: bool = False  # true on the frame where the subject was dropped

    def update(self, people: list[np.ndarray]) -> dict[int, np.ndarray]:
        """people this frame -> {track id: (17, 3)} of the people seen this frame."""
        dist = np.array([[person_distance(t.kpts, p) for p in people] for t in self.tracks]).reshape(
            len(self.tracks), len(people))
        used_t: set[int] = set()
        used_p: set[int] = set()
        out: dict[int, np.ndarray] = {}

        def match(ti: int, pi: int) -> None:
            used_t.add(ti)
            used_p.add(pi)
            t = self.tracks[ti]
            t.kpts, t.missing, t.age = people[pi], 0, t.age + 1
            out[t.id] = people[pi]

        si = next((i for i, t in enumerate(self.tracks) if t.id == self.subject_id), None)
        if si is not None and len(people):  # round 1: the subject first, looser
            pi = int(np.argmin(dist[si]))
            near = dist[si, pi] <= self.subject_distance or box_iou(self.tracks[si].kpts, people[pi]) >= self.min_iou
            subj = self.tracks[si].kpts
            # closer to another person's track (one beside or passing the subject, not a
            # short-lived fragment of the subject's own body)
            theirs = any(dist[ti, pi] < dist[si, pi]
                         and (box_overlap(t.kpts, subj) < 0.5 or t.beside >= self.beside_frames)
                         for ti, t in enumerate(self.tracks) if ti != si)
            if near and not theirs:
                match(si, pi)
        for ti, pi in sorted(np.ndindex(dist.shape), key=lambda ij: dist[ij]):  # round 2
            if dist[ti, pi] <= self.max_distance and ti not in used_t and pi not in used_p:
                match(ti, pi)
        overlaps = sorted(((box_iou(t.kpts, p), ti, pi) for ti, t in enumerate(self.tracks) if ti not in used_t
                           for pi, p in enumerate(people) if pi not in used_p), reverse=True)
        for iou, ti, pi in overlaps:  # round 3
            if iou >= self.min_iou and ti not in used_t and pi not in used_p:
                match(ti, pi)
        for ti, t in enumerate(self.tracks):
            if ti not in used_t:
                t.missing += 1
        for pi, p in enumerate(people):
            if pi not in used_p:
                self.tracks.append(Track(self._next, p))
                out[self._next] = p
                self._next += 1
        alive = [t for t in self.tracks
                 if t.missing <= self.max_missing]
        self.subject_lost = self.subject_id is not None and all(t.id != self.subject_id for t in alive)
        if self.subject_lost:
            self.subject_id, self.chosen = None, False
        self.tracks = alive
        subj = out.get(self.subject_id) if self.subject_id is not None else None
        if subj is not None:
            self._waited = 0
            for t in alive:
                if t.id in out and t.id != self.subject_id and box_inside(t.kpts, subj) < 0.5:
                    t.beside += 1
        if self.subject_id is None and out:
            self._waited += 1
            self.subject_id = self._pick(out)
        return out

    def _pick(self, seen: dict[int, np.ndarray]) -> int | None:
        bystanders = {t.id for t in self.tracks if t.beside >= self.beside_frames}
        fresh = {i: k for i, k in seen.items() if i not in bystanders}
        if not fresh and self._waited <= self.patience:
            return None  # only people seen beside the subject: wait for the subject
        seen = fresh or seen
        w, h = self.image_size
        centre = np.array([w / 2, h / 2])

        def merit(k: np.ndarray) -> float:
            xy = k[visible(k), :2]
            if not len(xy):  # only faint joints: any person with a visible joint ranks above it
                return 0.0
            off = np.linalg.norm(xy.mean(0) - centre) / max(w, h)
            idle = 1 / 3 if standing_idle(k) else 1.0
            return person_size(k) / max(w, h) * (1.0 - off) * float(k[:, 2].mean()) * idle

        return max(seen, key=lambda i: merit(seen[i]))

    def choose(self, x: float, y: float) -> int | None:
        """The instructor clicked (x, y) image px: the nearest tracked person becomes the subject."""
        best, bd = None, np.inf
        for t in self.tracks:
            xy = t.kpts[visible(t.kpts), :2]
            if len(xy):
                d = float(np.min(np.linalg.norm(xy - (x, y), axis=1)))
                if d < bd:
                    best, bd = t.id, d
        if best is not None:
            self.subject_id, self.chosen = best, True
        return best

    def subject(self, seen: dict[int, np.ndarray]) -> np.ndarray | None:
        return seen.get(self.subject_id) if self.subject_id is not None else None
