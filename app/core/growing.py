"""An append-only numpy array that grows by doubling: a long live test keeps its per-frame
data in a few contiguous blocks instead of one Python object per frame.

Why: a 20-minute test is 36,000 frames; as a list of small arrays it costs ~300 bytes of
Python objects per frame and a full np.stack at every re-assessment, and the churn of
objects of many sizes fragments the heap (resident memory grew ~5 MB/min). Here a frame of
17 x 3 float32 keypoints costs its 204 bytes, and reading the whole track is one slice copy.
"""
from __future__ import annotations

import numpy as np


class GrowingArray:
    """Rows of shape `row` (e.g. (17, 3)) and dtype, appended one at a time. Not thread-safe:
    the owner locks around append and read when two threads share it."""

    def __init__(self, row: tuple[int, ...], dtype=np.float32, capacity: int = 1024) -> None:
        self._data = np.zeros((max(1, capacity), *row), dtype)
        self._n = 0

    def append(self, value) -> None:
        if self._n == len(self._data):
            bigger = np.zeros((2 * len(self._data), *self._data.shape[1:]), self._data.dtype)
            bigger[:self._n] = self._data
            self._data = bigger
        self._data[self._n] = value
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def view(self) -> np.ndarray:
        """The rows so far, (n, *row), WITHOUT copying: valid until the next append."""
        return self._data[:self._n]

    def copy(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows [start, stop) as a new array the caller owns."""
        stop = self._n if stop is None else min(stop, self._n)
        return self._data[max(0, start):stop].copy()

    def last(self) -> np.ndarray:
        if not self._n:
            raise IndexError("the array is empty")
        return self._data[self._n - 1].copy()
