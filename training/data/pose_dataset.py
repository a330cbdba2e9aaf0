"""Torch datasets for the pose models: single frames (PAF model) and T-frame clips
(LSTM-PM) from cached pushfit frames, with targets from pose_targets and augmentation.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from app.core.skeleton import FLIP
from training.data import augment
from training.data.pose_frames import FrameSet, decode, load_cached
from training.data.pose_targets import make_targets

MIN_KNOWN = 8  # frames with fewer agreed joints are not used as training targets


def load_sets(cache: Path, clips: list[str]) -> list[FrameSet]:
    out = []
    for c in clips:
        fs = load_cached(cache, c)
        if fs is not None and len(fs.images):
            out.append(fs)
    return out


def known_after(joints: np.ndarray, a: augment.Aug) -> np.ndarray:
    """Which channels the labels vouch for after augmentation (17,) bool. A flip swaps the
    left and right labels, so their masks swap too (a mask left unswapped teaches the far
    side's channel "no joint here" wherever only the near side was labelled)."""
    known = joints[:, 2] > 0
    return known[list(FLIP)] if a.flip else known


def to_tensor(img: np.ndarray) -> torch.Tensor:
    """uint8 (H, W, 3) BGR -> float (3, H, W) RGB in [0, 1] (the ONNX models take the same)."""
    return torch.from_numpy(np.ascontiguousarray(img[..., ::-1].transpose(2, 0, 1))).float() / 255.0


class PoseClips(Dataset):
    """Items: (images (T, 3, S, S), heat (T, 18, S/8, S/8), paf (T, 36, ..), heat_w (T, 18),
    paf_w (T, 36)). T = 1 serves the stateless model. The same augmentation covers a clip.
    crop_share: share of items framed around the person (augment.around_person), as the
    app's crop pass sees them."""

    def __init__(self, sets: list[FrameSet], size: int = 256, t: int = 1, augment_strength: float = 1.0,
                 seed: int = 0, stride: int = 8, crop_share: float = 0.0) -> None:
        self.size, self.t, self.strength, self.stride = size, t, augment_strength, stride
        self.crop_share = crop_share
        self.sets = sets
        self.index = []  # (set, first frame) of every clip whose frames are mostly labelled
        for si, fs in enumerate(sets):
            good = (fs.joints[:, :, 2] > 0).sum(1) >= MIN_KNOWN
            for f in range(len(fs.images) - t + 1):
                if good[f:f + t].mean() >= 0.6:
                    self.index.append((si, f))
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.index)

    def item_weights(self, set_weights: list[float]) -> np.ndarray:
        """Sampling weight of every item: its set's weight (N,); a set's share of the draws
        is then its weight x its usable frames."""
        return np.array([set_weights[si] for si, _ in self.index], np.float64)

    def __getitem__(self, i: int):
        si, f = self.index[i]
        fs = self.sets[si]
        rng = np.random.default_rng(self.rng.integers(1 << 62) + i)
        a = augment.draw(rng, self.strength)
        frames = [decode(fs.images[k]) for k in range(f, f + self.t)]  # each decoded once
        if self.crop_share and rng.random() < self.crop_share:
            a = augment.around_person(a, fs.joints[f], frames[0].shape[:2], self.size, rng)
        out_hw = (self.size // self.stride, self.size // self.stride)
        imgs, heats, pafs, hws, pws = [], [], [], [], []
        for k, frame in zip(range(f, f + self.t), frames, strict=True):
            img, j = augment.apply(frame, fs.joints[k], self.size, a)
            known = known_after(fs.joints[k], a)
            tg = make_targets(j[None], known, out_hw, self.stride)
            imgs.append(to_tensor(img))
            heats.append(tg.heat)
            pafs.append(tg.paf)
            hws.append(tg.heat_w)
            pws.append(tg.paf_w)
        return (torch.stack(imgs), torch.from_numpy(np.stack(heats)), torch.from_numpy(np.stack(pafs)),
                torch.from_numpy(np.stack(hws)), torch.from_numpy(np.stack(pws)))


class CocoFrames(Dataset):
    """COCO-format images (training.data.coco) as single-frame items, the PoseClips tuple
    with T = 1; every person in the image is in the targets."""

    def __init__(self, items: list, size: int = 256, augment_strength: float = 1.0, seed: int = 0,
                 stride: int = 8) -> None:
        self.items, self.size, self.strength, self.stride = items, size, augment_strength, stride
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        import cv2
        it = self.items[i]
        img = cv2.imread(str(it.path), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f"{it.path}: unreadable image listed in the COCO annotations")
        rng = np.random.default_rng(self.rng.integers(1 << 62) + i)
        a = augment.draw(rng, self.strength)
        out = augment.apply_image(img, self.size, a)
        moved = [augment.apply_joints(p, img.shape[:2], self.size, a) for p in it.people]
        g = self.size // self.stride
        tg = make_targets(np.stack(moved), np.ones(moved[0].shape[0], bool), (g, g), self.stride)
        return (to_tensor(out)[None], torch.from_numpy(tg.heat)[None], torch.from_numpy(tg.paf)[None],
                torch.from_numpy(tg.heat_w)[None], torch.from_numpy(tg.paf_w)[None])
