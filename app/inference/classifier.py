"""The LSTM-attention classifier through ONNX Runtime: windows -> P(standard), attention.

Per rep, P(standard) is the mean over the 10-frame windows lying inside the rep (the unit
the model was trained on: every window of a rep carries the rep's label), and the
attention shown is the mean of those windows' weights. A rep shorter than a window gets
None, and so does every rep when the model is missing (the rules still judge).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.features import FEATURE_DIM, frame_features
from app.core.types import EXERCISES, VIEWS, PoseTrack
from app.core.windows import WINDOW_LEN, sliding_windows
from app.inference import session as S

NAME = "lstm_attention"


@dataclass(frozen=True, slots=True)
class RepProbability:
    """p_standard in [0, 1]; attention float32 (L,) mean over the rep's windows; windows: how many."""

    p_standard: float
    attention: np.ndarray
    windows: int


class RepClassifier:
    def __init__(self, folder: Path | None = None, threads: int | None = None, prefer_gpu: bool = True) -> None:
        self.model = S.load(NAME, folder, threads, prefer_gpu)
        self.window = int(self.model.meta.get("window_len", WINDOW_LEN))
        self.categories = self.model.meta.get("categories", "").split(";")

    def category(self, exercise: str, view: str) -> int:
        name = f"{exercise}-{view}"
        if name not in self.categories:
            raise ValueError(f"{self.model.path}: no category {name!r} (has {', '.join(self.categories)}); "
                             f"exercise must be one of {EXERCISES} and view one of {VIEWS}")
        return self.categories.index(name)

    def windows(self, features: np.ndarray, category: int) -> tuple[np.ndarray, np.ndarray]:
        """features float32 (N, L, 68) -> P(standard) (N,), attention (N, L)."""
        f = np.ascontiguousarray(features, np.float32)
        if f.ndim != 3 or f.shape[1:] != (self.window, FEATURE_DIM):
            raise ValueError(f"classifier input must be (N, {self.window}, {FEATURE_DIM}) features, got {f.shape}")
        if not len(f):
            return np.zeros(0, np.float32), np.zeros((0, self.window), np.float32)
        p, att = S.run(self.model, {"features": f, "category": np.full(len(f), category, np.int64)})
        return p, att

    def per_rep(self, track: PoseTrack, spans: list[tuple[int, int]], exercise: str, view: str,
                stride: int = 1) -> list[RepProbability | None]:
        """spans: each rep's [start, end] frames (inclusive) -> one RepProbability or None per rep."""
        cat = self.category(exercise, view)
        out: list[RepProbability | None] = []
        for s, e in spans:
            _, w = sliding_windows(track.keypoints[max(0, s):e + 1], self.window, stride)
            if not len(w):
                out.append(None)
                continue
            p, att = self.windows(frame_features(w, track.size), cat)
            out.append(RepProbability(float(p.mean()), att.mean(0).astype(np.float32), len(p)))
        return out
