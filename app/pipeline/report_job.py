"""A report made on its own thread: progress to show, Cancel between steps (Qt-free).

The admin workspace starts one and polls it; the command line calls the same two steps
(gather.build_report, then the format's writer) inline. The thread opens its own
connection (SQLite connections stay on the thread that made them; WAL lets it read while
the database writer writes).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.pipeline.report_gather import build_report
from app.reports.files import Cancelled

GATHER_SHARE = 0.3  # of the progress bar: reading and checking the records; the rest is the file


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What to make: kind (session | trainee | unit), target (session id, trainee name or
    unit), fmt (csv | pdf), out (the file), the unit's scoring table file (None: bundled)
    and date range (ISO days or None)."""

    kind: str
    target: str
    fmt: str
    out: Path
    table_path: str | None = None
    start: str | None = None
    end: str | None = None


class ReportJob:
    def __init__(self, db_path: Path, actor, request: ReportRequest,
                 write: Callable[..., Path]) -> None:
        """write(report, fmt, out, by=, progress=) -> path: the format's renderer
        (app.ui.report_writer.write_report)."""
        self.db_path, self.actor, self.request, self._write = Path(db_path), actor, request, write
        self.progress = 0.0            # 0..1, read by the GUI
        self.result: Path | None = None
        self.error: str | None = None
        self.cancelled = False
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="report", daemon=True)

    def start(self) -> ReportJob:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _step(self, lo: float, hi: float):
        def progress(done: int, of: int) -> None:
            if self._cancel.is_set():
                raise Cancelled()
            self.progress = lo + (hi - lo) * (done / of if of else 1.0)
        return progress

    def _run(self) -> None:
        from app.assess.scoring import ScoringTableError, load_table
        from app.reports.files import ExportError, check_writable
        from app.storage.db import open_db
        from app.storage.errors import StorageError
        r = self.request
        db = None
        try:
            check_writable(r.out)  # said before the work, not after it
            db = open_db(self.db_path)
            table = load_table(r.table_path) if (r.kind == "unit" and r.table_path) else None
            report = build_report(db, self.actor, r.kind, r.target, table, r.start, r.end,
                                  self._step(0.0, GATHER_SHARE))
            self._step(GATHER_SHARE, 1.0)(0, 1)  # a Cancel pressed while gathering stops here
            self.result = self._write(report, r.fmt, r.out, by=str(self.actor),
                                      progress=self._step(GATHER_SHARE, 1.0))
            self.progress = 1.0
        except Cancelled:
            self.cancelled = True
        except (StorageError, ScoringTableError, ExportError) as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - said in the workspace, never a traceback
            self.error = f"the report could not be made ({type(e).__name__}: {e})"
        finally:
            if db is not None:
                db.conn.close()
