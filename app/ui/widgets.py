"""Small widget helpers the workspaces share."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QTableWidget


def table(headers: list[str]) -> QTableWidget:
    """A read-only table that selects whole rows, one at a time."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def say(label: QLabel, text: str, error: bool = False) -> None:
    """A one-line message under a form: red for a problem, green for done."""
    label.setStyleSheet("color: #c0392b;" if error else "color: #1e8449;")
    label.setText(text)


def fill_trainees(box: QComboBox, db, actor) -> None:
    """The roster (archived trainees left out) into a picker, keeping the current choice."""
    from app.storage.db import list_trainees
    current = box.currentText()
    box.clear()
    for t in list_trainees(db, actor):
        box.addItem(t["name"], t)
    if current:
        box.setCurrentText(current)
