"""The one pose loop: frames -> pose model -> tracker -> the subject's keypoints.

Files, cameras and live tests all run frames through pose_steps(): a video analysed offline
collects every step into a pose track (video_poses), a live test takes them one by one
(app.pipeline.live). The subject's keypoints are zeros (score 0) where it is not found, so
a person leaving the frame never counts a rep; the recurrent model's memory is reset when
the subject is lost; an instructor's click (SubjectChoice) picks the subject among several.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.capture.video import VideoInfo, frames
from app.core.bar import BarWatch
from app.core.content_box import PaddingWatch
from app.core.skeleton import NUM_JOINTS
from app.core.types import PoseTrack
from app.core.visibility import visible
from app.inference.tracker import Tracker


@dataclass(frozen=True, slots=True)
class PoseStep:
    """One frame through the loop. index: the frame number; image: uint8 (H, W, 3) BGR;
    subject: float32 (17, 3) x px, y px, score (zeros when not found); seen: {track id:
    (17, 3)} everyone tracked in this frame; people: how many the model found; pose_ms /
    track_ms: time in the model and in the tracker."""

    index: int
    image: np.ndarray
    subject: np.ndarray
    seen: dict
    people: int
    pose_ms: float
    track_ms: float


def _shifted(k: np.ndarray, by: np.ndarray) -> np.ndarray:
    """(17, 3) joints moved by `by` (x, y) px; unseen joints stay (0, 0, 0)."""
    out = k.copy()
    seen = out[:, 2] > 0
    out[seen, :2] += by
    return out


def pose_steps(numbered: Iterator[tuple[int, np.ndarray]], estimator, size: tuple[int, int],
               choice=None, padding: PaddingWatch | None = None) -> Iterator[PoseStep]:
    """(frame number, image) pairs -> PoseStep per frame. estimator: image -> list of (17, 3)
    people (app.inference.pose.PoseEstimator or a fake); choice: SubjectChoice or None.
    padding: where the picture lies inside black bars (default: found from the frames, see
    app.core.content_box); the model reads that window, joints come back in whole-image pixels."""
    tracker = Tracker(size)
    padding = PaddingWatch() if padding is None else padding
    last = None
    for i, img in numbered:
        t0 = time.perf_counter()
        window = padding.window(i, img)
        if window != last and getattr(estimator, "recurrent", False):
            estimator.reset()  # the recurrent model's memory lives in input coordinates
        last = window
        shift = np.array(window[:2] if window else (0, 0), np.float32)
        if window:
            x0, y0, x1, y1 = window
            people = [_shifted(k, shift) for k in estimator(img[y0:y1, x0:x1])]
        else:
            people = estimator(img)
        t1 = time.perf_counter()
        seen = tracker.update(people)
        if tracker.subject_lost and getattr(estimator, "recurrent", False):
            estimator.reset()
        if choice is not None:
            choice.apply(tracker, seen)
        k = tracker.subject(seen)
        if hasattr(estimator, "follow"):  # the crop pass looks where the subject is
            estimator.follow(None if tracker.subject_lost or k is None else _shifted(k, -shift))
        yield PoseStep(i, img, k if k is not None else np.zeros((NUM_JOINTS, 3), np.float32), seen, len(people),
                       (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000)


@dataclass
class VideoPoses:
    """subject: PoseTrack (T, 17, 3); people: {track id: (T, 17, 3)} for --all; frames with
    nobody / with several people; model: the pose model's name; models: {file stem: sha256};
    timings_ms: per stage totals; bar_offset: the pull-up bar seen in the image, its height
    above the wrists in torso lengths (app.core.bar), None when no bar was seen."""

    subject: PoseTrack
    people: dict[int, np.ndarray]
    frames_without_person: int
    frames_with_several: int
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    bar_offset: float | None = None
    promised_frames: int = 0  # what the container says it holds (0: it does not say)

    def notes(self) -> dict:
        """The `video` note of a judgement: the pose model, frames without anyone or with
        several people, and the share of frames where the subject was seen."""
        n = self.subject.frames
        return {"pose_model": self.model, "frames_without_person": self.frames_without_person,
                "frames_with_several_people": self.frames_with_several,
                "subject_seen_share": round(float(visible(self.subject.keypoints).any(-1).mean()), 3)
                if n else 0.0}


def video_poses(source: str | Path | tuple[VideoInfo, Iterator[np.ndarray]], estimator,
                keep_all: bool = False, progress: Callable[[int, int], None] | None = None,
                exercise: str | None = None) -> VideoPoses:
    """A whole video through the loop. source: a video path, or what app.capture.video.frames
    returned (open it first to report a bad video before loading models). progress(done, total)
    after each frame may raise to cancel."""
    info, it = frames(source) if isinstance(source, (str, Path)) else source
    rows: list[np.ndarray] = []
    everyone: dict[int, dict[int, np.ndarray]] = {}
    none = several = 0
    t_pose = t_track = 0.0
    bar = BarWatch()
    for step in pose_steps(enumerate(it), estimator, info.size):
        bar.see(step.index, step.image, step.subject)
        t_pose += step.pose_ms
        t_track += step.track_ms
        none += step.people == 0
        several += step.people > 1
        rows.append(step.subject)
        if keep_all:
            for tid, kp in step.seen.items():
                everyone.setdefault(tid, {})[step.index] = kp
        if progress:
            progress(step.index + 1, info.frames)
    T = len(rows)
    kp = np.stack(rows).astype(np.float32) if rows else np.zeros((0, NUM_JOINTS, 3), np.float32)
    w, h = info.size
    kp[..., 0] = np.clip(kp[..., 0], 0, w - 1)
    kp[..., 1] = np.clip(kp[..., 1], 0, h - 1)
    people = {}
    for tid, d in everyone.items():
        arr = np.zeros((T, NUM_JOINTS, 3), np.float32)
        for t, v in d.items():
            arr[t] = v
        people[tid] = arr
    model = getattr(estimator, "model", None)
    return VideoPoses(PoseTrack(kp, info.fps, info.size, exercise=exercise), people, none, several,
                      getattr(estimator, "name", "unknown"), {"pose": t_pose, "track": t_track},
                      dict(getattr(model, "fingerprint", {}) or {}), bar.offset, info.frames)


def bar_along(video: str | Path, keypoints: np.ndarray) -> float | None:
    """The pull-up bar the pose loop would find in `video` along another track's keypoints
    (T, 17, 3) (the reference teacher's, a stored track), in torso lengths above the wrists."""
    _info, it = frames(video)
    watch = BarWatch()
    try:
        for i, img in enumerate(it):
            if i >= len(keypoints):
                break
            watch.see(i, img, keypoints[i])
    finally:
        it.close()
    return watch.offset
