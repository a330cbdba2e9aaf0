"""The offer, at start, to recover live tests a crash cut short (app.pipeline.recovery).

A bar over the workspaces, not a modal box: the instructor can start working and answer it
when ready. One unsaved recording at a time: Recover judges and saves it through the
database writer (so it queues behind any other write); Dismiss keeps the files but stops the
offer; Later hides the bar until the next start.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.config import Settings
from app.pipeline.recovery import RecoveryError, Unsaved, dismiss, find_unsaved, recover
from app.storage.errors import StorageError


class RecoveryBanner(QWidget):
    recovered = Signal(int)          # the new session id
    _done = Signal(object, object)   # (Unsaved, Future) from the writer thread

    def __init__(self, db, writer, actor, parent: QWidget | None = None) -> None:
        """db: read which recordings are saved; writer: where the recovery's save runs; actor:
        who recovers (storage checks they may save tests)."""
        super().__init__(parent)
        self.db, self.writer, self.actor = db, writer, actor
        self.pending: list[Unsaved] = []
        self.settings = Settings()  # the admin's (MainWindow keeps them current): thresholds, scoring table
        self.trainee_id = None   # () -> id chosen in the live picker, for a recording without one
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.recover_btn = QPushButton("Recover and save")
        self.dismiss_btn = QPushButton("Dismiss")
        self.later_btn = QPushButton("Later")
        self.setStyleSheet("background: #fdebd0;")
        lay = QHBoxLayout(self)
        lay.addWidget(self.label, 1)
        for b in (self.recover_btn, self.dismiss_btn, self.later_btn):
            lay.addWidget(b)
        self.recover_btn.clicked.connect(self.recover_current)
        self.dismiss_btn.clicked.connect(self.dismiss_current)
        self.later_btn.clicked.connect(self.hide)
        self._done.connect(self._finished)
        self.hide()

    def scan(self, root: Path) -> int:
        """Look for unsaved recordings under `root`; shows the bar when there are any. -> how many."""
        from app.storage.db import list_sessions
        saved = {Path(r["recording"]) for r in list_sessions(self.db, self.actor) if r["recording"]}
        self.pending = find_unsaved(root, saved)
        self._show_next()
        return len(self.pending)

    def _show_next(self, note: str = "") -> None:
        if not self.pending:
            self.label.setText(note)
            self.setVisible(bool(note))
            return
        u = self.pending[0]
        more = f" ({len(self.pending) - 1} more after it)" if len(self.pending) > 1 else ""
        if u.problem:  # damaged or not this installation's: it can only be looked at and dismissed
            self.label.setText(f"{note}A recording was found that {u.describe()}{more}.")
        else:
            self.label.setText(f"{note}A live test was not saved: {u.describe()}{more}. Recover it?")
        self.recover_btn.setEnabled(u.problem is None)
        self.dismiss_btn.setEnabled(True)
        self.show()

    def recover_current(self) -> None:
        if not self.pending:
            return
        u = self.pending[0]
        tid = None if u.trainee else (self.trainee_id() if self.trainee_id else None)
        self.recover_btn.setEnabled(False)
        self.dismiss_btn.setEnabled(False)
        self.label.setText(f"recovering {u.folder.name} ...")
        fut = self.writer.submit(recover, self.actor, u.folder, self.settings.rules(), self.settings.scoring_table, tid)
        fut.add_done_callback(lambda f: self._done.emit(u, f))

    def _finished(self, u: Unsaved, fut) -> None:
        try:
            sid = fut.result()
        except (RecoveryError, StorageError) as e:
            self.recover_btn.setEnabled(True)
            self.dismiss_btn.setEnabled(True)
            self.label.setText(f"{e}")
            return
        self.pending.remove(u)
        self.recovered.emit(sid)
        self._show_next(f"Recovered as session {sid}. ")

    def dismiss_current(self) -> None:
        if not self.pending:
            return
        u = self.pending[0]
        try:
            dismiss(self.db, self.actor, u.folder, u.folder.parent)
        except RecoveryError as e:
            self.label.setText(str(e))
            return
        self.pending.pop(0)
        self._show_next(f"Dismissed (kept in {u.folder}). ")

