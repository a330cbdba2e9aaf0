"""PAF decoding on synthetic heatmaps/PAFs with known people (the training targets)."""
import numpy as np
import pytest

from app.core.skeleton import NUM_JOINTS
from app.inference.paf_decode import assemble, find_peaks
from training.data.pose_targets import make_targets

STRIDE = 8


def _person(cx, cy, s, rng):
    """A standing COCO-17 person around (cx, cy), height ~ 4 s px, with a little variation."""
    base = np.array([[0, -2.0], [-0.15, -2.1], [0.15, -2.1], [-0.3, -2.0], [0.3, -2.0], [-0.5, -1.4], [0.5, -1.4],
                     [-0.65, -0.7], [0.65, -0.7], [-0.7, -0.1], [0.7, -0.1], [-0.3, 0.0], [0.3, 0.0],
                     [-0.32, 0.9], [0.32, 0.9], [-0.33, 1.8], [0.33, 1.8]])
    xy = base * s + (cx, cy) + rng.normal(0, 0.04 * s, base.shape)
    return np.concatenate([xy, np.ones((NUM_JOINTS, 1))], 1)


def _match(found, truth):
    """Mean joint error of the decoded person closest to `truth` (px), and joints found."""
    best = min(found, key=lambda k: np.nanmean(np.linalg.norm(k[:, :2] - truth[:, :2], axis=1)))
    seen = best[:, 2] > 0
    return float(np.linalg.norm(best[seen, :2] - truth[seen, :2], axis=1).mean()), int(seen.sum())


