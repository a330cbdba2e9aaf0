"""Every threshold in an admin's words: what it decides, its unit and the range the settings
accept. The names in app/assess/thresholds.py stay the file format; people read these.

`basic`: shown by default; the others (counting internals, the RepCount data mode, the model
fusion) only under "advanced".
"""
from __future__ import annotations

from dataclasses import dataclass

DEG, S, SEC = "degrees", "torso lengths", "seconds"
SHARE, SEG, PROB = "share (0-1)", "body segments", "probability (0-1)"


@dataclass(frozen=True, slots=True)
class ThresholdText:
    """label: what it decides; unit; lo / hi: the accepted range; basic: shown by default."""

    label: str
    unit: str
    lo: float
    hi: float
    basic: bool = False


def _t(label: str, unit: str, lo: float, hi: float, basic: bool = False) -> ThresholdText:
    return ThresholdText(label, unit, lo, hi, basic)


TEXT: dict[str, ThresholdText] = {
    "min_score": _t("joint seen when the pose model is at least this sure", PROB, 0.05, 0.95),
    "pushup_front_enter": _t("push-up (front): shoulder drop that starts a rep", S, 0.0, 1.0),
    "pushup_front_min_amplitude": _t("push-up (front): smallest shoulder drop that is a rep attempt", S, 0.0, 2.0),
    "pullup_enter": _t("pull-up: rise from the hang that starts a rep", S, 0.0, 2.0),
    "pullup_min_amplitude": _t("pull-up: smallest rise that is a rep attempt", S, 0.0, 3.0),
    "situp_enter": _t("sit-up (side): trunk lift that starts a rep", DEG, 0.0, 90.0),
    "situp_min_amplitude": _t("sit-up (side): smallest trunk lift that is a rep attempt", DEG, 0.0, 90.0),
    "situp_noise_k": _t("sit-up: smallest attempt, in multiples of the pose's jitter", "x jitter", 0.0, 100.0),
    "situp_max_min_amplitude": _t("sit-up (side): a lift this big always counts as an attempt", DEG, 0.0, 90.0),
    "situp_front_enter": _t("sit-up (front): neck rise that starts a rep", S, 0.0, 2.0),
    "situp_front_min_amplitude": _t("sit-up (front): smallest neck rise that is a rep attempt", S, 0.0, 2.0),
    "situp_front_max_min_amplitude": _t("sit-up (front): a rise this big always counts as an attempt", S, 0.0, 2.0),
    "return_fraction": _t("share of the movement to come back for a rep to end", SHARE, 0.05, 1.0),
    "norm_pushup_enter": _t("normalised data, push-up: start of a rep", SEG, -5.0, 5.0),
    "norm_pushup_min_amplitude": _t("normalised data, push-up: smallest attempt", SEG, 0.0, 5.0),
    "norm_pushup_ready": _t("normalised data, push-up: start position", SEG, -5.0, 5.0),
    "norm_pushup_return": _t("normalised data, push-up: share to come back", SHARE, 0.0, 1.0),
    "norm_pullup_enter": _t("normalised data, pull-up: start of a rep", SEG, -5.0, 5.0),
    "norm_pullup_min_amplitude": _t("normalised data, pull-up: smallest attempt", SEG, 0.0, 5.0),
    "norm_pullup_ready": _t("normalised data, pull-up: start position", SEG, -5.0, 5.0),
    "norm_pullup_return": _t("normalised data, pull-up: share to come back", SHARE, 0.0, 1.0),
    "norm_situp_enter": _t("normalised data, sit-up: start of a rep", SEG, -5.0, 5.0),
    "norm_situp_min_amplitude": _t("normalised data, sit-up: smallest attempt", SEG, 0.0, 5.0),
    "norm_situp_ready": _t("normalised data, sit-up: start position", SEG, -5.0, 5.0),
    "norm_situp_return": _t("normalised data, sit-up: share to come back", SHARE, 0.0, 1.0),
    "gate_grace_s": _t("out of position this long inside a rep is forgiven", SEC, 0.0, 5.0),
    "lost_abort_s": _t("a rep is dropped when the trainee is unseen this long", SEC, 0.1, 10.0, True),
    "max_rep_s": _t("longest a single rep may take", SEC, 1.0, 60.0, True),
    "return_read_s": _t("how long after a rep its return is still read", SEC, 0.0, 5.0),
    "pushup_max_shoulder_above_ankle": _t("push-up position: shoulders at most this above the ankles", S, 0.0, 3.0),
    "pushup_max_shoulder_above_hip": _t("push-up position: shoulders at most this above the hips", S, 0.0, 2.0),
    "pullup_min_wrist_above_shoulder": _t("pull-up position: hands at least this above the shoulders", S, -2.0, 2.0),
    "pullup_max_wrist_travel": _t("pull-up position: hands move at most this share of the body's travel",
                                  SHARE, 0.0, 1.0),
    "situp_max_ankle_below_hip": _t("sit-up position: ankles at most this below the hips", S, 0.0, 3.0),
    "pushup_depth": _t("push-up depth (side): shoulders at most this above the elbows at the bottom", S, -1.0, 1.0,
                       True),
    "pushup_depth_front": _t("push-up depth (front): the same, seen from the front", S, -1.0, 1.0, True),
    "pushup_lockout_elbow": _t("push-up lockout: arms straightened to at least this", DEG, 90.0, 180.0, True),
    "pushup_lockout_gap": _t("push-up lockout (side): shoulders back within this of the top", S, 0.0, 1.0, True),
    "pushup_lockout_gap_front": _t("push-up lockout (front): shoulders back within this of the top", S, 0.0, 1.0,
                                   True),
    "pushup_top_window_s": _t("push-up lockout: the top is read over the last", SEC, 1.0, 60.0),
    "pushup_top_percentile": _t("push-up lockout: the top is this percentile of those heights", "percentile",
                                50.0, 100.0),
    "pushup_sag": _t("push-up body line: hips sag at most this below the line", S, -1.0, 0.0, True),
    "pushup_pike": _t("push-up body line: hips pike at most this above the line", S, 0.0, 1.0, True),
    "pushup_knee_angle": _t("push-up: knees bent below this are 'knees down' ...", DEG, 90.0, 180.0, True),
    "pushup_knee_floor": _t("... when the knees are within this of the floor", S, 0.0, 1.0, True),
    "pullup_chin_margin": _t("pull-up: chin at least this above the bar", S, -0.5, 1.0, True),
    "pullup_hang_elbow": _t("pull-up (front): arms straightened to at least this between reps", DEG, 90.0, 180.0,
                            True),
    "pullup_hang_gap": _t("pull-up (front): back down within this of the dead hang", S, 0.0, 1.0, True),
    "pullup_hang_gap_side": _t("pull-up (side): back down within this of the dead hang", S, 0.0, 1.0, True),
    "pullup_kip_swing": _t("pull-up (side): body swing larger than this is a kip", DEG, 0.0, 90.0, True),
    "pullup_kick_hip": _t("pull-up (side): hips bent below this are a leg kick ...", DEG, 60.0, 180.0, True),
    "pullup_kick_hip_change": _t("... when they closed by more than this since the hang", DEG, 0.0, 90.0, True),
    "pullup_kick_thigh": _t("pull-up (front): thighs shortened below this share are a leg kick ...", SHARE, 0.0,
                            1.0, True),
    "pullup_kick_thigh_change": _t("... when they shortened by more than this since the hang", SHARE, 0.0, 1.0, True),
    "pullup_bar_offset": _t("pull-up: the bar above the hands when it is not seen or drawn", S, -0.5, 1.0, True),
    "situp_vertical": _t("sit-up top (side): trunk raised to at least this", DEG, 30.0, 120.0, True),
    "situp_down": _t("sit-up bottom (side): trunk lowered to at most this", DEG, 0.0, 60.0, True),
    "situp_hands_head": _t("sit-up (side): hands within this of the head", S, 0.0, 2.0, True),
    "situp_hands_head_front": _t("sit-up (front): hands within this of the head", S, 0.0, 2.0, True),
    "situp_hip_lift": _t("sit-up: hips lifted at most this during the rep", S, 0.0, 1.0, True),
    "situp_knee_max": _t("sit-up (side): knees bent to at most this", DEG, 45.0, 180.0, True),
    "situp_arms_chest": _t("sit-up, arms crossed: hands within this of the chest", S, 0.0, 2.0, True),
    "p_standard_min": _t("form model: a rep it is less sure of than this is refused (when fused)", PROB, 0.0, 1.0),
}


def check(name: str, value: float) -> str | None:
    """None when value is accepted for name, else one line saying what is wrong and the range."""
    t = TEXT[name]
    if not (t.lo <= value <= t.hi):
        return f"{t.label}: {value:g} {t.unit} is outside {t.lo:g} to {t.hi:g}"
    return None
