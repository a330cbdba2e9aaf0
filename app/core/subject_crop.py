"""Where the crop pose model looks: a square region of interest around one person, rotated so
the body axis (hips to shoulders) points up (numpy only).

A push-up (body horizontal), a hanging pull-up (upright, arms overhead) and a lying sit-up all
reach the model as an upright body, as in BlazePose and the LSTM Pose Machines paper (one
person's crop). The same function places the crop in training (around the teacher's joints,
training.data.crop_cache) and in the app (around the previous frame's joints,
app.inference.subject_pose), so the model sees at run time what it was taught on.

Geometry: a crop is (cx, cy) its centre in image px, `side` its side in image px and `angle`
the rotation in radians that takes the body axis to "up". `matrix(size)` maps image px to
crop px (a size x size input); `to_image` maps crop px back, exactly (tested round trip).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MARGIN = 1.35        # crop side / the person's joint extent along the body's axes
MIN_TORSOS = 3.2     # ... and at least this many torso lengths: room for raised arms and feet
MIN_SEEN = 0.3       # a joint with a lower score does not place the crop
SHOULDERS, HIPS = (5, 6), (11, 12)


@dataclass(frozen=True, slots=True)
class SubjectCrop:
    """Square rotated region of interest: centre (cx, cy) image px, side image px, angle radians
    (image -> crop rotation: the body axis points to -y in the crop)."""

    cx: float
    cy: float
    side: float
    angle: float

    def matrix(self, size: int) -> np.ndarray:
        """2x3 float64 affine from image px to the (size x size) crop px."""
        s = size / self.side
        c, si = math.cos(self.angle), math.sin(self.angle)
        rot = np.array([[c, -si], [si, c]]) * s
        t = np.array([size / 2.0, size / 2.0]) - rot @ np.array([self.cx, self.cy])
        return np.hstack([rot, t[:, None]])

    def to_crop(self, kpts: np.ndarray, size: int) -> np.ndarray:
        """(..., 17, 2+) image px -> crop px (extra columns, e.g. scores, untouched)."""
        m = self.matrix(size)
        out = np.array(kpts, np.float64, copy=True)
        out[..., :2] = kpts[..., :2] @ m[:, :2].T + m[:, 2]
        return out

    def to_image(self, kpts: np.ndarray, size: int) -> np.ndarray:
        """(..., 17, 2+) crop px -> image px, the exact inverse of to_crop."""
        m = self.matrix(size)
        inv = np.linalg.inv(m[:, :2])
        out = np.array(kpts, np.float64, copy=True)
        out[..., :2] = (kpts[..., :2] - m[:, 2]) @ inv.T
        return out

    def scaled(self, factor: float) -> SubjectCrop:
        return SubjectCrop(self.cx, self.cy, self.side * factor, self.angle)


def body_angle(joints: np.ndarray, min_score: float = MIN_SEEN) -> float | None:
    """The rotation (radians) that turns the hips-to-shoulders axis of (17, 3) joints to point
    up in the crop; None when neither a shoulder nor a hip is seen on both ends."""
    seen = joints[:, 2] >= min_score
    sh = [j for j in SHOULDERS if seen[j]]
    hp = [j for j in HIPS if seen[j]]
    if not sh or not hp:
        return None
    v = joints[sh, :2].mean(0) - joints[hp, :2].mean(0)
    if float(np.hypot(*v)) < 1e-3:
        return None
    # rotate v = (vx, vy) onto (0, -1): angle = atan2 of the target minus atan2 of v
    return float(math.atan2(-1.0, 0.0) - math.atan2(v[1], v[0]))


def torso_length(joints: np.ndarray, min_score: float = MIN_SEEN) -> float:
    seen = joints[:, 2] >= min_score
    sh = [j for j in SHOULDERS if seen[j]]
    hp = [j for j in HIPS if seen[j]]
    if not sh or not hp:
        return 0.0
    return float(np.linalg.norm(joints[sh, :2].mean(0) - joints[hp, :2].mean(0)))


def crop_of(joints: np.ndarray, angle: float | None = None, min_score: float = MIN_SEEN,
            margin: float = MARGIN) -> SubjectCrop | None:
    """A person's joints (17, 3) image px -> the crop around them, upright (angle from the body
    axis unless given; 0 when the axis is not seen); None with fewer than 3 joints seen.

    The crop's centre is the middle of the joints' box in the rotated frame and its side
    `margin` x the box's longer side, and never under MIN_TORSOS torso lengths (a crop made
    from a reading that missed the raised arms still holds them)."""
    seen = joints[:, 2] >= min_score
    if seen.sum() < 3:
        return None
    if angle is None:
        angle = body_angle(joints, min_score)
        angle = 0.0 if angle is None else angle
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    xy = joints[seen, :2].astype(np.float64) @ rot.T
    lo, hi = xy.min(0), xy.max(0)
    mid = rot.T @ ((lo + hi) / 2)  # back to image px
    side = max(float(np.max(hi - lo)) * margin, MIN_TORSOS * torso_length(joints, min_score), 16.0)
    return SubjectCrop(float(mid[0]), float(mid[1]), side, float(angle))


def blend(prev: SubjectCrop, new: SubjectCrop, weight: float) -> SubjectCrop:
    """prev moved `weight` (0..1) of the way to new: centre and side linearly, the angle along
    the shorter way round. A crop that follows smoothly gives a steadier read."""
    da = (new.angle - prev.angle + math.pi) % (2 * math.pi) - math.pi
    return SubjectCrop(prev.cx + weight * (new.cx - prev.cx), prev.cy + weight * (new.cy - prev.cy),
                       prev.side + weight * (new.side - prev.side), prev.angle + weight * da)
