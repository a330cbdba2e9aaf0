"""Score reports from the database: the queries behind app.reports.model (which stays pure).

Who may see what is storage's rule (list_sessions / load_session take the acting user): a
trainee's report of themselves works, someone else's is refused. Unit reports are the
admins' and instructors' (they span trainees). Every record in a report is checked against
the sealed chain first, and the report says so next to it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.assess.scoring import ScoringTable
from app.reports.model import (
    SessionReport,
    TraineeReport,
    UnitReport,
    session_report,
    trainee_report,
    unit_report,
)
from app.storage.db import StorageError, find_trainee, list_sessions, list_trainees, load_session, verify_records
from app.storage.roles import ADMIN, INSTRUCTOR, Actor, require

Progress = Callable[[int, int], None]  # (done, of): raise Cancelled inside to stop


@dataclass(frozen=True, slots=True)
class Verified:
    """The chain check's answer per session: problems (session id -> one line) and whether the
    chain could be checked at all (key present); `status(sid)` is what a report prints."""

    problems: dict
    checked: bool
    trainees: dict = field(default_factory=dict)  # trainee id -> what changed in their record
    general: str | None = None  # a problem not tied to one record: nothing reads "verified" then

    def status(self, session_id: int, trainee_id: int | None = None) -> str:
        if not self.checked:
            return "not verified (chain key missing)"
        if session_id in self.problems:
            return self.problems[session_id]
        if trainee_id in self.trainees:
            return f"FAILED verification: the trainee record {self.trainees[trainee_id]}"
        if self.general:
            return f"not verified: {self.general} (run `drillscore verify`)"
        return "sealed, verified"


def verified(db) -> Verified:
    from app.storage.chain import ChainError
    try:
        report = verify_records(db)
    except ChainError:
        return Verified({}, False)
    out: dict = {}
    trainees: dict = {}
    general = None
    for p in report.problems:
        if p.session is not None:
            out.setdefault(p.session, f"FAILED verification: {p.what}")
        elif p.trainee is not None:
            trainees.setdefault(p.trainee, p.what)
        elif general is None:
            general = str(p)
    return Verified(out, True, trainees, general)


def _status(row: dict, check: Verified) -> str:
    s = check.status(row["id"], row.get("trainee_id"))
    if row.get("corrected_by"):
        s += f"; corrected by session {row['corrected_by']}"
    if row.get("corrects"):
        s += f"; corrects session {row['corrects']} ({row.get('correction_reason') or ''})"
    return s


def session_report_for(db, actor: Actor, session_id: int, progress: Progress | None = None) -> SessionReport:
    """One session (as the actor may see it); StorageError / AccessError when it cannot be."""
    from app.pipeline.review import driving_signal
    judgement, track = load_session(db, actor, session_id)
    row = next(r for r in list_sessions(db, actor) if r["id"] == session_id)
    if progress:
        progress(1, 2)
    # the driving signal is recomputed from the stored track, as the review does: the same
    # rules on the same keypoints give the same curve the reps were counted on
    drive = driving_signal(track, judgement)
    if progress:
        progress(2, 2)
    return session_report(row, judgement, drive, _status(row, verified(db)))


def trainee_report_for(db, actor: Actor, name: str, progress: Progress | None = None) -> TraineeReport:
    t = find_trainee(db, actor, name)
    rows = list_sessions(db, actor, t["name"])
    if progress:
        progress(1, 1)
    check = verified(db)
    return trainee_report(t, rows, {r["id"]: _status(r, check) for r in rows})


def units(db, actor: Actor) -> list[str]:
    """The units on the roster (archived trainees included: their records still count)."""
    return sorted({t["unit"] for t in list_trainees(db, actor, include_archived=True) if t["unit"]}, key=str.lower)


def unit_report_for(db, actor: Actor, unit: str, table: ScoringTable, start: str | None = None,
                    end: str | None = None, progress: Progress | None = None) -> UnitReport:
    """Everyone in `unit` (case as on the roster); StorageError naming the known units."""
    require(actor, ADMIN, INSTRUCTOR, to="report on a whole unit")
    _check_dates(start, end)
    trainees = [t for t in list_trainees(db, actor, include_archived=True)
                if (t["unit"] or "").lower() == unit.strip().lower()]
    if not trainees:
        known = ", ".join(units(db, actor)) or "none yet"
        raise StorageError(f"no trainees in unit {unit!r} (units: {known}); set units in Admin > Trainees")
    ids = {t["id"] for t in trainees}
    rows = [r for r in list_sessions(db, actor) if r["trainee_id"] in ids]
    if progress:
        progress(1, 2)
    check = verified(db)  # a session, its trainee's record, or the records as a whole in doubt
    failing = {r["id"] for r in rows if check.status(r["id"], r["trainee_id"]) != "sealed, verified"}
    if progress:
        progress(2, 2)
    return unit_report(trainees[0]["unit"], trainees, rows, table, start, end, failing)


def _check_dates(*days: str | None) -> None:
    from datetime import date
    for d in days:
        if d:
            try:
                date.fromisoformat(d)
            except ValueError:
                raise StorageError(f"date {d!r} is not a date; give it as YYYY-MM-DD") from None


KINDS = ("session", "trainee", "unit")


def build_report(db, actor: Actor, kind: str, target: str, table: ScoringTable | None = None,
                 start: str | None = None, end: str | None = None, progress: Progress | None = None):
    """kind: session (target: its id) | trainee (a name) | unit (a unit name; table: the
    scoring table to judge pass / fail by, else the bundled one) -> the report model."""
    if kind == "session":
        try:
            sid = int(str(target).strip())
        except ValueError:
            raise StorageError(f"session {target!r} is not a session number; list them with "
                               "`drillscore db sessions`") from None
        return session_report_for(db, actor, sid, progress)
    if kind == "trainee":
        return trainee_report_for(db, actor, target, progress)
    if kind == "unit":
        from app.assess.scoring import default_table
        return unit_report_for(db, actor, target, table or default_table(), start, end, progress)
    raise ValueError(f"report kind {kind!r}: use one of {', '.join(KINDS)}")
