"""Teacher-labelled upright subject crops, cut once from the videos so no training step decodes
video (the crop pose model's data: training/crop_train.py).

Each sampled frame of a clip is cut around the teacher's joints by the app's own crop rule
(app.core.subject_crop.crop_of), rotated upright, at CACHE_SIZE px covering PAD x the crop's
side: training draws the region-of-interest error the live tracker makes (shift, scale,
rotation) inside that border instead of cutting the frame again. Joints with low teacher
visibility are masked (flag 0), never taught as absent. A few crops per clip are cut away from
the person (NEGATIVES): there the model learns to say "nobody here", which is what tells the
app to find the subject again.

One .npz per clip (uint8 crops (N, S, S, 3) BGR, joints (N, 17, 3) crop px + flag, kind (N,):
1 person, 0 negative, frames (N,)) in a cache folder outside the repository. Resumable: a clip
already cached is skipped; written under a temporary name first.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.core.subject_crop import SubjectCrop, crop_of
from training.data.pose_frames import frames_at, in_pool
from training.data.teacher_frames import (
    Source,
    footage_sources,
    held_out_people,
    is_validation,
    labels_of,
    pushfit_sources,
)

CACHE_SIZE = 240     # px of a cached crop
PAD = 1.5            # a cached crop covers PAD x the region of interest (its middle 160 px at 240)
FOOTAGE_FRAMES = 160
# Pull-ups, sit-ups and crunches are few clips drawn 4x as often (teacher_frames.WEIGHTS): their
# 160 crops a clip were learnt by heart (crops of training clips PCK@0.2 0.975 for sit-ups,
# 0.851 on the held-out videos' crops), so a training run can cut 3x as many frames of them
# (`dense`): more of each rep's poses, the same clips and people.
DENSE_FRAMES = 480
DENSE_KINDS = ("pullup", "situp", "crunch")
PUSHFIT_FRAMES = 32
MIN_LABELLED = 8     # frames where the teacher saw fewer joints are skipped
NEGATIVES = 0.04     # share of a clip's crops cut away from the person
GREY = 114


@dataclass(frozen=True, slots=True)
class CropSet:
    """One clip's cached crops: images uint8 (N, S, S, 3) BGR; joints float32 (N, 17, 3) crop px
    + flag (1 labelled, 0 masked); person (N,) bool (False: a negative crop, nobody in it);
    content: the clip's kind (pushup | pullup | situp | crunch | other:<what>)."""

    name: str
    content: str
    images: np.ndarray
    joints: np.ndarray
    person: np.ndarray


def training_sources(data: Path) -> list[Source]:
    """Single-person footage clips (minus held-out people) and pushfit's training clips, with the
    teacher tracks shipped beside them (footage/teacher, pushfit/teacher)."""
    held = held_out_people(data)
    foot = [s for s in footage_sources(data, data / "footage" / "teacher") if s.name not in held]
    push = [s for s in pushfit_sources(data, data / "pushfit" / "teacher")
            if not is_validation(s.name.removeprefix("pushfit_"))]
    return foot + push


def cut(image: np.ndarray, crop: SubjectCrop, size: int = CACHE_SIZE, pad: float = PAD) -> np.ndarray:
    """The crop widened by `pad`, upright, as (size, size, 3) uint8."""
    m = crop.scaled(pad).matrix(size)
    return cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_AREA if crop.side * pad > 2 * size
                          else cv2.INTER_LINEAR, borderValue=(GREY, GREY, GREY))


def _negative(rng: np.random.Generator, crop: SubjectCrop, hw: tuple[int, int]) -> SubjectCrop | None:
    """A crop of the same size, moved at least one crop side away and still mostly in the frame."""
    h, w = hw
    for _ in range(10):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        if np.hypot(cx - crop.cx, cy - crop.cy) > crop.side:
            return SubjectCrop(float(cx), float(cy), crop.side, float(rng.uniform(-np.pi, np.pi)))
    return None


def cache_clip(s: Source, dst: Path, max_frames: int, seed: int = 0) -> int:
    """Cut the crops of one clip into dst -> crops written (0: nothing usable, no file)."""
    lab = labels_of(s)
    usable = np.flatnonzero((lab[..., 2] > 0).sum(-1) >= MIN_LABELLED)
    if len(usable) == 0:
        return 0
    want = set(usable[np.linspace(0, len(usable) - 1, min(max_frames, len(usable))).round().astype(int)].tolist())
    rng = np.random.default_rng(seed + sum(map(ord, s.name)))
    imgs, joints, person, frames = [], [], [], []
    for t, img in frames_at(s.video, want):
        one = cut_person(img, lab[t])
        if one is None:
            continue
        crop, im, j = one
        imgs.append(im)
        joints.append(j)
        person.append(True)
        frames.append(t)
        neg = _negative(rng, crop, img.shape[:2]) if rng.random() < NEGATIVES else None
        if neg is not None:
            imgs.append(cut(img, neg))
            joints.append(np.zeros((17, 3), np.float32))
            person.append(False)
            frames.append(t)
    if not imgs:
        return 0
    _save(dst, imgs, joints, np.array(person), np.array(frames), s.content, max_frames)
    return len(imgs)


