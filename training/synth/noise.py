"""A noise model that makes clean projected keypoints look like a real 2D estimator's output.

Jitter (temporally correlated), per-joint dropouts with low scores, left/right swaps,
single-frame outliers, weaker and noisier far-side limbs in side views, and joints outside
the image scored zero. `level` scales every effect; level 0 returns the clean track with
confident scores.
"""
from __future__ import annotations

import numpy as np

from app.core.skeleton import FLIP, LEFT, NUM_JOINTS

# Groups that a real estimator swaps together (whole limbs, or a single joint pair).
SWAP_GROUPS: tuple[tuple[int, ...], ...] = ((7, 9), (8, 10), (13, 15), (14, 16), (9,), (15,), (5, 7, 9), (11, 13, 15))


def apply_noise(rng: np.random.Generator, xy: np.ndarray, depth: np.ndarray, size: tuple[int, int],
                fps: float, level: float = 1.0, side_view: bool = False) -> np.ndarray:
    """xy (T, 17, 2) px, depth (T, 17) m -> keypoints float32 (T, 17, 3) = x, y, score."""
    T = xy.shape[0]
    out = np.empty((T, NUM_JOINTS, 3), np.float32)
    out[..., :2] = xy
    scale = float(np.median(np.ptp(xy[..., 1], axis=1) + np.ptp(xy[..., 0], axis=1)) / 2 + 1.0)
    base = rng.uniform(0.7, 0.95, NUM_JOINTS)
    score = np.clip(base[None] + rng.normal(0, 0.04, (T, NUM_JOINTS)), 0.3, 1.0)
    if level > 0:
        sigma = rng.uniform(0.004, 0.012) * scale * level
        jit = rng.normal(0, sigma, (T, NUM_JOINTS, 2))
        for t in range(1, T):  # AR(1): estimator jitter is correlated frame to frame
            jit[t] = 0.55 * jit[t - 1] + 0.835 * jit[t]
        if side_view:
            # per frame, the farther of each left/right pair is partly hidden by the body
            left = np.array(LEFT)
            right = np.array([FLIP[j] for j in LEFT])
            far_l = depth[:, left] > depth[:, right] + 0.08
            far_r = depth[:, right] > depth[:, left] + 0.08
            far = np.zeros((T, NUM_JOINTS), bool)
            far[:, left] = far_l
            far[:, right] = far_r
            score = np.where(far, score * rng.uniform(0.35, 0.7), score)
            jit = jit * np.where(far, 2.5, 1.0)[..., None]
        out[..., :2] += jit
        seconds = T / fps
        # dropouts: a joint is lost for a few frames, its score collapses and it drifts
        for _ in range(rng.poisson(0.25 * level * seconds * NUM_JOINTS / 4)):
            j = rng.integers(NUM_JOINTS)
            t0 = rng.integers(T)
            t1 = min(T, t0 + rng.integers(2, 12))
            score[t0:t1, j] = rng.uniform(0.02, 0.25, t1 - t0)
            out[t0:t1, j, :2] += rng.normal(0, 0.15 * scale, 2)
        # left/right swaps of a limb for a few frames
        for _ in range(rng.poisson(0.08 * level * seconds)):
            g = np.array(SWAP_GROUPS[rng.integers(len(SWAP_GROUPS))])
            t0 = rng.integers(T)
            t1 = min(T, t0 + rng.integers(1, 6))
            fl = np.array([FLIP[j] for j in g])
            a = out[t0:t1, g].copy()
            out[t0:t1, g] = out[t0:t1, fl]
            out[t0:t1, fl] = a
        # single-frame outliers with middling scores
        for _ in range(rng.poisson(0.04 * level * T / 4)):
            t, j = rng.integers(T), rng.integers(NUM_JOINTS)
            out[t, j, :2] += rng.normal(0, 0.35 * scale, 2)
            score[t, j] = rng.uniform(0.2, 0.55)
    w, h = size
    off = (out[..., 0] < 0) | (out[..., 0] > w - 1) | (out[..., 1] < 0) | (out[..., 1] > h - 1)
    score = np.where(off, rng.uniform(0.0, 0.05, score.shape), score)
    out[..., 0] = np.clip(out[..., 0], 0, w - 1)
    out[..., 1] = np.clip(out[..., 1], 0, h - 1)
    out[..., 2] = score
    return out
