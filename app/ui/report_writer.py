"""A report model to a file in the chosen format: CSV (app.reports.csv_report) or PDF
(app.ui.pdf_report, which loads Qt's PDF writer: imported only for a PDF). One entry for the command line and the admin workspace."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.reports.csv_report import write_report_csv
from app.reports.files import ExportError, check_writable

FORMATS = ("csv", "pdf")


def write_report(report, fmt: str, out: str | Path, by: str = "",
                 progress: Callable[[int, int], None] | None = None) -> Path:
    """-> the file written; ExportError (a path that cannot be written, an unknown format)."""
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: use csv or pdf")
    check_writable(out)
    if fmt == "csv":
        return write_report_csv(report, out)
    from app.ui.pdf_report import write_report_pdf
    return write_report_pdf(report, out, by, progress)
