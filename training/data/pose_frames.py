"""Pushfit video frames with pseudo-labelled keypoints, cached for pose training.

Labels: MoveNet and MediaPipe are two independent teachers. A joint is kept where both saw
it and they agree within `AGREE` x the person's size (the label is then their mean); every
other joint is masked out of the loss. Frames are cached every `STEP`-th source frame from
the start of each clip (consecutive cached frames feed the LSTM-PM's clips), resized so the
longer side is `MAX_SIDE`, JPEG-encoded, one .npz per clip in a cache folder outside the
repository (the data never enters the repo). The split is by clip, never by frame.
"""
from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

from app.core.skeleton import from_mediapipe33

AGREE = 0.08      # x the larger side of the person's box
STEP = 2          # cache every 2nd source frame
MAX_FRAMES = 64   # cached frames per clip
MAX_SIDE = 320
VAL_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class FrameSet:
    """Cached frames of one clip: images list of uint8 (H, W, 3) BGR; joints float32
    (N, 17, 3) = x px, y px, 1 where labelled (0 masked); source frame indices (N,)."""

    clip: str
    images: list
    joints: np.ndarray
    frames: np.ndarray


def is_validation(clip: str) -> bool:
    """Deterministic split by clip name (about VAL_SHARE of the clips)."""
    h = int(hashlib.sha256(clip.encode()).hexdigest()[:8], 16)
    return (h % 1000) / 1000.0 < VAL_SHARE


def agreed_labels(movenet: np.ndarray, mediapipe: np.ndarray, min_score: float = 0.2,
                  min_vis: float = 0.5) -> np.ndarray:
    """movenet (T, 17, 3), mediapipe (T, 33, 4) -> (T, 17, 3) x, y, 1 where both agree else 0."""
    mp = from_mediapipe33(mediapipe.astype(np.float32))
    mv = movenet.astype(np.float32)
    seen = mv[..., 2] >= min_score
    xy = np.where(seen[..., None], mv[..., :2], np.nan)
    with warnings.catch_warnings():  # frames where MoveNet saw nobody give NaN, then size 0
        warnings.simplefilter("ignore", RuntimeWarning)
        size = np.fmax(np.nanmax(xy[..., 0], 1) - np.nanmin(xy[..., 0], 1),
                       np.nanmax(xy[..., 1], 1) - np.nanmin(xy[..., 1], 1))
    size = np.nan_to_num(size, nan=0.0)
    ok_mp = np.isfinite(mp[..., :2]).all(-1) & (np.nan_to_num(mp[..., 3]) >= min_vis)
    d = np.linalg.norm(np.nan_to_num(mp[..., :2]) - mv[..., :2], axis=-1)
    agree = seen & ok_mp & (d <= AGREE * size[:, None]) & (size[:, None] > 0)
    out = np.zeros(mv.shape, np.float32)
    out[..., :2] = np.where(agree[..., None], (mv[..., :2] + np.nan_to_num(mp[..., :2])) / 2, 0)
    out[..., 2] = agree
    return out


def frames_at(video: Path, wanted: set[int]) -> Iterator[tuple[int, np.ndarray]]:
    """(frame number, BGR image) of the `wanted` frames of `video` in order, read once from the
    start; fewer where the file is shorter or truncated. Shared by the frame and crop caches."""
    if not wanted:
        return
    cap = cv2.VideoCapture(str(video))
    try:
        for t in range(max(wanted) + 1):
            ok, img = cap.read()
            if not ok:
                break
            if t in wanted:
                yield t, img
    finally:
        cap.release()


def cache_frames(video: Path, labels: np.ndarray, dst: Path, step: int = STEP, max_frames: int = MAX_FRAMES,
                 max_side: int = MAX_SIDE) -> int:
    """Cache every `step`-th frame of `video` (at most max_frames, the longer side at most
    max_side px, JPEG) with its labels (T, 17, 3) scaled alike into dst (.npz) -> frames cached.
    Written to a temporary name first, so a kill never leaves a half file."""
    blobs, joints, frames = [], [], []
    for t, img in frames_at(video, set(range(0, len(labels), step)[:max_frames])):
        s = max_side / max(img.shape[:2])
        if s < 1:
            img = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
        else:
            s = 1.0
        j = labels[t].copy()
        j[:, :2] *= s
        blobs.append(np.frombuffer(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1], np.uint8))
        joints.append(j)
        frames.append(t)
    if not blobs:
        return 0
    offs = np.cumsum([0] + [len(b) for b in blobs])
    tmp = dst.with_suffix(".tmp.npz")
    np.savez(tmp, data=np.concatenate(blobs), offsets=offs, joints=np.stack(joints), frames=np.array(frames))
    tmp.replace(dst)
    return len(blobs)


def _extract(args: tuple[Path, str, Path]) -> str:
    root, clip, cache = args
    dst = cache / f"{clip}.npz"
    if dst.exists():
        return clip
    z = np.load(root / "poses" / f"{clip}.npz")
    cache_frames(root / "videos" / f"{clip}.mp4", agreed_labels(z["movenet"], z["mediapipe"]), dst)
    return clip


def build_cache(root: Path, cache: Path, clips: list[str], workers: int = 2, progress=None) -> None:
    """Decode and cache every clip not cached yet (resumable: finished clips are skipped)."""
    cache.mkdir(parents=True, exist_ok=True)
    in_pool(_extract, [(Path(root), c, Path(cache)) for c in clips], workers, progress)


def in_pool(fn, jobs: list, workers: int, progress=None) -> None:
    """fn over jobs in a pool of worker processes (the caches decode video in parallel);
    progress(done, total) after each. Nothing is started for no jobs."""
    if not jobs:
        return
    with Pool(workers) as pool:
        for i, _ in enumerate(pool.imap_unordered(fn, jobs)):
            if progress:
                progress(i + 1, len(jobs))


def load_cached(cache: Path, clip: str) -> FrameSet | None:
    p = Path(cache) / f"{clip}.npz"
    if not p.exists():
        return None
    z = np.load(p)
    data, offs = z["data"], z["offsets"]
    imgs = [data[offs[i]:offs[i + 1]] for i in range(len(offs) - 1)]  # JPEG bytes, decoded lazily
    return FrameSet(clip, imgs, z["joints"].astype(np.float32), z["frames"])


def decode(blob: np.ndarray) -> np.ndarray:
    img = cv2.imdecode(blob, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("a cached frame is not a readable JPEG; delete the cache folder to rebuild it")
    return img
