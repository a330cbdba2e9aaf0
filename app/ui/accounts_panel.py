"""Admin > Accounts: who may sign in, as what, and the audit log of who wrote what.

Add an account (admin, instructor, or a trainee's own, tied to the trainee), reset a password
or PIN, disable / enable one. The checks are storage's (app.storage.accounts); every change
goes through the database writer and is audited there. Problems are said under the form.
"""
from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.storage.accounts import add_user, list_users, set_disabled, set_secret
from app.storage.audit import list_audit
from app.storage.errors import StorageError
from app.storage.roles import ROLES, TRAINEE
from app.ui.widgets import fill_trainees, say, table

AUDIT_ROWS = 500


class AccountsPanel(QWidget):
    def __init__(self, db, actor, writer=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.storage.writer import InlineWriter
        self.db, self.actor = db, actor
        self.writer = writer or InlineWriter(db)
        self.users: list[dict] = []
        self.table = table(["user", "role", "trainee", "secret", "state", "created"])
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText("instructor")
        self.trainee = QComboBox()
        self.secret = QLineEdit()
        self.confirm = QLineEdit()
        for w in (self.secret, self.confirm):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin = QCheckBox("it is a PIN (4-12 digits)")
        self.add_btn = QPushButton("Add account")
        self.reset_btn = QPushButton("Set new password / PIN")
        self.disable_btn = QPushButton("Disable / enable")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.audit = table(["when (UTC)", "who", "action", "target", "detail"])
        self.audit_refresh = QPushButton("Refresh")
        form = QFormLayout()
        form.addRow("user name", self.name)
        form.addRow("role", self.role)
        form.addRow("trainee", self.trainee)
        form.addRow("password or PIN", self.secret)
        form.addRow("again", self.confirm)
        form.addRow("", self.pin)
        buttons = QHBoxLayout()
        for b in (self.add_btn, self.reset_btn, self.disable_btn):
            buttons.addWidget(b)
        side = QVBoxLayout()
        side.addWidget(QLabel("Account"))
        side.addLayout(form)
        side.addLayout(buttons)
        side.addWidget(self.message)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.table, 3)
        top.addLayout(side, 2)
        audit_head = QHBoxLayout()
        audit_head.addWidget(QLabel(f"Audit log (newest {AUDIT_ROWS}; append-only)"))
        audit_head.addStretch(1)
        audit_head.addWidget(self.audit_refresh)
        lay = QVBoxLayout(self)
        lay.addLayout(top, 3)
        lay.addLayout(audit_head)
        lay.addWidget(self.audit, 2)
        self.role.currentTextChanged.connect(lambda r: self.trainee.setEnabled(r == TRAINEE))
        self.add_btn.clicked.connect(self.add)
        self.reset_btn.clicked.connect(self.reset_secret)
        self.disable_btn.clicked.connect(self.toggle_disabled)
        self.audit_refresh.clicked.connect(self.reload_audit)
        self.trainee.setEnabled(False)
        self.reload()

    def reload(self) -> None:
        self.users = list_users(self.db, self.actor)
        self.table.setRowCount(len(self.users))
        for i, u in enumerate(self.users):
            for j, v in enumerate([u["username"], u["role"], u["trainee"] or "", "PIN" if u["pin"] else "password",
                                   "disabled" if u["disabled"] else "active", (u["created"] or "")[:10]]):
                self.table.setItem(i, j, QTableWidgetItem(str(v)))
        fill_trainees(self.trainee, self.db, self.actor)
        self.reload_audit()

    def reload_audit(self) -> None:
        rows = list_audit(self.db, self.actor, AUDIT_ROWS)
        self.audit.setRowCount(len(rows))
        for i, r in enumerate(rows):
            detail = json.loads(r["detail"] or "{}")
            text = ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, "", {}))
            for j, v in enumerate([r["at"].replace("T", " ")[:19], r["username"], r["action"], r["target"], text]):
                self.audit.setItem(i, j, QTableWidgetItem(str(v)))
        self.audit.resizeColumnsToContents()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _secret(self) -> str | None:
        if self.secret.text() != self.confirm.text():
            say(self.message, "the two entries differ; type the password again", error=True)
            return None
        return self.secret.text()

    def _apply(self, change, done: str) -> bool:
        try:
            change()
        except StorageError as e:
            say(self.message, str(e), error=True)
            return False
        finally:
            self.secret.clear()
            self.confirm.clear()
        say(self.message, done)
        self.reload()
        return True

    def add(self) -> bool:
        secret = self._secret()
        if secret is None:
            return False
        name, role, pin = self.name.text().strip(), self.role.currentText(), self.pin.isChecked()
        trainee = (self.trainee.currentData() or {}).get("id") if role == TRAINEE else None
        ok = self._apply(lambda: self.writer.call(add_user, self.actor, name, role, secret, pin, trainee),
                         f"account {name} ({role}) added")
        if ok:
            self.name.clear()
        return ok

    def reset_secret(self) -> bool:
        u = self.selected()
        if u is None:
            say(self.message, "select an account in the list first", error=True)
            return False
        secret = self._secret()
        if secret is None:
            return False
        pin = self.pin.isChecked()
        return self._apply(lambda: self.writer.call(set_secret, self.actor, u["id"], secret, pin),
                           f"{u['username']}: new {'PIN' if pin else 'password'} set")

    def toggle_disabled(self) -> bool:
        u = self.selected()
        if u is None:
            say(self.message, "select an account in the list first", error=True)
            return False
        return self._apply(lambda: self.writer.call(set_disabled, self.actor, u["id"], not u["disabled"]),
                           f"{u['username']}: {'enabled' if u['disabled'] else 'disabled (cannot sign in)'}")