def cut_person(image: np.ndarray, labels: np.ndarray) -> tuple[SubjectCrop, np.ndarray, np.ndarray] | None:
    """A frame and its person's labels (17, 3) -> (the crop by training's crop rule, the cached
    crop image, the joints in cache px + flag); None when the labels place no crop."""
    crop = crop_of(labels)
    if crop is None:
        return None
    j = labels.astype(np.float32, copy=True)
    j[:, :2] = crop.scaled(PAD).to_crop(labels[:, :2], CACHE_SIZE)
    return crop, cut(image, crop), j


def cut_all(images: list[np.ndarray], labels: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Frames and their labels (N, 17, 3) -> the crops and joints of the frames that place one."""
    cuts = [c for c in (cut_person(img, lab) for img, lab in zip(images, labels, strict=True)) if c is not None]
    return [c[1] for c in cuts], [c[2] for c in cuts]


SYNTH_SEED = 7   # rendered subjects' seeds: 7 * 10_000 + i, none of them the demo's (2056)
SYNTH_FRAMES = 24


def cache_synth(cache: Path, n: int, progress=None) -> list[str]:
    """Render n synthetic clips (training.synth: all three exercises, front / side / oblique, reps,
    idle and getting into position; exact labels, every joint inside the image) and cut their
    crops -> the names cached (content "synth:<exercise>"). Resumable like build()."""
    from training.synth import KINDS, make_clip
    from training.synth.render import render_clip
    exercises, views = ("pushup", "pullup", "situp"), ("front", "side", "oblique")
    cache.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n):
        name = f"synth{SYNTH_SEED}_{i:05d}"
        dst = cache / f"{name}.npz"
        if not dst.exists():
            rng = np.random.default_rng([SYNTH_SEED, i])
            kind = "reps" if rng.random() < 0.7 else KINDS[1 + rng.integers(len(KINDS) - 1)]
            ex = exercises[i % 3]
            clip = make_clip(10_000 * SYNTH_SEED + i, ex, views[rng.integers(3)], kind, noise=0.0)
            frames, labels = render_clip(clip, rng, max_side=480, max_frames=SYNTH_FRAMES)
            imgs, joints = cut_all(frames, labels)
            if not imgs:
                continue
            _save(dst, imgs, joints, np.ones(len(imgs), bool), np.arange(len(imgs)), f"synth:{ex}")
        names.append(name)
        if progress:
            progress(i + 1, n)
    return names


def _save(dst: Path, imgs: list, joints: list, person: np.ndarray, frames: np.ndarray, content: str,
          cap: int = 0) -> None:
    """One clip's crops in the cache format, under a temporary name first (a kill never leaves a
    half file). cap: the most frames the clip was cut at (0: all of them, a render)."""
    tmp = dst.with_suffix(".tmp.npz")
    np.savez(tmp, images=np.stack(imgs), joints=np.stack(joints).astype(np.float32), person=person,
             frames=frames, content=np.array(content), cap=np.array(cap))
    tmp.replace(dst)


def _cached_at(path: Path, default: int) -> int | None:
    """The frame cap a cached clip was cut at (files from before caps were kept: `default`);
    None when not cached."""
    if not path.exists():
        return None
    with np.load(path) as z:
        return int(z["cap"]) if "cap" in z.files else default


def _one(args: tuple[Source, Path, int]) -> tuple[str, int]:
    s, cache, cap = args
    return s.name, cache_clip(s, cache / f"{s.name}.npz", cap)


def build(sources: list[Source], cache: Path, workers: int = 2, progress=None,
          footage_frames: int = FOOTAGE_FRAMES, pushfit_frames: int = PUSHFIT_FRAMES, dense: bool = False) -> list[str]:
    """Cache every source not cached yet at its frame cap (resumable; a clip cached at another cap
    is cut again) -> names of the sources now cached. dense: DENSE_FRAMES for DENSE_KINDS."""
    cache.mkdir(parents=True, exist_ok=True)

    def cap_of(s: Source) -> int:
        if s.movenet is not None:
            return pushfit_frames
        return DENSE_FRAMES if dense and s.content in DENSE_KINDS else footage_frames

    todo = [(s, cache, cap_of(s)) for s in sources if _cached_at(cache / f"{s.name}.npz", footage_frames
                                                                  if s.movenet is None else pushfit_frames) != cap_of(s)]
    in_pool(_one, todo, workers, progress)
    return [s.name for s in sources if (cache / f"{s.name}.npz").exists()]


def load(cache: Path, name: str) -> CropSet | None:
    p = Path(cache) / f"{name}.npz"
    if not p.exists():
        return None
    z = np.load(p)
    return CropSet(name, str(z["content"]), z["images"], z["joints"], z["person"].astype(bool))
