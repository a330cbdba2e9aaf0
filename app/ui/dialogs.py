"""Short error dialogs that never block: what happened and what to do, one per problem.

Why not QMessageBox.exec()/critical(): a modal loop blocks the caller (and hangs a test
offscreen, where nobody clicks). The box is opened window-modal with open(), the caller goes
on, and the last message stays readable on the widget for tests and the status bar.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget, title: str, text: str) -> QMessageBox:
    """Open a warning box over `parent` without waiting for it; -> the box (closed by OK)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no box piles up over a long day
    parent.last_error = f"{title}: {text}"  # type: ignore[attr-defined]
    box.open()
    return box
