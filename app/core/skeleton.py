"""The COCO-17 skeleton: one definition for the app, the tests and training/.

Joint order is COCO's (and MoveNet's): nose, eyes, ears, shoulders, elbows, wrists, hips,
knees, ankles, left before right. Neck and pelvis are not COCO joints; they are derived as
midpoints of the shoulders and hips, with the lower of the two scores (a derived point is
only as trustworthy as its weaker parent).
"""
from __future__ import annotations

from enum import IntEnum

import numpy as np

NUM_JOINTS = 17


class Joint(IntEnum):
    NOSE = 0
    L_EYE = 1
    R_EYE = 2
    L_EAR = 3
    R_EAR = 4
    L_SHOULDER = 5
    R_SHOULDER = 6
    L_ELBOW = 7
    R_ELBOW = 8
    L_WRIST = 9
    R_WRIST = 10
    L_HIP = 11
    R_HIP = 12
    L_KNEE = 13
    R_KNEE = 14
    L_ANKLE = 15
    R_ANKLE = 16


J = Joint
JOINT_NAMES: tuple[str, ...] = tuple(j.name.lower() for j in Joint)

# Bones drawn by the overlay (COCO's own 19-edge skeleton, 0-based).
LIMBS: tuple[tuple[int, int], ...] = (
    (J.L_ANKLE, J.L_KNEE), (J.L_KNEE, J.L_HIP), (J.R_ANKLE, J.R_KNEE), (J.R_KNEE, J.R_HIP),
    (J.L_HIP, J.R_HIP), (J.L_SHOULDER, J.L_HIP), (J.R_SHOULDER, J.R_HIP),
    (J.L_SHOULDER, J.R_SHOULDER), (J.L_SHOULDER, J.L_ELBOW), (J.R_SHOULDER, J.R_ELBOW),
    (J.L_ELBOW, J.L_WRIST), (J.R_ELBOW, J.R_WRIST), (J.L_EYE, J.R_EYE), (J.NOSE, J.L_EYE),
    (J.NOSE, J.R_EYE), (J.L_EYE, J.L_EAR), (J.R_EYE, J.R_EAR), (J.L_EAR, J.L_SHOULDER),
    (J.R_EAR, J.R_SHOULDER),
)

# Limb pairs for the Part Affinity Field model. The first PAF_TREE_SIZE pairs form a
# spanning tree rooted at the nose, which greedy multi-person assembly walks in order
# (parents before children); the last two are redundant cross links that help separate
# people standing close together.
PAF_PAIRS: tuple[tuple[int, int], ...] = (
    (J.NOSE, J.L_SHOULDER), (J.NOSE, J.R_SHOULDER),
    (J.NOSE, J.L_EYE), (J.NOSE, J.R_EYE), (J.L_EYE, J.L_EAR), (J.R_EYE, J.R_EAR),
    (J.L_SHOULDER, J.L_ELBOW), (J.L_ELBOW, J.L_WRIST),
    (J.R_SHOULDER, J.R_ELBOW), (J.R_ELBOW, J.R_WRIST),
    (J.L_SHOULDER, J.L_HIP), (J.L_HIP, J.L_KNEE), (J.L_KNEE, J.L_ANKLE),
    (J.R_SHOULDER, J.R_HIP), (J.R_HIP, J.R_KNEE), (J.R_KNEE, J.R_ANKLE),
    (J.L_SHOULDER, J.R_SHOULDER), (J.L_HIP, J.R_HIP),
)
PAF_TREE_SIZE = 16

# Index map for a horizontal flip: keypoints[:, FLIP] swaps left and right.
FLIP: tuple[int, ...] = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)

LEFT: tuple[int, ...] = tuple(j for j in Joint if j.name.startswith("L_"))
RIGHT: tuple[int, ...] = tuple(FLIP[j] for j in LEFT)

# MediaPipe BlazePose-33 index of each COCO-17 joint (see ../shared/data/README.md).
MEDIAPIPE33_TO_COCO17: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)


def _midpoint(kpts: np.ndarray, a: int, b: int) -> np.ndarray:
    out = (kpts[..., a, :] + kpts[..., b, :]) / 2.0
    if kpts.shape[-1] == 3:
        out[..., 2] = np.minimum(kpts[..., a, 2], kpts[..., b, 2])
    return out


def neck(kpts: np.ndarray) -> np.ndarray:
    """Shoulder midpoint. kpts (..., 17, 3) x, y, score -> (..., 3) with the lower score."""
    return _midpoint(kpts, J.L_SHOULDER, J.R_SHOULDER)


def pelvis(kpts: np.ndarray) -> np.ndarray:
    """Hip midpoint. kpts (..., 17, 3) -> (..., 3) with the lower score."""
    return _midpoint(kpts, J.L_HIP, J.R_HIP)


def flip_keypoints(kpts: np.ndarray, width: float) -> np.ndarray:
    """Mirror keypoints (..., 17, 3) horizontally in an image `width` pixels wide."""
    out = kpts[..., FLIP, :].copy()
    out[..., 0] = (width - 1) - out[..., 0]
    return out


def from_mediapipe33(mp: np.ndarray) -> np.ndarray:
    """BlazePose-33 (..., 33, C>=2) -> COCO-17 (..., 17, C) by MEDIAPIPE33_TO_COCO17."""
    if mp.shape[-2] != 33:
        raise ValueError(f"expected 33 MediaPipe joints on axis -2, got shape {mp.shape}")
    return mp[..., MEDIAPIPE33_TO_COCO17, :]
