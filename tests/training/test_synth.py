import numpy as np
import pytest

from training.synth import FAULTS, make_clip


def test_deterministic_from_seed():
    a, b = make_clip(5, "pullup", "side"), make_clip(5, "pullup", "side")
    assert np.array_equal(a.keypoints, b.keypoints) and a.reps == b.reps
    assert not np.array_equal(a.keypoints, make_clip(6, "pullup", "side").keypoints)


@pytest.mark.parametrize("exercise", list(FAULTS))
def test_clip_ground_truth_is_consistent(exercise):
    c = make_clip(1, exercise, "side", n_reps=5, fault_rate=0.5)
    T = c.keypoints.shape[0]
    assert c.joints3d.shape == (T, 17, 3) and c.clean.shape == (T, 17, 3) and c.phase.shape == (T,)
    assert len(c.reps) == 5
    for r in c.reps:
        assert 0 <= r.start < r.peak < r.end < T
        assert set(r.faults) <= set(FAULTS[exercise])
        assert set(np.unique(c.phase[r.start:r.end + 1])) <= {3, 4}  # away / return
    assert (c.keypoints[..., 2] >= 0).all() and (c.keypoints[..., 2] <= 1).all()
    assert (exercise == "pullup") == (c.bar_y is not None)


def test_forced_faults_and_no_rep_kinds():
    c = make_clip(2, "situp", "side", n_reps=4, fault_rate=1.0, faults=("hips_lifted",))
    assert all(r.faults == ("hips_lifted",) for r in c.reps)
    for kind in ("idle", "positioning", "resting"):
        assert make_clip(2, "pushup", "front", kind).reps == ()
    with pytest.raises(ValueError, match="unknown pushup faults"):
        make_clip(0, "pushup", faults=("kipping",))


def test_noise_model_degrades_but_keeps_shape():
    clean = make_clip(3, "pushup", "side", noise=0.0)
    noisy = make_clip(3, "pushup", "side", noise=1.0)
    assert np.allclose(clean.joints3d, noisy.joints3d)
    err = np.linalg.norm(noisy.keypoints[..., :2] - noisy.clean[..., :2], axis=-1)
    assert np.median(err) > 0.5 and (noisy.keypoints[..., 2] < 0.3).any()
