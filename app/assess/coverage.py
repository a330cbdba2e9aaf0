"""What the camera let us see: the share of frames in which the body parts an event is judged
by were not found, and the warning a user should read instead of a clean-looking 0."""
from __future__ import annotations

import numpy as np

from app.core.skeleton import J
from app.core.visibility import visible

# part -> alternatives; a part is seen in a frame when all joints of one alternative are
PARTS: dict[str, tuple[tuple[int, ...], ...]] = {
    "arms": ((J.L_ELBOW, J.L_WRIST), (J.R_ELBOW, J.R_WRIST)),
    "trunk": ((J.L_SHOULDER, J.L_HIP), (J.R_SHOULDER, J.R_HIP)),
    "head": ((J.NOSE,), (J.L_EAR,), (J.R_EAR,), (J.L_EYE,), (J.R_EYE,)),
    "legs": ((J.L_KNEE, J.L_ANKLE), (J.R_KNEE, J.R_ANKLE)),
}
NEEDED: dict[str, tuple[str, ...]] = {
    "pushup": ("arms", "trunk"),
    "pullup": ("arms", "head", "trunk"),
    "situp": ("trunk", "head", "arms"),
}
WARN_SHARE = 0.5  # a part missing in more than half of the frames is said


def coverage(kpts: np.ndarray, exercise: str, min_score: float) -> dict:
    """kpts (T, 17, 3) -> {"unseen": {part: share of frames 0..1}, "warnings": [one line each]}
    for the parts `exercise` is judged by; frames without anyone at all count as unseen."""
    k = np.asarray(kpts, np.float32)
    if not len(k):
        return {"unseen": {}, "warnings": ["nobody was seen: check the camera and the light"]}
    seen = visible(k, min_score)  # (T, 17)
    unseen, warnings = {}, []
    for part in NEEDED.get(exercise, ()):
        ok = np.zeros(len(k), bool)
        for alt in PARTS[part]:
            ok |= seen[:, list(alt)].all(1)
        share = round(float(1.0 - ok.mean()), 3)
        unseen[part] = share
        if share > WARN_SHARE:
            warnings.append(f"{part} not found in {share:.0%} of frames: check the camera angle "
                            "(the whole body in view, side-on or at an angle)")
    return {"unseen": unseen, "warnings": warnings}


def posture_contradicts(kpts: np.ndarray, exercise: str, min_score: float) -> str | None:
    """A sanity check of a recognised event against the body's posture: push-ups and sit-ups
    are done lying or leaning (the trunk upright in under half of the frames where it is seen),
    pull-ups hanging (upright in at least half). -> a one-line reason when the posture says
    otherwise, else None (also when the trunk is never seen)."""
    from app.assess.measures import trunk_elevation
    el = trunk_elevation(np.asarray(kpts, np.float32), min_score)
    el = el[np.isfinite(el)]
    if el.size < 10:
        return None
    upright = float((el > 60.0).mean())
    if exercise in ("pushup", "situp") and upright >= 0.5:
        name = {"pushup": "push-up", "situp": "sit-up"}[exercise]
        return f"the body is upright in {upright:.0%} of frames, which a {name} is not"
    if exercise == "pullup" and upright < 0.5:
        return f"the body is upright in only {upright:.0%} of frames, which a pull-up is not"
    return None
