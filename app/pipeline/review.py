"""What the review workspace shows, as plain data (Qt-free, testable): the sessions that pass
the filters, a trainee's progress in one event, and which rep a frame belongs to."""
from __future__ import annotations

from dataclasses import dataclass


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
    """-> [(started, standard reps, total reps)] of one trainee in one event, oldest first."""
    mine = [r for r in rows if r["trainee"] == trainee and r["exercise"] == exercise]
    return [(r["started"], int(r["count_standard"]), int(r["count_total"]))
            for r in sorted(mine, key=lambda r: (r["started"], r["id"]))]


def rep_at(frame: int, reps: list[dict]) -> dict | None:
    """The rep (result dict form: start_frame, end_frame) holding `frame`, else None."""
    for r in reps:
        if r["start_frame"] <= frame <= r["end_frame"]:
            return r
    return None
