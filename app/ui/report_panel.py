"""Score reports from the admin workspace: a session, a trainee or a unit, as PDF or CSV.

The report is made on its own thread (app.pipeline.report_job) with a progress bar and Cancel; the
window stays usable. Problems are said in the line under the panel, never in a dialog that
waits. Ctrl+R asks for the file and starts.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.pipeline.report_job import ReportJob, ReportRequest
from app.ui.report_writer import write_report
from app.ui.widgets import say

KIND_LABELS = (("session", "One session"), ("trainee", "A trainee's history"), ("unit", "A unit"))


class ReportPanel(QWidget):
    finished = Signal(object)  # the ReportJob, when it ends (done, cancelled or failed)

    def __init__(self, db, actor, parent: QWidget | None = None, writer=None) -> None:
        """db: the open database (read here for the pickers; the job opens its own connection);
        actor: who makes the report (storage decides what they may see); writer: where the
        export is logged in the audit table (inline without one)."""
        super().__init__(parent)
        from app.storage.writer import InlineWriter
        self.db, self.actor = db, actor
        self.writer = writer or InlineWriter(db)
        self.table_path: str | None = None  # the admin's active scoring table (None: bundled)
        self.job: ReportJob | None = None
        self.kind = QComboBox()
        for key, label in KIND_LABELS:
            self.kind.addItem(label, key)
        self.target = QComboBox()
        self.all_dates = QCheckBox("all dates")
        self.all_dates.setChecked(True)
        self.start = QDateEdit(QDate.currentDate().addMonths(-3))
        self.end = QDateEdit(QDate.currentDate())
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.fmt = QComboBox()
        self.fmt.addItem("PDF", "pdf")
        self.fmt.addItem("CSV", "csv")
        self.make_btn = QPushButton("Export report...")
        self.make_btn.setToolTip("Ctrl+R")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        dates = QHBoxLayout()
        for w in (self.all_dates, self.start, QLabel("to"), self.end):
            dates.addWidget(w)
        form = QFormLayout()
        form.addRow("report", self.kind)
        form.addRow("of", self.target)
        form.addRow("dates", dates)
        form.addRow("format", self.fmt)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_btn)
        buttons.addWidget(self.cancel_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.bar)
        lay.addWidget(self.message)
        self.kind.currentIndexChanged.connect(self.reload)
        self.all_dates.toggled.connect(self._dates_enabled)
        self.make_btn.clicked.connect(self._ask)
        self.cancel_btn.clicked.connect(self.cancel)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self._ask)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._poll)
        self.reload()

    def _dates_enabled(self) -> None:
        on = self.kind.currentData() == "unit" and not self.all_dates.isChecked()
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.all_dates.setEnabled(self.kind.currentData() == "unit")

    def reload(self) -> None:
        """The pickers from the database: sessions (newest first), trainees, units."""
        from app.pipeline.report_gather import units
        from app.storage.db import list_sessions, list_trainees
        kind = self.kind.currentData()
        self.target.clear()
        if kind == "session":
            for r in reversed(list_sessions(self.db, self.actor)):
                self.target.addItem(f"{r['id']}: {r['trainee']}, {r['exercise']}, {r['started'][:10]}", str(r["id"]))
        elif kind == "trainee":
            for t in list_trainees(self.db, self.actor, include_archived=True):
                self.target.addItem(t["name"], t["name"])
        else:
            for u in units(self.db, self.actor):
                self.target.addItem(u, u)
        self._dates_enabled()

    def request(self, out: str | Path) -> ReportRequest | None:
        """What the panel is set to, written to `out`; None (and said) when nothing is chosen."""
        if self.target.currentData() is None:
            what = {"session": "no sessions saved yet", "trainee": "no trainees yet",
                    "unit": "no trainee has a unit yet: set units in the trainee form"}[self.kind.currentData()]
            say(self.message, what, error=True)
            return None
        dated = self.kind.currentData() == "unit" and not self.all_dates.isChecked()
        return ReportRequest(self.kind.currentData(), self.target.currentData(), self.fmt.currentData(), Path(out),
                             self.table_path, self.start.date().toString("yyyy-MM-dd") if dated else None,
                             self.end.date().toString("yyyy-MM-dd") if dated else None)

    def _ask(self) -> None:
        if self.job is not None and self.job.running:
            return
        fmt = self.fmt.currentData()
        name = f"drillscore_{self.kind.currentData()}_{(self.target.currentData() or '').replace(' ', '_')}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, "Export report", str(Path.home() / name),
                                              "PDF (*.pdf)" if fmt == "pdf" else "CSV (*.csv)")
        if path:
            self.start_report(path)

    def start_report(self, out: str | Path) -> ReportJob | None:
        """Start making the report into `out`; -> the job (None when nothing is chosen)."""
        from app.storage.location import database_path
        req = self.request(out)
        if req is None:
            return None
        self.job = ReportJob(database_path(self.db), self.actor, req, write_report).start()
        self.make_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.bar.setValue(0)
        self.bar.setVisible(True)
        say(self.message, f"making the {req.kind} report ...")
        self._timer.start()
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _poll(self) -> None:
        job = self.job
        if job is None:
            return
        self.bar.setValue(int(job.progress * 100))
        if job.running:
            return
        self._timer.stop()
        self.make_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        self.bar.setVisible(False)
        if job.cancelled:
            say(self.message, "cancelled: no file was written")
        elif job.error:
            say(self.message, job.error, error=True)
        else:
            say(self.message, f"report written to {job.result}")
            self._log(job)
        self.finished.emit(job)

    def _log(self, job: ReportJob) -> None:
        """Who exported which report into which file, in the audit log (through the writer, so
        the GUI never waits on the disk; a failure to log is said, the file stays)."""
        from app.storage.db import record_export
        r = job.request

        def said(fut) -> None:
            if fut.exception() is not None:
                self.log_problem = str(fut.exception())
        self.log_problem = None
        self.writer.submit(record_export, self.actor, f"{r.kind} report {r.target} ({r.fmt})",
                           job.result).add_done_callback(said)

    def shutdown(self) -> None:
        """Stop a report still being made (the window is closing)."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.job.join(10)
        self._timer.stop()
