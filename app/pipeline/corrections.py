"""A grader overrules one rep: the stored result is loaded, the verdict flipped with the
grader's reason (app.assess.correction), and the corrected result saved as a new sealed
session that references the old one (app.storage.db.correct_session). One path for the
command line (`drillscore db correct`) and the review workspace; run where writes run."""
from __future__ import annotations

from pathlib import Path

from app.assess.correction import CorrectionError, overrule_rep
from app.assess.scoring import find_table
from app.core.judgement import Judgement
from app.storage.db import StorageError, correct_session, load_session


def overrule(db, actor, session_id: int, rep: int, counted: bool, reason: str,
             imported_tables: str | Path | None = None) -> tuple[int, Judgement]:
    """-> (the new session id, its result); StorageError (who may, a damaged record, no
    reason) or CorrectionError (no such rep, nothing to change) in one line each. The points
    are recomputed by the table the session was scored with, when it is at hand."""
    if not (reason or "").strip():
        raise StorageError("a correction needs a reason (what the grader saw); type it first")
    judgement, _track = load_session(db, actor, session_id)
    table = find_table(judgement.score.table if judgement.score else None, imported_tables)
    new = overrule_rep(judgement, rep, counted, reason.strip(), table)
    return correct_session(db, actor, session_id, new, reason), new


__all__ = ["CorrectionError", "overrule"]
