"""The one judging use case: a pose track and a request in, a sealed-ready Judgement out.

recognise (auto) -> smooth (optional) -> the rules engine, once -> the classifier's
P(standard) fused in (computed here, or reused from the live analysis worker) -> 3D angles
(optional) -> points. `drillscore analyze` / `demo`, batch analysis, a live test's Save,
crash recovery and the demo database all call judge(); nothing else runs this recipe
(tests/pipeline/test_one_judging_path.py checks it). Corrections change a stored
Judgement (app.assess.correction) and do not re-judge.
"""
from __future__ import annotations

import time
import typing
from dataclasses import dataclass, replace

import numpy as np

from app import __version__
from app.assess.coverage import coverage, posture_contradicts
from app.assess.engine import Assessment, assess, with_probabilities
from app.assess.protocol import Protocol
from app.assess.scoring import ScoringTable, points_note
from app.assess.thresholds import DEFAULTS, Thresholds, with_image_bar
from app.core.judgement import RULES_ENGINE, ClassifierUse, Guess, Judgement, Score
from app.core.types import EXERCISES, PoseTrack
from app.pipeline.models import ModelBox


class JudgeError(ValueError):
    """The request cannot be judged (an unknown event, the event unrecognisable, a model the
    request needs is missing); str() is one line that says what to do."""


@dataclass(frozen=True, slots=True)
class JudgeRequest:
    """What to judge and how. exercise: pushup | pullup | situp | auto (recognised); view:
    front | side | auto; thresholds: the rules' numbers; bar_y: the pull-up bar's image row
    (px) or None; table / sex / age: points when all three are given; classifier: fuse the
    LSTM-attention model's P(standard); smooth: judge the seq2seq-smoothed track; lift: add
    the 3D lifter's joint angles per rep; policy: rules | both (app.assess.fusion); guess: the
    event already recognised upstream (a live test, a recording's events); normalised: the
    coordinates were min-max scaled per frame (RepCount data), which turns the posture gates off;
    min_confidence: below it, an auto request is not judged (the user is asked for the event);
    protocol: which checks apply and its own thresholds over `thresholds` (None: every standard
    check with `thresholds` as they are); bar_offset: the pull-up bar seen in the image, its
    height above the wrists in torso lengths (app.core.bar; used when no bar_y was drawn)."""

    exercise: str = "auto"
    view: str = "auto"
    thresholds: Thresholds = DEFAULTS
    bar_y: float | None = None
    table: ScoringTable | None = None
    sex: str | None = None
    age: int | None = None
    classifier: bool = True
    smooth: bool = False
    lift: bool = False
    policy: str = "rules"
    guess: Guess | None = None
    normalised: bool = False
    min_confidence: float = 0.7
    protocol: Protocol | None = None
    bar_offset: float | None = None


class RepProbabilities(typing.Protocol):
    """P(standard) already computed for a track (the live analysis worker): its exercise and
    view category, and rep_probability(start, end) -> RepProbability | None."""

    exercise: str
    view: str

    def rep_probability(self, start: int, end: int): ...


def guess_of(g, model: str = "pose_attention") -> Guess:
    """app.core.recognition.ExerciseGuess -> the Judgement's Guess (rounded for the record)."""
    return Guess(g.exercise, g.view, round(float(g.confidence), 3), round(float(g.view_confidence), 3),
                 round(float(g.active), 3), model, dict(g.scores))


def judge(track: PoseTrack, request: JudgeRequest, models: ModelBox | None = None,
          precomputed: RepProbabilities | None = None, upstream: dict[str, str] | None = None) -> Judgement:
    """-> the Judgement of `track`. models: loaded models to reuse (default: the shipped ones,
    loaded as needed); precomputed: P(standard) from the live worker, used when its category is
    the judged exercise and view; upstream: {model: sha256} of what made the track (the pose model).
    A missing classifier is a note (the rules still judge); JudgeError for everything the
    request cannot do without."""
    box = models or ModelBox()
    req = request
    sealed: dict[str, str] = dict(upstream or {})
    timings: dict[str, float] = {}
    notes: dict[str, dict] = {}
    arrays: dict[str, np.ndarray] = {}

    exercise, guess = req.exercise, req.guess
    if exercise == "auto":
        if guess is None:
            t0 = time.perf_counter()
            try:
                rec = box.recogniser()
                guess = guess_of(rec.recognise(track))
            except ValueError as e:  # a missing or altered model (ModelError) too
                raise JudgeError(f"cannot recognise the exercise: {e}; name it with --exercise "
                                 "pushup|pullup|situp") from None
            sealed.update(rec.model.fingerprint)
            timings["recognise"] = _ms(t0)
            if guess.confidence < req.min_confidence:
                raise JudgeError(f"not sure which event this is ({guess.exercise} at {guess.confidence:.0%}, "
                                 f"{req.min_confidence:.0%} needed); name it with --exercise pushup|pullup|situp")
            doubt = posture_contradicts(track.keypoints, guess.exercise, req.thresholds.min_score)
            if doubt:
                raise JudgeError(f"not sure which event this is (read as {guess.exercise} at {guess.confidence:.0%}, "
                                 f"but {doubt}); name it with --exercise pushup|pullup|situp")
        exercise = guess.exercise
    if exercise not in EXERCISES:
        raise JudgeError(f"exercise must be one of {', '.join(EXERCISES)} or auto, got {exercise!r}")
    view = req.view  # auto: the engine reads it from the track, whoever named the event

    judged = track
    if req.smooth:
        arrays["smoothed"], notes["smoother"], fp = smooth_track(track, box)
        sealed.update(fp)
        judged = PoseTrack(arrays["smoothed"], track.fps, track.size, track.exercise, track.view)

    th = req.protocol.thresholds(req.thresholds) if req.protocol is not None else req.thresholds
    checks = req.protocol.applies(exercise) if req.protocol is not None else None
    barred = with_image_bar(th, exercise, req.bar_y, req.bar_offset)
    if barred is not th:
        th = barred
        notes["bar"] = {"from": "image", "above_wrists_torso_lengths": round(req.bar_offset, 3)}
    t0 = time.perf_counter()
    try:
        a = assess(judged, exercise, view, th, bar_y=req.bar_y, normalised=req.normalised, policy=req.policy,
                   checks=checks)
    except ValueError as e:
        raise JudgeError(str(e)) from None
    timings["assess"] = _ms(t0)

    attention: list = [None] * len(a.reps)
    use = ClassifierUse(None, req.policy, "the classifier was not asked for; the rules decide")
    if req.classifier and a.reps:
        t0 = time.perf_counter()
        probs, use, fp = _probabilities(judged, a, box, precomputed, req.policy)
        sealed.update(fp)
        if probs:
            a = with_probabilities(a, [None if q is None else q.p_standard for q in probs], th, req.policy)
            attention = [None if q is None else tuple(round(float(x), 4) for x in q.attention) for q in probs]
        timings["classifier"] = _ms(t0)
    elif req.classifier:
        use = ClassifierUse(None, req.policy, "no rep to score")

    angles: list = [None] * len(a.reps)
    if req.lift:
        arrays["joints3d"], notes["lifter"], fp = lift_track(arrays.get("smoothed", track.keypoints), exercise, box)
        sealed.update(fp)
        angles = _rep_angles_3d(a, arrays["joints3d"])

    reps = tuple(replace(r, attention=attention[i], angles3d=angles[i]) for i, r in enumerate(a.reps))
    notes["visibility"] = coverage(judged.keypoints, exercise, th.min_score)
    out = Judgement(a.exercise, a.view, a.frames, a.fps, reps, a.unmeasured, _score(a, req), guess,
                    sealed, f"{RULES_ENGINE} {__version__}", use, timings, notes,
                    protocol=req.protocol.name if req.protocol is not None else None)
    return replace(out, arrays=arrays) if arrays else out


