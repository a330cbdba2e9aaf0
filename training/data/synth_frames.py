"""Rendered synthetic clips cached in the pushfit frame format (training.data.pose_frames),
so the same dataset code trains on both. All three exercises, front/side/oblique cameras,
every kind of clip (reps, idle, getting into position, resting); labels are exact: every
joint inside the image is labelled, hidden or not (as COCO labels occluded joints).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from training.synth import KINDS, make_clip
from training.synth.render import render_clip

EXERCISES = ("pushup", "pullup", "situp")
VIEWS = ("front", "side", "oblique")


def synth_names(n: int, seed: int = 0) -> list[str]:
    return [f"synth{seed}_{i:05d}" for i in range(n)]


def build_synth_cache(cache: Path, n: int, seed: int = 0, frames: int = 32, progress=None) -> list[str]:
    """Render n clips (skipping those already cached); returns their names."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    names = synth_names(n, seed)
    for i, name in enumerate(names):
        dst = cache / f"{name}.npz"
        if not dst.exists():
            rng = np.random.default_rng([seed, i])
            kind = "reps" if rng.random() < 0.7 else KINDS[1 + rng.integers(len(KINDS) - 1)]
            clip = make_clip(10_000 * seed + i, EXERCISES[i % 3], VIEWS[rng.integers(3)], kind, noise=0.0)
            imgs, kps = render_clip(clip, rng, max_frames=frames)
            blobs = [np.frombuffer(cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 90])[1], np.uint8)
                     for im in imgs]
            offs = np.cumsum([0] + [len(b) for b in blobs])
            tmp = dst.with_suffix(".tmp.npz")
            np.savez(tmp, data=np.concatenate(blobs), offsets=offs, joints=kps.astype(np.float32),
                     frames=np.arange(len(imgs)) * 2)
            tmp.replace(dst)
        if progress:
            progress(i + 1, n)
    return names
