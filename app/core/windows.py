"""Rolling fixed-length windows over a pose track (the classifier's input unit)."""
from __future__ import annotations

import numpy as np

WINDOW_LEN = 10  # frames, as in lstm-attention-sports-pose.txt


def sliding_windows(kpts: np.ndarray, length: int = WINDOW_LEN, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """All full windows of a track.

    kpts (T, 17, 3) -> (starts int64 (N,), windows float32 (N, length, 17, 3)), N = 0 when
    T < length. The windows are a strided view copied once, so the input is untouched.
    """
    kpts = np.asarray(kpts, dtype=np.float32)
    if length < 1 or stride < 1:
        raise ValueError(f"window length and stride must be >= 1, got {length}, {stride}")
    t = kpts.shape[0]
    if t < length:
        return np.zeros(0, np.int64), np.zeros((0, length) + kpts.shape[1:], np.float32)
    starts = np.arange(0, t - length + 1, stride, dtype=np.int64)
    idx = starts[:, None] + np.arange(length)[None, :]
    return starts, kpts[idx]


class RollingWindow:
    """Live counterpart of sliding_windows: push one frame, get a window once full."""

    def __init__(self, length: int = WINDOW_LEN) -> None:
        self.length = length
        self._buf: list[tuple[int, np.ndarray]] = []

    def push(self, index: int, kpts: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Add frame `index`; returns (indices (L,), kpts (L, 17, 3)) when full, else None."""
        self._buf.append((index, np.asarray(kpts, np.float32)))
        if len(self._buf) > self.length:
            self._buf.pop(0)
        if len(self._buf) < self.length:
            return None
        return (np.array([i for i, _ in self._buf], np.int64), np.stack([k for _, k in self._buf]))

    def reset(self) -> None:
        self._buf.clear()


def padded_indices(frames: int, before: int, after: int) -> np.ndarray:
    """Frame indices int64 (before + frames + after,) with the ends repeated: how a valid
    temporal convolution over `frames` frames gets one output per frame (edge padding)."""
    if frames < 1:
        raise ValueError(f"need at least one frame, got {frames}")
    return np.clip(np.arange(-before, frames + after), 0, frames - 1).astype(np.int64)
