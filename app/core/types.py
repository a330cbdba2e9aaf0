"""Frozen data types that cross module and thread boundaries.

Every array field documents its shape and unit. Instances are immutable (frozen, slotted)
and their arrays are made read-only on construction so a consumer on another thread can
never see a value change under it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.core.skeleton import NUM_JOINTS


def _readonly(a: np.ndarray, dtype=np.float32) -> np.ndarray:
    a = np.array(a, dtype=dtype, copy=True)
    a.setflags(write=False)
    return a


EXERCISES: tuple[str, ...] = ("pushup", "pullup", "situp")
VIEWS: tuple[str, ...] = ("front", "side")


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured image. image: uint8 (H, W, 3) BGR; t: seconds since the source started."""

    index: int
    t: float
    image: np.ndarray


@dataclass(frozen=True, slots=True)
class Pose2D:
    """One person in one frame. kpts: float32 (17, 3) = x px, y px, score in [0, 1]."""

    index: int
    t: float
    kpts: np.ndarray
    track_id: int = -1

    def __post_init__(self) -> None:
        object.__setattr__(self, "kpts", _readonly(self.kpts))
        if self.kpts.shape != (NUM_JOINTS, 3):
            raise ValueError(f"Pose2D.kpts must be (17, 3), got {self.kpts.shape}")


@dataclass(frozen=True, slots=True)
class PoseTrack:
    """A subject's pose over time, the unit of analysis and of pose-track files.

    keypoints: float32 (T, 17, 3) = x px, y px, score, COCO-17 order; fps > 0;
    size = (width, height) of the image in pixels; exercise / view optional hints.
    """

    keypoints: np.ndarray
    fps: float
    size: tuple[int, int]
    exercise: str | None = None
    view: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "keypoints", _readonly(self.keypoints))
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))
        object.__setattr__(self, "fps", float(self.fps))

    @property
    def frames(self) -> int:
        return int(self.keypoints.shape[0])

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


@dataclass(frozen=True, slots=True)
class Window:
    """A rolling window of the subject. indices: int64 (L,) frame numbers; kpts (L, 17, 3)."""

    indices: np.ndarray
    kpts: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "indices", _readonly(self.indices, np.int64))
        object.__setattr__(self, "kpts", _readonly(self.kpts))


@dataclass(frozen=True, slots=True)
class Classification:
    """Classifier output for one window: P(standard) and attention float32 (L,) summing to 1."""

    p_standard: float
    attention: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "attention", _readonly(self.attention))


@dataclass(frozen=True, slots=True)
class Pose3D:
    """Lifted pose. joints: float32 (17, 3) metres, root-relative (pelvis at the origin)."""

    index: int
    joints: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "joints", _readonly(self.joints))


@dataclass(frozen=True, slots=True)
class Overrule:
    """A grader's correction of a rep: the new verdict, what the grader saw, the old reasons."""

    standard: bool
    reason: str
    was_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RepEvent:
    """One repetition with its verdict: frames [start, end] inclusive; reasons: the named
    checks it failed (empty when standard); p_standard: the classifier's mean P(standard) over
    the rep's windows (None until one is fused in, app.assess.fusion); measures: the rules'
    measured values {name: float | None}; attention: float (L,) the classifier's mean frame
    attention, or None; angles3d: lifted joint angle ranges in degrees {name: float} when the
    3D lifter ran; overruled: a grader's correction."""

    n: int
    start: int
    end: int
    standard: bool
    reasons: tuple[str, ...] = ()
    p_standard: float | None = None
    measures: dict = field(default_factory=dict, compare=False, hash=False)
    attention: tuple[float, ...] | None = None
    angles3d: dict | None = field(default=None, compare=False, hash=False)
    overruled: Overrule | None = None


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """What the pipeline publishes per frame for the GUI and the recorder."""

    frame: Frame | None
    poses: tuple[Pose2D, ...]
    subject: Pose2D | None
    pose3d: Pose3D | None
    cls: Classification | None
    reps: tuple[RepEvent, ...]
    counts: tuple[int, int]  # (standard, total)
    timings_ms: dict = field(default_factory=dict, compare=False, hash=False)
    dropped: int = 0
    settled: int = -1  # how many of `reps` are final (the rest provisional); -1: all final
