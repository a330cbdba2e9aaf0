"""Plane geometry on keypoint arrays, vectorised over any leading axes.

Image convention: x to the right, y DOWN (pixels). Angles are in degrees. Functions take
points as (..., 2) or (..., 3) arrays (a third column, the score, is ignored) and return
arrays of the leading shape.
"""
from __future__ import annotations

import numpy as np

from app.core.skeleton import J, neck, pelvis


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at vertex b in degrees, 180 = straight. a, b, c: (..., >=2) -> (...)."""
    v1 = a[..., :2] - b[..., :2]
    v2 = c[..., :2] - b[..., :2]
    n = np.linalg.norm(v1, axis=-1) * np.linalg.norm(v2, axis=-1)
    cos = np.sum(v1 * v2, axis=-1) / np.maximum(n, 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def space_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at vertex b in degrees for 3D points (..., 3) -> (...) (lifted joints)."""
    v1, v2 = a - b, c - b
    n = np.linalg.norm(v1, axis=-1) * np.linalg.norm(v2, axis=-1)
    cos = np.sum(v1 * v2, axis=-1) / np.maximum(n, 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def limb_angles_3d(joints: np.ndarray) -> dict[str, np.ndarray]:
    """joints (..., 17, 3) metres -> elbow, hip (shoulder-hip-knee) and knee angles in degrees,
    the mean of the left and right sides (a lifted pose has both)."""
    def both(a, b, c):
        return (space_angle(joints[..., a, :], joints[..., b, :], joints[..., c, :])
                + space_angle(joints[..., a + 1, :], joints[..., b + 1, :], joints[..., c + 1, :])) / 2
    return {"elbow": both(J.L_SHOULDER, J.L_ELBOW, J.L_WRIST), "hip": both(J.L_SHOULDER, J.L_HIP, J.L_KNEE),
            "knee": both(J.L_HIP, J.L_KNEE, J.L_ANKLE)}


def incline(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of the line a->b above the image horizontal, in [0, 90] degrees.

    0 = horizontal, 90 = vertical, whichever way the line points.
    """
    d = b[..., :2] - a[..., :2]
    return np.degrees(np.arctan2(np.abs(d[..., 1]), np.abs(d[..., 0]) + 1e-9))


def elevation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed angle of a->b above the horizontal in degrees (y down): b above a is positive."""
    d = b[..., :2] - a[..., :2]
    return np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0]) + 1e-9))


def trunk_angle(kpts: np.ndarray) -> np.ndarray:
    """Elevation of pelvis -> neck above the horizontal (kpts (..., 17, 3) -> (...)).

    0 = lying flat, 90 = upright, negative = neck below the pelvis.
    """
    return elevation(pelvis(kpts), neck(kpts))


def body_line_angle(kpts: np.ndarray, side: str = "best") -> np.ndarray:
    """Shoulder-hip-ankle angle in degrees (180 = straight body), per side or the best side.

    side: "left", "right" or "best" (the side with the higher minimum score per frame).
    """
    left = joint_angle(kpts[..., J.L_SHOULDER, :], kpts[..., J.L_HIP, :], kpts[..., J.L_ANKLE, :])
    right = joint_angle(kpts[..., J.R_SHOULDER, :], kpts[..., J.R_HIP, :], kpts[..., J.R_ANKLE, :])
    if side == "left":
        return left
    if side == "right":
        return right
    sl = np.min(kpts[..., [J.L_SHOULDER, J.L_HIP, J.L_ANKLE], 2], axis=-1)
    sr = np.min(kpts[..., [J.R_SHOULDER, J.R_HIP, J.R_ANKLE], 2], axis=-1)
    return np.where(sl >= sr, left, right)


def hip_deviation(kpts: np.ndarray, side: str = "best") -> np.ndarray:
    """Signed distance of the hip from the shoulder-ankle line, in torso lengths.

    Positive = hip on the side of the line away from the ground (image up: piked),
    negative = towards the ground (sagging). kpts (..., 17, 3) -> (...).
    """
    out = []
    for s, e, h, a in ((0, J.L_SHOULDER, J.L_HIP, J.L_ANKLE), (1, J.R_SHOULDER, J.R_HIP, J.R_ANKLE)):
        p0 = kpts[..., e, :2]
        p1 = kpts[..., a, :2]
        ph = kpts[..., h, :2]
        d = p1 - p0
        n = np.linalg.norm(d, axis=-1)
        cross = (d[..., 0] * (ph[..., 1] - p0[..., 1]) - d[..., 1] * (ph[..., 0] - p0[..., 0])) / np.maximum(n, 1e-9)
        # The sign of the cross product depends on which way the body points; orient it so
        # that "up" in the image (smaller y) is positive.
        normal_y = d[..., 0] / np.maximum(n, 1e-9)  # y component of the normal (-dy, dx)
        sign = np.where(normal_y >= 0, -1.0, 1.0)
        out.append(sign * cross / np.maximum(torso_length(kpts), 1e-9))
    if side == "left":
        return out[0]
    if side == "right":
        return out[1]
    sl = np.min(kpts[..., [J.L_SHOULDER, J.L_HIP, J.L_ANKLE], 2], axis=-1)
    sr = np.min(kpts[..., [J.R_SHOULDER, J.R_HIP, J.R_ANKLE], 2], axis=-1)
    return np.where(sl >= sr, out[0], out[1])


def torso_length(kpts: np.ndarray) -> np.ndarray:
    """Image distance neck -> pelvis in pixels. kpts (..., 17, 3) -> (...)."""
    return np.linalg.norm(neck(kpts)[..., :2] - pelvis(kpts)[..., :2], axis=-1)


def shoulder_width(kpts: np.ndarray) -> np.ndarray:
    """Image distance between the shoulders in pixels. kpts (..., 17, 3) -> (...)."""
    return np.linalg.norm(kpts[..., J.L_SHOULDER, :2] - kpts[..., J.R_SHOULDER, :2], axis=-1)


def normalise(kpts: np.ndarray) -> np.ndarray:
    """Centre on the pelvis and scale by the torso length (scores kept).

    kpts (..., 17, 3) -> (..., 17, 3); a frame with no torso keeps scale 1.
    """
    out = np.array(kpts, dtype=np.float32, copy=True)
    centre = pelvis(out)[..., None, :2]
    scale = torso_length(out)[..., None, None]
    scale = np.where(scale > 1e-6, scale, 1.0)
    out[..., :2] = (out[..., :2] - centre) / scale
    return out
