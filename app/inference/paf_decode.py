"""Multi-person decoding of heatmaps + Part Affinity Fields (numpy; OpenPose's method).

1. Peaks: local maxima of each joint heatmap above a threshold, refined to sub-cell
   position with a quadratic fit over the 3x3 neighbourhood.
2. Limbs: for each PAF pair, every candidate (a, b) is scored by the line integral of the
   field along the segment (sampled), dotted with the segment's direction, plus a penalty
   for limbs longer than half the map; a candidate needs most samples to agree.
3. Greedy bipartite matching per pair (best score first, each peak used once), then people
   are grown along the pairs, merging partial people that share a joint.

Maps are (C, h, w) on a stride-`stride` grid whose cell i has its centre at
(i + 0.5) * stride - 0.5 input px (training.data.pose_targets uses the same convention).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.skeleton import NUM_JOINTS, PAF_PAIRS


@dataclass(frozen=True, slots=True)
class DecodeParams:
    # 0.08 / 0.5 read 0.66 PCK@0.2 on the pushfit validation frames against 0.60 at 0.15 / 0.7
    # (chosen on that split, 20 frames per clip): weak knee and ankle peaks were being lost
    peak_threshold: float = 0.08
    paf_samples: int = 10
    paf_min_dot: float = 0.05
    paf_min_share: float = 0.5     # share of samples whose dot exceeds paf_min_dot
    merge_min_share: float = 0.0   # the second pass (joins only, see assemble) asks just a positive integral
    max_peaks: int = 12            # per joint, strongest first: bounds the work on noisy maps
    min_joints: int = 4           # joints found by the strict pass
    contained: float = 0.8         # a person this much inside a better one's box is its duplicate
    min_mean_score: float = 0.2
    # joint score = min(1, score_scale x heatmap peak). The CPU-trained models' peaks run at
    # about half the targets' 1.0, and the assessment treats scores under 0.3 as unseen: a
    # raw peak would hide most real joints from it (every video counted 0 reps). 2.0 makes
    # its 0.3 a peak of 0.15. Not a calibrated probability; see issue 3's notes.
    score_scale: float = 2.0


def find_peaks(heat: np.ndarray, threshold: float, max_peaks: int = 12) -> list[np.ndarray]:
    """heat (>=17, h, w) -> per joint (K, 3) array of grid x, y (sub-cell) and peak value.

    All joints at once (one pass over the maps, no Python loop per peak): the decode ran
    beside the pose model on every live frame and cost more than the network itself."""
    m = heat[:NUM_JOINTS]
    _, h, w = m.shape
    p = np.pad(m, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    is_max = m > threshold
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                is_max &= m >= p[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    js, ys, xs = np.nonzero(is_max)  # by joint, then row-major: each joint's peaks in scan order
    bounds = np.searchsorted(js, np.arange(NUM_JOINTS + 1))
    keep = []
    for j in range(NUM_JOINTS):  # the strongest max_peaks of a joint with too many
        lo, hi = bounds[j], bounds[j + 1]
        if hi - lo > max_peaks:
            keep.append(lo + np.argsort(-m[j, ys[lo:hi], xs[lo:hi]])[:max_peaks])
        else:
            keep.append(np.arange(lo, hi))
    sel = np.concatenate(keep)
    js, ys, xs = js[sel], ys[sel], xs[sel]
    centre = m[js, ys, xs]
    left, right = m[js, ys, np.maximum(xs - 1, 0)], m[js, ys, np.minimum(xs + 1, w - 1)]
    up, down = m[js, np.maximum(ys - 1, 0), xs], m[js, np.minimum(ys + 1, h - 1), xs]
    dx = _subcell(left, centre, right, (xs > 0) & (xs < w - 1))
    dy = _subcell(up, centre, down, (ys > 0) & (ys < h - 1))
    peaks = np.stack([xs + dx.astype(float), ys + dy.astype(float), centre], axis=1).astype(np.float32)
    return np.split(peaks, np.cumsum([len(k) for k in keep])[:-1])


def _subcell(before: np.ndarray, centre: np.ndarray, after: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Offset (-0.5..0.5 cells) of the vertex of the parabola through three neighbouring cells,
    where it has a maximum and the peak is not on the map's edge; 0 elsewhere."""
    den = before - 2 * centre + after
    fit = inner & (den < 0)
    off = np.zeros(len(centre), centre.dtype)
    off[fit] = np.clip(0.5 * (before[fit] - after[fit]) / den[fit], -0.5, 0.5)
    return off


