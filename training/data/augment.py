"""Image + keypoint augmentation for pose training (numpy + OpenCV).

One `Aug` (drawn once) is applied to every frame of a clip, so consecutive frames stay
consistent for the LSTM-PM. Geometry: letterbox into the square input, then scale,
rotation (up to 40 deg), translation and a horizontal flip with the left/right joint swap;
appearance: brightness/contrast/saturation, blur, and occluding patches.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.core.skeleton import FLIP


@dataclass(frozen=True, slots=True)
class Aug:
    """One draw of augmentation parameters (identity: Aug())."""

    scale: float = 1.0
    angle: float = 0.0       # degrees
    shift: tuple[float, float] = (0.0, 0.0)  # share of the input size
    flip: bool = False
    gain: float = 1.0
    bias: float = 0.0
    sat: float = 1.0
    blur: int = 0            # kernel size, 0 = none
    patches: tuple[tuple[float, float, float, float, int], ...] = ()  # cx, cy, w, h (share), grey


def draw(rng: np.random.Generator, strength: float = 1.0) -> Aug:
    if strength <= 0:
        return Aug()
    patches = tuple((rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.2), rng.uniform(0.05, 0.2),
                     int(rng.integers(0, 256))) for _ in range(rng.integers(0, 3)) if rng.random() < 0.5 * strength)
    return Aug(scale=float(np.exp(rng.uniform(-0.3, 0.4) * strength)),
               angle=float(rng.uniform(-40, 40) * strength if rng.random() < 0.6 else 0.0),
               shift=(float(rng.uniform(-0.15, 0.15) * strength), float(rng.uniform(-0.15, 0.15) * strength)),
               flip=bool(rng.random() < 0.5),
               gain=float(rng.uniform(0.6, 1.4)), bias=float(rng.uniform(-30, 30)), sat=float(rng.uniform(0.5, 1.5)),
               blur=int(rng.choice([0, 0, 0, 3, 5])), patches=patches)


def matrix(src_hw: tuple[int, int], size: int, a: Aug) -> np.ndarray:
    """2x3 affine from source pixels to the (size x size) input: letterbox, then a."""
    h, w = src_hw
    s0 = size / max(h, w)
    c = size / 2.0
    m = cv2.getRotationMatrix2D((c, c), a.angle, a.scale)
    m[:, 2] += np.array(a.shift) * size
    lb = np.array([[s0, 0, c - s0 * w / 2], [0, s0, c - s0 * h / 2], [0, 0, 1]])
    out = m @ lb
    if a.flip:
        out = np.array([[-1, 0, size - 1], [0, 1, 0]]) @ np.vstack([out, [0, 0, 1]])
    return out.astype(np.float64)


def apply_joints(joints: np.ndarray, src_hw: tuple[int, int], size: int, a: Aug) -> np.ndarray:
    """joints (17, 3) x, y, flag in source px -> input px; a flip swaps left and right labels;
    joints pushed outside the input get flag 0."""
    m = matrix(src_hw, size, a)
    j = joints.copy()
    j[:, :2] = joints[:, :2] @ m[:, :2].T + m[:, 2]
    if a.flip:
        j = j[list(FLIP)]
    inside = (j[:, 0] >= 0) & (j[:, 0] <= size - 1) & (j[:, 1] >= 0) & (j[:, 1] <= size - 1)
    j[:, 2] = np.where(inside, j[:, 2], 0.0)
    return j


def apply_image(img: np.ndarray, size: int, a: Aug) -> np.ndarray:
    """uint8 (H, W, 3) BGR -> (size, size, 3) with the geometry and appearance of a."""
    out = cv2.warpAffine(img, matrix(img.shape[:2], size, a), (size, size), flags=cv2.INTER_LINEAR,
                         borderValue=(114, 114, 114))
    if a.gain != 1.0 or a.bias != 0.0 or a.sat != 1.0:
        hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV).astype(np.float32)
        hsv[..., 1] = np.clip(hsv[..., 1] * a.sat, 0, 255)
        hsv[..., 2] = np.clip(hsv[..., 2] * a.gain + a.bias, 0, 255)
        out = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    if a.blur:
        out = cv2.GaussianBlur(out, (a.blur, a.blur), 0)
    for cx, cy, pw, ph, g in a.patches:
        x0, y0 = int((cx - pw / 2) * size), int((cy - ph / 2) * size)
        out[max(0, y0):max(0, y0 + int(ph * size)), max(0, x0):max(0, x0 + int(pw * size))] = g
    return out


def apply(img: np.ndarray, joints: np.ndarray, size: int, a: Aug) -> tuple[np.ndarray, np.ndarray]:
    """One image and one person's joints (17, 3) -> input image and joints in input px."""
    return apply_image(img, size, a), apply_joints(joints, img.shape[:2], size, a)
