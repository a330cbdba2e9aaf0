"""Score reports as CSV: sections separated by a blank line, each with its own header row.

The first section is `field,value` (what the report is, who, when, the totals); then the
tables (a session's reps and refused reasons, a trainee's history, a unit's rows). Written
aside and moved into place (app.reports.files): never half a file.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from app.reports.files import csv_text, write_atomic
from app.reports.model import EVENT_NAMES, SessionReport, TraineeReport, UnitReport

Section = tuple[tuple[str, ...], Iterable[Iterable]]  # header, rows


def cell_text(v) -> str:
    """A value as a report prints it: '' for None, yes / no, whole numbers without '.0'."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v - round(v)) > 1e-9 else str(int(round(v)))
    return str(v)


def _csv_cell(v) -> str:
    return csv_text(cell_text(v))


def sections(report: SessionReport | TraineeReport | UnitReport) -> list[Section]:
    """The report as CSV sections (pure; the renderer and the tests share it)."""
    if isinstance(report, SessionReport):
        r = report
        head = [("report", "session"), ("session", r.session_id), ("trainee", r.trainee), ("unit", r.unit),
                ("event", EVENT_NAMES.get(r.exercise, r.exercise)), ("view", r.view), ("started", r.started),
                ("duration_s", round(r.duration_s, 1)), ("standard reps", r.count_standard),
                ("total reps", r.count_total), ("points", r.points), ("scoring table", r.table),
                ("record", r.status)]
        reps = [(x.n, x.start, x.end, round(x.start / r.fps, 2), round(x.end / r.fps, 2), x.counted,
                 "" if x.p_standard is None else round(x.p_standard, 3), "; ".join(x.reasons), x.overruled)
                for x in r.reps]
        return [(("field", "value"), head),
                (("rep", "start_frame", "end_frame", "start_s", "end_s", "counted", "p_standard", "reasons",
                  "overruled"), reps),
                (("refused_reason", "reps"), r.refused)]
    if isinstance(report, TraineeReport):
        r = report
        head = [("report", "trainee"), ("trainee", r.trainee), ("unit", r.unit), ("sex", r.sex),
                ("birth_year", r.birth_year), ("sessions", len(r.history))]
        for ev, pts in r.progress.items():
            head.append((f"best {EVENT_NAMES.get(ev, ev)}", max(n for _, n in pts)))
        return [(("field", "value"), head),
                (("session", "day", "event", "standard", "total", "points", "record"),
                 [(h.session_id, h.day, h.exercise, h.count_standard, h.count_total, h.points, h.status)
                  for h in r.history])]
    r = report
    head = [("report", "unit"), ("unit", r.unit), ("from", r.start or "(all)"), ("to", r.end),
            ("scoring table", r.table), ("pass mark (points)", f"{r.pass_points:g}" + (f" ({r.pass_by_event})" if r.pass_by_event else "")), ("rows", len(r.rows)),
            ("passed", r.passed), ("failed", r.failed),
            ("trainees with no session yet", len(r.untested)), ("no session yet", "; ".join(r.untested))]
    return [(("field", "value"), head),
            (("trainee", "event", "sessions", "best", "best_points", "latest", "latest_points", "latest_day",
              "passed", "records_verified"),
             [(u.trainee, u.exercise, u.sessions, u.best, u.best_points, u.latest, u.latest_points, u.latest_day,
               "no table row" if u.passed is None else u.passed, u.verified) for u in r.rows])]


def write_report_csv(report: SessionReport | TraineeReport | UnitReport, path: str | Path) -> Path:
    """-> the path written; ExportError naming the path and the fix."""
    parts = sections(report)

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for k, (header, rows) in enumerate(parts):
                if k:
                    w.writerow([])
                w.writerow(header)
                for row in rows:
                    w.writerow([_csv_cell(v) for v in row])
    return write_atomic(path, write)
