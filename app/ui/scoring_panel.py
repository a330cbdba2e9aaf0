"""Admin > Scoring tables: the bundled and imported tables, one table's rows, import (checked
before it is copied), and the choice of the active table used for points."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from app.assess.scoring import SCORING_DIR, ScoringTableError, import_table, list_tables, table_rows
from app.ui.settings_panel import SettingsModel
from app.ui.widgets import say, table


class ScoringPanel(QWidget):
    def __init__(self, model: SettingsModel, folder: Path, parent: QWidget | None = None) -> None:
        """folder: where imported tables are kept (the user's config folder)."""
        super().__init__(parent)
        self.model, self.folder = model, Path(folder)
        self.tables = []
        self.list = table(["name", "source", "file", "active"])
        self.rows = table(["event", "sex", "age", "reps", "points"])
        self.import_btn = QPushButton("Import table...")
        self.use_btn = QPushButton("Use as active")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_btn)
        buttons.addWidget(self.use_btn)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list)
        left.addLayout(buttons)
        left.addWidget(self.message)
        top = QHBoxLayout(self)
        top.addLayout(left, 3)
        top.addWidget(self.rows, 2)
        self.list.itemSelectionChanged.connect(self._show_selected)
        self.import_btn.clicked.connect(self._ask_import)
        self.use_btn.clicked.connect(self.use_selected)
        self.reload()

    def active_path(self) -> str:
        return self.model.value.scoring_table or str(SCORING_DIR / "us_army_apft_example.json")

    def reload(self) -> None:
        self.tables, problems = list_tables(self.folder)
        self.list.setRowCount(len(self.tables))
        for i, t in enumerate(self.tables):
            for j, v in enumerate((t.name + (" (example)" if t.example else ""), t.source, Path(t.path).name,
                                   "yes" if t.path == self.active_path() else "")):
                self.list.setItem(i, j, QTableWidgetItem(v))
        self.list.resizeColumnsToContents()
        if problems:
            self._say("not usable: " + " | ".join(problems), error=True)

    def selected(self):
        rows = self.list.selectionModel().selectedRows()
        return self.tables[rows[0].row()] if rows else None

    def _show_selected(self) -> None:
        t = self.selected()
        data = table_rows(t) if t is not None else []
        self.rows.setRowCount(len(data))
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                self.rows.setItem(i, j, QTableWidgetItem(f"{v:g}" if isinstance(v, float) else v))

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import scoring table", "", "Scoring tables (*.json)")
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path) -> bool:
        try:
            t = import_table(path, self.folder)
        except ScoringTableError as e:
            self._say(f"not imported: {e}", error=True)
            return False
        self._say(f"imported {t.name}; select it and press Use as active to score with it")
        self.reload()
        return True

    def use_selected(self) -> None:
        t = self.selected()
        if t is None:
            self._say("select a table in the list first", error=True)
            return
        self.model.save(dataclasses.replace(self.model.value, scoring_table=t.path))
        self._say(f"points now come from {t.name}")
        self.reload()

    def _say(self, text: str, error: bool = False) -> None:
        say(self.message, text, error)
