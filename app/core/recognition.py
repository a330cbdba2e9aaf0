"""Exercise / view recognition classes and how window probabilities become one guess.

The recogniser (pose-attention network) scores windows of the subject over CLASSES; a
sequence's guess is the exercise with the most probability mass over its windows, idle
left out (a test starts and ends standing), and the view likewise within that exercise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.types import EXERCISES, VIEWS

CLASSES: tuple[str, ...] = tuple(f"{e}-{v}" for e in EXERCISES for v in VIEWS) + ("idle",)
IDLE = len(CLASSES) - 1


@dataclass(frozen=True, slots=True)
class ExerciseGuess:
    """exercise / view: the guess; confidence: its share of the non-idle probability mass
    (0..1); view_confidence likewise within the exercise; active: share of windows whose
    most likely class is not idle; scores: mean probability per class over the windows."""

    exercise: str
    view: str
    confidence: float
    view_confidence: float
    active: float
    scores: dict


def guess(probs: np.ndarray, classes: tuple[str, ...] = CLASSES) -> ExerciseGuess:
    """probs float (N, len(classes)) window probabilities -> one ExerciseGuess (N >= 1)."""
    p = np.asarray(probs, np.float64)
    if p.ndim != 2 or p.shape[1] != len(classes) or not len(p):
        raise ValueError(f"recognition needs (N >= 1, {len(classes)}) window probabilities, got {p.shape}")
    idle = classes.index("idle")
    mass = np.delete(p, idle, axis=1).sum(0)                    # (6,) over the windows
    names = [c for c in classes if c != "idle"]
    per_ex = {e: sum(m for n, m in zip(names, mass, strict=True) if n.startswith(e + "-")) for e in EXERCISES}
    ex = max(per_ex, key=per_ex.get)
    total = sum(per_ex.values())
    per_view = {v: float(mass[names.index(f"{ex}-{v}")]) for v in VIEWS}
    view = max(per_view, key=per_view.get)
    return ExerciseGuess(ex, view, float(per_ex[ex] / total) if total > 0 else 0.0,
                         per_view[view] / per_ex[ex] if per_ex[ex] > 0 else 0.0,
                         float((p.argmax(1) != idle).mean()),
                         {c: round(float(v), 4) for c, v in zip(classes, p.mean(0), strict=True)})
