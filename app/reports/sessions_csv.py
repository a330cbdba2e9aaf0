"""Sessions as CSV, one row each, in the order given (the admin workspace's filtered list)."""
from __future__ import annotations

import csv
from pathlib import Path

from app.reports.files import ExportError, csv_text, write_atomic

COLUMNS = ("id", "started", "trainee", "exercise", "count_standard", "count_total", "score")

__all__ = ["ExportError", "write_sessions_csv"]


def write_sessions_csv(rows: list[dict], path: str | Path) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for r in rows:
                w.writerow(["" if r.get(c) is None else csv_text(r[c]) if isinstance(r[c], str) else r[c]
                            for c in COLUMNS])
    return write_atomic(path, write)
