"""A 3D kinematic body with randomised anthropometrics, assembled frame-vectorised.

World frame: metres, z up, ground at z = 0. Body-local conventions used by the motions:
x is where the subject's head (lying) or face (standing) points, y is the subject's left.
All builders take arrays with a leading frame axis T and return joints (T, 17, 3).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.skeleton import J


@dataclass(frozen=True, slots=True)
class Body:
    """Segment lengths in metres (randomised around adult proportions of height H)."""

    height: float
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    torso: float          # pelvis centre -> shoulder centre
    shoulder_half: float  # shoulder centre -> each shoulder joint
    hip_half: float       # pelvis centre -> each hip joint
    head: float           # shoulder centre -> nose, along the head axis

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm

    @property
    def leg(self) -> float:
        return self.thigh + self.shin


def random_body(rng: np.random.Generator) -> Body:
    h = rng.uniform(1.52, 1.98)

    def part(ratio: float) -> float:
        return float(h * ratio * rng.uniform(0.94, 1.06))

    return Body(height=float(h), upper_arm=part(0.186), forearm=part(0.150), thigh=part(0.245),
                shin=part(0.247), torso=part(0.290), shoulder_half=part(0.125), hip_half=part(0.085),
                head=part(0.118))


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def two_link(root: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Analytic two-bone IK. root, target, pole (T, 3) -> (middle joint, reached end) (T, 3).

    The end is pulled onto the reachable shell when the target is too far or too close;
    the middle joint bends towards `pole` (a direction, not a point).
    """
    d = target - root
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    dirn = d / np.maximum(dist, 1e-9)
    dist = np.clip(dist, abs(l1 - l2) + 1e-4, l1 + l2 - 1e-4)
    a = (l1 ** 2 - l2 ** 2 + dist ** 2) / (2 * dist)
    h = np.sqrt(np.maximum(l1 ** 2 - a ** 2, 0.0))
    perp = pole - np.sum(pole * dirn, axis=-1, keepdims=True) * dirn
    perp = unit(perp)
    mid = root + a * dirn + h * perp
    end = root + dist * dirn
    return mid, end


def assemble(body: Body, pelvis: np.ndarray, up: np.ndarray, front: np.ndarray,
             wrist_target: tuple[np.ndarray, np.ndarray], elbow_pole: tuple[np.ndarray, np.ndarray],
             ankle_target: tuple[np.ndarray, np.ndarray], knee_pole: tuple[np.ndarray, np.ndarray],
             head_up: np.ndarray | None = None, head_front: np.ndarray | None = None) -> np.ndarray:
    """Build (T, 17, 3) joints from the trunk frame and limb targets (pairs are (left, right)).

    up: pelvis -> neck direction; front: the way the chest faces (made orthogonal to up).
    """
    up = unit(up)
    front = unit(front - np.sum(front * up, axis=-1, keepdims=True) * up)
    left = np.cross(up, front)
    hu = up if head_up is None else unit(head_up)
    hf = front if head_front is None else unit(head_front - np.sum(head_front * hu, -1, keepdims=True) * hu)
    hl = np.cross(hu, hf)
    T = pelvis.shape[0]
    out = np.empty((T, 17, 3))
    neck = pelvis + body.torso * up
    out[:, J.L_SHOULDER] = neck + body.shoulder_half * left
    out[:, J.R_SHOULDER] = neck - body.shoulder_half * left
    out[:, J.L_HIP] = pelvis + body.hip_half * left
    out[:, J.R_HIP] = pelvis - body.hip_half * left
    hs = body.head
    out[:, J.NOSE] = neck + hs * hu + 0.42 * hs * hf
    out[:, J.L_EYE] = neck + 1.12 * hs * hu + 0.36 * hs * hf + 0.16 * hs * hl
    out[:, J.R_EYE] = neck + 1.12 * hs * hu + 0.36 * hs * hf - 0.16 * hs * hl
    out[:, J.L_EAR] = neck + 1.02 * hs * hu - 0.02 * hs * hf + 0.40 * hs * hl
    out[:, J.R_EAR] = neck + 1.02 * hs * hu - 0.02 * hs * hf - 0.40 * hs * hl
    for k, (sh, el, wr) in enumerate(((J.L_SHOULDER, J.L_ELBOW, J.L_WRIST), (J.R_SHOULDER, J.R_ELBOW, J.R_WRIST))):
        out[:, el], out[:, wr] = two_link(out[:, sh], wrist_target[k], body.upper_arm, body.forearm, elbow_pole[k])
    for k, (hp, kn, an) in enumerate(((J.L_HIP, J.L_KNEE, J.L_ANKLE), (J.R_HIP, J.R_KNEE, J.R_ANKLE))):
        out[:, kn], out[:, an] = two_link(out[:, hp], ankle_target[k], body.thigh, body.shin, knee_pole[k])
    return out


def law_of_cosines(a: float, b: float, angle_deg: np.ndarray) -> np.ndarray:
    """Distance between the ends of two bones a, b meeting at `angle_deg` (180 = straight)."""
    return np.sqrt(a * a + b * b - 2 * a * b * np.cos(np.radians(angle_deg)))


def vec(x, y, z, T: int) -> np.ndarray:
    """Broadcast scalars / (T,) arrays into a (T, 3) array."""
    return np.stack([np.broadcast_to(np.asarray(c, float), (T,)) for c in (x, y, z)], axis=-1)
