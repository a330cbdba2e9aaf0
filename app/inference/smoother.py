"""The seq2seq smoother through ONNX Runtime, with the One-Euro filter as the fallback.

full(track): every frame the mean of the overlapping windows that hold it (review).
live(track): every frame from the window ending `lookahead` frames later (the live delay;
5 frames = 0.17 s at 30 fps, in the model's metadata). LiveSmoother streams it frame by frame.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from app.core.one_euro import one_euro
from app.core.smoothing import smooth_full, smooth_live
from app.core.types import PoseTrack
from app.inference import session as S

NAME = "seq2seq"


class Smoother:
    def __init__(self, folder: Path | None = None, threads: int | None = None, prefer_gpu: bool = True) -> None:
        self.model = S.load(NAME, folder, threads, prefer_gpu)
        self.window = int(self.model.meta.get("window", 16))
        self.lookahead = int(self.model.meta.get("lookahead", 5))
        self.one_euro_params = json.loads(self.model.meta.get("one_euro", "{}"))

    def windows(self, keypoints: np.ndarray) -> np.ndarray:
        """keypoints (N, L, 17, 3) -> smoothed xy (N, L, 17, 2)."""
        k = np.ascontiguousarray(keypoints, np.float32)
        if k.ndim != 4 or k.shape[1:] != (self.window, 17, 3):
            raise ValueError(f"smoother input must be (N, {self.window}, 17, 3) keypoints, got {k.shape}")
        return S.run(self.model, {"keypoints": k})[0]

    def full(self, track: PoseTrack) -> np.ndarray:
        """-> keypoints (T, 17, 3), x and y smoothed, scores as they were."""
        return smooth_full(track.keypoints, self.windows, self.window)

    def live(self, track: PoseTrack) -> np.ndarray:
        return smooth_live(track.keypoints, self.windows, self.window, self.lookahead)

    def one_euro(self, track: PoseTrack) -> np.ndarray:
        """The baseline with the parameters tuned alongside the model."""
        return one_euro(track.keypoints, track.fps, **self.one_euro_params)


class LiveSmoother:
    """Push one frame, get back the frame `lookahead` frames older, smoothed (None until then)."""

    def __init__(self, smoother: Smoother) -> None:
        self.s = smoother
        self._buf: list[tuple[int, np.ndarray]] = []

    def push(self, index: int, kpts: np.ndarray) -> tuple[int, np.ndarray] | None:
        L, la = self.s.window, self.s.lookahead
        if not self._buf:  # pad the start with the first frame, as smooth_live does
            self._buf = [(index, np.asarray(kpts, np.float32))] * (L - 1 - la)
        self._buf.append((index, np.asarray(kpts, np.float32)))
        self._buf = self._buf[-L:]
        if len(self._buf) < L:
            return None
        w = np.stack([k for _, k in self._buf])
        pos = L - 1 - la
        out = w[pos].copy()
        out[:, :2] = self.s.windows(w[None])[0, pos]
        return self._buf[pos][0], out

    def flush(self) -> list[tuple[int, np.ndarray]]:
        """At the end of a session: the frames still waiting for their look-ahead, each from a
        window padded with the last frame (as smooth_live pads the end). Resets the stream."""
        out = []
        if not self._buf:
            return out
        L, la = self.s.window, self.s.lookahead
        pos = L - 1 - la
        buf = list(self._buf)
        last = buf[-1]
        pending = min(la, len(buf) - 1)  # frames after the window position not yet emitted
        for _ in range(pending):
            buf = (buf + [(-1, last[1])])[-L:]
            w = np.stack([k for _, k in buf])
            k = w[pos].copy()
            k[:, :2] = self.s.windows(w[None])[0, pos]
            out.append((buf[pos][0], k))
        self._buf.clear()
        return out

    def reset(self) -> None:
        self._buf.clear()
