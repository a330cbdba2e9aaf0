"""Small widget helpers the workspaces share."""
from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


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