def _bilinear(field: np.ndarray, ch: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """field (C, h, w) read at channel ch (M, 1) and points xs, ys (M, N), bilinearly."""
    h, w = field.shape[1:]
    xs, ys = np.clip(xs, 0, w - 1), np.clip(ys, 0, h - 1)
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = xs - x0, ys - y0
    return (field[ch, y0, x0] * (1 - fx) * (1 - fy) + field[ch, y0, x1] * fx * (1 - fy)
            + field[ch, y1, x0] * (1 - fx) * fy + field[ch, y1, x1] * fx * fy)


def score_limbs(peaks: list[np.ndarray], paf: np.ndarray,
                p: DecodeParams) -> dict[int, list[tuple[float, int, int, float]]]:
    """Candidates per PAF pair k: [(score, i, j, share)], best first, between peak i of the
    pair's first joint and peak j of its second, scored by the line integral of the pair's
    field (paf[2k], paf[2k + 1]). share: the fraction of samples whose dot exceeds paf_min_dot;
    each assembly pass applies its own bar to it. Every candidate of every pair in one set of
    array operations: one pair at a time cost a tenth of a millisecond each in overhead alone."""
    pairs = [(k, a, b) for k, (a, b) in enumerate(PAF_PAIRS) if len(peaks[a]) and len(peaks[b])]
    if not pairs:
        return {}
    grids = [np.meshgrid(np.arange(len(peaks[a])), np.arange(len(peaks[b])), indexing="ij") for _, a, b in pairs]
    ii = np.concatenate([g[0].ravel() for g in grids])
    jj = np.concatenate([g[1].ravel() for g in grids])
    kk = np.concatenate([np.full(g[0].size, k) for (k, _, _), g in zip(pairs, grids, strict=True)])
    pa = np.concatenate([peaks[a][g[0].ravel(), :2] for (_, a, _), g in zip(pairs, grids, strict=True)])
    pb = np.concatenate([peaks[b][g[1].ravel(), :2] for (_, _, b), g in zip(pairs, grids, strict=True)])
    h = paf.shape[1]
    v = pb - pa                                                 # (M, 2)
    n = np.hypot(v[:, 0], v[:, 1])
    u = v / np.maximum(n, 1e-6)[:, None]
    t = np.linspace(0, 1, p.paf_samples)
    xs = pa[:, None, 0] + t * v[:, None, 0]                     # (M, N)
    ys = pa[:, None, 1] + t * v[:, None, 1]
    ch = 2 * kk[:, None]
    dots = _bilinear(paf, ch, xs, ys) * u[:, None, 0] + _bilinear(paf, ch + 1, xs, ys) * u[:, None, 1]
    score = dots.mean(-1) + np.minimum(0.0, 0.5 * h / np.maximum(n, 1e-6) - 1.0)
    share = (dots > p.paf_min_dot).mean(-1)
    ok = (n > 1e-6) & (score > 0)
    out: dict[int, list] = {k: [] for k, _, _ in pairs}
    for m in np.flatnonzero(ok):
        out[int(kk[m])].append((float(score[m]), int(ii[m]), int(jj[m]), float(share[m])))
    return {k: sorted(c, reverse=True) for k, c in out.items()}


def _attach(people: list[dict], owner: list[dict], pi: int, joint: int, peak: int, s: float, create: bool) -> None:
    """Give person pi the peak of `joint` (when it has none yet)."""
    person = people[pi]
    if person["ids"][joint] < 0:
        person["ids"][joint] = peak
        person["score"] += s
        person["strict"] += create
        owner[joint][peak] = pi


def _link(people: list[dict], owner: list[dict], a: int, b: int, i: int, j: int, s: float, create: bool) -> None:
    """Apply one accepted limb (peak i of joint a, peak j of joint b, score s) to the people.
    create: the strict pass, whose joints count towards min_joints ("strict")."""
    oa, ob = owner[a].get(i), owner[b].get(j)
    if oa is None and ob is None:
        if create:
            ids = np.full(NUM_JOINTS, -1)
            ids[a], ids[b] = i, j
            people.append({"ids": ids, "score": s, "strict": 2})
            owner[a][i] = owner[b][j] = len(people) - 1
    elif ob is None:
        _attach(people, owner, oa, b, j, s, create)
    elif oa is None:
        _attach(people, owner, ob, a, i, s, create)
    elif oa != ob:  # two partial people joined by this limb: merge if they do not clash
        A, B = people[oa], people[ob]
        if not np.any((A["ids"] >= 0) & (B["ids"] >= 0)):
            A["ids"] = np.where(A["ids"] >= 0, A["ids"], B["ids"])
            A["score"] += B["score"] + s
            A["strict"] += B["strict"]
            B["strict"] = 0
            for jj in range(NUM_JOINTS):
                if B["ids"][jj] >= 0:
                    owner[jj][int(B["ids"][jj])] = oa
            B["ids"] = np.full(NUM_JOINTS, -1)


def assemble(heat: np.ndarray, paf: np.ndarray, stride: int, p: DecodeParams = DecodeParams()) -> list[np.ndarray]:
    """heat (18, h, w), paf (2P, h, w) -> people, each float32 (17, 3) = x, y input px, score
    (0 where the joint was not found), sorted by total score, best first.

    Two passes over the pairs: the strict one (paf_min_share) builds people; the relaxed one
    (merge_min_share) only joins what exists (fragments of one body whose connecting limb's
    field was too faint, or a found joint's missing neighbour) and starts nobody new, so a
    faint field cannot invent a person."""
    peaks = find_peaks(heat, p.peak_threshold, p.max_peaks)
    people: list[dict] = []  # {"ids": (17,) peak index or -1, "score": float, "strict": joints from pass 1}
    owner = [{} for _ in range(NUM_JOINTS)]  # joint -> {peak index: person index}
    cands = score_limbs(peaks, paf, p)  # scored once, used by both passes
    passes = [(p.paf_min_share, True)]
    if p.merge_min_share < p.paf_min_share:
        passes.append((p.merge_min_share, False))
    for min_share, create in passes:
        for k, (a, b) in enumerate(PAF_PAIRS):
            used_a, used_b = set(), set()
            for s, i, j, share in cands.get(k, ()):
                if share < min_share or i in used_a or j in used_b:
                    continue
                if not create and owner[a].get(i) is not None and owner[a].get(i) == owner[b].get(j):
                    continue  # already one person: this limb changes nothing
                used_a.add(i)
                used_b.add(j)
                _link(people, owner, a, b, i, j, s, create)
    out = []
    for person in people:
        ids = person["ids"]
        if person["strict"] < p.min_joints:  # joints the relaxed pass attached do not make a person
            continue
        k = np.zeros((NUM_JOINTS, 3), np.float32)
        for j in range(NUM_JOINTS):
            if ids[j] >= 0:
                gx, gy, v = peaks[j][ids[j]]
                k[j] = ((gx + 0.5) * stride - 0.5, (gy + 0.5) * stride - 0.5, min(1.0, p.score_scale * v))
        if k[ids >= 0, 2].mean() >= p.min_mean_score:
            out.append((person["score"] + k[:, 2].sum(), k))
    out.sort(key=lambda t: -t[0])
    return _drop_contained([k for _, k in out], p.contained)


def _box(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xy = k[k[:, 2] > 0, :2]
    return xy.min(0), xy.max(0)


def _drop_contained(people: list[np.ndarray], share: float) -> list[np.ndarray]:
    """Drop a person whose box lies mostly (>= share of its area) inside the box of a better
    person with more joints: on one body, the second-best peaks (the far side's limbs, a
    blurred arm) assemble into a partial duplicate, and the tracker would follow it as
    someone else. Two real people overlap far less than that."""
    keep: list[np.ndarray] = []
    for k in people:
        lo, hi = _box(k)
        area = max(float(np.prod(hi - lo)), 1.0)
        n = int((k[:, 2] > 0).sum())
        dup = False
        for a in keep:
            alo, ahi = _box(a)
            inter = float(np.prod(np.clip(np.minimum(hi, ahi) - np.maximum(lo, alo), 0, None)))
            if inter >= share * area and n < int((a[:, 2] > 0).sum()):
                dup = True
                break
        if not dup:
            keep.append(k)
    return keep
