"""Every tunable number of counting and judging, in one documented, editable place.

Units: angles in degrees; lengths in torso lengths (S, see app.assess.measures); times in
seconds. The admin workspace edits these through `Thresholds.replace(**changes)` and saves
them as JSON (`to_dict` / `from_dict`); unknown names are rejected with a suggestion.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.visibility import SEEN_SCORE


@dataclass(frozen=True, slots=True)
class Thresholds:
    # --- visibility gating: a joint scored below this never drives a transition or verdict
    min_score: float = SEEN_SCORE  # app.core.visibility: one rule for the engine, tracker, overlay
    # --- counting (hysteresis on each exercise's driving signal, in that signal's units)
    pushup_front_enter: float = 0.12  # shoulder drop towards the hands (S) to leave the top
    pushup_front_min_amplitude: float = 0.25  # smallest shoulder drop that is a rep at all
    pullup_enter: float = 0.25        # nose rise towards the wrists (S) to leave the hang
    pullup_min_amplitude: float = 0.6
    # a crunch lifts the trunk 10-20 degrees: small enough excursions must still be seen, as
    # refused attempts (not_vertical). Chosen leave-one-person-out on the hand-counted real
    # videos (benchmarks/real_eval.py --loo; every held-out person's choice was the same)
    situp_enter: float = 8.0          # trunk degrees up from lying to leave the bottom
    situp_min_amplitude: float = 7.0
    situp_noise_k: float = 25.0       # ... but at least this many times the drive's jitter (counter.noise_level)
    situp_max_min_amplitude: float = 25.0  # ... up to this: a real sit-up always counts
    situp_front_enter: float = 0.15   # front view: neck rise above the pelvis (S)
    situp_front_min_amplitude: float = 0.35
    situp_front_max_min_amplitude: float = 0.35  # front: the noise-adapted smallest attempt, at most
    return_fraction: float = 0.4      # share of the excursion to come back for a rep to end
    # --- counting on per-frame min-max normalised coordinates (app.assess.signals.normalised_drive):
    # the drives are ratios of vertical extents within one frame, so the units are body
    # segments: push-up shoulder height in forearm lengths, pull-up nose below the hands in
    # torso heights, sit-up shoulder rise in hip-to-knee heights. `ready` = level of the
    # start position. Chosen on the repcount dev set (see benchmarks/repcount_eval.py).
    norm_pushup_enter: float = 0.1
    norm_pushup_min_amplitude: float = 0.5
    norm_pushup_ready: float = 1.0
    norm_pushup_return: float = 0.4
    norm_pullup_enter: float = 0.1
    norm_pullup_min_amplitude: float = 0.6
    norm_pullup_ready: float = 0.0
    norm_pullup_return: float = 0.4
    norm_situp_enter: float = 0.1
    norm_situp_min_amplitude: float = 0.3
    norm_situp_ready: float = -2.0
    norm_situp_return: float = 0.3
    gate_grace_s: float = 0.5         # posture gate may drop this long inside a rep
    lost_abort_s: float = 1.5         # a rep with the subject unseen this long is dropped
    max_rep_s: float = 10.0           # no rep takes longer: an excursion this long is given up
    return_read_s: float = 1.0        # a rep's return to its start position is read up to this far past its end
    # --- ready-pose gates (is the body in the exercise's position at all?)
    pushup_max_shoulder_above_ankle: float = 1.6   # S; standing is about 2.8
    pushup_max_shoulder_above_hip: float = 0.7     # S; standing is about 1.0, a plank 0 to 0.4
    pullup_min_wrist_above_shoulder: float = -0.25  # S; shoulders rise to the hands at the top of a chin-up
    pullup_max_wrist_travel: float = 0.4  # wrists move this share of the nose travel at most (on the bar)
    situp_max_ankle_below_hip: float = 0.9  # S; standing is about 1.8
    # --- push-up standards
    pushup_depth: float = 0.26            # side: shoulders at most this (S) above the elbows at the bottom
    pushup_depth_front: float = 0.17      # front: the same (the camera's height shifts the view)
    pushup_lockout_elbow: float = 157.0   # arms back to at least this at the top
    pushup_lockout_gap: float = 0.22      # or shoulders back to within this (S) of the recent tops ...
    pushup_lockout_gap_front: float = 0.3  # ... from the front (real videos, leave-one-person-out)
    pushup_top_window_s: float = 8.0      # ... the top level: over the last this many seconds in position
    pushup_top_percentile: float = 97.0   # ... its percentile (not the maximum: one outlier must not set it)
    pushup_sag: float = -0.1             # hip offset from the shoulder-ankle line (S)
    pushup_pike: float = 0.1
    pushup_knee_angle: float = 165.0      # side: knee bent below this where it is lowest ...
    pushup_knee_floor: float = 0.1        # ... and at most this (S) above the hands: knees down
    # (synthetic knees-down faults read <= 0.06 S; straight legs on the real videos >= 0.13 S)
    # --- pull-up standards
    pullup_chin_margin: float = 0.08      # nose must rise at least this (S) above the bar (LOO)
    pullup_hang_elbow: float = 150.0      # front: arms back to at least this between reps
    pullup_hang_gap: float = 0.16         # front: back down to within this (S) of the dead hang
    pullup_hang_gap_side: float = 0.11    # side: the same; the only witness there, so tighter
    pullup_kip_swing: float = 14.0        # side: trunk lean range within a rep, degrees
    pullup_kick_hip: float = 135.0        # side: hip angle below this is a leg kick ...
    pullup_kick_hip_change: float = 0.0   # ... when it closed by more than this (deg) since the hang (LOO: 0)
    pullup_kick_thigh: float = 0.55       # front: thigh foreshortened below this share ...
    pullup_kick_thigh_change: float = 0.2  # ... when it shortened by more than this since the hang (LOO)
    pullup_bar_offset: float = 0.1        # bar above the wrists when estimated from them (S)
    # --- sit-up standards
    situp_vertical: float = 78.0          # side: trunk elevation at the top, at least
    situp_down: float = 15.0              # side: trunk elevation at the bottom, at most
    situp_hands_head: float = 0.6         # side: wrists at most this far (S) from the head
    situp_hands_head_front: float = 0.45  # front: the same, foreshortened
    situp_hip_lift: float = 0.14          # pelvis rise (S) during the rep, at most
    situp_knee_max: float = 125.0         # side: knees bent to at most this
    situp_arms_chest: float = 0.6         # arms-crossed protocols: wrists at most this far (S) from the chest
    # --- fusion with the classifier (app.assess.fusion)
    p_standard_min: float = 0.5

    def replace(self, **changes: float) -> Thresholds:
        names = {f.name for f in dataclasses.fields(self)}
        for k in changes:
            if k not in names:
                near = difflib.get_close_matches(k, names, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise ValueError(f"unknown threshold {k!r}{hint}")
        return dataclasses.replace(self, **{k: float(v) for k, v in changes.items()})

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Thresholds:
        return cls().replace(**values)

    @classmethod
    def load(cls, path: str | Path) -> Thresholds:
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{p}: cannot read thresholds ({e.__class__.__name__}); fix or delete the file") from None
        if not isinstance(data, dict):
            # ValueError, not TypeError: it is bad input, reported as one line like the rest
            raise ValueError(f"{p}: thresholds must be a JSON object of name: number")  # noqa: TRY004
        try:
            return cls.from_dict(data)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{p}: {e}") from None


DEFAULTS = Thresholds()


def with_image_bar(th: Thresholds, exercise: str, bar_y: float | None, bar_offset: float | None) -> Thresholds:
    """The pull-up bar where the image shows it (app.core.bar: its height above the wrists in
    torso lengths) instead of the fixed pullup_bar_offset; a bar drawn by the instructor
    (bar_y) wins over both. Other events, or no bar seen: th unchanged."""
    if exercise != "pullup" or bar_y is not None or bar_offset is None:
        return th
    return th.replace(pullup_bar_offset=bar_offset)
