"""Small widget helpers the workspaces share."""
from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QVBoxLayout,
)


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


def fill_trainees(box: QComboBox, db, actor, placeholder: str | None = None) -> None:
    """The roster (archived trainees left out) into a picker, keeping the current choice.
    placeholder: a first entry with no trainee behind it (data None), chosen until someone
    picks a name, so nothing is ever saved under a name nobody chose."""
    from app.storage.db import list_trainees
    current = box.currentText()
    box.clear()
    if placeholder:
        box.addItem(placeholder, None)
    for t in list_trainees(db, actor):
        box.addItem(t["name"], t)
    if current:
        box.setCurrentText(current)


def ok_cancel_layout(dialog: QDialog, form: QFormLayout, message: QLabel, intro: str | None = None) -> None:
    """A form dialog's body: an optional line above, the form, the message line, OK / Cancel
    (OK calls dialog.submit(), which accepts only when what was typed is right)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.submit)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    if intro:
        lay.addWidget(QLabel(intro))
    lay.addLayout(form)
    lay.addWidget(message)
    lay.addWidget(buttons)


# What the rep chart shows for each event, in a grader's words: the rules count a rep on this
# movement (app.assess.signals computes it; torso lengths keep it the same near and far).
MOVEMENT_AXIS = {"pushup": "depth: shoulders above hands (torso lengths)",
                 "pullup": "height: nose below hands (torso lengths)",
                 "situp": "trunk lowered from upright (deg side view, torso lengths front)",
                 "auto": "movement (torso lengths)"}
MOVEMENT_UNIT = {"pushup": "torso lengths", "pullup": "torso lengths", "situp": "deg / torso lengths",
                 "auto": "torso lengths"}
FORM_MODEL = "form model: how sure it is the rep is standard"


def whole_ticks(axis, top: float, most: int = 6) -> None:
    """Ticks on whole numbers only (tests and reps come in ones), at most about `most` of them."""
    step = max(1, math.ceil(top / most))
    axis.setTickSpacing(step, step)


def label_axes(plot, bottom: str, left: str) -> None:
    """Both axes of a pyqtgraph plot labelled, units in the text."""
    plot.setLabel("bottom", bottom)
    plot.setLabel("left", left)
