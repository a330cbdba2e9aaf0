"""pushfit (../shared/data/pushfit): 211 real push-up clips with MoveNet COCO-17 keypoints.

Labels are per clip (`correct` | `wrong` form); keypoints are pseudo-labels from MoveNet,
already in image pixels. See the data README before training on them.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.types import PoseTrack


@dataclass(frozen=True, slots=True)
class PushfitClip:
    """One row of clips.csv: clip name, form label, frames, fps, (width, height)."""

    clip: str
    label: str
    frames: int
    fps: float
    size: tuple[int, int]


def load_index(root: Path) -> list[PushfitClip]:
    path = Path(root) / "clips.csv"
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ValueError(f"{path}: cannot read the pushfit index ({e.__class__.__name__})") from None
    return [PushfitClip(r["clip"], r["label"], int(r["frames"]), float(r["fps"]),
                        (int(r["width"]), int(r["height"]))) for r in rows]


def load_track(root: Path, clip: str) -> PoseTrack:
    """poses/<clip>.npz `movenet` (T, 17, 3) px -> PoseTrack (exercise pushup)."""
    z = np.load(Path(root) / "poses" / f"{clip}.npz")
    size = tuple(int(v) for v in z["size"])
    return PoseTrack(z["movenet"].astype(np.float32), float(z["fps"]), (size[0], size[1]), exercise="pushup")
