"""The admin workspace: trainees (add, edit, archive, show archived), the sessions export as
CSV and the score reports (app.ui.report_panel: session, trainee, unit; PDF or CSV). Problems are shown in a line under the form, never in a dialog that waits."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.reports.sessions_csv import ExportError, write_sessions_csv
from app.storage.db import StorageError, add_trainee, archive_trainee, list_sessions, list_trainees, update_trainee
from app.ui.widgets import say, table


class AdminWorkspace(QWidget):
    def __init__(self, db, actor, parent: QWidget | None = None, writer=None) -> None:
        """db: read from; actor: the signed-in admin (app.storage.roles.Actor); writer: the
        database writer every change goes through (inline without one)."""
        super().__init__(parent)
        from app.storage.writer import InlineWriter
        self.db, self.actor = db, actor
        self.writer = writer or InlineWriter(db)
        self.trainees: list[dict] = []
        self.table = table(["name", "sex", "birth year", "unit", "archived"])
        self.show_archived = QCheckBox("show archived")
        self.name = QLineEdit()
        self.sex = QComboBox()
        self.sex.addItems(["", "male", "female"])
        self.birth_year = QSpinBox()
        self.birth_year.setRange(0, 2100)
        self.birth_year.setSpecialValueText("-")
        self.unit = QLineEdit()
        self.add_btn = QPushButton("Add trainee")
        self.save_btn = QPushButton("Save changes")
        self.archive_btn = QPushButton("Archive / restore")
        self.export_btn = QPushButton("Export sessions as CSV...")
        self.verify_btn = QPushButton("Check all records")
        self.verify_btn.setToolTip("every sealed result and its recording, as `drillscore verify` checks them")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("name", self.name)
        form.addRow("sex", self.sex)
        form.addRow("birth year", self.birth_year)
        form.addRow("unit", self.unit)
        buttons = QHBoxLayout()
        for b in (self.add_btn, self.save_btn, self.archive_btn):
            buttons.addWidget(b)
        side = QVBoxLayout()
        side.addWidget(QLabel("Trainee"))
        side.addLayout(form)
        side.addLayout(buttons)
        side.addWidget(self.message)
        side.addStretch(1)
        side.addWidget(QLabel("Reports"))
        from app.ui.report_panel import ReportPanel
        self.reports = ReportPanel(db, actor, writer=self.writer)
        side.addWidget(self.reports)
        side.addWidget(self.export_btn)
        side.addWidget(self.verify_btn)
        left = QVBoxLayout()
        left.addWidget(self.show_archived)
        left.addWidget(self.table)
        top = QHBoxLayout(self)
        top.addLayout(left, 3)
        top.addLayout(side, 2)
        self.add_btn.clicked.connect(self.add)
        self.save_btn.clicked.connect(self.save)
        self.archive_btn.clicked.connect(self.toggle_archive)
        self.export_btn.clicked.connect(self._ask_export)
        self.verify_btn.clicked.connect(self.verify)
        self.show_archived.toggled.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._fill_form)
        self.reload()

    def _fields(self) -> dict:
        return {"name": self.name.text(), "sex": self.sex.currentText() or None,
                "birth_year": self.birth_year.value() or None, "unit": self.unit.text() or None}

    def _say(self, text: str, error: bool = False) -> None:
        say(self.message, text, error)

    def showEvent(self, event) -> None:  # Qt names it
        # trainees quick-added in the live workspace (through the writer) since the list was
        # last read: the roster is read again each time it comes into view
        self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        self.trainees = list_trainees(self.db, self.actor, self.show_archived.isChecked())
        self.table.setRowCount(len(self.trainees))
        for i, t in enumerate(self.trainees):
            for j, v in enumerate([t["name"], t["sex"] or "", t["birth_year"] or "", t["unit"] or "",
                                   "yes" if t["archived"] else ""]):
                self.table.setItem(i, j, QTableWidgetItem(str(v)))

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.trainees[rows[0].row()] if rows else None

    def _fill_form(self) -> None:
        t = self.selected()
        if t is None:
            return
        self.name.setText(t["name"])
        self.sex.setCurrentText(t["sex"] or "")
        self.birth_year.setValue(t["birth_year"] or 0)
        self.unit.setText(t["unit"] or "")

    def _apply(self, change, done: str) -> None:
        """Run one repository change; say what happened (or what was wrong) and refresh."""
        try:
            change()
        except StorageError as e:
            self._say(str(e), error=True)
            return
        self._say(done)
        self.reload()
        self.reports.reload()  # a new name or unit is reportable at once

    def _selected_or_say(self) -> dict | None:
        t = self.selected()
        if t is None:
            self._say("select a trainee in the list first", error=True)
        return t

    def add(self) -> None:
        self._apply(lambda: self.writer.call(add_trainee, self.actor, **self._fields()), f"added {self.name.text().strip()}")

    def save(self) -> None:
        t = self._selected_or_say()
        if t is not None:
            self._apply(lambda: self.writer.call(update_trainee, self.actor, t["id"], **self._fields()),
                        f"saved {self.name.text().strip()}")

    def toggle_archive(self) -> None:
        t = self._selected_or_say()
        if t is not None:
            self._apply(lambda: self.writer.call(archive_trainee, self.actor, t["id"], not t["archived"]),
                        f"{'restored' if t['archived'] else 'archived'} {t['name']} (their sessions are kept)")

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export sessions", str(Path.home() / "drillscore_sessions.csv"),
                                              "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> Path | None:
        try:
            out = write_sessions_csv(list_sessions(self.db, self.actor), path)
        except ExportError as e:
            self._say(str(e), error=True)
            return None
        from app.storage.db import record_export
        self.writer.submit(record_export, self.actor, "sessions (csv)", out)  # who exported what, audited
        self._say(f"exported the sessions to {out}")
        return out

    def verify(self) -> bool:
        """Check every sealed result and its files now (as `drillscore verify`); -> all as sealed."""
        from app.storage.chain import ChainError
        from app.storage.db import verify_records
        try:
            report = verify_records(self.db)
        except ChainError as e:
            self._say(str(e), error=True)
            return False
        if report.ok:
            self._say(f"records checked: {report.entries} sealed entries, {report.sessions} sessions, all as sealed")
            return True
        shown = "; ".join(str(p) for p in report.problems[:5])
        more = f" (+{len(report.problems) - 5} more: run `drillscore verify`)" if len(report.problems) > 5 else ""
        self._say(f"records FAIL the check: {shown}{more}", error=True)
        return False
