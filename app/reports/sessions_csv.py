"""Sessions as CSV, one row each, in the order given (the admin workspace's filtered list)."""
from __future__ import annotations

import csv
from pathlib import Path

COLUMNS = ("id", "started", "trainee", "exercise", "count_standard", "count_total", "score")


class ExportError(OSError):
    """The report file could not be written; the message names the path and the fix."""


def write_sessions_csv(rows: list[dict], path: str | Path) -> Path:
    p = Path(path)
    tmp = p.with_name(p.name + ".part")
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:  # written aside, then moved: never half a file
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for r in rows:
                w.writerow(["" if r.get(c) is None else r[c] for c in COLUMNS])
        tmp.replace(p)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {p}: {e.strerror or e}; choose a folder you can write to") from None
    return p
