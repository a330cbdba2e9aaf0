"""The standards as named checks (../shared/design/STANDARDS.md), each with its reason.

A check reads the rep's frames from the Signals' measures and says failed / passed /
unmeasurable (None: the joints it needs were not seen, or the view cannot show it). Each
check names the views it is valid in: a 2D side view shows a sagging hip, a front view does
not (the 3D lifter of the temporal-models issue will extend these sets).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.assess.counter import Cycle
from app.assess.signals import Signals
from app.assess.thresholds import Thresholds
from app.core.reasons import REASON_TEXT  # noqa: F401 - the checks' words, re-read by callers of the rules


@dataclass(frozen=True, slots=True)
class Check:
    """A named standard: its reason, event, the views that can judge it, the measurement, and
    whether it is optional (judged only when a protocol lists it, app.assess.protocol)."""

    reason: str
    exercise: str
    views: tuple[str, ...]
    fn: Callable[[dict, Cycle, Thresholds], tuple[bool | None, float]]
    optional: bool = False


def _span(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    x = a[max(lo, 0):hi + 1]
    return x[np.isfinite(x)]


def _min(a, lo, hi):
    x = _span(a, lo, hi)
    return float(x.min()) if x.size else None


def _max(a, lo, hi):
    x = _span(a, lo, hi)
    return float(x.max()) if x.size else None


def _range(a, lo, hi):
    x = _span(a, lo, hi)
    return float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size >= 3 else None


def _med(a, lo, hi):
    x = _span(a, lo, hi)
    return float(np.median(x)) if x.size else None


def _smoothed_max(a: np.ndarray, lo: int, hi: int) -> float | None:
    """Max over frames [lo, hi] of a centred median of three (the verdict is read after the
    rep, so it may look one frame ahead). Only the rep and one frame either side are read."""
    seg = a[max(lo - 1, 0):hi + 2]
    if seg.size >= 3:
        st = np.stack([np.concatenate([seg[:1], seg[:-1]]), seg, np.concatenate([seg[1:], seg[-1:]])])
        med = np.full(seg.shape, np.nan)
        ok = np.isfinite(st).sum(0) > 0
        med[ok] = np.nanmedian(st[:, ok], axis=0)
        seg = med
    first = lo - max(lo - 1, 0)
    return _max(seg, first, first + hi - lo)


def _fail_if(value, bad: Callable[[float], bool]) -> tuple[bool | None, float]:
    if value is None:
        return None, float("nan")
    return bool(bad(value)), value


# ------------------------------------------------------------------ push-up
def _pu_depth_side(m, c, th):
    return _fail_if(_min(m["shoulder_over_elbow"], c.start, c.end), lambda v: v > th.pushup_depth)


def _pu_depth_front(m, c, th):
    return _fail_if(_min(m["shoulder_over_elbow"], c.start, c.end), lambda v: v > th.pushup_depth_front)


def _pu_lockout(m, c, th, gap_max: float):
    # two witnesses: the elbow angle of the clearer arm, and how far the shoulders stay
    # below the recent locked-out tops before this rep (a bent arm whose bending plane
    # faces the camera edge-on looks straight; a lowered shoulder does not)
    elbow = _smoothed_max(m["elbow"], c.far, c.end)
    top = _smoothed_max(m["arm_height"], c.far, c.end)
    ref = m["arm_height_top"][c.start]
    gap = float(ref - top) if top is not None and np.isfinite(ref) else None
    if elbow is None and gap is None:
        return None, float("nan")
    bad = (elbow is not None and elbow < th.pushup_lockout_elbow) or (gap is not None and gap > gap_max)
    return bad, elbow if elbow is not None else float("nan")


def _pu_lockout_side(m, c, th):
    return _pu_lockout(m, c, th, th.pushup_lockout_gap)


def _pu_lockout_front(m, c, th):
    # from the front the shoulders' height above the hands also moves with the camera's pitch
    # and the body's lean, so the gap witness allows more there
    return _pu_lockout(m, c, th, th.pushup_lockout_gap_front)


def _pu_sag(m, c, th):
    return _fail_if(_med(m["hip_offset"], c.start, c.end), lambda v: v < th.pushup_sag)


def _pu_pike(m, c, th):
    return _fail_if(_med(m["hip_offset"], c.start, c.end), lambda v: v > th.pushup_pike)


def _pu_knees(m, c, th):
    # Knees down = the knee reaches the floor AND is bent there. The angle alone misleads:
    # an estimator reads straight legs as 150-170 degrees, and a kneeling body in line is ~150.
    # Read both at the frames where the knee is lowest (the lowest 20% of the rep).
    h, k = m["knee_above_hands"][c.start:c.end + 1], m["knee"][c.start:c.end + 1]
    ok = np.isfinite(h) & np.isfinite(k)
    if ok.sum() < 3:
        return None, float("nan")
    low = np.argsort(h[ok])[:max(1, int(0.2 * ok.sum()))]
    height, angle = float(np.median(h[ok][low])), float(np.median(k[ok][low]))
    return bool(height < th.pushup_knee_floor and angle < th.pushup_knee_angle), angle


# ------------------------------------------------------------------ pull-up
def _pl_chin(m, c, th):
    # Read the chin only in the pulled half of the rep: a cycle's start can reach back into
    # mounting the bar, when the hands (and so the estimated bar) are not yet in place.
    d = m["nose_below_wrists"][c.start:c.end + 1]
    pulled = d <= c.far_value + 0.5 * (c.top_value - c.far_value)
    v = np.where(pulled, m["nose_over_bar"][c.start:c.end + 1], np.nan)
    return _fail_if(_max(v, 0, v.size - 1), lambda x: x < th.pullup_chin_margin)


def _low(a, lo, hi, k: int = 3):
    """A robust low point: the mean of the k lowest samples (one noisy frame does not make the
    hang, and a long window does not hide a hang reached only at its end)."""
    x = _span(a, lo, hi)
    return float(np.sort(x)[:k].mean()) if x.size else None


def _high(a, lo, hi, k: int = 3):
    x = _span(a, lo, hi)
    return float(np.sort(x)[-k:].mean()) if x.size else None


def _pl_hang_front(m, c, th):
    gap = _low(m["hang_gap"], c.far, max(c.end, c.until))
    elbow = _high(m["elbow"], c.far, max(c.end, c.until))
    if gap is None and elbow is None:
        return None, float("nan")
    bad = (gap is not None and gap > th.pullup_hang_gap) or (elbow is not None and elbow < th.pullup_hang_elbow)
    return bad, gap if gap is not None else elbow


def _pl_hang_side(m, c, th):
    # from the side the arms are seen edge-on, so only the body's return to the hang counts
    return _fail_if(_low(m["hang_gap"], c.far, max(c.end, c.until)), lambda v: v > th.pullup_hang_gap_side)


def _pl_kip(m, c, th):
    return _fail_if(_range(m["lean"], c.start, c.end), lambda v: v > th.pullup_kip_swing)


def _pl_kick(a: np.ndarray, c, limit: float, change: float) -> tuple[bool | None, float]:
    # a kick is legs that MOVE to help the pull: flexed past `limit` AND by more than `change`
    # from how they hung at the start of the rep (ankles crossed with bent knees is no kick)
    low = _min(a, c.start, c.end)
    if low is None:
        return None, float("nan")
    hung = _med(a, c.start - 2, c.start + 2)
    moved = hung - low if hung is not None else float("inf")
    return bool(low < limit and moved > change), low


def _pl_kick_side(m, c, th):
    return _pl_kick(m["hip"], c, th.pullup_kick_hip, th.pullup_kick_hip_change)


def _pl_kick_front(m, c, th):
    return _pl_kick(m["thigh_drop"], c, th.pullup_kick_thigh, th.pullup_kick_thigh_change)


# ------------------------------------------------------------------ sit-up
def _su_vertical_side(m, c, th):
    return _fail_if(_max(m["trunk"], c.start, c.end), lambda v: v < th.situp_vertical)


def _su_down_side(m, c, th):
    return _fail_if(_min(m["trunk"], c.far, c.end), lambda v: v > th.situp_down)


def _su_hands_side(m, c, th):
    return _fail_if(_max(m["hands_head"], c.start, c.end), lambda v: v > th.situp_hands_head)


def _su_hands_front(m, c, th):
    return _fail_if(_max(m["hands_head"], c.start, c.end), lambda v: v > th.situp_hands_head_front)


def _su_arms_chest(m, c, th):
    return _fail_if(_max(m["hands_chest"], c.start, c.end), lambda v: v > th.situp_arms_chest)


def _su_hips(m, c, th):
    base = _med(m["hip_y"], c.start - 3, c.start + 1)
    top = _min(m["hip_y"], c.start, c.end)
    if base is None or top is None:
        return None, float("nan")
    rise = base - top
    return rise > th.situp_hip_lift, rise


def _su_knees(m, c, th):
    return _fail_if(_med(m["knee"], c.start, c.end), lambda v: v > th.situp_knee_max)


CHECKS: tuple[Check, ...] = (
    Check("not_deep_enough", "pushup", ("side",), _pu_depth_side),
    Check("not_deep_enough", "pushup", ("front",), _pu_depth_front),
    Check("no_lockout", "pushup", ("side",), _pu_lockout_side),
    Check("no_lockout", "pushup", ("front",), _pu_lockout_front),
    Check("hips_sagging", "pushup", ("side",), _pu_sag),
    Check("hips_piked", "pushup", ("side",), _pu_pike),
    Check("knees_down", "pushup", ("side",), _pu_knees),
    Check("chin_below_bar", "pullup", ("side", "front"), _pl_chin),
    Check("no_full_hang", "pullup", ("side",), _pl_hang_side),
    Check("no_full_hang", "pullup", ("front",), _pl_hang_front),
    Check("kipping", "pullup", ("side",), _pl_kip),
    Check("leg_kick", "pullup", ("side",), _pl_kick_side),
    Check("leg_kick", "pullup", ("front",), _pl_kick_front),
    Check("not_vertical", "situp", ("side",), _su_vertical_side),

    Check("shoulders_not_down", "situp", ("side",), _su_down_side),

    Check("hands_off_head", "situp", ("side",), _su_hands_side),
    Check("hands_off_head", "situp", ("front",), _su_hands_front),
    Check("hips_lifted", "situp", ("side",), _su_hips),
    Check("knees_too_straight", "situp", ("side",), _su_knees),
    Check("arms_off_chest", "situp", ("side", "front"), _su_arms_chest, optional=True),
)


def all_reasons(exercise: str | None = None) -> tuple[str, ...]:
    """Every check's reason (for one event), in check order, optional ones included."""
    out: list[str] = []
    for c in CHECKS:
        if (exercise is None or c.exercise == exercise) and c.reason not in out:
            out.append(c.reason)
    return tuple(out)


def observable(exercise: str, view: str) -> tuple[str, ...]:
    """Reasons that can be judged for this exercise from this view (in check order, optional
    ones left out)."""
    seen: list[str] = []
    for c in CHECKS:
        if c.exercise == exercise and view in c.views and c.reason not in seen and not c.optional:
            seen.append(c.reason)
    return tuple(seen)


def judge(sig: Signals, cycle: Cycle, th: Thresholds,
          applies: tuple[str, ...] | None = None) -> tuple[tuple[str, ...], dict[str, float], tuple[str, ...]]:
    """-> (failed reasons, measured values by reason, reasons that could not be measured).
    applies: the reasons a protocol judges (None: every check that is not optional)."""
    failed, values, unmeasured = [], {}, []
    for check in CHECKS:
        if check.exercise != sig.exercise or sig.view not in check.views:
            continue
        if (check.reason not in applies) if applies is not None else check.optional:
            continue
        bad, value = check.fn(sig.measures, cycle, th)
        values[check.reason] = round(float(value), 3) if np.isfinite(value) else None
        if bad is None:
            unmeasured.append(check.reason)
        elif bad and check.reason not in failed:
            failed.append(check.reason)
    return tuple(failed), values, tuple(unmeasured)
