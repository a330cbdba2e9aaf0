"""Synthetic exercise clips with ground truth: timeline, reps, faults, camera, noise.

make_clip(seed, exercise, view, kind) is deterministic in its arguments. A clip is a
sequence of segments — idle standing, getting into position, holding the start pose,
repetitions (standard or with labelled faults from ../shared/design/STANDARDS.md), resting
in the allowed position, getting out — rendered through a jittered camera and the
estimator noise model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.types import PoseTrack
from training.synth.body import Body, random_body
from training.synth.camera import Camera, random_camera
from training.synth.noise import apply_noise
from training.synth.poses import Style, pullup, pullup_shoulder_z, pullup_top_z, pushup, random_style, situp, standing

FAULTS: dict[str, tuple[str, ...]] = {
    "pushup": ("not_deep_enough", "no_lockout", "hips_sagging", "hips_piked", "knees_down"),
    "pullup": ("chin_below_bar", "no_full_hang", "kipping", "leg_kick"),
    "situp": ("not_vertical", "shoulders_not_down", "hands_off_head", "hips_lifted"),
}
KINDS = ("reps", "idle", "positioning", "resting")
PHASES = ("idle", "position", "hold", "away", "return")  # per-frame phase codes 0..4
IDLE, POSITION, HOLD, AWAY, RETURN = range(5)


@dataclass(frozen=True, slots=True)
class RepLabel:
    """A ground-truth repetition: frames [start, end], the frame of its far point, faults."""

    start: int
    end: int
    peak: int
    faults: tuple[str, ...]

    @property
    def standard(self) -> bool:
        return not self.faults


@dataclass(frozen=True, slots=True)
class Clip:
    """One synthetic clip.

    joints3d float32 (T, 17, 3) world metres; clean float32 (T, 17, 3) projected px with
    score 1 (0 outside the image); keypoints float32 (T, 17, 3) after the noise model;
    phase int8 (T,) codes into PHASES; reps: ground truth; bar_y: image row of the pull-up
    bar above the subject (None for other exercises); bar_line float32 (2, 2) its ends.
    """

    seed: int
    exercise: str
    view: str
    kind: str
    fps: float
    size: tuple[int, int]
    joints3d: np.ndarray
    clean: np.ndarray
    keypoints: np.ndarray
    phase: np.ndarray
    reps: tuple[RepLabel, ...]
    bar_height: float | None
    bar_y: float | None
    bar_line: np.ndarray | None
    body: Body
    camera: Camera

    def track(self, noisy: bool = True) -> PoseTrack:
        return PoseTrack(self.keypoints if noisy else self.clean, self.fps, self.size, self.exercise,
                         self.view if self.view != "oblique" else None)

    @property
    def count_total(self) -> int:
        return len(self.reps)

    @property
    def count_standard(self) -> int:
        return sum(r.standard for r in self.reps)


def _smooth(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def _n(seconds: float, fps: float) -> int:
    return max(2, round(seconds * fps))


def _noise_curve(rng: np.random.Generator, n: int, fps: float, amp: float, period_s: float = 1.5) -> np.ndarray:
    """Smooth random curve of length n (cubic interpolation of random knots)."""
    knots = max(2, int(n / fps / period_s) + 2)
    xs = np.linspace(0, n - 1, knots)
    return np.interp(np.arange(n), xs, rng.normal(0, amp, knots))


class _Block:
    """Accumulates per-frame parameter curves of the exercise and the ground truth."""

    def __init__(self, names: tuple[str, ...], start: dict[str, float]) -> None:
        self.curves: dict[str, list[np.ndarray]] = {k: [] for k in names}
        self.level = dict(start)
        self.phase: list[np.ndarray] = []
        self.reps: list[tuple[int, int, int, tuple[str, ...]]] = []
        self.frames = 0

    def hold(self, n: int, fidget: dict[str, np.ndarray] | None = None) -> None:
        for k in self.curves:
            c = np.full(n, self.level[k])
            if fidget and k in fidget:
                c = c + fidget[k]
            self.curves[k].append(c)
        self.phase.append(np.full(n, HOLD, np.int8))
        self.frames += n

    def rep(self, n: int, far: dict[str, float], end: dict[str, float], faults: tuple[str, ...],
            bumps: dict[str, float], rng: np.random.Generator, wave: dict[str, float] | None = None) -> None:
        """One rep of n frames: levels go start -> far -> end; bumps peak at the far point."""
        fd = rng.uniform(0.38, 0.55)
        pause = rng.uniform(0.0, 0.12)
        u = np.linspace(0, 1, n)
        down = _smooth(u / fd)
        up = _smooth((u - fd - pause) / max(1 - fd - pause, 1e-3))
        far_weight = np.minimum(down, 1 - up)
        for k in self.curves:
            a, b, e = self.level[k], far.get(k, self.level[k]), end.get(k, self.level[k])
            c = np.where(u <= fd + pause, a + (b - a) * down, b + (e - b) * up)
            if k in bumps:
                c = c + bumps[k] * far_weight
            if wave and k in wave:
                c = c + wave[k] * np.sin(2 * np.pi * u * 1.0)
            self.curves[k].append(c)
        ph = np.where(u <= fd + pause, AWAY, RETURN).astype(np.int8)
        self.phase.append(ph)
        self.reps.append((self.frames, self.frames + n - 1, self.frames + round((fd + pause / 2) * (n - 1)), faults))
        self.frames += n
        for k in self.curves:
            self.level[k] = end.get(k, self.level[k])

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.curves.items()}


def _rep_plan(rng: np.random.Generator, exercise: str, n_reps: int, fault_rate: float,
              faults: tuple[str, ...] | None) -> list[tuple[str, ...]]:
    pool = faults if faults else FAULTS[exercise]
    plan = []
    for _ in range(n_reps):
        if rng.random() < fault_rate:
            plan.append((pool[rng.integers(len(pool))],))
        else:
            plan.append(())
    return plan


def _exercise_block(rng: np.random.Generator, exercise: str, body: Body, style: Style, plan: list[tuple[str, ...]],
                    fps: float, resting: bool, rest_only: bool) -> tuple[np.ndarray, np.ndarray, list]:
    base = rng.uniform(0.8, 1.25)  # this subject's cadence
    dur = {"pushup": 1.7, "pullup": 2.4, "situp": 2.0}[exercise] * base
    if exercise == "pushup":
        blk = _Block(("depth", "hip", "knees"), {"depth": rng.uniform(0.0, 0.04), "hip": rng.uniform(-0.03, 0.03),
                                                  "knees": 0.0})
    elif exercise == "pullup":
        hang = lambda: pullup_shoulder_z(body, style, rng.uniform(170, 178))
        blk = _Block(("sz", "swing", "hipf", "kneef"), {"sz": hang(), "swing": 0.0, "hipf": rng.uniform(0, 0.12),
                                                         "kneef": rng.uniform(0, 0.3)})
    else:
        blk = _Block(("trunk", "lift", "hands"), {"trunk": rng.uniform(0, 5), "lift": 0.0, "hands": 0.0})
    fid = lambda n: {k: _noise_curve(rng, n, fps, a) for k, a in
                     {"depth": 0.015, "hip": 0.008, "trunk": 1.0, "swing": 0.01}.items()}
    blk.hold(_n(rng.uniform(0.6, 1.6), fps), fid(_n(1, fps)) if False else None)
    if rest_only:
        for _ in range(rng.integers(2, 4)):
            n = _n(rng.uniform(2.0, 4.0), fps)
            blk.hold(n, fid(n))
    rest_at = rng.integers(1, max(2, len(plan))) if resting and len(plan) > 1 else -1
    for i, fl in enumerate(plan):
        if i == rest_at:
            n = _n(rng.uniform(2.0, 5.0), fps)
            blk.hold(n, fid(n))
        n = _n(dur * rng.uniform(0.8, 1.2), fps)
        f = fl[0] if fl else None
        if exercise == "pushup":
            far = {"depth": rng.uniform(0.45, 0.65) if f == "not_deep_enough" else rng.uniform(1.0, 1.12)}
            end = {"depth": rng.uniform(0.3, 0.42) if f == "no_lockout" else rng.uniform(0.0, 0.04)}
            hip = {"hips_sagging": -rng.uniform(0.13, 0.2), "hips_piked": rng.uniform(0.17, 0.26)}.get(f, 0.0)
            bumps = {"hip": hip} if hip else {}
            if f == "knees_down":
                far["knees"], end_k = 1.0, 1.0
            else:
                end_k = 0.0
            end["knees"] = end_k
            end["hip"] = rng.uniform(-0.03, 0.03)
            if hip:  # a sagging or piked body stays off-line through the whole rep
                blk.level["hip"] += hip * 0.6
                far["hip"] = blk.level["hip"]
            blk.rep(n, far, end, fl, bumps, rng)
            if f == "knees_down":  # back onto the toes before the next rep
                blk.level["knees"] = 1.0
                k = _n(0.5, fps)
                blk.curves["knees"].append(np.linspace(1, 0, k))
                for kk in ("depth", "hip"):
                    blk.curves[kk].append(np.full(k, blk.level[kk]))
                blk.phase.append(np.full(k, HOLD, np.int8))
                blk.frames += k
                blk.level["knees"] = 0.0
        elif exercise == "pullup":
            clear = -rng.uniform(0.05, 0.14) if f == "chin_below_bar" else rng.uniform(0.03, 0.10)
            far = {"sz": pullup_top_z(body, style, clear)}
            end = {"sz": pullup_shoulder_z(body, style, rng.uniform(118, 138)) if f == "no_full_hang"
                   else pullup_shoulder_z(body, style, rng.uniform(170, 178))}
            bumps, wave = {}, {}
            if f == "kipping":
                wave = {"swing": rng.uniform(0.3, 0.5)}
                bumps = {"hipf": rng.uniform(0.4, 0.7)}
            elif f == "leg_kick":
                bumps = {"hipf": rng.uniform(0.9, 1.3), "kneef": rng.uniform(0.9, 1.5)}
            blk.rep(n, far, end, fl, bumps, rng, wave)
        else:
            far = {"trunk": rng.uniform(50, 66) if f == "not_vertical" else rng.uniform(90, 105)}
            end = {"trunk": rng.uniform(24, 36) if f == "shoulders_not_down" else rng.uniform(0, 5)}
            bumps = {}
            if f == "hands_off_head":
                bumps["hands"] = rng.uniform(0.8, 1.0)
            if f == "hips_lifted":
                bumps["lift"] = rng.uniform(0.12, 0.2)
            blk.rep(n, far, end, fl, bumps, rng)
        gap = _n(rng.uniform(0.0, 0.6), fps) if rng.random() < 0.6 else 0
        if gap > 2:
            blk.hold(gap)
    n = _n(rng.uniform(0.5, 1.5), fps)
    blk.hold(n)
    c = blk.arrays()
    if exercise == "pushup":
        joints = pushup(body, style, c["depth"], c["hip"], c["knees"])
    elif exercise == "pullup":
        joints = pullup(body, style, c["sz"], c["swing"], c["hipf"], c["kneef"])
    else:
        joints = situp(body, style, c["trunk"], c["lift"], c["hands"])
    return joints, np.concatenate(blk.phase), blk.reps


def _idle(rng: np.random.Generator, body: Body, n: int, fps: float, x0: float) -> np.ndarray:
    """Standing about with arm gestures that a naive counter could mistake for reps."""
    mode = rng.integers(4)
    t = np.arange(n) / fps
    sway = _noise_curve(rng, n, fps, 0.03)
    raise_ = np.stack([np.abs(_noise_curve(rng, n, fps, 0.3)) for _ in range(2)], -1)
    bend = np.stack([np.abs(_noise_curve(rng, n, fps, 15)) for _ in range(2)], -1)
    if mode == 1:  # arm curls / elbow bends, like a warm-up
        w = 2 * np.pi / rng.uniform(1.2, 2.5)
        bend = bend + (60 + 50 * np.sin(w * t))[:, None]
    elif mode == 2:  # arm swings forward and back
        w = 2 * np.pi / rng.uniform(1.0, 2.0)
        raise_ = raise_ + (0.9 + 0.8 * np.sin(w * t))[:, None]
    elif mode == 3:  # stretching overhead
        raise_ = raise_ + (1.5 + 1.3 * np.sin(2 * np.pi * t / rng.uniform(2.5, 4)))[:, None]
    j = standing(body, sway, raise_, bend, facing=rng.uniform(-0.3, 0.3))
    j[..., 0] += x0
    return j


def _transition(a: np.ndarray, b: np.ndarray, n: int, via: np.ndarray | None = None) -> np.ndarray:
    """Joint-space blend from pose a (17, 3) to pose b, optionally through `via`."""
    u = _smooth(np.linspace(0, 1, n))[:, None, None]
    if via is None:
        return a[None] + (b - a)[None] * u
    first = np.clip(u * 2, 0, 1)
    second = np.clip(u * 2 - 1, 0, 1)
    return np.where(u < 0.5, a[None] + (via - a)[None] * _smooth(first), via[None] + (b - via)[None] * _smooth(second))


def _via_pose(exercise: str, body: Body, style: Style, start: np.ndarray) -> np.ndarray:
    one = np.ones(1)
    if exercise == "pushup":
        return pushup(body, style, 0 * one, 0 * one, one)[0]  # on the knees
    if exercise == "situp":
        return situp(body, style, 90 * one, 0 * one, 0 * one)[0]  # sitting up
    stand = standing(body, np.zeros(1), np.full((1, 2), 2.9), np.zeros((1, 2)))[0]  # reaching up for the bar
    return stand + np.array([-0.05, 0, 0])


def make_clip(seed: int, exercise: str, view: str = "side", kind: str = "reps", n_reps: int | None = None,
              fault_rate: float = 0.4, faults: tuple[str, ...] | None = None, noise: float = 1.0,
              fps: float = 30.0) -> Clip:
    """Generate one clip. kind: reps | idle | positioning | resting (the last three hold no rep).

    faults limits the fault types used for faulty reps (default: all of the exercise's).
    """
    if exercise not in FAULTS:
        raise ValueError(f"exercise must be one of {', '.join(FAULTS)}, got {exercise!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if faults:
        unknown = set(faults) - set(FAULTS[exercise])
        if unknown:
            raise ValueError(f"unknown {exercise} faults {sorted(unknown)}; known: {', '.join(FAULTS[exercise])}")
    rng = np.random.default_rng([seed, KINDS.index(kind), list(FAULTS).index(exercise)])
    body = random_body(rng)
    style = random_style(rng, body)
    parts: list[np.ndarray] = []
    phases: list[np.ndarray] = []
    reps: list[RepLabel] = []

    def add(j: np.ndarray, code: int | np.ndarray) -> None:
        parts.append(j)
        phases.append(np.full(len(j), code, np.int8) if np.isscalar(code) else code)

    x0 = {"pushup": 0.8, "pullup": -0.05, "situp": 0.2}[exercise]
    if kind == "idle":
        add(_idle(rng, body, _n(rng.uniform(6, 12), fps), fps, x0), IDLE)
    else:
        plan = [] if kind in ("positioning", "resting") else _rep_plan(
            rng, exercise, n_reps if n_reps is not None else int(rng.integers(3, 9)), fault_rate, faults)
        block, bphase, breps = _exercise_block(rng, exercise, body, style, plan, fps,
                                               resting=rng.random() < 0.3, rest_only=kind == "resting")
        if rng.random() < 0.7 or kind == "positioning":
            add(_idle(rng, body, _n(rng.uniform(1.0, 3.0), fps), fps, x0), IDLE)
        if parts:
            via = _via_pose(exercise, body, style, block[0])
            add(_transition(parts[-1][-1], block[0], _n(rng.uniform(1.5, 3.0), fps), via), POSITION)
        offset = sum(len(p) for p in parts)
        add(block, bphase)
        reps = [RepLabel(s + offset, e + offset, p + offset, f) for s, e, p, f in breps]
        if kind == "positioning" or rng.random() < 0.4:
            stand = _idle(rng, body, _n(rng.uniform(1.0, 2.5), fps), fps, x0)
            via = _via_pose(exercise, body, style, block[-1])
            add(_transition(block[-1], stand[0], _n(rng.uniform(1.5, 2.5), fps), via), POSITION)
            add(stand, IDLE)
        if kind == "positioning":  # and a second go at getting down, then giving up
            via = _via_pose(exercise, body, style, block[0])
            add(_transition(parts[-1][-1], via, _n(rng.uniform(1.0, 2.0), fps)), POSITION)
            add(_transition(via, parts[0][0], _n(rng.uniform(1.0, 2.0), fps)), POSITION)
    joints = np.concatenate(parts).astype(np.float64)
    phase = np.concatenate(phases)
    cam = random_camera(rng, view, joints, exercise)
    xy, depth = cam.project(joints)
    w, h = cam.size
    inside = (xy[..., 0] >= 0) & (xy[..., 0] <= w - 1) & (xy[..., 1] >= 0) & (xy[..., 1] <= h - 1)
    clean = np.concatenate([xy, inside[..., None].astype(float)], -1).astype(np.float32)
    clean[..., 0] = np.clip(clean[..., 0], 0, w - 1)
    clean[..., 1] = np.clip(clean[..., 1], 0, h - 1)
    kp = apply_noise(rng, xy, depth, cam.size, fps, noise, side_view=view == "side") if noise > 0 else clean.copy()
    bar_height = bar_y = bar_line = None
    if exercise == "pullup":
        bar_height = style.bar_height
        ends = np.array([[0.0, 1.2, bar_height], [0.0, -1.2, bar_height]])
        bar_line = cam.project(ends)[0].astype(np.float32)
        bar_y = float(cam.project(np.array([[-0.05, 0.0, bar_height]]))[0][0, 1])
    return Clip(seed, exercise, view, kind, float(fps), cam.size, joints.astype(np.float32), clean, kp, phase,
                tuple(reps), bar_height, bar_y, bar_line, body, cam)
