"""Exercise and view recognition through ONNX Runtime (the pose-attention network).

A track is cut into the model's windows (30 frames, every 15), each window scored over
the six exercise x view classes and idle, and app.core.recognition.guess turns the
windows into one guess with its confidence. `--exercise auto` and the GUI's auto mode use it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.recognition import CLASSES, ExerciseGuess, guess
from app.core.types import PoseTrack
from app.core.windows import sliding_windows
from app.inference import session as S

CHUNK_WINDOWS = 64  # windows per model call in recognise(): ~1000 frames at stride 15

NAME = "pose_attention"


class ExerciseRecogniser:
    def __init__(self, folder: Path | None = None, threads: int | None = None, prefer_gpu: bool = True) -> None:
        self.model = S.load(NAME, folder, threads, prefer_gpu)
        self.window = int(self.model.meta.get("window", 30))
        classes = tuple(self.model.meta.get("classes", "").split(";"))
        if classes != CLASSES:
            raise S.ModelError(f"{self.model.path}: classes {classes} differ from the app's {CLASSES}; rebuild with "
                               f"`{self.model.card.get('command', 'python -m training export recogniser')}`")

    def windows(self, keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """keypoints float32 (N, L, 17, 3) -> probabilities (N, 7), frame attention (N, L), joint attention (N, 17)."""
        k = np.ascontiguousarray(keypoints, np.float32)
        if k.ndim != 4 or k.shape[1:] != (self.window, 17, 3):
            raise ValueError(f"recogniser input must be (N, {self.window}, 17, 3) keypoints, got {k.shape}")
        if not len(k):
            return np.zeros((0, len(CLASSES)), np.float32), np.zeros((0, self.window), np.float32), \
                np.zeros((0, 17), np.float32)
        return tuple(S.run(self.model, {"keypoints": k}))

    def recognise(self, track: PoseTrack, stride: int = 15, chunk: int = CHUNK_WINDOWS) -> ExerciseGuess:
        """The track's exercise and view; raises ValueError when it is shorter than one window.
        The windows go through the model `chunk` at a time: memory stays the same for a
        one-minute and a one-hour track (only the (N, 7) probabilities grow)."""
        if track.frames < self.window:
            raise ValueError(f"the track has {track.frames} frames; recognising the exercise needs at least "
                             f"{self.window} ({self.window / track.fps:.1f} s); name the exercise instead")
        span = (chunk - 1) * stride + self.window  # frames covering `chunk` windows
        probs = []
        for first in range(0, track.frames - self.window + 1, chunk * stride):
            _, w = sliding_windows(track.keypoints[first:first + span], self.window, stride)
            probs.append(self.windows(w)[0])
        return guess(np.concatenate(probs))


class RecognitionStream:
    """recognise() as the frames arrive: the same 30-frame windows every `stride` frames from
    frame 0, so once every frame has been pushed the guess equals recognise(track) of the
    whole track. The live test's auto mode uses it; there is no second recogniser."""

    def __init__(self, recogniser: ExerciseRecogniser, stride: int = 15) -> None:
        self.recogniser, self.stride = recogniser, stride
        self._probs: list[np.ndarray] = []

    @property
    def window(self) -> int:
        return self.recogniser.window

    def due(self, frames: int) -> bool:
        """True when `frames` frames so far close a window (the caller then calls add)."""
        L = self.window
        return frames >= L and (frames - L) % self.stride == 0

    def add(self, window: np.ndarray) -> ExerciseGuess:
        """window (L, 17, 3): the last L frames -> the guess over every window so far."""
        self._probs.append(self.recogniser.windows(np.asarray(window, np.float32)[None])[0][0])
        return guess(np.stack(self._probs))

    @property
    def windows_seen(self) -> int:
        return len(self._probs)
