"""The crop pass: a followed person seen through a square crop around them, the whole frame
every FULL_EVERY frames and whenever nobody is followed; joints mapped back to image px."""
import numpy as np
import pytest

from app.core.skeleton import NUM_JOINTS
from app.inference.pose import CROP_FILL, FULL_EVERY, PoseEstimator, crop_around


def _person(cx, cy, half):
    k = np.zeros((NUM_JOINTS, 3), np.float32)
    k[:, 0] = cx + np.linspace(-half / 2, half / 2, NUM_JOINTS)
    k[:, 1] = cy + np.linspace(-half, half, NUM_JOINTS)
    k[:, 2] = 0.9
    return k


def test_a_distant_person_fills_the_crop_and_maps_back_exactly():
    img = np.zeros((720, 1280, 3), np.uint8)
    k = _person(1000, 300, 40)  # 80 px tall in a 1280 px frame
    x, lb = crop_around(img, k, 256)
    assert x.shape == (1, 3, 256, 256)
    inp = k.copy()
    inp[:, 0] = k[:, 0] * lb.scale + lb.pad_x
    inp[:, 1] = k[:, 1] * lb.scale + lb.pad_y
    side = max(np.ptp(inp[:, 0]), np.ptp(inp[:, 1]))
    assert side == pytest.approx(CROP_FILL * 256, rel=1e-3)
    assert np.allclose((inp[:, :2].min(0) + inp[:, :2].max(0)) / 2, 128, atol=1e-3)
    assert np.allclose(lb.to_image(inp)[:, :2], k[:, :2], atol=1e-3)


def test_no_crop_when_the_person_fills_the_frame_or_is_barely_seen():
    img = np.zeros((240, 320, 3), np.uint8)
    assert crop_around(img, _person(160, 120, 110), 256) is None
    faint = _person(100, 100, 20)
    faint[3:, 2] = 0.0
    assert crop_around(img, faint, 256) is None


def test_the_estimator_crops_around_the_followed_person_and_looks_at_the_whole_frame_regularly():
    est = PoseEstimator(recurrent=False, crop=True)  # the shipped model is in the repository
    img = np.full((360, 640, 3), 100, np.uint8)
    est(img)
    assert est.last_pass == "frame"  # nobody followed yet
    est.follow(_person(500, 150, 30))
    passes = []
    for _ in range(2 * FULL_EVERY):
        est(img)
        passes.append(est.last_pass)
    assert passes.count("frame") == 2 and passes[:FULL_EVERY - 1] == ["crop"] * (FULL_EVERY - 1)
    est.follow(None)
    est(img)
    assert est.last_pass == "frame"
    est.follow(_person(500, 150, 30))
    est.reset()  # a cut: forget whom we followed
    est(img)
    assert est.last_pass == "frame"
    with pytest.raises(ValueError, match="colour image"):
        est(np.zeros((1, 1), np.uint8))
    assert not PoseEstimator(recurrent=False, crop=False).crop
    assert not PoseEstimator(recurrent=False).crop  # off unless asked for: it measured worse (pose.py)


def test_the_pose_loop_tells_the_estimator_whom_to_follow():
    from app.pipeline.pose_loop import pose_steps

    class Fake:
        def __init__(self):
            self.followed = []

        def __call__(self, img):
            return [_person(300, 200, 60)]

        def follow(self, k):
            self.followed.append(None if k is None else k.copy())

    fake = Fake()
    frames = [(i, np.zeros((480, 640, 3), np.uint8)) for i in range(3)]
    steps = list(pose_steps(iter(frames), fake, (640, 480)))
    assert len(steps) == 3 and all(f is not None for f in fake.followed)
    assert np.allclose(fake.followed[-1][:, :2], _person(300, 200, 60)[:, :2])



def test_the_refine_pass_reads_the_subject_twice_and_blends_the_reads():
    """The whole frame, then a crop placed from this frame's read (never from an earlier crop);
    a joint both reads see is their score-weighted mean, one only the crop sees is taken."""
    from app.inference.pose import REFINE_WEIGHT, merge_reads
    whole = _person(500, 150, 30)
    crop = whole.copy()
    crop[:, 0] += 4.0
    whole[5, 2] = 0.0  # unseen in the whole frame, seen on the crop
    crop[6, 2] = 0.0   # and the other way round
    m = merge_reads(whole, crop)
    w = REFINE_WEIGHT / (1 + REFINE_WEIGHT)
    assert np.allclose(m[0, 0], whole[0, 0] + 4.0 * w) and m[0, 2] == pytest.approx(0.9)
    assert np.allclose(m[5], crop[5]) and np.allclose(m[6], whole[6])
    est = PoseEstimator(recurrent=False, refine=True)
    calls = []
    est._people = lambda x, lb: calls.append(x.shape) or [_person(500, 150, 30)]
    out = est(np.full((360, 640, 3), 100, np.uint8))
    assert len(calls) == 2 and est.last_pass == "refined" and len(out) == 1
    assert not PoseEstimator(recurrent=False).refine  # off unless asked for (pose.py says why)
