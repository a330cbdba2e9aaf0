"""Per-exercise pose generators: parameter curves (T,) -> joints (T, 17, 3) in the body frame.

Each generator is pure and vectorised; clip.py decides the curves (cadence, faults, pauses).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.synth.body import Body, assemble, law_of_cosines, unit, vec


@dataclass(frozen=True, slots=True)
class Style:
    """Per-clip constants of how this subject does the exercise (randomised once per clip)."""

    hand_out: float       # extra lateral hand placement beyond the shoulder, m
    elbow_flare: float    # radians: 0 = elbows tucked back, pi/2 = straight out
    grip_out: float       # pull-up grip beyond shoulder width, m
    knee_angle: float     # sit-up knee angle, degrees
    bar_height: float     # pull-up bar above ground, m


def random_style(rng: np.random.Generator, body: Body) -> Style:
    return Style(hand_out=float(rng.uniform(0.02, 0.14)), elbow_flare=float(rng.uniform(0.35, 1.2)),
                 grip_out=float(rng.uniform(0.06, 0.24)), knee_angle=float(rng.uniform(75, 100)),
                 bar_height=float(body.height * 1.32 + rng.uniform(0.0, 0.2)))


# ---------------------------------------------------------------- push-up
WRIST_H = 0.03
TOE_H = 0.07
KNEE_H = 0.06


def pushup(body: Body, style: Style, depth: np.ndarray, hip_off: np.ndarray, knees: np.ndarray) -> np.ndarray:
    """Front-leaning rest, head towards +x, face down.

    depth: 0 = arms locked, 1 = shoulders down at elbow height (upper arms parallel), a
    little more is deeper; hip_off: hip displacement from the shoulder-pivot line, m
    (+ piked, - sagging); knees: 0 = on the toes, 1 = knees down.
    """
    t_toes = _pushup_mode(body, style, depth, hip_off, knees_down=False)
    t_knee = _pushup_mode(body, style, depth, hip_off, knees_down=True)
    k = np.clip(knees, 0, 1)[:, None, None]
    return (1 - k) * t_toes + k * t_knee


def _shoulder_height(body: Body, style: Style, depth: np.ndarray) -> np.ndarray:
    dist = law_of_cosines(body.upper_arm, body.forearm, np.full(np.shape(depth), 178.0))
    top = WRIST_H + np.sqrt(np.maximum(dist ** 2 - style.hand_out ** 2 - 0.03 ** 2, 0.01))
    bottom = WRIST_H + 0.92 * body.forearm  # forearms near vertical, upper arms level
    return top - np.asarray(depth) * (top - bottom)


def _pushup_mode(body: Body, style: Style, depth: np.ndarray, hip_off: np.ndarray, knees_down: bool) -> np.ndarray:
    T = depth.shape[0]
    zs = _shoulder_height(body, style, depth)
    z_top = float(_shoulder_height(body, style, np.array([0.0]))[0])
    if knees_down:
        pz, length = KNEE_H, body.thigh + body.torso
    else:
        pz, length = TOE_H, body.leg + body.torso
    x_wrist = np.sqrt(length ** 2 - (z_top - pz) ** 2) + 0.03  # hands fixed where the top pose puts them
    xs = np.sqrt(np.maximum(length ** 2 - (zs - pz) ** 2, 0.01))
    shoulder_c = vec(xs, 0.0, zs, T)
    pivot = vec(0.0, 0.0, pz, T)
    b = unit(shoulder_c - pivot)
    n = np.stack([-b[:, 2], np.zeros(T), b[:, 0]], axis=-1)  # in-plane normal pointing up
    pelvis = shoulder_c - body.torso * b + hip_off[:, None] * n
    up = unit(shoulder_c - pelvis)
    front = np.stack([up[:, 2], np.zeros(T), -up[:, 0]], axis=-1)  # chest faces the floor
    hand_y = body.shoulder_half + style.hand_out
    wr = (vec(x_wrist, hand_y, WRIST_H, T), vec(x_wrist, -hand_y, WRIST_H, T))
    fl = style.elbow_flare
    ep = (vec(-np.cos(fl), np.sin(fl), 0.1, T), vec(-np.cos(fl), -np.sin(fl), 0.1, T))
    if knees_down:
        # Knees on the floor at the pivot; shins lie behind them with the feet a little up.
        knee_x = 0.0
        ank = (vec(knee_x - body.shin * 0.97, 0.1, 0.14, T), vec(knee_x - body.shin * 0.97, -0.1, 0.14, T))
        kp = (vec(0, 0, -1.0, T), vec(0, 0, -1.0, T))
        joints = assemble(body, pelvis, up, front, wr, ep, ank, kp, head_up=up + 0.25 * n, head_front=front)
        # place the knees exactly at the pivot: thigh from hip to pivot keeps the look of kneeling
        joints[:, 13] = vec(knee_x, 0.1, pz, T)
        joints[:, 14] = vec(knee_x, -0.1, pz, T)
        return joints
    ank = (vec(0.0, 0.09, pz, T), vec(0.0, -0.09, pz, T))
    kp = (vec(0, 0, -1.0, T), vec(0, 0, -1.0, T))
    return assemble(body, pelvis, up, front, wr, ep, ank, kp, head_up=up + 0.25 * n, head_front=front)


# ---------------------------------------------------------------- pull-up
def pullup_shoulder_z(body: Body, style: Style, elbow: float) -> float:
    dist = float(law_of_cosines(body.upper_arm, body.forearm, np.array([elbow]))[0])
    wz = style.bar_height - 0.03
    return wz - np.sqrt(max(dist ** 2 - style.grip_out ** 2 - 0.05 ** 2, 0.01))


def pullup_top_z(body: Body, style: Style, chin_clearance: float) -> float:
    """Shoulder height that puts the chin `chin_clearance` m above the bar (negative: below)."""
    # chin sits about 0.35 head-lengths under the nose; nose is ~1 head-length above the neck
    return style.bar_height + chin_clearance + 0.35 * body.head - body.head


def pullup(body: Body, style: Style, shoulder_z: np.ndarray, swing: np.ndarray, hip_flex: np.ndarray,
           knee_flex: np.ndarray) -> np.ndarray:
    """Hanging from a bar along y at height style.bar_height, facing +x.

    shoulder_z: shoulder-centre height, m; swing: body pendulum angle, rad (+ = legs
    forward); hip_flex, knee_flex: rad.
    """
    T = shoulder_z.shape[0]
    gy = body.shoulder_half + style.grip_out
    wz = style.bar_height - 0.03
    neck = vec(-0.05, 0.0, shoulder_z, T)
    up = np.stack([-np.sin(swing), np.zeros(T), np.cos(swing)], axis=-1)
    front = np.stack([np.cos(swing), np.zeros(T), np.sin(swing)], axis=-1)
    pelvis = neck - body.torso * up
    wr = (vec(0.0, gy, wz, T), vec(0.0, -gy, wz, T))
    ep = (vec(0.35, 1.0, 0.0, T), vec(0.35, -1.0, 0.0, T))
    thigh_dir = -np.cos(hip_flex)[:, None] * up + np.sin(hip_flex)[:, None] * front
    shin_dir = -np.cos(hip_flex - knee_flex)[:, None] * up + np.sin(hip_flex - knee_flex)[:, None] * front
    ank = []
    for s in (1.0, -1.0):
        hip = pelvis + s * body.hip_half * np.cross(up, front)
        ank.append(hip + body.thigh * thigh_dir + body.shin * shin_dir + 0.0)
    kp = (front.copy(), front.copy())
    head_up = unit(up - 0.15 * front * np.clip((shoulder_z - shoulder_z.min())[:, None], 0, 0.3) / 0.3)
    return assemble(body, pelvis, up, front, (wr[0], wr[1]), ep, (ank[0], ank[1]), kp, head_up=head_up)


# ---------------------------------------------------------------- sit-up
HIP_H = 0.10
ANKLE_H = 0.07


def situp(body: Body, style: Style, trunk_deg: np.ndarray, hip_lift: np.ndarray, hands_off: np.ndarray,
          knee_angle: np.ndarray | None = None) -> np.ndarray:
    """Lying on the back, head towards -x, feet flat at +x, knees up.

    trunk_deg: trunk elevation above the floor (0 lying, 90 upright); hip_lift: m;
    hands_off: 0 = fingers behind the head, 1 = arms reaching for the knees.
    """
    T = trunk_deg.shape[0]
    ka = np.full(T, style.knee_angle) if knee_angle is None else knee_angle
    ph = np.radians(trunk_deg)
    pelvis = vec(0.0, 0.0, HIP_H + hip_lift, T)
    up = np.stack([-np.cos(ph), np.zeros(T), np.sin(ph)], axis=-1)
    front = np.stack([np.sin(ph), np.zeros(T), np.cos(ph)], axis=-1)
    left = np.cross(up, front)
    d_ha = law_of_cosines(body.thigh, body.shin, ka)
    x_ank = np.sqrt(np.maximum(d_ha ** 2 - (HIP_H - ANKLE_H) ** 2, 0.01))
    ank = (vec(x_ank, body.hip_half + 0.02, ANKLE_H, T), vec(x_ank, -body.hip_half - 0.02, ANKLE_H, T))
    kp = (vec(0, 0, 1.0, T), vec(0, 0, 1.0, T))
    neck = pelvis + body.torso * up
    head_c = neck + 1.0 * body.head * up
    behind = [head_c - 0.55 * body.head * front + s * 0.45 * body.head * left for s in (1, -1)]
    knee_c = pelvis + vec(x_ank * 0.55, 0, 0.45, T)
    wr, ep = [], []
    h = hands_off[:, None]
    for i, s in enumerate((1, -1)):
        sh = neck + s * body.shoulder_half * left
        reach = sh + 0.92 * body.arm * unit(knee_c - sh + s * 0.1 * left)
        wr.append((1 - h) * behind[i] + h * reach)
        ep.append((1 - h) * (s * left + 0.6 * front + 0.3 * up) + h * (-front + 0.2 * s * left))
    return assemble(body, pelvis, up, front, (wr[0], wr[1]), (ep[0], ep[1]), ank, kp)


# ---------------------------------------------------------------- standing / idle
def standing(body: Body, sway: np.ndarray, arm_raise: np.ndarray, elbow_bend: np.ndarray,
             facing: float = 0.0) -> np.ndarray:
    """Standing, facing +x rotated by `facing` rad about z.

    sway: lateral lean, rad; arm_raise: (T, 2) shoulder flexion per arm, rad (0 = hanging,
    pi = overhead); elbow_bend: (T, 2) elbow flexion, degrees (0 = straight).
    """
    T = sway.shape[0]
    base_h = ANKLE_H + body.leg * 0.995
    pelvis = vec(0.0, 0.0, base_h, T)
    up = np.stack([np.zeros(T), np.sin(sway), np.cos(sway)], axis=-1)
    front = vec(1.0, 0.0, 0.0, T)
    left = np.cross(up, front)
    neck = pelvis + body.torso * up
    wr, ep = [], []
    for i, s in enumerate((1, -1)):
        sh = neck + s * body.shoulder_half * left
        a = arm_raise[:, i][:, None]
        upper = -np.cos(a) * up + np.sin(a) * front + s * 0.12 * left
        e = sh + body.upper_arm * unit(upper)
        bend = np.radians(elbow_bend[:, i])[:, None]
        fore = unit(np.cos(bend) * unit(upper) + np.sin(bend) * unit(front + up * np.sin(a)))
        wr.append(e + body.forearm * fore)
        ep.append(-front + s * 0.3 * left)
    ank = (vec(0.02, body.hip_half + 0.03, ANKLE_H, T), vec(0.02, -body.hip_half - 0.03, ANKLE_H, T))
    kp = (front.copy(), front.copy())
    joints = assemble(body, pelvis, up, front, (wr[0], wr[1]), (ep[0], ep[1]), ank, kp)
    if facing:
        c, s_ = np.cos(facing), np.sin(facing)
        rot = np.array([[c, -s_, 0], [s_, c, 0], [0, 0, 1]])
        joints = joints @ rot.T
    return joints
