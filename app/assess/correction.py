"""A grader's correction of a judged rep, as a new Judgement (pure: the stored one is untouched).

The storage keeps the original record and seals the corrected one as a new session that
references it (app.storage.db.correct_session); this module only computes the corrected result.
"""
from __future__ import annotations

from dataclasses import replace

from app.assess.scoring import ScoringTable
from app.core.judgement import Judgement, Overrule


class CorrectionError(ValueError):
    """The correction does not apply to this result; str() says why."""


def overrule_rep(judgement: Judgement, n: int, standard: bool, reason: str,
                 table: ScoringTable | None = None) -> Judgement:
    """-> a copy of `judgement` with rep `n` counted (standard=True) or refused, the reason kept
    on the rep as `overruled`, and the score recomputed with `table` when the result was scored
    (kept, with a note, when the table is not at hand). The counts follow from the reps."""
    by_n = {r.n: r for r in judgement.reps}
    if n not in by_n:
        raise CorrectionError(f"the session has no rep {n}; its reps are 1..{len(by_n)}")
    rep = by_n[n]
    if bool(rep.standard) == standard:
        raise CorrectionError(f"rep {n} is {'counted' if standard else 'refused'} already; nothing to correct")
    new_rep = replace(rep, standard=standard, overruled=Overrule(standard, reason, tuple(rep.reasons)))
    out = replace(judgement, reps=tuple(new_rep if r.n == n else r for r in judgement.reps))
    score = out.score
    if score is not None:
        if table is not None and table.name == score.table:
            score = replace(score, points=table.points(out.exercise, score.sex, score.age, out.count_standard))
        else:
            score = replace(score, note=f"points not recomputed: the table {score.table!r} is not at hand")
        out = replace(out, score=score)
    return out
