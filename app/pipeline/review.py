"""What the review workspace shows, as plain data (Qt-free, testable): the sessions that pass
the filters, a trainee's progress in one event, which rep a frame belongs to, and the two slow
readings it makes in the background (the chain check, a session's driving signal)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.judgement import Judgement, RepEvent
from app.core.reasons import REASON_TEXT
from app.core.types import PoseTrack


@dataclass(frozen=True, slots=True)
class Filters:
    """None = any. date_from / date_to: ISO dates (YYYY-MM-DD), inclusive."""

    trainee: str | None = None
    exercise: str | None = None
    date_from: str | None = None
    date_to: str | None = None


def filter_sessions(rows: list[dict], f: Filters) -> list[dict]:
    """rows as app.storage.db.list_sessions gives them -> those matching, newest first."""
    out = [r for r in rows
           if (f.trainee is None or r["trainee"] == f.trainee)
           and (f.exercise is None or r["exercise"] == f.exercise)
           and (f.date_from is None or r["started"][:10] >= f.date_from)
           and (f.date_to is None or r["started"][:10] <= f.date_to)]
    return sorted(out, key=lambda r: (r["started"], r["id"]), reverse=True)


def progress(rows: list[dict], trainee: str, exercise: str) -> list[tuple[str, int, int]]:
    """-> [(started, standard reps, total reps)] of one trainee in one event, oldest first; a
    session corrected by a later one is left out (the correction stands for the same test)."""
    mine = [r for r in rows if r["trainee"] == trainee and r["exercise"] == exercise and not r.get("corrected_by")]
    return [(r["started"], int(r["count_standard"]), int(r["count_total"]))
            for r in sorted(mine, key=lambda r: (r["started"], r["id"]))]


def rep_at(frame: int, reps) -> RepEvent | None:
    """The rep (of a Judgement's reps) holding `frame`, else None. Where one rep ends on the
    frame the next starts, the frame is the next rep's (jumping to rep 4 says "rep 4")."""
    for r in reversed(reps):
        if r.start <= frame <= r.end:
            return r
    return None


def rep_cells(r: RepEvent) -> tuple[str, str]:
    """(verdict, why) of a rep as the review table shows them: a grader's overrule says so and
    why; the rules' reasons are shown only where they decided the verdict."""
    why = "; ".join(REASON_TEXT.get(x, x) for x in r.reasons)
    if r.overruled is not None:
        verdict = ("counted" if r.standard else "refused") + " (overruled)"
        was = "; ".join(REASON_TEXT.get(x, x) for x in r.overruled.was_reasons) or "counted"
        return verdict, f"overruled: {r.overruled.reason} (the rules said: {was})"
    return ("counted", "") if r.standard else ("refused", why)


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """The chain check of every record, for the review list: problems {session id: [what]}
    (-1: the chain itself), and a note when the records cannot be checked at all."""

    problems: dict
    note: str


def check_records(db_path: str | Path) -> RecordCheck:
    """Verify every sealed result and its files (app.storage.chain) on the caller's thread,
    with a connection of its own (the window runs it in the background: it hashes every recording)."""
    from app.storage.chain import ChainError
    from app.storage.db import open_db, verify_records
    db = open_db(db_path)
    try:
        report = verify_records(db)
    except ChainError as e:
        return RecordCheck({}, f"records cannot be checked: {e}")
    finally:
        db.conn.close()
    problems: dict = {}
    for p in report.problems:
        problems.setdefault(p.session if p.session is not None else -1, []).append(p.what)
    note = "the record chain is damaged: " + "; ".join(problems[-1]) if -1 in problems else ""
    return RecordCheck(problems, note)


def driving_signal(track: PoseTrack, j: Judgement) -> np.ndarray:
    """The signal the reps were counted on, re-read from the stored track (T,): the same rules
    on the same keypoints give the same curve."""
    from app.assess.engine import assess
    return np.asarray(assess(track, j.exercise, j.view or "auto").signals.drive, float)
