"""A recorded track judged with the classifier alongside the rules: one place for the CLI,
the GUI's demo database and (later) batch analysis."""
from __future__ import annotations

from pathlib import Path

from app.assess.engine import Assessment, assess
from app.assess.thresholds import DEFAULTS, Thresholds
from app.core.types import PoseTrack


def with_classifier(track: PoseTrack, a: Assessment, th: Thresholds = DEFAULTS, bar_y: float | None = None,
                    models: Path | str | None = None, threads: int | None = None) -> tuple[Assessment, list, str | None]:
    """-> (assessment with each rep's P(standard) recorded, per-rep RepProbability or None, note).
    A missing or broken classifier is a note, not an error: the rules alone still judge."""
    from app.inference.classifier import RepClassifier
    from app.inference.session import ModelError
    if not a.reps:
        return a, [], None
    try:
        clf = RepClassifier(Path(models) if models else None, threads)
        probs = clf.per_rep(track, [(r.start, r.end) for r in a.reps], a.exercise, a.view)
    except (ModelError, ValueError) as e:
        return a, [], f"classifier not used: {e}"
    # same reps (P does not move a boundary); the probabilities are recorded with them
    a = assess(track, a.exercise, a.view, th, bar_y=bar_y, p_standard=[None if q is None else q.p_standard
                                                                     for q in probs])
    return a, probs, None


def attach_probabilities(res: dict, probs: list, note: str | None) -> dict:
    """Write each rep's attention and the classifier's note into a result dict (result_dict's)."""
    for r, q in zip(res["reps"], probs, strict=False):
        r["attention"] = None if q is None else [round(float(x), 4) for x in q.attention]
    res["classifier"] = {"model": "lstm_attention" if probs else None, "policy": "rules",
                         "note": note or "P(standard) is recorded with each rep; the rules decide"}
    return res
