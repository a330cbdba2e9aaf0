"""What the overlay writes next to the skeleton, per event (numpy only): the joint angles a
grader looks at, and a fixed oblique projection of the lifted 3D pose for the small 3D view.

Push-up: elbows (depth and lockout) and hips (body line); pull-up: elbows (hang and pull);
sit-up: hips (trunk up) and knees (the bent-knee rule). An angle is shown only when its
three joints are seen (score above `min_score`).
"""
from __future__ import annotations

import numpy as np

from app.core.geometry import joint_angle
from app.core.skeleton import Joint as J
from app.core.visibility import SEEN_SCORE, visible

# (label, a, b, c): the angle at b between b->a and b->c
ANGLES: dict[str, tuple[tuple[str, int, int, int], ...]] = {
    "pushup": (("elbow", J.L_SHOULDER, J.L_ELBOW, J.L_WRIST), ("elbow", J.R_SHOULDER, J.R_ELBOW, J.R_WRIST),
               ("hip", J.L_SHOULDER, J.L_HIP, J.L_ANKLE), ("hip", J.R_SHOULDER, J.R_HIP, J.R_ANKLE)),
    "pullup": (("elbow", J.L_SHOULDER, J.L_ELBOW, J.L_WRIST), ("elbow", J.R_SHOULDER, J.R_ELBOW, J.R_WRIST)),
    "situp": (("hip", J.L_SHOULDER, J.L_HIP, J.L_KNEE), ("hip", J.R_SHOULDER, J.R_HIP, J.R_KNEE),
              ("knee", J.L_HIP, J.L_KNEE, J.L_ANKLE), ("knee", J.R_HIP, J.R_KNEE, J.R_ANKLE)),
}


def event_angles(kpts: np.ndarray, exercise: str, min_score: float = SEEN_SCORE,
                 merge_px: float = 40.0) -> list[tuple[int, str, float]]:
    """kpts (17, 3) px + score -> [(joint at the angle, label, degrees)] for the event's angles
    whose three joints are seen; [] for an unknown event (auto, not yet recognised). Left and
    right of the same angle closer than merge_px (a side view: one behind the other) are
    shown once, the surer side's."""
    k = np.asarray(kpts, np.float32)
    found: dict[str, list[tuple[float, int, float]]] = {}
    for label, a, b, c in ANGLES.get(exercise, ()):
        score = float(min(k[a, 2], k[b, 2], k[c, 2]))
        if visible(k[[a, b, c]], min_score).all():
            found.setdefault(label, []).append((score, int(b), float(joint_angle(k[a, :2], k[b, :2], k[c, :2]))))
    out = []
    for label, sides in found.items():
        if len(sides) == 2 and np.linalg.norm(k[sides[0][1], :2] - k[sides[1][1], :2]) < merge_px:
            sides = [max(sides)]
        out += [(j, label, deg) for _s, j, deg in sides]
    return out


def project_oblique(joints: np.ndarray, yaw_deg: float = 35.0, pitch_deg: float = 15.0) -> np.ndarray:
    """joints (17, 3) m (x right, y down, z away, root-relative) -> (17, 2) view coordinates
    in metres after turning the body `yaw` about the vertical and tilting `pitch`: a fixed
    three-quarter view, so depth the 2D image cannot show (a sagging hip seen from the
    front) is visible."""
    j = np.asarray(joints, np.float32)
    y, p = np.radians(yaw_deg), np.radians(pitch_deg)
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]], np.float32)
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]], np.float32)
    return (j @ ry.T @ rx.T)[:, :2]