def smooth_track(track: PoseTrack, box: ModelBox) -> tuple[np.ndarray, dict, dict]:
    """The seq2seq smoother over the whole track (review mode) -> (keypoints float32 (T, 17, 3),
    note, {model: sha256}); JudgeError when the smoother cannot run."""
    t0 = time.perf_counter()
    try:
        sm = box.smoother()
        out = sm.full(track)
    except ValueError as e:  # a missing or altered model (ModelError) too
        raise JudgeError(str(e)) from None
    return out, {"model": "seq2seq", "mode": "full (overlapping windows averaged)", "ms": _ms(t0)}, \
        sm.model.fingerprint


def lift_track(keypoints: np.ndarray, exercise: str, box: ModelBox) -> tuple[np.ndarray, dict, dict]:
    """keypoints (T, 17, 3) -> (the exercise's 3D lifter's joints float32 (T, 17, 3) m, note,
    {model: sha256}); JudgeError when the lifter cannot run."""
    t0 = time.perf_counter()
    try:
        lf = box.lifter(exercise)
        out = lf.lift(keypoints)
    except ValueError as e:  # a missing or altered model (ModelError) too
        raise JudgeError(str(e)) from None
    return out, {"model": lf.model.path.stem, "frames": int(len(out)),
                 "units": "metres, camera axes, pelvis at the origin", "ms": _ms(t0)}, lf.model.fingerprint


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def _probabilities(track: PoseTrack, a: Assessment, box: ModelBox, precomputed, policy: str):
    """-> (per-rep RepProbability or None, ClassifierUse, {model: sha256})."""
    how = "P(standard) is recorded with each rep; the rules decide" if policy == "rules" else \
        "a rep the rules pass is refused when P(standard) is below the threshold"
    if precomputed is not None and (precomputed.exercise, precomputed.view) == (a.exercise, a.view):
        probs = [precomputed.rep_probability(r.start, r.end) for r in a.reps]
        fp = getattr(precomputed, "fingerprint", {})
        return probs, ClassifierUse("lstm_attention", policy, how + " (scored live, while the test ran)"), fp
    try:
        clf = box.classifier()
        probs = clf.per_rep(track, [(r.start, r.end) for r in a.reps], a.exercise, a.view)
    except ValueError as e:  # a missing or altered model (ModelError) too
        return [], ClassifierUse(None, policy, f"classifier not used: {e}"), {}
    return probs, ClassifierUse("lstm_attention", policy, how), clf.model.fingerprint


def _rep_angles_3d(a: Assessment, joints3d: np.ndarray) -> list[dict]:
    """Each rep's lifted elbow / hip / knee angle range (degrees): recorded beside the 2D
    rules' measures, not yet used to judge (the lifter is trained on synthetic data only)."""
    from app.core.geometry import limb_angles_3d
    ang = limb_angles_3d(joints3d)
    out = []
    for r in a.reps:
        s, e = r.start, r.end + 1
        out.append({} if e <= s else {
            **{f"{k}_min": round(float(v[s:e].min()), 1) for k, v in ang.items()},
            **{f"{k}_max": round(float(v[s:e].max()), 1) for k, v in ang.items()}})
    return out


def _score(a: Assessment, req: JudgeRequest) -> Score | None:
    if req.table is None or not req.sex or req.age is None:
        return None
    pts = req.table.points(a.exercise, req.sex, req.age, a.count_standard)
    return Score(req.table.name, req.table.example, req.sex, req.age, pts,
                 None if pts is not None else points_note(req.table, a.exercise, req.sex, req.age))

