"""A grader's correction of a judged rep, as a new result (pure: the stored one is untouched).

The storage keeps the original record and seals the corrected one as a new session that
references it (app.storage.db.correct_session); this module only computes the corrected result.
"""
from __future__ import annotations

import copy

from app.assess.scoring import ScoringTable


class CorrectionError(ValueError):
    """The correction does not apply to this result; str() says why."""


def overrule_rep(result: dict, n: int, standard: bool, reason: str, table: ScoringTable | None = None) -> dict:
    """-> a copy of `result` with rep `n` counted (standard=True) or refused, the reason kept on
    the rep as `overruled`, the counts recomputed, and the score recomputed with `table` when
    the result was scored (kept, with a note, when the table is not at hand)."""
    out = copy.deepcopy(result)
    reps = {r["n"]: r for r in out["reps"]}
    if n not in reps:
        raise CorrectionError(f"the session has no rep {n}; its reps are 1..{len(reps)}")
    rep = reps[n]
    if bool(rep["standard"]) == standard:
        raise CorrectionError(f"rep {n} is {'counted' if standard else 'refused'} already; nothing to correct")
    rep["standard"] = standard
    rep["overruled"] = {"standard": standard, "reason": reason, "was_reasons": list(rep["reasons"])}
    out["count_standard"] = sum(1 for r in out["reps"] if r["standard"])
    score = out.get("score")
    if score:
        if table is not None and table.name == score.get("table"):
            score["points"] = table.points(out["exercise"], score["sex"], score["age"], out["count_standard"])
        else:
            score["note"] = f"points not recomputed: the table {score.get('table')!r} is not at hand"
    return out
