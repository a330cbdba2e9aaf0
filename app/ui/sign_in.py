"""The sign-in dialog, and the first-run flow that creates the admin.

The checks are storage's (app.storage.accounts); the dialog only asks. `submit()` does what
the OK button does, so a test drives it without a blocking exec().
"""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from app.storage.errors import StorageError
from app.ui.widgets import ok_cancel_layout, say


class SignInDialog(QDialog):
    def __init__(self, db, parent: QWidget | None = None) -> None:
        """db: the open database; with no account yet the dialog creates the first admin."""
        super().__init__(parent)
        from app.storage.accounts import has_accounts
        self.db = db
        self.first_run = not has_accounts(db)
        self.actor = None
        self.setWindowTitle("DrillScore: create the admin account" if self.first_run else "DrillScore: sign in")
        self.user = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin = QCheckBox("it is a PIN (4-12 digits)")
        self.message = QLabel("")
        form = QFormLayout()
        form.addRow("user name", self.user)
        form.addRow("password or PIN", self.secret)
        if self.first_run:
            form.addRow("again", self.confirm)
            form.addRow("", self.pin)
        ok_cancel_layout(self, form, self.message, "No accounts yet. Create the admin: they add instructors and "
                         "trainees." if self.first_run else None)

    def submit(self) -> bool:
        """Check what was typed; on success `actor` is set and the dialog accepts."""
        from app.storage.accounts import create_first_admin, sign_in
        name, secret = self.user.text().strip(), self.secret.text()
        try:
            if self.first_run:
                if secret != self.confirm.text():
                    raise StorageError("the two entries differ; type the password again")
                self.actor = create_first_admin(self.db, name, secret, pin=self.pin.isChecked())
            else:
                self.actor = sign_in(self.db, name, secret)
        except StorageError as e:
            say(self.message, str(e), error=True)
            self.secret.clear()
            self.confirm.clear()
            return False
        self.accept()
        return True
