"""The per-frame feature vector of the LSTM-attention paper (lstm-attention-sports-pose.txt).

Each frame becomes 17 joints x (joint id, x / image width, y / image height, confidence)
= 68 values, joint-major: [id0, x0, y0, c0, id1, x1, ...]. The joint id is stored as
id / 16 so every feature lies in [0, 1] for on-image joints. This is the single definition
used by the app's classifier adapter and by training/.
"""
from __future__ import annotations

import numpy as np

from app.core.skeleton import NUM_JOINTS

FEATURES_PER_JOINT = 4
FEATURE_DIM = NUM_JOINTS * FEATURES_PER_JOINT  # 68
_JOINT_IDS = (np.arange(NUM_JOINTS, dtype=np.float32) / (NUM_JOINTS - 1))


def frame_features(kpts: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """kpts (..., 17, 3) in pixels, size = (width, height) -> float32 (..., 68)."""
    kpts = np.asarray(kpts, dtype=np.float32)
    if kpts.shape[-2:] != (NUM_JOINTS, 3):
        raise ValueError(f"frame_features expects (..., 17, 3) keypoints, got {kpts.shape}")
    w, h = float(size[0]), float(size[1])
    if w <= 0 or h <= 0:
        raise ValueError(f"image size must be positive, got {size}")
    out = np.empty(kpts.shape[:-1] + (FEATURES_PER_JOINT,), dtype=np.float32)
    out[..., 0] = _JOINT_IDS
    out[..., 1] = kpts[..., 0] / w
    out[..., 2] = kpts[..., 1] / h
    out[..., 3] = kpts[..., 2]
    return out.reshape(kpts.shape[:-2] + (FEATURE_DIM,))
