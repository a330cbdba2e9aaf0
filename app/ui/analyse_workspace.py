"""Analyse files: a video (or pose track) or a whole folder, off the GUI thread, with a
progress bar and Cancel; each file's counts or its problem in a table; optionally saved as
sessions of the chosen trainee through the database writer."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.pipeline.batch import BatchAnalysis, analysable_files
from app.ui.widgets import fill_trainees, table


class AnalyseWorkspace(QWidget):
    finished = Signal(object)  # the BatchAnalysis, when it ends (done, cancelled or failed)

    def __init__(self, db=None, writer=None, make_estimator=None, parent: QWidget | None = None, actor=None) -> None:
        """db: the roster; writer: saves sessions (nothing is saved without one) as `actor`;
        make_estimator: () -> pose estimator (default: the shipped pose model)."""
        super().__init__(parent)
        from app.config import Settings
        self.db, self.writer, self.make_estimator, self.actor = db, writer, make_estimator, actor
        self.app_settings = Settings()
        self.job: BatchAnalysis | None = None
        self.last_error = ""
        self.file_btn = QPushButton("Analyse a file...")
        self.folder_btn = QPushButton("Analyse a folder...")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.event_box = QComboBox()
        self.event_box.addItems(["pushup", "pullup", "situp", "auto"])
        self.trainee_box = QComboBox()
        self.save_box = QCheckBox("save each as a session of")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.status = QLabel("choose a video, a pose track or a folder of them")
        self.results = table(["file", "event", "standard / total", "session", "problem"])
        row = QHBoxLayout()
        for w in (self.file_btn, self.folder_btn, QLabel("event"), self.event_box, self.save_box, self.trainee_box,
                  self.cancel_btn):
            row.addWidget(w)
        row.addStretch(1)
        top = QVBoxLayout(self)
        top.addLayout(row)
        top.addWidget(self.bar)
        top.addWidget(self.status)
        top.addWidget(self.results)
        self.file_btn.clicked.connect(self._ask_file)
        self.folder_btn.clicked.connect(self._ask_folder)
        self.cancel_btn.clicked.connect(self.cancel)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.refresh)
        self.reload_trainees()

    def reload_trainees(self) -> None:
        if self.db is not None:
            fill_trainees(self.trainee_box, self.db, self.actor)

    # ------------------------------------------------------------------ start / cancel
    def _ask_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Video or pose track", "",
                                              "Videos and tracks (*.mp4 *.avi *.mov *.mkv *.npz)")
        if path:
            self.analyse([Path(path)])

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of videos or pose tracks")
        if folder:
            self.analyse_folder(folder)

    def analyse_folder(self, folder: str | Path) -> bool:
        try:
            files = analysable_files(folder)
        except ValueError as e:
            self._problem("Cannot analyse the folder", str(e))
            return False
        if not files:
            self._problem("Nothing to analyse", f"{folder} holds no video or pose track (.mp4, .avi, .npz ...)")
            return False
        return self.analyse(files)

    def analyse(self, files: list[Path]) -> bool:
        if self.job is not None and not self.job.finished:
            self._problem("Busy", "an analysis is running: wait for it or press Cancel")
            return False
        save = None
        if self.save_box.isChecked():
            trainee = self.trainee_box.currentData()
            if trainee is None or self.writer is None:
                self._problem("No trainee", "choose the trainee to save the sessions for, or untick saving")
                return False
            save = self._saver(trainee["id"])
        self.job = BatchAnalysis(files, self.event_box.currentText(), self.app_settings.rules(),
                                 self.make_estimator, save)
        self.results.setRowCount(0)
        self.bar.setValue(0)
        self.cancel_btn.setEnabled(True)
        for b in (self.file_btn, self.folder_btn):
            b.setEnabled(False)
        self.job.start()
        self.timer.start()
        return True

    def _saver(self, trainee_id: int):
        from app.storage.db import save_session
        writer, actor = self.writer, self.actor

        def save(path: Path, judgement, track) -> int:  # on the batch thread: waits for the writer
            return writer.call(save_session, actor, trainee_id, judgement, track, source=str(path), timeout=120)
        return save

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("cancelling ...")

    def shutdown(self) -> None:
        self.timer.stop()
        if self.job is not None:
            self.job.cancel()
            self.job.wait(30)

    # ------------------------------------------------------------------ view
    def refresh(self) -> None:
        job = self.job
        if job is None:
            return
        p = job.progress.take()
        if p is not None:
            self.bar.setValue(int(p.fraction * 1000))
            where = f"frame {p.frame}" + (f" of {p.frames}" if p.frames else "") if p.frame else "opening"
            self.status.setText(f"file {p.file_index + 1} of {p.files}: {p.name}, {where}")
        self._show_results(job.results)
        if job.finished:
            self.timer.stop()
            self._show_results(job.results)
            self.cancel_btn.setEnabled(False)
            for b in (self.file_btn, self.folder_btn):
                b.setEnabled(True)
            done = sum(r.error is None for r in job.results)
            if job.error:
                self.status.setText(f"stopped: {job.error}")
                self._problem("Analysis stopped", job.error)
            elif job.cancelled:
                self.status.setText(f"cancelled: {done} file(s) analysed before, kept")
            else:
                self.bar.setValue(1000)
                self.status.setText(f"done: {done} of {len(job.paths)} file(s) analysed")
            self.finished.emit(job)

    def _show_results(self, results) -> None:
        if self.results.rowCount() == len(results):
            return
        self.results.setRowCount(len(results))
        for i, r in enumerate(results):
            j = r.judgement
            cells = [r.path.name, j.exercise if j else "", f"{j.count_standard} / {j.count_total}" if j else "",
                     "" if r.session_id is None else str(r.session_id), r.error or ""]
            for c, v in enumerate(cells):
                self.results.setItem(i, c, QTableWidgetItem(v))
        self.results.resizeColumnsToContents()

    def _problem(self, title: str, text: str) -> None:
        from app.ui.dialogs import show_error
        self.status.setText(text)
        show_error(self, title, text)
