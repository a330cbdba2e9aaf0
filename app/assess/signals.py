"""Per exercise and view: the driving signal, the ready-pose gate and the rule measures.

The driving signal is oriented so that the exercise's start position is HIGH (arms locked
in a push-up, dead hang in a pull-up, lying in a sit-up) and a rep is a dip away from it
and back. Everything is causal (frame t uses frames <= t), so live and file analysis agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.assess import measures as M
from app.assess.thresholds import Thresholds
from app.core.rolling import forward_fill, row_quantile, trailing_rows
from app.core.skeleton import J

VIEW_SIDE_RATIO = 0.55  # shoulder width / torso length below this reads as a side view


@dataclass(frozen=True, slots=True)
class Signals:
    """drive (T,) start-high; gate bool (T,); scale (T,) px per torso length;
    measures: name -> (T,) arrays (NaN where unseen); enter / min_amplitude in drive units."""

    exercise: str
    view: str
    drive: np.ndarray
    gate: np.ndarray
    scale: np.ndarray
    measures: dict
    enter: float
    min_amplitude: float
    drive_name: str
    ready: float = float("-inf")
    return_fraction: float = 0.4


def detect_view(kpts: np.ndarray, min_score: float = 0.3) -> str:
    """'side' or 'front' from how wide the shoulders look against the torso."""
    r = M.side_ratio(np.asarray(kpts, np.float32), min_score)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return "side"
    return "side" if float(np.median(r)) < VIEW_SIDE_RATIO else "front"


def _running_median(values: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    """Causal median of the last `window` valid, finite samples (T,); NaN until one is seen."""
    idx = np.flatnonzero(np.asarray(valid, bool) & np.isfinite(values))
    meds = row_quantile(trailing_rows(np.asarray(values, np.float64)[idx], window), 50.0)
    return forward_fill(meds, idx, values.shape[0])


def _running_percentile(x: np.ndarray, window: int, q: float) -> np.ndarray:
    """Causal q-th percentile of the finite samples in the last `window` frames (T,); NaN
    where there is none."""
    if window < 1:
        return np.full(np.shape(x), np.nan)
    return row_quantile(trailing_rows(x, window), q)


def _median3(x: np.ndarray) -> np.ndarray:
    """Causal median of the last three samples (drops single-frame outliers). (T,) -> (T,)."""
    p1 = np.concatenate([x[:1], x[:-1]])
    p2 = np.concatenate([x[:2], x[:-2]])[: len(x)]
    if not len(x):
        return x
    st = np.stack([x, p1, p2])
    cnt = np.isfinite(st).sum(0)
    out = np.full(x.shape, np.nan)
    ok = cnt > 0
    out[ok] = np.nanmedian(st[:, ok], axis=0)
    return out


# Normalised mode: (numerator, denominator) joints' vertical extents per exercise. A ratio of
# two extents on the same axis and in the same frame survives any per-frame, per-axis affine
# rescaling, so it reads the same on repcount's min-max normalised poses as on pixels. The
# denominator is a segment whose vertical extent stays put through the rep: the forearm in a
# push-up, the torso while hanging, the thigh's rise above the hip with bent knees in a sit-up.
_RATIO_MIN_DEN = 0.02  # denominators under 2% of the frame's extent are unreliable: NaN


def _y(kpts: np.ndarray, a: int, b: int) -> np.ndarray:
    return (kpts[:, a, 1] + kpts[:, b, 1]) / 2


def normalised_drive(kpts: np.ndarray, exercise: str) -> tuple[np.ndarray, str]:
    """Start-high drive from same-frame vertical ratios. kpts (T, 17, 3) -> ((T,), name).

    Joints are averaged left/right: normalised data carries no usable scores to choose a side.
    """
    s = _y(kpts, J.L_SHOULDER, J.R_SHOULDER)
    e = _y(kpts, J.L_ELBOW, J.R_ELBOW)
    w = _y(kpts, J.L_WRIST, J.R_WRIST)
    h = _y(kpts, J.L_HIP, J.R_HIP)
    k = _y(kpts, J.L_KNEE, J.R_KNEE)
    n = kpts[:, J.NOSE, 1]
    if exercise == "pushup":
        num, den, name = w - s, w - e, "shoulders above hands (forearm lengths)"
    elif exercise == "pullup":
        num, den, name = n - w, h - s, "nose below hands (torso heights)"
    elif exercise == "situp":
        num, den, name = s - h, h - k, "shoulders below lying level (hip-to-knee heights)"
    else:
        raise ValueError(f"exercise must be pushup, pullup or situp, got {exercise!r}")
    extent = np.ptp(kpts[:, :, 1], axis=1)
    ok = den > _RATIO_MIN_DEN * np.maximum(extent, 1e-9)
    drive = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    return np.clip(drive, -3.0, 4.0), name  # a near-zero denominator can still spike


def compute(kpts: np.ndarray, fps: float, exercise: str, view: str, th: Thresholds,
            bar_y: float | None = None, normalised: bool = False) -> Signals:
    """kpts (T, 17, 3) px -> Signals. normalised=True for coordinates that were min-max
    scaled per frame (posture gates need true proportions, so they are switched off)."""
    kpts = np.asarray(kpts, np.float32)
    ms = th.min_score
    scale = M.reference_scale(M.raw_scale(kpts, ms))
    scale = np.where(np.isfinite(scale) & (scale > 1e-6), scale, np.nan)
    m: dict[str, np.ndarray] = {}
    T = kpts.shape[0]
    if exercise == "pushup":
        m["elbow"] = M.elbow_angle(kpts, ms)
        m["shoulder_over_elbow"] = (M.elbow_y(kpts, ms) - M.shoulder_y(kpts, ms)) / scale
        m["arm_height"] = (M.wrist_y(kpts, ms) - M.shoulder_y(kpts, ms)) / scale
        m["hip_offset"] = M.hip_offset(kpts, ms)
        m["knee_above_hands"] = (M.wrist_y(kpts, ms) - M.knee_y(kpts, ms)) / scale
        m["knee"] = M.knee_angle(kpts, ms)
        # upright = standing or kneeling up: judged by the ankles when they are seen, by the
        # hips otherwise (front views and low cameras often lose the feet)
        sy = M.shoulder_y(kpts, ms)
        upright = ((M.ankle_y(kpts, ms) - sy) / scale > th.pushup_max_shoulder_above_ankle) | \
                  ((M.hip_y(kpts, ms) - sy) / scale > th.pushup_max_shoulder_above_hip)
        gate = ~upright & ~(m["arm_height"] <= -0.2)
        # the locked-out height of the recent tops in position (causal), for the lockout check:
        # a bent arm can look straight edge-on, a lowered shoulder cannot. A high percentile over
        # the last seconds, not the all-time maximum: one outlier while getting into position,
        # or a camera that moves, must not make every later top look short
        ah = _median3(m["arm_height"])
        m["arm_height_top"] = _running_percentile(np.where(gate, ah, np.nan), int(th.pushup_top_window_s * fps),
                                                  th.pushup_top_percentile)
        drive, enter, amp, name = (m["arm_height"], th.pushup_front_enter, th.pushup_front_min_amplitude,
                                   "shoulders above hands (torso lengths)")
    elif exercise == "pullup":
        wy = M.wrist_y(kpts, ms)
        ny = M.head_y(kpts, ms)  # the nose, or the ears / eyes when it is hidden (filmed from behind)
        sy = M.shoulder_y(kpts, ms)
        m["elbow"] = M.elbow_angle(kpts, ms)
        m["nose_below_wrists"] = (ny - wy) / scale
        m["wrist_y"] = wy / scale
        m["nose_y"] = ny / scale
        gate = ~((sy - wy) / scale <= th.pullup_min_wrist_above_shoulder)
        if bar_y is not None:
            bar = np.full(T, float(bar_y))
        else:
            bar = _running_median(wy, gate, 90) - th.pullup_bar_offset * scale
        m["nose_over_bar"] = (bar - ny) / scale
        elev = M.trunk_elevation(kpts, ms)
        m["lean"] = 90.0 - elev
        m["hip"] = M.hip_angle(kpts, ms)
        m["thigh_drop"] = (M.knee_y(kpts, ms) - M.hip_y(kpts, ms)) / (0.85 * scale)
        drive, enter, amp, name = m["nose_below_wrists"], th.pullup_enter, th.pullup_min_amplitude, \
            "nose below hands (torso lengths)"
        # how far the body is from the deepest hang seen so far on the bar (causal)
        hang = np.where(gate & np.isfinite(drive), _median3(drive), -np.inf)
        m["hang_gap"] = np.maximum.accumulate(hang) - _median3(drive)
    elif exercise == "situp":
        m["trunk"] = M.trunk_elevation(kpts, ms)
        m["trunk_rise"] = M.trunk_rise(kpts, scale, ms)  # front-view drive
        m["hands_head"] = M.hands_to_head(kpts, scale, ms, side=view == "side")
        m["hands_chest"] = M.hands_to_chest(kpts, scale, ms)
        m["hip_y"] = M.hip_y(kpts, ms) / scale
        m["knee"] = M.knee_angle(kpts, ms)
        gate = ~((M.ankle_y(kpts, ms) - M.hip_y(kpts, ms)) / scale >= th.situp_max_ankle_below_hip)
        if view == "side":
            drive, enter, amp, name = 90.0 - m["trunk"], th.situp_enter, th.situp_min_amplitude, \
                "trunk down from vertical (deg)"
        else:
            drive, enter, amp, name = (-m["trunk_rise"], th.situp_front_enter, th.situp_front_min_amplitude,
                                       "neck below pelvis (torso lengths)")
    else:
        raise ValueError(f"exercise must be pushup, pullup or situp, got {exercise!r}")
    # Gates close only on evidence: a comparison with an unseen joint (NaN) is False, so each
    # gate is written as "not (seen and out of position)". An unseen joint must not end a rep
    # the subject is still doing (the drive's own NaN handling covers leaving the frame).
    gate = np.asarray(gate, bool) & np.isfinite(scale)
    if normalised:  # heights and posture gates mean nothing after per-frame rescaling
        drive, name = normalised_drive(kpts, exercise)
        p = {f: getattr(th, f"norm_{exercise}_{f}") for f in ("enter", "min_amplitude", "ready", "return")}
        return Signals(exercise, view, drive, np.ones(T, bool), scale, m, p["enter"], p["min_amplitude"], name,
                       p["ready"], p["return"])
    return Signals(exercise, view, np.asarray(drive, float), gate, scale, m, float(enter), float(amp), name,
                   float("-inf"), th.return_fraction)
