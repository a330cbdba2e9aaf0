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
