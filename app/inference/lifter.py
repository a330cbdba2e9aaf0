"""The 3D lifter through ONNX Runtime: 2D keypoints -> 3D joints (metres, camera axes, pelvis at 0).

Review uses lifter_<exercise> (symmetric 27-frame receptive field; per-action or all-action
training, whichever measured better for that exercise — see its card); live uses
lifter_causal (each frame from itself and the 26 before). A track's ends are padded by
repeating the end frames, so every frame gets a pose.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.types import EXERCISES, PoseTrack
from app.core.windows import padded_indices
from app.inference import session as S


class Lifter3D:
    def __init__(self, exercise: str | None = None, causal: bool = False, folder: Path | None = None,
                 threads: int | None = None, prefer_gpu: bool = True) -> None:
        if not causal and exercise not in EXERCISES:
            raise ValueError(f"the review lifter needs an exercise in {EXERCISES}, got {exercise!r}")
        self.model = S.load("lifter_causal" if causal else f"lifter_{exercise}", folder, threads, prefer_gpu)
        self.rf = int(self.model.meta.get("receptive_field", 27))
        self.causal = bool(int(self.model.meta.get("causal", int(causal))))

    def lift(self, keypoints: np.ndarray) -> np.ndarray:
        """keypoints (T, 17, 3) px + score -> joints (T, 17, 3) m."""
        k = np.asarray(keypoints, np.float32)
        if k.ndim != 3 or k.shape[1:] != (17, 3) or not len(k):
            raise ValueError(f"lifter input must be (T >= 1, 17, 3) keypoints, got {k.shape}")
        before, after = (self.rf - 1, 0) if self.causal else (self.rf // 2, self.rf // 2)
        x = np.ascontiguousarray(k[padded_indices(len(k), before, after)][None])
        return S.run(self.model, {"keypoints": x})[0][0]

    def track(self, track: PoseTrack) -> np.ndarray:
        return self.lift(track.keypoints)

    def last(self, window: np.ndarray) -> np.ndarray:
        """Live step: the causal model over exactly its receptive field (rf, 17, 3) -> the
        newest frame's joints (17, 3)."""
        w = np.ascontiguousarray(window, np.float32)
        if not self.causal or w.shape != (self.rf, 17, 3):
            raise ValueError(f"live lifting needs the causal model and ({self.rf}, 17, 3) keypoints, got "
                             f"{'a symmetric model' if not self.causal else w.shape}")
        return S.run(self.model, {"keypoints": w[None]})[0][0, -1]
