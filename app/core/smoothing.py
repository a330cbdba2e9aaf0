"""How a window smoother covers a whole track: the two modes of the seq2seq smoother.

full  (review): windows of L frames every `stride` frames, the track's ends padded by
      repeating the end frames; each frame's estimate is the mean over every window that
      holds it (the seed paper's overlapping sequences).
live: each frame t comes from the window [t - (L-1-lookahead), t + lookahead], so it is
      known `lookahead` frames after it was seen; the start is padded with the first frame
      (and, when a session stops, the end with the last).
Both take `fn`: windows float32 (N, L, 17, 3) -> xy float32 (N, L, 17, 2), so the app
(ONNX) and training (torch) share the arithmetic. Scores pass through unchanged.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

WindowFn = Callable[[np.ndarray], np.ndarray]


def _gather(k: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return k[np.clip(idx, 0, len(k) - 1)]


def smooth_full(kpts: np.ndarray, fn: WindowFn, length: int, stride: int = 4, batch: int = 256) -> np.ndarray:
    """kpts (T, 17, 3) -> (T, 17, 3) with x, y the mean of the overlapping windows' estimates."""
    k = np.asarray(kpts, np.float32)
    T = len(k)
    if T == 0:
        return k.copy()
    last = max(0, T - length)
    starts = np.unique(np.append(np.arange(0, last + 1, stride), last))
    idx = starts[:, None] + np.arange(length)[None]
    acc = np.zeros((T, k.shape[1], 2), np.float64)
    n = np.zeros(T)
    for b in range(0, len(idx), batch):
        ii = idx[b:b + batch]
        y = fn(_gather(k, ii))
        for row, w in zip(ii, y, strict=True):
            keep = row < T
            np.add.at(acc, row[keep], w[keep])
            np.add.at(n, row[keep], 1)
    out = k.copy()
    out[..., :2] = acc / n[:, None, None]
    return out


def smooth_live(kpts: np.ndarray, fn: WindowFn, length: int, lookahead: int, batch: int = 256) -> np.ndarray:
    """kpts (T, 17, 3) -> (T, 17, 3): frame t from the window ending at t + lookahead."""
    if not 0 <= lookahead < length:
        raise ValueError(f"lookahead must be in [0, {length - 1}], got {lookahead}")
    k = np.asarray(kpts, np.float32)
    T = len(k)
    out = k.copy()
    pos = length - 1 - lookahead
    for b in range(0, T, batch):
        t = np.arange(b, min(T, b + batch))
        idx = t[:, None] - pos + np.arange(length)[None]
        out[t, :, :2] = fn(_gather(k, idx))[:, pos]
    return out
