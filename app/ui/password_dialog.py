"""Change my own password or PIN (any role): the old one first, the new one twice.

Not modal: opened with show() from the status bar. `submit()` does what OK does, so a test
drives it. The checks are storage's (sign_in for the old secret, set_secret for the new:
strength, and that the change is audited); the write goes through the database writer.
"""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from app.storage.errors import StorageError
from app.ui.widgets import ok_cancel_layout, say


class PasswordDialog(QDialog):
    def __init__(self, db, writer, actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.writer, self.actor = db, writer, actor
        self.done_ok = False
        self.setWindowTitle(f"DrillScore: new password or PIN for {actor.username}")
        self.old, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        for w in (self.old, self.new, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin = QCheckBox("the new one is a PIN (4-12 digits)")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("current password or PIN", self.old)
        form.addRow("new", self.new)
        form.addRow("again", self.again)
        form.addRow("", self.pin)
        ok_cancel_layout(self, form, self.message)

    def submit(self) -> bool:
        from app.storage.accounts import set_secret, sign_in
        try:
            sign_in(self.db, self.actor.username, self.old.text())
            if self.new.text() != self.again.text():
                raise StorageError("the two new entries differ; type the new one again")
            self.writer.call(set_secret, self.actor, self.actor.user_id, self.new.text(), self.pin.isChecked())
        except StorageError as e:
            say(self.message, str(e).replace("try again (an admin can reset it)", "type the current one again"),
                error=True)
            for w in (self.old, self.new, self.again):
                w.clear()
            return False
        self.done_ok = True
        self.accept()
        return True
