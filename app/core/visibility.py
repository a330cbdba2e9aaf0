"""When a joint counts as seen: one rule for the engine, the tracker, the overlay and the
models' inputs.

A keypoint's third value is the pose model's score. Below SEEN_SCORE the joint is treated as
not found: the rules do not measure it, the overlay does not draw it, the tracker does not
match on it. One threshold, because five slightly different ones (0, 0.05, 0.2, 0.3 and
"> 0.3") meant a joint could be drawn on screen that the rules said was never seen.
"""
from __future__ import annotations

import numpy as np

SEEN_SCORE: float = 0.3


def visible(kpts: np.ndarray, min_score: float = SEEN_SCORE) -> np.ndarray:
    """kpts (..., 17, 3) x, y, score -> bool (..., 17): the joints seen (score >= min_score).

    min_score: the admin's rule threshold (Thresholds.min_score) where one is set; the
    default everywhere else."""
    return np.asarray(kpts)[..., 2] >= min_score