@pytest.mark.parametrize("n_people", [1, 2, 3])
def test_known_people_are_recovered(n_people):
    rng = np.random.default_rng(n_people)
    size = 256
    centres = [(70, 128), (150, 120), (215, 135)][:n_people]
    people = np.stack([_person(cx, cy, 28, rng) for cx, cy in centres])
    t = make_targets(people, np.ones(NUM_JOINTS, bool), (size // STRIDE, size // STRIDE), STRIDE)
    found = assemble(t.heat, t.paf, STRIDE)
    assert len(found) == n_people
    for p in people:
        err, n = _match(found, p)
        assert n == NUM_JOINTS
        assert err < 3.0, err  # sub-cell refinement: well under a cell (8 px)


def test_peaks_subcell_position():
    t = make_targets(np.array([[[101.0, 57.0, 1.0]] * NUM_JOINTS]), np.ones(NUM_JOINTS, bool), (32, 32), STRIDE)
    pk = find_peaks(t.heat, 0.1)[0]
    assert len(pk) == 1
    x, y = (pk[0, :2] + 0.5) * STRIDE - 0.5
    assert abs(x - 101) < 1.5 and abs(y - 57) < 1.5


def test_empty_maps_give_nobody():
    heat = np.zeros((18, 32, 32), np.float32)
    heat[17] = 1
    assert assemble(heat, np.zeros((36, 32, 32), np.float32), STRIDE) == []


def test_masked_joints_are_unknown_not_absent():
    rng = np.random.default_rng(0)
    p = _person(128, 128, 28, rng)[None]
    known = np.ones(NUM_JOINTS, bool)
    known[9] = False
    t = make_targets(p, known, (32, 32), STRIDE)
    assert t.heat_w[9] == 0 and t.heat_w[0] == 1
    assert t.paf_w.sum() < t.paf_w.size  # the forearm pair is masked


def test_person_half_out_of_frame_keeps_the_joints_in_view():
    rng = np.random.default_rng(4)
    p = _person(128, 230, 28, rng)  # legs below the bottom edge of a 256 px input
    inside = (p[:, 1] < 255) & (p[:, 1] >= 0)
    p[~inside, 2] = 0  # the estimator's targets only hold joints in the image
    t = make_targets(p[None], np.ones(NUM_JOINTS, bool), (32, 32), STRIDE)
    found = assemble(t.heat, t.paf, STRIDE)
    assert len(found) == 1
    k = found[0]
    assert ((k[:, 2] > 0) == inside).all()  # the visible joints, and nothing invented below
    assert np.linalg.norm(k[inside, :2] - p[inside, :2], axis=1).max() < 4.0


def _one_person_maps(seed=5):
    rng = np.random.default_rng(seed)
    p = _person(128, 128, 28, rng)
    return p, make_targets(p[None], np.ones(NUM_JOINTS, bool), (32, 32), STRIDE)


@pytest.mark.parametrize("relaxed", [True, False])
def test_faint_trunk_fields_still_give_one_person(relaxed):
    """The trained models' fields are faint on some limbs: with the trunk's three links
    (shoulder-hip x2, hip-hip) below the strict bar, the strict pass alone returns the
    upper body and drops the legs (a 6-joint fragment the tracker would follow as someone
    else); the relaxed joining pass makes them one person again."""
    from dataclasses import replace

    from app.core.skeleton import PAF_PAIRS
    from app.inference.paf_decode import DecodeParams

    p, t = _one_person_maps()
    paf = t.paf.copy()
    for k, pair in enumerate(PAF_PAIRS):
        if pair in ((5, 11), (6, 12), (11, 12)):
            paf[2 * k:2 * k + 2] *= 0.04  # below paf_min_dot everywhere, still pointing the right way
    params = DecodeParams() if relaxed else replace(DecodeParams(), merge_min_share=DecodeParams().paf_min_share)
    found = assemble(t.heat, paf, STRIDE, params)
    if relaxed:
        assert len(found) == 1 and (found[0][:, 2] > 0).sum() == NUM_JOINTS
        assert np.linalg.norm(found[0][:, :2] - p[:, :2], axis=1).max() < 4.0
    else:
        assert all((k[11:, 2] == 0).all() for k in found)  # no legs on anyone: they were dropped


def test_partial_duplicate_inside_a_person_is_dropped():
    """Second-best peaks on one body (here a fainter copy of the arms, shifted down to the legs)
    assemble into a partial person inside the real one's box: it is not reported."""
    from dataclasses import replace

    from app.inference.paf_decode import DecodeParams

    p, t = _one_person_maps()
    ghost = p.copy()
    ghost[:, 1] += 56
    ghost[[0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16], 2] = 0  # shoulders, elbows and wrists only
    g = make_targets(ghost[None], np.ones(NUM_JOINTS, bool), (32, 32), STRIDE)
    heat = np.maximum(t.heat, 0.6 * g.heat)
    paf = t.paf + 0.6 * g.paf
    found = assemble(heat, paf, STRIDE)
    assert len(found) == 1 and (found[0][:, 2] > 0).sum() == NUM_JOINTS
    kept = assemble(heat, paf, STRIDE, replace(DecodeParams(), contained=1.01))
    assert len(kept) == 2  # without the rule the ghost is a second person


def _peaks_one_joint_at_a_time(heat, threshold, max_peaks):
    """The decode's first, per-joint and per-peak form: the reference the array form must equal."""
    out = []
    for j in range(NUM_JOINTS):
        m = heat[j]
        p = np.pad(m, 1, constant_values=-np.inf)
        h, w = m.shape
        neigh = [p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]
        ys, xs = np.nonzero((m > threshold) & np.all([m >= n for n in neigh], axis=0))
        if len(ys) > max_peaks:
            keep = np.argsort(-m[ys, xs])[:max_peaks]
            ys, xs = ys[keep], xs[keep]
        peaks = np.zeros((len(ys), 3), np.float32)
        for k, (y, x) in enumerate(zip(ys, xs, strict=True)):
            dx = dy = 0.0
            if 0 < x < w - 1:
                a, b, c = m[y, x - 1], m[y, x], m[y, x + 1]
                den = a - 2 * b + c
                dx = float(np.clip(0.5 * (a - c) / den, -0.5, 0.5)) if den < 0 else 0.0
            if 0 < y < h - 1:
                a, b, c = m[y - 1, x], m[y, x], m[y + 1, x]
                den = a - 2 * b + c
                dy = float(np.clip(0.5 * (a - c) / den, -0.5, 0.5)) if den < 0 else 0.0
            peaks[k] = (x + dx, y + dy, m[y, x])
        out.append(peaks)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_peaks_found_all_joints_at_once_equal_the_per_joint_search(seed):
    """Noisy maps with plateaus, peaks on the border and more peaks than max_peaks."""
    rng = np.random.default_rng(seed)
    heat = rng.random((18, 24, 30)).astype(np.float32) ** 3
    heat[:, 5:7, 5:7] = 0.9  # a plateau: every cell of it is a maximum
    heat[3, 0, 0] = heat[4, -1, 10] = 1.0
    for threshold, most in ((0.08, 12), (0.3, 3), (0.0, 50)):
        got = find_peaks(heat, threshold, most)
        want = _peaks_one_joint_at_a_time(heat, threshold, most)
        assert len(got) == NUM_JOINTS
        for g, w in zip(got, want, strict=True):
            assert g.dtype == np.float32 and np.array_equal(g, w)


def test_limbs_scored_all_pairs_at_once_keep_each_pair_apart():
    """Every pair's candidates, best first, from its own field only: one person's maps give
    each limb exactly one candidate, between peak 0 and peak 0."""
    from app.core.skeleton import PAF_PAIRS
    from app.inference.paf_decode import DecodeParams, score_limbs
    rng = np.random.default_rng(5)
    t = make_targets(_person(128, 128, 28, rng)[None], np.ones(NUM_JOINTS, bool), (32, 32), STRIDE)
    peaks = find_peaks(t.heat, 0.1)
    cands = score_limbs(peaks, t.paf, DecodeParams())
    assert set(cands) == set(range(len(PAF_PAIRS)))
    assert all(len(c) == 1 and c[0][1:3] == (0, 0) and c[0][0] > 0.5 for c in cands.values())
    swapped = t.paf.copy()
    swapped[0:2] *= -1  # the first pair's field points the wrong way: that limb alone is lost
    cands = score_limbs(peaks, swapped, DecodeParams())
    assert cands[0] == [] and all(len(cands[k]) == 1 for k in range(1, len(PAF_PAIRS)))
