"""The trainee's review workspace: stored sessions with filters; a session replayed with its
skeleton (play, scrub, step frame by frame with the arrow keys on the slider, speed); the reps as coloured
segments on a timeline of the driving signal (click a rep in the table to jump to it); each
rep's reasons, P(standard) and the classifier's attention; progress across sessions of the
same trainee and event. Staff overrule a rep's verdict here with a reason (a new sealed record
that references the old one: app.pipeline.corrections); anyone exports the open session's
report as PDF (Ctrl+R)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.judgement import Judgement, RepEvent
from app.core.types import EXERCISES
from app.pipeline.review import Filters, filter_sessions, progress, rep_at, rep_cells
from app.storage.db import StorageError, list_sessions, load_session
from app.ui.skeleton_view import SkeletonView
from app.ui.widgets import FORM_MODEL, MOVEMENT_AXIS, MOVEMENT_UNIT, label_axes, say, table, whole_ticks

ANY = "(all)"


class ReviewWorkspace(QWidget):
    def __init__(self, db, actor, parent: QWidget | None = None, writer=None) -> None:
        """actor: who is signed in (a trainee sees only their own sessions: app.storage);
        writer: where a correction is saved (inline without one)."""
        super().__init__(parent)
        from app.storage.writer import InlineWriter
        self.db, self.actor = db, actor
        self.writer = writer or InlineWriter(db)
        self.session_id: int | None = None
        self.report_job = None
        self.rows: list[dict] = []
        self.result: Judgement | None = None  # the open session's
        self.problems: dict = {}
        self.check_note = ""
        self._check = self._signal = None  # Background work (app.pipeline.background)
        self._check_again = False
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll.timeout.connect(self._poll_background)
        self.track = None
        self._video = None  # FrameReader of the recorded video, when the session has one
        self._video_frame = np.zeros(0, np.int64)
        self.video_note = ""
        self.frame = 0
        self.trainee_box = QComboBox()
        self.event_box = QComboBox()
        self.event_box.addItems([ANY, *EXERCISES])
        self.sessions = table(["id", "date", "trainee", "event", "standard / total", "score", "record"])
        self.problems: dict[int, list[str]] = {}  # session -> what verify found wrong with it
        self.integrity = QLabel("")  # over the player: a record that fails verification, or a correction
        self.integrity.setWordWrap(True)
        self.view = SkeletonView((640, 480))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.play_btn = QPushButton("Play")
        self.speed = QComboBox()
        self.speed.addItems(["0.5x", "1x", "2x"])
        self.speed.setCurrentText("1x")
        self.pos_label = QLabel("no session open")
        self.reps = table(["rep", "frames", "verdict", "form model", "why"])
        self.reps.horizontalHeaderItem(3).setToolTip(FORM_MODEL)
        self.timeline = pg.PlotWidget(title="movement and reps (green counted, red refused)")
        label_axes(self.timeline, "frame (reps: green counted, red refused)", MOVEMENT_UNIT["auto"])
        self.drive_curve = self.timeline.plot(pen=pg.mkPen((80, 160, 255), width=2))
        self.cursor = pg.InfiniteLine(0, pen=pg.mkPen("w"))
        self.timeline.addItem(self.cursor)
        self.attention = pg.PlotWidget(title="form model's focus")
        label_axes(self.attention, "frame of the rep's window", "weight (sums to 1)")
        self.progress_plot = pg.PlotWidget(title="progress: standard reps per test")
        label_axes(self.progress_plot, "test (oldest first)", "standard reps")
        self._regions: list = []
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("what the grader saw (needed to overrule a rep)")
        self.overrule_btn = QPushButton("Overrule selected rep")
        self.overrule_btn.setToolTip("counts a refused rep or refuses a counted one: a new sealed record, "
                                     "the old one kept")
        self.report_btn = QPushButton("Session report (PDF)...")
        self.report_btn.setToolTip("Ctrl+R")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        from app.storage.roles import ADMIN, INSTRUCTOR
        staff = actor is not None and actor.role in (ADMIN, INSTRUCTOR)
        for w in (self.reason, self.overrule_btn):
            w.setVisible(staff)
        left = QVBoxLayout()
        filt = QHBoxLayout()
        filt.addWidget(QLabel("trainee"))
        filt.addWidget(self.trainee_box)
        filt.addWidget(QLabel("event"))
        filt.addWidget(self.event_box)
        left.addLayout(filt)
        left.addWidget(self.sessions)
        left.addWidget(self.progress_plot)
        # the rules decide each rep; the form model's confidence and focus are its internals,
        # shown on request
        self.advanced = QCheckBox("advanced: the form model's view of each rep")
        self.advanced.toggled.connect(self._show_advanced)
        left.addWidget(self.advanced)
        right = QGridLayout()
        right.addWidget(self.integrity, 0, 0, 1, 4)
        right.addWidget(self.view, 1, 0, 1, 4)
        right.addWidget(self.play_btn, 2, 0)
        right.addWidget(self.speed, 2, 1)
        right.addWidget(self.slider, 2, 2, 1, 2)  # the whole width: a scrub bar, not a tick box
        right.addWidget(self.pos_label, 3, 0, 1, 4)
        right.addWidget(self.timeline, 4, 0, 1, 4)
        right.addWidget(self.reps, 5, 0, 1, 3)
        right.addWidget(self.attention, 5, 3)
        actions = QHBoxLayout()
        actions.addWidget(self.reason, 1)
        actions.addWidget(self.overrule_btn)
        actions.addWidget(self.report_btn)
        right.addLayout(actions, 6, 0, 1, 4)
        right.addWidget(self.note, 7, 0, 1, 4)
        self.attention.setMinimumWidth(200)
        self._show_advanced(False)
        right.setColumnStretch(2, 3)
        right.setColumnStretch(3, 1)
        lw, rw = QWidget(), QWidget()
        lw.setLayout(left)
        rw.setLayout(right)
        split = QSplitter()
        split.addWidget(lw)
        split.addWidget(rw)
        split.setStretchFactor(1, 3)
        split.setSizes([380, 820])
        QVBoxLayout(self).addWidget(split)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.trainee_box.currentTextChanged.connect(self.apply_filters)
        self.event_box.currentTextChanged.connect(self.apply_filters)
        self.sessions.itemSelectionChanged.connect(self._open_selected)
        self.reps.itemSelectionChanged.connect(self._jump_to_selected_rep)
        self.slider.valueChanged.connect(self.show_frame)
        self.play_btn.clicked.connect(self.toggle_play)
        self.overrule_btn.clicked.connect(self.overrule_selected)
        self.report_btn.clicked.connect(self._ask_report)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self._ask_report)
        self._report_timer = QTimer(self)
        self._report_timer.setInterval(100)
        self._report_timer.timeout.connect(self._poll_report)
        # frame by frame: the arrow keys on the slider (focused after a jump); a table would
        # take the arrows for its own selection
        self.slider.setSingleStep(1)
        self.slider.setPageStep(10)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.toggle_play)
        QShortcut(QKeySequence(Qt.Key.Key_N), self, activated=lambda: self.next_rep(+1))
        QShortcut(QKeySequence(Qt.Key.Key_P), self, activated=lambda: self.next_rep(-1))
        self.play_btn.setToolTip("Space plays and pauses; the arrow keys step a frame; N / P: next / previous rep")
        self.reload()

    # ------------------------------------------------------------------ sessions
    def _show_advanced(self, on: bool) -> None:
        self.reps.setColumnHidden(3, not on)
        self.attention.setVisible(on)

    def reload(self) -> None:
        self.rows = list_sessions(self.db, self.actor)
        self._check_records()  # in the background: the list shows at once, the marks follow
        names = sorted({r["trainee"] for r in self.rows})
        current = self.trainee_box.currentText()
        self.trainee_box.blockSignals(True)
        self.trainee_box.clear()
        self.trainee_box.addItems([ANY, *names])
        if current in names:
            self.trainee_box.setCurrentText(current)
        self.trainee_box.blockSignals(False)
        self.apply_filters()

    def filters(self) -> Filters:
        t, e = self.trainee_box.currentText(), self.event_box.currentText()
        return Filters(None if t in (ANY, "") else t, None if e in (ANY, "") else e)

    def apply_filters(self) -> None:
        shown = filter_sessions(self.rows, self.filters())
        self.sessions.setRowCount(len(shown))
        for i, r in enumerate(shown):
            for j, v in enumerate([r["id"], r["started"][:16].replace("T", " "), r["trainee"], r["exercise"],
                                   f"{r['count_standard']} / {r['count_total']}",
                                   "" if r["score"] is None else f"{r['score']:g}", self._record_note(r)]):
                item = QTableWidgetItem(str(v))
                if r["id"] in self.problems:
                    item.setBackground(QColor(230, 120, 120))
                self.sessions.setItem(i, j, item)
        self._shown = shown

    def _check_records(self) -> None:
        """Verify the sealed results (app.storage.chain) on a worker thread: failing sessions are
        marked in red and say why when opened, once the check is back (it hashes every recording)."""
        from app.pipeline.background import Background
        from app.pipeline.review import check_records
        from app.storage.location import database_path
        if self._check is not None and not self._check.done:
            self._check_again = True  # a save during the check: check once more after it
            return
        self._check_again = False
        path = database_path(self.db)
        self._check = Background("review-check", lambda: check_records(path))
        self._poll.start()

    def _poll_background(self) -> None:
        """The timer's look at the background work: apply what is done, stop when nothing is left."""
        if self._check is not None and self._check.done:
            check, self._check = self._check, None
            if check.error:
                self.problems, self.check_note = {}, f"records cannot be checked: {check.error}"
            else:
                self.problems, self.check_note = check.result.problems, check.result.note
            self.apply_filters()
            if self.session_id is not None:
                self._say_integrity(self.session_id)
            if self._check_again:
                self._check_records()
        if self._signal is not None and self._signal.done:
            job, self._signal = self._signal, None
            if job.error is None and job.result[0] == self.session_id:
                self.drive_curve.setData(np.nan_to_num(job.result[1], nan=np.nan))
        if self._check is None and self._signal is None:
            self._poll.stop()

    def wait_for_background(self, timeout: float = 30.0) -> None:
        """Finish the background work now (tests; closing the window)."""
        for job in (self._check, self._signal):
            if job is not None:
                job.wait(timeout)
        self._poll_background()

    def _record_note(self, r: dict) -> str:
        if r["id"] in self.problems:
            return "FAILS CHECK"
        if r.get("corrected_by"):
            return f"corrected by {r['corrected_by']}"
        return f"corrects {r['corrects']}" if r.get("corrects") else "sealed"

    def _say_integrity(self, session_id: int) -> None:
        row = next((r for r in self.rows if r["id"] == session_id), {})
        lines = []
        if session_id in self.problems:
            lines.append(f"Warning: session {session_id} is not as it was sealed — "
                         + "; ".join(self.problems[session_id]) + ". Do not use it as a result; tell an admin.")
        if self.check_note:
            lines.append(self.check_note)
        if row.get("corrected_by"):
            lines.append(f"Corrected by session {row['corrected_by']}: open that one for the result that stands.")
        if row.get("corrects"):
            lines.append(f"This corrects session {row['corrects']}: {row.get('correction_reason')}")
        bad = session_id in self.problems or bool(self.check_note)
        self.integrity.setStyleSheet("color: #c0392b; font-weight: bold;" if bad else "color: #7d6608;")
        self.integrity.setText("\n".join(lines))

    def _open_selected(self) -> None:
        rows = self.sessions.selectionModel().selectedRows()
        if rows:
            sid = int(self._shown[rows[0].row()]["id"])
            try:
                self.open_session(sid)
            except StorageError as e:  # a damaged record: said over the player, the others still open
                self.integrity.setStyleSheet("color: #c0392b; font-weight: bold;")
                self.integrity.setText(str(e))

    def open_session(self, session_id: int) -> None:
        from app.pipeline.background import Background
        from app.pipeline.review import driving_signal
        self.result, self.track = load_session(self.db, self.actor, session_id)
        self.session_id = session_id
        self._say_integrity(session_id)
        self._open_recording(next((r.get("recording") for r in self.rows if r["id"] == session_id), None))
        self.view.src_size = self.track.size
        self.view.exercise = self.result.exercise  # the event's joint angles on the stored skeleton
        self.timeline.setTitle(MOVEMENT_AXIS.get(self.result.exercise, MOVEMENT_AXIS["auto"]))
        self.timeline.setLabel("left", MOVEMENT_UNIT.get(self.result.exercise, MOVEMENT_UNIT["auto"]))
        # the driving signal is re-read off the GUI thread (the whole rules engine over the track)
        self.drive_curve.setData([], [])
        track, judged = self.track, self.result
        self._signal = Background("review-signal", lambda: (session_id, driving_signal(track, judged)))
        self._poll.start()
        for item in self._regions:
            self.timeline.removeItem(item)
        self._regions = []
        for r in self.result.reps:
            colour = (40, 170, 70, 70) if r.standard else (210, 50, 50, 70)
            region = pg.LinearRegionItem((r.start, r.end), brush=pg.mkBrush(colour), movable=False)
            self.timeline.addItem(region)
            self._regions.append(region)
        self.reps.setRowCount(len(self.result.reps))
        self.attention.clear()  # the last session's rep is not this one's
        for i, r in enumerate(self.result.reps):
            verdict, why = rep_cells(r)
            # the rules decide; the form model's confidence is shown beside them as a percentage
            cells = [r.n, f"{r.start}-{r.end}", verdict, "-" if r.p_standard is None else f"{r.p_standard:.0%}", why]
            for j, v in enumerate(cells):
                self.reps.setItem(i, j, QTableWidgetItem(str(v)))
        self.reps.resizeColumnsToContents()
        self.slider.setRange(0, max(0, self.track.frames - 1))
        self.show_frame(0)
        mine = progress(self.rows, next(x["trainee"] for x in self.rows if x["id"] == session_id),
                        self.result.exercise)
        self.progress_plot.clear()
        self.progress_plot.plot(list(range(1, len(mine) + 1)), [m[1] for m in mine], symbol="o",
                                pen=pg.mkPen((250, 180, 60), width=2))
        whole_ticks(self.progress_plot.getAxis("bottom"), len(mine))  # test 1, 2, 3: never 1.5
        whole_ticks(self.progress_plot.getAxis("left"), max((m[1] for m in mine), default=1))

    def _open_recording(self, folder: str | None) -> None:
        """The live test's video behind the stored skeleton, when it was recorded and is still there."""
        from app.capture.recorder import RecordingError, read_recording
        from app.capture.video import FrameReader, VideoError
        if self._video is not None:
            self._video.close()
        self._video, self._video_frame = None, np.zeros(0, np.int64)
        self.video_note = "no video recorded (a replayed track)" if not folder else ""
        if folder:
            try:
                rec = read_recording(folder)
                if rec.video is not None:
                    self._video, self._video_frame = FrameReader(rec.video), rec.video_frame
                else:
                    self.video_note = "no video recorded (a replayed track)"
            except (RecordingError, VideoError) as e:
                self.video_note = f"the video is not available: {e}"

    # ------------------------------------------------------------------ playback
    def show_frame(self, frame: int) -> None:
        if self.track is None:
            return
        self.frame = int(np.clip(frame, 0, self.track.frames - 1))
        if self.slider.value() != self.frame:
            self.slider.blockSignals(True)
            self.slider.setValue(self.frame)
            self.slider.blockSignals(False)
        rep = rep_at(self.frame, self.result.reps)
        image = None
        if self._video is not None and self.frame < len(self._video_frame):
            image = self._video.get(int(self._video_frame[self.frame]))
        self.view.show_frame(self.track.keypoints[self.frame], image, None if rep is None else rep.standard)
        self.cursor.setValue(self.frame)
        where = f"rep {rep.n}" if rep else "between reps"
        self.pos_label.setText(f"frame {self.frame} / {self.track.frames - 1}  ({self.frame / self.track.fps:.1f} s, "
                               f"{where})" + (f"  - {self.video_note}" if self.video_note else ""))

    def step(self, n: int) -> None:
        self.show_frame(self.frame + n)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.play_btn.setText("Play")
        elif self.track is not None:
            speed = float(self.speed.currentText().rstrip("x"))
            self.timer.start(max(5, int(1000 / (self.track.fps * speed))))
            self.play_btn.setText("Pause")

    def _tick(self) -> None:
        if self.frame >= self.track.frames - 1:
            self.toggle_play()
            return
        self.step(1)

    def _jump_to_selected_rep(self) -> None:
        rows = self.reps.selectionModel().selectedRows()
        if rows:
            self.jump_to_rep(rows[0].row())

    def next_rep(self, direction: int) -> None:
        """Jump to the next (+1) or previous (-1) rep from the current frame."""
        if self.result is None or not self.result.reps:
            return
        starts = [r.start for r in self.result.reps]
        if direction > 0:
            i = next((k for k, st in enumerate(starts) if st > self.frame), None)
        else:
            i = next((k for k in range(len(starts) - 1, -1, -1) if starts[k] < self.frame), None)
        if i is not None:
            self.reps.selectRow(i)  # shows its reasons and attention, and jumps
            self.jump_to_rep(i)

    def jump_to_rep(self, i: int) -> None:
        r = self.result.reps[i]
        self.show_frame(r.start)
        self.slider.setFocus()
        self.attention.clear()
        att = r.attention
        if att:
            self.attention.addItem(pg.BarGraphItem(x=np.arange(len(att)), height=att, width=0.8, brush="y"))

    # ------------------------------------------------------------------ corrections and reports
    def selected_rep(self) -> RepEvent | None:
        rows = self.reps.selectionModel().selectedRows()
        return self.result.reps[rows[0].row()] if rows and self.result else None

    def overrule_selected(self) -> int | None:
        """Flip the selected rep's verdict with the typed reason; -> the new session id."""
        from app.assess.correction import CorrectionError
        from app.paths import config_dir
        from app.pipeline.corrections import overrule
        rep = self.selected_rep()
        if self.session_id is None or rep is None:
            say(self.note, "open a session and select the rep to overrule first", error=True)
            return None
        old, counted = self.session_id, not rep.standard
        try:
            sid, new = self.writer.call(overrule, self.actor, old, rep.n, counted, self.reason.text(),
                                        config_dir() / "scoring")
        except (StorageError, CorrectionError) as e:
            say(self.note, str(e), error=True)
            return None
        self.reason.clear()
        self.reload()
        shown = [r["id"] for r in self._shown]
        if sid in shown:
            self.sessions.blockSignals(True)
            self.sessions.selectRow(shown.index(sid))
            self.sessions.blockSignals(False)
        self.open_session(sid)  # the result that stands now
        say(self.note, f"rep {rep.n} {'counted' if counted else 'refused'}: session {sid} corrects session "
                       f"{old} ({new.count_standard} standard of {new.count_total}); the old record is kept")
        return sid

    def _ask_report(self) -> None:
        if self.session_id is None:
            say(self.note, "open a session first", error=True)
            return
        from pathlib import Path
        path, _ = QFileDialog.getSaveFileName(self, "Session report", str(Path.home() /
                                              f"drillscore_session_{self.session_id}.pdf"), "PDF (*.pdf)")
        if path:
            self.report(path)

    def report(self, out) -> object | None:
        """The open session's report as PDF into `out`, on a thread; -> the job."""
        from pathlib import Path

        from app.pipeline.report_job import ReportJob, ReportRequest
        from app.storage.location import database_path
        from app.ui.report_writer import write_report
        if self.session_id is None or (self.report_job is not None and self.report_job.running):
            return None
        req = ReportRequest("session", str(self.session_id), "pdf", Path(out))
        self.report_job = ReportJob(database_path(self.db), self.actor, req, write_report).start()
        say(self.note, f"making the report of session {self.session_id} ...")
        self._report_timer.start()
        return self.report_job

    def _poll_report(self) -> None:
        job = self.report_job
        if job is None or job.running:
            return
        self._report_timer.stop()
        if job.error:
            say(self.note, job.error, error=True)
        elif not job.cancelled:
            from app.storage.db import record_export
            say(self.note, f"report written to {job.result}")
            self.writer.submit(record_export, self.actor, f"session report {job.request.target} (pdf)",
                               job.result)

    def shutdown(self) -> None:
        self.wait_for_background(10)
        self._poll.stop()
        if self.report_job is not None and self.report_job.running:
            self.report_job.cancel()
            self.report_job.join(10)
        self._report_timer.stop()
