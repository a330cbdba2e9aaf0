import dataclasses

import numpy as np
import pytest

from app.core.features import FEATURE_DIM, frame_features
from app.core.geometry import joint_angle, normalise, trunk_angle
from app.core.skeleton import (
    FLIP,
    JOINT_NAMES,
    LIMBS,
    PAF_PAIRS,
    PAF_TREE_SIZE,
    J,
    flip_keypoints,
    from_mediapipe33,
    neck,
)
from app.core.types import Pose2D
from app.core.windows import RollingWindow, sliding_windows


def test_flip_is_an_involution_and_swaps_sides():
    assert [FLIP[FLIP[i]] for i in range(17)] == list(range(17))
    for i, name in enumerate(JOINT_NAMES):
        other = JOINT_NAMES[FLIP[i]]
        assert other == name.replace("l_", "r_") if name.startswith("l_") else other == name.replace("r_", "l_")


def test_flip_keypoints_mirrors_x():
    k = np.random.default_rng(0).uniform(0, 100, (17, 3)).astype(np.float32)
    f = flip_keypoints(k, 101)
    assert np.allclose(f[J.R_WRIST, 0], 100 - k[J.L_WRIST, 0])
    assert np.allclose(flip_keypoints(f, 101), k)


def test_paf_tree_spans_all_joints():
    seen = {J.NOSE}
    for a, b in PAF_PAIRS[:PAF_TREE_SIZE]:
        assert a in seen, "tree edges must list parents before children"
        seen.add(b)
    assert seen == set(range(17))
    assert all(0 <= a < 17 and 0 <= b < 17 for a, b in LIMBS)


def test_derived_neck_takes_lower_score():
    k = np.zeros((17, 3), np.float32)
    k[J.L_SHOULDER] = (10, 20, 0.9)
    k[J.R_SHOULDER] = (30, 40, 0.2)
    assert np.allclose(neck(k), (20, 30, 0.2))


def test_mediapipe_mapping_picks_coco_joints():
    mp = np.arange(33 * 2, dtype=float).reshape(33, 2)
    coco = from_mediapipe33(mp)
    assert coco.shape == (17, 2) and coco[J.L_HIP, 0] == mp[23, 0]
    with pytest.raises(ValueError, match="33"):
        from_mediapipe33(np.zeros((17, 2)))


def test_joint_angle_and_trunk_angle():
    assert np.isclose(joint_angle(np.array([0, 1.0]), np.array([0, 0.0]), np.array([1.0, 0])), 90)
    assert np.isclose(joint_angle(np.array([-1, 0.0]), np.array([0, 0.0]), np.array([1.0, 0])), 180)
    k = np.zeros((17, 3))
    k[[J.L_HIP, J.R_HIP], :2] = (100, 200)
    k[[J.L_SHOULDER, J.R_SHOULDER], :2] = (100, 100)  # neck straight above the pelvis (y down)
    assert np.isclose(trunk_angle(k), 90)
    k[[J.L_SHOULDER, J.R_SHOULDER], :2] = (0, 200)
    assert np.isclose(trunk_angle(k), 0)


def test_normalise_centres_and_scales():
    k = np.random.default_rng(1).uniform(0, 500, (5, 17, 3)).astype(np.float32)
    n = normalise(k)
    pel = (n[:, J.L_HIP, :2] + n[:, J.R_HIP, :2]) / 2
    nk = (n[:, J.L_SHOULDER, :2] + n[:, J.R_SHOULDER, :2]) / 2
    assert np.allclose(pel, 0, atol=1e-4)
    assert np.allclose(np.linalg.norm(nk - pel, axis=1), 1, atol=1e-4)


def test_frame_features_layout():
    k = np.zeros((2, 17, 3), np.float32)
    k[:, 3] = (64, 48, 0.5)
    f = frame_features(k, (640, 480))
    assert f.shape == (2, FEATURE_DIM) and FEATURE_DIM == 68
    assert np.allclose(f[0, 12:16], (3 / 16, 0.1, 0.1, 0.5))
    with pytest.raises(ValueError):
        frame_features(np.zeros((17, 2)), (640, 480))


def test_windows_batch_and_live_agree():
    k = np.random.default_rng(2).normal(size=(25, 17, 3)).astype(np.float32)
    starts, w = sliding_windows(k)
    assert w.shape == (16, 10, 17, 3) and starts[-1] == 15
    rw = RollingWindow()
    live = [rw.push(i, k[i]) for i in range(25)]
    assert live[8] is None and np.allclose(live[24][1], w[-1])
    assert sliding_windows(k[:5])[1].shape[0] == 0


def test_types_are_frozen_and_readonly():
    p = Pose2D(0, 0.0, np.zeros((17, 3)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.index = 2
    with pytest.raises(ValueError):
        p.kpts[0, 0] = 1
    with pytest.raises(ValueError, match="17, 3"):
        Pose2D(0, 0.0, np.zeros((16, 3)))
