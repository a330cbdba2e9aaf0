"""Image + keypoint augmentation for pose training (numpy + OpenCV).

One `Aug` (drawn once) is applied to every frame of a clip, so consecutive frames stay
consistent for the LSTM-PM. Geometry: letterbox into the square input, then scale,
rotation (up to 40 deg), translation and a horizontal flip with the left/right joint swap;
appearance: brightness/contrast/saturation, blur, occluding patches, and what phone footage
does to a picture (JPEG compression, sensor noise); `caption` lays the text boxes of a phone
video's edit over it. `around_person` re-aims a draw at the labelled person, so the model also
learns the app's second pass: a crop around the subject (the person then fills most of the
input, whatever the camera's distance).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

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
    jpeg: int = 0            # re-encode at this JPEG quality, 0 = none
    noise: float = 0.0       # sensor noise, grey levels (std)


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
               blur=int(rng.choice([0, 0, 0, 3, 5])), patches=patches,
               jpeg=int(rng.integers(20, 70)) if rng.random() < 0.3 * strength else 0,
               noise=float(rng.uniform(2, 10)) if rng.random() < 0.2 * strength else 0.0)


CROP_FILL = (0.55, 0.85)  # share of the input side the person's joint box spans in a crop


def around_person(a: Aug, joints: np.ndarray, src_hw: tuple[int, int], size: int,
                  rng: np.random.Generator) -> Aug:
    """a with scale and shift chosen so the labelled joints (17, 3) fill CROP_FILL of the
    input, centred up to 10% off; a unchanged when fewer than 3 joints are labelled."""
    k = joints[:, 2] > 0
    if k.sum() < 3:
        return a
    h, w = src_hw
    s0 = size / max(h, w)
    c = size / 2.0
    xy = joints[k, :2] * s0 + np.array([c - s0 * w / 2, c - s0 * h / 2])
    side = max(float(np.ptp(xy[:, 0])), float(np.ptp(xy[:, 1])), 4.0)
    scale = float(np.clip(rng.uniform(*CROP_FILL) * size / side, 0.5, 8.0))
    centre = (xy.min(0) + xy.max(0)) / 2
    m = cv2.getRotationMatrix2D((c, c), a.angle, scale)
    target = c + rng.uniform(-0.1, 0.1, 2) * size
    shift = (target - (m[:, :2] @ centre + m[:, 2])) / size
    return replace(a, scale=scale, shift=(float(shift[0]), float(shift[1])))


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
    return appearance(out, a)


def appearance(out: np.ndarray, a: Aug) -> np.ndarray:
    """uint8 (S, S, 3) BGR already in place -> with a's light, colour, blur, occluding patches,
    sensor noise and JPEG compression (the geometry of a is not applied here)."""
    size = out.shape[0]
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
    if a.noise:
        rng = np.random.default_rng(int(a.noise * 1000))
        out = np.clip(out + rng.normal(0, a.noise, out.shape), 0, 255).astype(np.uint8)
    if a.jpeg:
        out = cv2.imdecode(cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, a.jpeg])[1], cv2.IMREAD_COLOR)
    return out


def apply(img: np.ndarray, joints: np.ndarray, size: int, a: Aug) -> tuple[np.ndarray, np.ndarray]:
    """One image and one person's joints (17, 3) -> input image and joints in input px."""
    return apply_image(img, size, a), apply_joints(joints, img.shape[:2], size, a)


CAPTION_WORDS = ("how to do a proper sit-up", "lock your feet", "body straight", "3 sets x 12",
                 "keep your core tight", "follow for more", "day 14", "pull-up challenge", "slow down",
                 "FULL RANGE", "no momentum", "tag a friend", "35lbs", "PR!", "breathe out at the top")


def caption(out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 (S, S, 3) BGR -> a copy with 1-3 lines of caption text drawn over it, as phone
    videos are edited: dark text on a white box, white text with a dark outline, or coloured
    text, anywhere (over the body too: the joints under it keep their labels, as under
    `patches`)."""
    size = out.shape[0]
    out = out.copy()
    scale = float(rng.uniform(0.25, 0.6)) * size / 160
    thick = max(1, int(round(scale * 2)))
    style = int(rng.integers(3))
    x0, y = int(rng.uniform(0.0, 0.5) * size), int(rng.uniform(0.1, 0.95) * size)
    for _ in range(int(rng.integers(1, 4))):
        text = str(rng.choice(CAPTION_WORDS))
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        if style == 0:
            cv2.rectangle(out, (x0 - 3, y - h - 3), (x0 + w + 3, y + base + 2), (255, 255, 255), -1)
            cv2.putText(out, text, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (20, 20, 20), thick, cv2.LINE_AA)
        else:
            ink = (255, 255, 255) if style == 1 else tuple(int(v) for v in rng.integers(0, 256, 3))
            cv2.putText(out, text, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
            cv2.putText(out, text, (x0, y), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thick, cv2.LINE_AA)
        y += h + base + 6
    return out
