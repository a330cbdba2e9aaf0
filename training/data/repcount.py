"""RepCount-A test-split poses (../shared/data/repcount): annotations and COCO-17 tracks.

Its poses are MediaPipe-33 (x, y, z) min-max normalised per frame and per axis, then
smoothed over 5 frames. They are mapped to COCO-17 and put on a CANVAS x CANVAS pixel grid
with score 1, so they load as ordinary PoseTracks; analyse them with normalised=True.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.skeleton import from_mediapipe33
from app.core.types import PoseTrack

CANVAS = 1000.0
FPS = 30.0  # the poses carry no frame rate; RepCount videos are mostly 30 fps


@dataclass(frozen=True, slots=True)
class RepcountClip:
    """One annotated sequence: count reps, rep_bounds ((start, end) frames) per rep."""

    clip: str
    exercise: str
    count: int
    frames: int
    rep_bounds: tuple[tuple[int, int], ...]


def load_annotations(root: Path, exercises: tuple[str, ...] = ("pushup", "pullup", "situp")) -> list[RepcountClip]:
    path = Path(root) / "annotations.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: cannot read the repcount annotations ({e.__class__.__name__})") from None
    return [RepcountClip(a["clip"], a["exercise"], int(a["count"]), int(a["frames"]),
                         tuple((int(s), int(e)) for s, e in a["rep_bounds"]))
            for a in raw if a["exercise"] in exercises]


def load_track(root: Path, clip: str) -> PoseTrack:
    """poses/<clip>.npz `pose` (T, 104) -> PoseTrack (T, 17, 3) on the canvas, score 1."""
    pose = np.load(Path(root) / "poses" / f"{clip}.npz")["pose"]
    xy = from_mediapipe33(pose[:, :99].reshape(-1, 33, 3)[..., :2]) * CANVAS
    k = np.concatenate([xy, np.ones((len(xy), 17, 1))], axis=-1).astype(np.float32)
    return PoseTrack(k, FPS, (int(CANVAS) + 1, int(CANVAS) + 1))
