"""Labelled windows for the exercise / view recogniser (training.nets.pose_attention).

Synthetic: windows of REC_LEN frames slid over training.synth clips; a window whose frames
are mostly in the exercise (holding the start pose, or in a rep) takes the clip's
exercise x view class, one mostly standing idle takes `idle`, and one mostly getting into
or out of position is left out (it is neither, and a grader would not call it either).

Real: RepCount sequences (../shared/data/repcount, poses per-frame min-max normalised, see
training.data.repcount) carry one exercise per sequence and no view; they are measured
per sequence, on the exercise only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.recognition import CLASSES, IDLE
from app.core.windows import sliding_windows
from training.data.synth_clips import clips
from training.synth.clip import IDLE as PHASE_IDLE
from training.synth.clip import POSITION

REC_LEN = 30   # frames: one second at 30 fps, about one push-up


@dataclass(frozen=True)
class ExerciseWindows:
    """keypoints float32 (N, REC_LEN, 17, 3) px; label int64 (N,) into CLASSES; clip int64 (N,)."""

    keypoints: np.ndarray
    label: np.ndarray
    clip: np.ndarray

    def __len__(self) -> int:
        return int(self.label.shape[0])


def window_labels(phase: np.ndarray, cls: int, length: int = REC_LEN, stride: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """phase int8 (T,) -> (starts (N,), labels (N,)), label -1 for windows left out."""
    starts, w = sliding_windows(phase[:, None, None].astype(np.float32), length, stride)
    ph = w[..., 0, 0].astype(np.int64)
    idle = (ph == PHASE_IDLE).mean(1)
    pos = (ph == POSITION).mean(1)
    ex = 1.0 - idle - pos
    lab = np.where(ex > 0.5, cls, np.where(idle > 0.5, IDLE, -1))
    return starts, lab.astype(np.int64)


def synth_exercise_windows(seeds: range | list[int], stride: int = 10) -> ExerciseWindows:
    ks, ls, cs = [], [], []
    for i, c in enumerate(clips(seeds)):
        cls = CLASSES.index(f"{c.exercise}-{c.view}")
        _, lab = window_labels(c.phase, cls, REC_LEN, stride)
        keep = lab >= 0
        _, w = sliding_windows(c.keypoints, REC_LEN, stride)
        ks.append(w[keep])
        ls.append(lab[keep])
        cs.append(np.full(int(keep.sum()), i))
    return ExerciseWindows(np.concatenate(ks), np.concatenate(ls), np.concatenate(cs))
