"""Score reports as data: per session, per trainee, per unit and date range (pure, no I/O).

Built from rows as app.storage.db gives them; rendered by app.reports.csv_report and
app.ui.pdf_report, so the CSV and the PDF say the same thing. Corrected sessions are left out
of histories and unit figures: the correction is the result that stands.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from app.core.judgement import Judgement, RepEvent
from app.core.reasons import REASON_TEXT

if TYPE_CHECKING:  # a table is handed in by the caller; reports never load or judge
    from app.assess.scoring import ScoringTable

EVENT_NAMES = {"pushup": "push-ups", "pullup": "pull-ups", "situp": "sit-ups"}


@dataclass(frozen=True, slots=True)
class RepLine:
    """One rep: n, start / end frame, counted, P(standard) or None, reasons (grader's words),
    overruled (the correction's reason, or '')."""

    n: int
    start: int
    end: int
    counted: bool
    p_standard: float | None
    reasons: tuple[str, ...]
    overruled: str = ""


@dataclass(frozen=True, slots=True)
class SessionReport:
    """One test. drive (T,) float: the driving signal over the frames (NaN where unseen), for
    the chart; refused: (reason, reps) most frequent first; status: 'sealed', a correction
    note, or the verification problem."""

    session_id: int
    trainee: str
    unit: str
    exercise: str
    view: str
    started: str
    duration_s: float
    fps: float
    count_standard: int
    count_total: int
    points: float | None
    table: str | None
    reps: tuple[RepLine, ...]
    refused: tuple[tuple[str, int], ...]
    drive: np.ndarray
    status: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One session in a trainee's history; status: the chain check's word on it."""

    session_id: int
    day: str
    exercise: str
    count_standard: int
    count_total: int
    points: float | None
    status: str = ""


@dataclass(frozen=True, slots=True)
class TraineeReport:
    """A trainee's history (current versions, oldest first) and, per event, the standard reps
    of each session in order (the progress chart)."""

    trainee: str
    unit: str
    sex: str
    birth_year: int | None
    history: tuple[HistoryRow, ...]
    progress: dict  # event -> tuple of (day, standard reps)


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One trainee and event in the range: best and latest standard reps with their points by
    the active table; passed: latest points >= the table's pass mark (None: no table row);
    verified: False when one of these sessions fails the chain check."""

    trainee: str
    exercise: str
    sessions: int
    best: int
    best_points: float | None
    latest: int
    latest_points: float | None
    latest_day: str
    passed: bool | None
    verified: bool = True


@dataclass(frozen=True, slots=True)
class UnitReport:
    unit: str
    start: str
    end: str
    table: str
    pass_points: float
    rows: tuple[UnitRow, ...]
    untested: tuple[str, ...] = ()  # trainees of the unit with no session in the range
    pass_by_event: str = ""  # events with their own pass mark, in words ("pullup 40")

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.passed is False)


def _rep_line(r: RepEvent) -> RepLine:
    return RepLine(r.n, r.start, r.end, bool(r.standard), r.p_standard, tuple(REASON_TEXT.get(x, x) for x in r.reasons),
                   r.overruled.reason if r.overruled is not None else "")


def session_report(row: dict, j: Judgement, drive: np.ndarray, status: str) -> SessionReport:
    """row: list_sessions' row; j: the stored judgement; drive: the driving signal (T,)."""
    refused = Counter(REASON_TEXT.get(x, x) for r in j.reps if not r.standard for x in r.reasons)
    return SessionReport(int(row["id"]), row["trainee"], row.get("unit") or "", j.exercise, j.view or "",
                         row["started"], float(j.duration_s), float(j.fps), j.count_standard, j.count_total,
                         j.score.points if j.score else None, j.score.table if j.score else None,
                         tuple(_rep_line(r) for r in j.reps), tuple(refused.most_common()), np.asarray(drive, float),
                         status)


def _current(rows: list[dict]) -> list[dict]:
    return [r for r in rows if not r.get("corrected_by")]


def trainee_report(trainee: dict, rows: list[dict], status: dict | None = None) -> TraineeReport:
    """trainee: a roster row; rows: that trainee's sessions (list_sessions); status: session
    id -> the chain check's word on it."""
    cur = sorted(_current(rows), key=lambda r: (r["started"], r["id"]))
    hist = tuple(HistoryRow(int(r["id"]), r["started"][:10], r["exercise"], int(r["count_standard"]),
                            int(r["count_total"]), r["score"], (status or {}).get(r["id"], "")) for r in cur)
    progress: dict = {}
    for h in hist:
        progress.setdefault(h.exercise, []).append((h.day, h.count_standard))
    return TraineeReport(trainee["name"], trainee.get("unit") or "", trainee.get("sex") or "",
                         trainee.get("birth_year"), hist, {k: tuple(v) for k, v in progress.items()})


def in_range(day: str, start: str | None, end: str | None) -> bool:
    return (not start or day >= start) and (not end or day <= end)


def unit_report(unit: str, trainees: list[dict], rows: list[dict], table: ScoringTable, start: str | None = None,
                end: str | None = None, failing: set[int] | frozenset = frozenset()) -> UnitReport:
    """trainees: the roster rows of the unit; rows: their sessions (list_sessions); failing:
    session ids that fail the chain check. Points are recomputed with `table` (the active
    one) from each session's standard reps and the trainee's age in the session's year, so
    everyone is measured by the same table."""
    by_id = {t["id"]: t for t in trainees}
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in _current(rows):
        if r["trainee_id"] in by_id and in_range(r["started"][:10], start, end):
            groups.setdefault((by_id[r["trainee_id"]]["name"], r["exercise"]), []).append(r)
    out = []
    by_name = {t["name"]: t for t in trainees}
    for (name, ex), rs in sorted(groups.items(), key=lambda kv: (kv[0][0].lower(), kv[0][1])):
        t = by_name[name]

        def pts(r: dict, t=t, ex=ex) -> float | None:
            if not (t.get("sex") and t.get("birth_year")):
                return None
            return table.points(ex, t["sex"], int(r["started"][:4]) - int(t["birth_year"]), int(r["count_standard"]))
        rs.sort(key=lambda r: (r["started"], r["id"]))
        best = max(rs, key=lambda r: (r["count_standard"], r["started"]))
        latest = rs[-1]
        lp = pts(latest)
        out.append(UnitRow(name, ex, len(rs), int(best["count_standard"]), pts(best), int(latest["count_standard"]),
                           lp, latest["started"][:10], None if lp is None else lp >= table.pass_for(ex),
                           not any(r["id"] in failing for r in rs)))
    tested = {u.trainee for u in out}
    untested = tuple(sorted((t["name"] for t in trainees if t["name"] not in tested), key=str.lower))
    return UnitReport(unit, start or "", end or date.today().isoformat(), table.name, table.pass_points, tuple(out),
                      untested, table.pass_note())
