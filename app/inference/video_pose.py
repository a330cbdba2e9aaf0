"""Video -> pose tracks: pose estimation, tracking and subject choice over a whole file.

The subject's track keeps one row per frame; frames where the subject is not found get
score 0 (the assessment treats them as unseen, so a person leaving the frame never counts
a rep). The recurrent model's state is reset when the subject is lost.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.capture.video import VideoInfo, frames
from app.core.skeleton import NUM_JOINTS
from app.core.types import PoseTrack
from app.inference.pose import PoseEstimator
from app.inference.tracker import Tracker


@dataclass
class VideoPoses:
    """subject: PoseTrack (T, 17, 3); people: {track id: (T, 17, 3)} for --all; frames with
    nobody / with several people; timings_ms: per stage totals."""

    subject: PoseTrack
    people: dict[int, np.ndarray]
    frames_without_person: int
    frames_with_several: int
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)


def video_poses(source: str | Path | tuple[VideoInfo, Iterator[np.ndarray]], estimator: PoseEstimator,
                keep_all: bool = False, progress: Callable[[int, int], None] | None = None,
                exercise: str | None = None) -> VideoPoses:
    """source: a video path, or what app.capture.video.frames returned (open it first to
    report a bad video before loading models)."""
    info, it = frames(source) if isinstance(source, (str, Path)) else source
    tracker = Tracker(info.size)
    rows: list[np.ndarray] = []
    everyone: dict[int, dict[int, np.ndarray]] = {}
    none = several = 0
    t_pose = t_track = 0.0
    for t, img in enumerate(it):
        t0 = time.perf_counter()
        people = estimator(img)
        t1 = time.perf_counter()
        seen = tracker.update(people)
        if tracker.subject_lost and estimator.recurrent:
            estimator.reset()
        k = tracker.subject(seen)
        t_pose += t1 - t0
        t_track += time.perf_counter() - t1
        none += not people
        several += len(people) > 1
        rows.append(k if k is not None else np.zeros((NUM_JOINTS, 3), np.float32))
        if keep_all:
            for tid, kp in seen.items():
                everyone.setdefault(tid, {})[t] = kp
        if progress:
            progress(t + 1, info.frames)
    T = len(rows)
    kp = np.stack(rows).astype(np.float32)
    w, h = info.size
    kp[..., 0] = np.clip(kp[..., 0], 0, w - 1)
    kp[..., 1] = np.clip(kp[..., 1], 0, h - 1)
    people = {}
    for tid, d in everyone.items():
        arr = np.zeros((T, NUM_JOINTS, 3), np.float32)
        for t, v in d.items():
            arr[t] = v
        people[tid] = arr
    return VideoPoses(PoseTrack(kp, info.fps, info.size, exercise=exercise), people, none, several,
                      estimator.name, {"pose": t_pose * 1000, "track": t_track * 1000})
