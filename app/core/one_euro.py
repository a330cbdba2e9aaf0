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


class OneEuro:
    """The filter frame by frame (a live track, or the crop path's reads): call it with each
    frame's joints (J, 2) and which of them were found (J,) bool -> the filtered (J, 2). Joints
    not found keep their last estimate and are returned as given; `reset()` forgets the past
    (another person, a cut)."""

    def __init__(self, dt: float, min_cutoff: float = 1.0, beta: float = 0.01, d_cutoff: float = 1.0) -> None:
        if dt <= 0:
            raise ValueError(f"the time between frames must be positive, got {dt}")
        self.dt, self.min_cutoff, self.beta = dt, min_cutoff, beta
        self.a_d = _alpha(d_cutoff, dt)
        self.reset()

    def reset(self) -> None:
        self.x_prev: np.ndarray | None = None
        self.dx_prev: np.ndarray | None = None
        self.seen: np.ndarray | None = None

    def __call__(self, x: np.ndarray, ok: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64)
        if self.x_prev is None:  # the first frame: taken as it is
            self.x_prev, self.dx_prev, self.seen = x.copy(), np.zeros_like(x), ok.copy()
            return x
        first = ok & ~self.seen
        dx = (x - self.x_prev) / self.dt
        dx_hat = self.a_d * dx + (1 - self.a_d) * self.dx_prev
        a = _alpha(self.min_cutoff + self.beta * np.abs(dx_hat), self.dt)
        x_hat = a * x + (1 - a) * self.x_prev
        x_hat[first] = x[first]          # a joint seen for the first time starts where it is
        dx_hat[first] = 0.0
        upd = ok[:, None]
        self.x_prev = np.where(upd, x_hat, self.x_prev)
        self.dx_prev = np.where(upd, dx_hat, self.dx_prev)
        self.seen |= ok
        return np.where(upd, x_hat, x)


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
    f = OneEuro(1.0 / fps, min_cutoff, beta, d_cutoff)
    for t in range(len(k)):
        out[t, :, :2] = f(k[t, :, :2], k[t, :, 2] > min_score)
    return out
