"""Short error dialogs that never block: what happened and what to do, one per problem.

Why not QMessageBox.exec()/critical(): a modal loop blocks the caller (and hangs a test
offscreen, where nobody clicks). The box is opened window-modal with open(), the caller goes
on, and the last message stays readable on the widget for tests and the status bar.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget, title: str, text: str) -> QMessageBox:
    """Open a warning box over `parent` without waiting for it; -> the box (closed by OK)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no box piles up over a long day
    parent.last_error = f"{title}: {text}"  # type: ignore[attr-defined]
    box.open()
    return box


def confirm(parent: QWidget, title: str, text: str, yes: str, on_yes: Callable[[], None]) -> QMessageBox:
    """Ask before something that loses work, without blocking: a window-modal box with `yes`
    and Cancel (the default); on_yes runs only when `yes` is clicked. The box stays on
    parent.last_question (tests answer it with answer())."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda b: on_yes() if b is yes_btn else None)
    parent.last_question = box  # type: ignore[attr-defined]
    box.open()
    return box


def answer(box: QMessageBox, yes: bool) -> None:
    """Click a confirm() box's `yes` button, or Cancel."""
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    target = next(b for b in box.buttons() if b is not cancel) if yes else cancel
    target.click()
