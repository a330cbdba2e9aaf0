"""Judgement <-> JSON: the one module where the typed result meets its JSON form.

The form is the `drillscore analyze --json` schema and the stored `result_json` of a session
(sealed in the chain, so records saved by earlier versions must still read back):
{exercise, view, frames, fps, duration_s, count_total, count_standard, reps: [{n,
start_frame, end_frame, standard, p_standard, reasons, measures, attention?, angles3d?,
overruled?}], unmeasured, score, models, engine, classifier, timings_ms, protocol, exercise_guess?,
and one key per note (video, smoother, lifter, recovered, visibility)}.
"""
from __future__ import annotations

import re

from app.core.judgement import ClassifierUse, Guess, Judgement, Overrule, RepEvent, Score

CORE_KEYS = ("exercise", "view", "frames", "fps", "duration_s", "count_total", "count_standard", "reps",
             "unmeasured", "score", "models", "engine", "classifier", "timings_ms", "protocol")
_NOT_NOTES = set(CORE_KEYS) | {"exercise_guess", "session_id"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def rep_to_dict(r: RepEvent) -> dict:
    out = {"n": r.n, "start_frame": r.start, "end_frame": r.end, "standard": r.standard,
           "p_standard": r.p_standard, "reasons": list(r.reasons), "measures": dict(r.measures),
           "attention": None if r.attention is None else list(r.attention)}
    if r.angles3d is not None:
        out["angles3d"] = dict(r.angles3d)
    if r.overruled is not None:
        o = r.overruled
        out["overruled"] = {"standard": o.standard, "reason": o.reason, "was_reasons": list(o.was_reasons)}
    return out


def to_dict(j: Judgement) -> dict:
    """-> the JSON-ready dict (plain str / int / float / bool / None / list / dict)."""
    out = {"exercise": j.exercise, "view": j.view, "frames": j.frames, "fps": j.fps, "duration_s": j.duration_s,
           "count_total": j.count_total, "count_standard": j.count_standard,
           "reps": [rep_to_dict(r) for r in j.reps], "unmeasured": list(j.unmeasured),
           "score": None if j.score is None else {
               "table": j.score.table, "example": j.score.example, "sex": j.score.sex, "age": j.score.age,
               "points": j.score.points, "note": j.score.note},
           "models": dict(j.models), "engine": j.engine,
           "classifier": None if j.classifier is None else {
               "model": j.classifier.model, "policy": j.classifier.policy, "note": j.classifier.note},
           "timings_ms": dict(j.timings_ms), "protocol": j.protocol}
    if j.guess is not None:
        g = j.guess
        out["exercise_guess"] = {"exercise": g.exercise, "view": g.view, "confidence": g.confidence,
                                 "view_confidence": g.view_confidence, "active_share": g.active_share,
                                 "model": g.model, "scores": dict(g.scores)}
    for k, v in j.notes.items():
        if k in _NOT_NOTES:
            raise ValueError(f"note {k!r} would overwrite a result field; give the note another name")
        out[k] = v
    return out


def rep_from_dict(r: dict) -> RepEvent:
    o = r.get("overruled")
    att = r.get("attention")
    return RepEvent(int(r["n"]), int(r["start_frame"]), int(r["end_frame"]), bool(r["standard"]),
                     tuple(r.get("reasons") or ()), r.get("p_standard"), dict(r.get("measures") or {}),
                     None if att is None else tuple(float(x) for x in att), r.get("angles3d"),
                     None if not o else Overrule(bool(o["standard"]), str(o.get("reason", "")),
                                                 tuple(o.get("was_reasons") or ())))


def from_dict(d: dict) -> Judgement:
    """A stored or printed result -> Judgement; KeyError / TypeError / ValueError when it is not one.

    Results saved before the typed Judgement named the rules engine and the pose model under
    `models` ({"rules": "drillscore-rules 0.1.0", "pose": ..., "classifier": None}): those
    entries are read as the engine, and only sha256 values stay as models."""
    models = {k: v for k, v in (d.get("models") or {}).items() if isinstance(v, str) and _SHA256.match(v)}
    legacy_engine = (d.get("models") or {}).get("rules")
    s, g, c = d.get("score"), d.get("exercise_guess"), d.get("classifier")
    return Judgement(
        exercise=str(d["exercise"]), view=str(d.get("view") or ""), frames=int(d["frames"]), fps=float(d["fps"]),
        reps=tuple(rep_from_dict(r) for r in d["reps"]), unmeasured=tuple(d.get("unmeasured") or ()),
        score=None if not s else Score(str(s.get("table")), bool(s.get("example")), str(s.get("sex")),
                                       int(s.get("age") or 0), s.get("points"), s.get("note")),
        guess=None if not g else Guess(str(g["exercise"]), str(g.get("view", "")), float(g.get("confidence", 0.0)),
                                       float(g.get("view_confidence", 0.0)), float(g.get("active_share", 0.0)),
                                       str(g.get("model", "pose_attention")), dict(g.get("scores") or {})),
        models=models, engine=str(d.get("engine") or legacy_engine or "unknown"),
        classifier=None if not c else ClassifierUse(c.get("model"), str(c.get("policy", "rules")),
                                                    str(c.get("note", ""))),
        timings_ms=dict(d.get("timings_ms") or {}), protocol=d.get("protocol"),
        notes={k: v for k, v in d.items() if k not in _NOT_NOTES})
