"""The One-Euro filter (Casiez et al., CHI 2012) over keypoint tracks: the smoother's baseline.

Per coordinate, a low-pass whose cutoff rises with the speed: f_c = min_cutoff + beta x |dx/dt|,
so a still joint is smoothed hard and a fast one follows with little lag. Causal (no
look-ahead); joints with score <= min_score are not fed and keep their last estimate.
"""
from __future__ import annotations

import numpy as np


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
    tau = 1.0 / (2 * np.pi * np.asarray(cutoff))
    return 1.0 / (1.0 + tau / dt)


def one_euro(kpts: np.ndarray, fps: float, min_cutoff: float = 1.0, beta: float = 0.01, d_cutoff: float = 1.0,
             min_score: float = 0.05) -> np.ndarray:
    """kpts (T, J, 3) x, y, score -> float32 (T, J, 3), x and y filtered, scores unchanged.

    beta is per pixel per second of speed: scale-dependent, tune it on the data at hand."""
    k = np.asarray(kpts, np.float32)
    if k.ndim != 3 or k.shape[-1] != 3:
        raise ValueError(f"one_euro expects (T, J, 3) keypoints, got {k.shape}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    out = k.copy()
    if not len(k):
        return out
    dt = 1.0 / fps
    x_prev = k[0, :, :2].astype(np.float64)
    dx_prev = np.zeros_like(x_prev)
    seen = k[0, :, 2] > min_score
    a_d = _alpha(d_cutoff, dt)
    for t in range(1, len(k)):
        x = k[t, :, :2].astype(np.float64)
        ok = k[t, :, 2] > min_score
        first = ok & ~seen
        dx = (x - x_prev) / dt
        dx_hat = a_d * dx + (1 - a_d) * dx_prev
        a = _alpha(min_cutoff + beta * np.abs(dx_hat), dt)
        x_hat = a * x + (1 - a) * x_prev
        x_hat[first] = x[first]          # a joint seen for the first time starts where it is
        dx_hat[first] = 0.0
        upd = ok[:, None]
        x_prev = np.where(upd, x_hat, x_prev)
        dx_prev = np.where(upd, dx_hat, dx_prev)
        out[t, :, :2] = np.where(upd, x_hat, k[t, :, :2])
        seen |= ok
    return out
