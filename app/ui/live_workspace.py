"""The instructor's live workspace: the subject with the skeleton, a big counter of standard
and total reps, the last rep's verdict in words, P(standard) of the current window, the
time left, and strip charts of the driving signal (rep markers) and of P(standard).

The GUI never blocks on the session: a 30 Hz timer pulls the newest PipelineResult from
the session's LatestSlot. Space starts, pauses and resumes.
"""
from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.reasons import REASON_TEXT
from app.pipeline.live import LiveSession
from app.pipeline.live_test import TestSetup, discard_test, save_test
from app.ui.skeleton_view import Skeleton3DView, SkeletonView
from app.ui.widgets import FORM_MODEL, MOVEMENT_AXIS, MOVEMENT_UNIT, fill_trainees, label_axes

CHART_EVERY = 3  # GUI refreshes per chart redraw (30 Hz timer: charts at 10 Hz)
PICK_TRAINEE = "choose the trainee..."  # the picker's first entry: nobody is chosen by default


def _big(text: str, points: int) -> QLabel:
    label = QLabel(text)
    f = QFont()
    f.setPointSize(points)
    f.setBold(True)
    label.setFont(f)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class LiveWorkspace(QWidget):
    finished = Signal(object)   # the final Assessment
    started = Signal()
    saved = Signal(int)         # the new session's id
    _save_done = Signal(object)  # the writer's Future, delivered on the GUI thread
    stats = Signal(str)         # frames/s, latency, dropped frames: for the status bar

    def __init__(self, make_session, title: str, parent: QWidget | None = None, db=None, writer=None,
                 recordings: Path | None = None, actor=None) -> None:
        """make_session: (settings dict) -> LiveSession (not started): a fresh one per test.
        settings: source ("demo", a video path, "camera:N"), exercise, time_limit, trainee,
        record_to (a new folder under `recordings`, when given). db: the roster and where Save
        stores, through `writer` (app.storage.writer.DatabaseWriter; inline without one), as `actor`
        (the signed-in instructor or admin)."""
        super().__init__(parent)
        from app.storage.writer import InlineWriter
        self.make_session = make_session
        self.db, self.actor = db, actor
        self.writer = writer or (InlineWriter(db) if db is not None else None)
        self.recordings = recordings
        from app.config import Settings
        self.app_settings = Settings()  # the admin's settings (MainWindow keeps them current)
        self._save_done.connect(self._saved)
        self.assessment = None
        self.session: LiveSession | None = None
        self.last_error = ""
        self._said_lost: str | None = None
        self._said_recording = False
        self._p_history: deque[float] = deque(maxlen=900)  # the chart's 30 s; a long test must not grow it
        self._ticks = 0  # GUI refreshes (the charts are redrawn on every CHART_EVERY-th)
        self._reps: tuple = ()  # the latest result's reps (for the chart's marks)
        self._reported = False
        self.title = QLabel(title)
        self.view = SkeletonView((640, 480))
        self.view.clicked.connect(self.image_clicked)
        self.view3d = Skeleton3DView()
        self.view3d.setMinimumSize(120, 100)
        self.bar_y: float | None = None   # the pull-up bar, drawn once by a click on the image
        self._drawing_bar = False
        self.bar_btn = QPushButton("Draw bar line")
        self.bar_btn.setToolTip("pull-ups: press, then click on the image at the height of the bar")
        self.bar_btn.clicked.connect(self.draw_bar)
        self.hint = QLabel("several people in view: click the one to score")
        self.hint.setVisible(False)
        self.standard = _big("0", 52)
        self.total = _big("0", 28)
        self.clock = _big("2:00", 28)
        self.verdict = QLabel("waiting for the first rep")
        self.verdict.setWordWrap(True)
        self.p_label = QLabel("form model: -")
        self.p_label.setToolTip(FORM_MODEL)
        self.trainee_box = QComboBox()
        self.new_trainee = QLineEdit()
        self.new_trainee.setPlaceholderText("quick add: name")
        # optional at quick add, needed for points (the scoring tables go by sex and age)
        self.new_sex = QComboBox()
        self.new_sex.addItem("sex?", None)
        self.new_sex.addItem("female", "female")
        self.new_sex.addItem("male", "male")
        self.new_birth = QSpinBox()
        self.new_birth.setRange(1900, 2100)
        self.new_birth.setSpecialValueText("born?")  # the minimum shows as "born?": not given
        self.new_birth.setMinimum(1899)
        self.new_birth.setValue(1899)
        self.new_birth.setToolTip("birth year (optional; points need it)")
        self.add_trainee_btn = QPushButton("Add")
        self.event_box = QComboBox()
        self.event_box.addItems(["pushup", "pullup", "situp", "auto"])
        self.protocol_box = QComboBox()  # the test's rules (assets/protocols): which checks, which numbers
        self.protocol_box.setToolTip("the rules the test is judged by (which checks apply)")
        from app.assess.protocol import DEFAULT_PROTOCOL, ProtocolError, find_protocol, names
        for stem in names():
            try:
                self.protocol_box.addItem(find_protocol(stem).name, stem)
            except ProtocolError as e:
                self.last_error = str(e)  # a broken bundled file: left out of the list, said below
        self.protocol_box.setCurrentIndex(max(0, self.protocol_box.findData(DEFAULT_PROTOCOL)))
        self.limit = QSpinBox()
        self.limit.setRange(10, 600)
        self.limit.setValue(120)
        self.limit.setSuffix(" s")
        self.countdown = QSpinBox()  # seconds to get into position after Start, shown on the clock
        self.countdown.setRange(0, 30)
        self.countdown.setValue(5)
        self.countdown.setSuffix(" s")
        self._count_timer = QTimer(self)
        self._count_timer.setInterval(1000)
        self._count_timer.timeout.connect(self._count_tick)
        self._count_left = 0
        self.source_box = QComboBox()
        self.source_box.addItem("Demo track", "demo")
        self.open_btn = QPushButton("Video file...")
        self.cams_btn = QPushButton("Find cameras")
        self.cams_btn.clicked.connect(self.find_cameras)
        self.stats_label = QLabel("")
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.save_btn = QPushButton("Save (Ctrl+S)")
        self.discard_btn = QPushButton("Discard")
        for b in (self.save_btn, self.discard_btn):
            b.setEnabled(False)
        self.save_btn.clicked.connect(self.save)
        self.discard_btn.clicked.connect(self.discard)
        self._unsaved = False  # a finished test neither saved nor discarded (has_test_in_hand)
        self.source_box.currentIndexChanged.connect(self._preview_source)
        self.trainee_box.currentIndexChanged.connect(self._trainee_changed)
        self.add_trainee_btn.clicked.connect(self.quick_add)
        self.open_btn.clicked.connect(self._pick_video)
        self.start_btn = QPushButton("Start (space)")
        self.stop_btn = QPushButton("Stop (Esc)")
        self.stop_btn.setEnabled(False)
        self.start_btn.clicked.connect(self.toggle)
        self.stop_btn.clicked.connect(self.stop)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.toggle)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save_btn.isEnabled() and self.save())
        self.drive_plot = pg.PlotWidget(title=MOVEMENT_AXIS["pushup"])
        label_axes(self.drive_plot, "frame (reps: green counted, red refused)", MOVEMENT_UNIT["pushup"])
        self.drive_curve = self.drive_plot.plot(pen=pg.mkPen((80, 160, 255), width=2))
        self.rep_marks = pg.ScatterPlotItem(size=10)
        self.drive_plot.addItem(self.rep_marks)
        self.p_plot = pg.PlotWidget(title=FORM_MODEL)
        label_axes(self.p_plot, "analysed window (newest right)", "1 = standard")
        self.p_plot.setYRange(0, 1)
        # three ticks: on a 720 px screen the chart is ~90 px tall and pyqtgraph's automatic
        # 0.2 steps ran into each other
        self.p_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])
        self.p_curve = self.p_plot.plot(pen=pg.mkPen((250, 180, 60), width=2))
        side = QVBoxLayout()
        side.addWidget(QLabel("standard reps"))
        side.addWidget(self.standard)
        counts = QGridLayout()  # total and time side by side: the column stays short enough for 720 px
        counts.addWidget(QLabel("total reps"), 0, 0)
        counts.addWidget(QLabel("time left"), 0, 1)
        counts.addWidget(self.total, 1, 0)
        counts.addWidget(self.clock, 1, 1)
        side.addLayout(counts)
        side.addWidget(self.verdict)
        side.addWidget(self.p_label)
        side.addWidget(self.view3d)
        side.addWidget(self.hint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_btn)
        buttons.addWidget(self.stop_btn)
        side.addLayout(buttons)
        side.addStretch(1)
        self.stats_label.setVisible(False)  # the status bar shows the same figures (MainWindow.perf)
        side.addWidget(self.stats_label)
        side.addWidget(self.summary_label)
        keep = QHBoxLayout()
        keep.addWidget(self.save_btn)
        keep.addWidget(self.discard_btn)
        side.addLayout(keep)
        # the test's setup in two rows (who and from where; which event and how long) so the
        # window fits a 1280 x 720 laptop screen; both charts side by side under the picture
        who = QHBoxLayout()
        for w in (QLabel("source"), self.source_box, self.open_btn, self.cams_btn, QLabel("trainee"), self.trainee_box,
                  self.new_trainee, self.new_sex, self.new_birth, self.add_trainee_btn):
            who.addWidget(w)
        who.addStretch(1)
        what = QHBoxLayout()
        for w in (QLabel("event"), self.event_box, QLabel("rules"), self.protocol_box, self.bar_btn,
                  QLabel("time"), self.limit, QLabel("countdown"), self.countdown):
            what.addWidget(w)
        what.addStretch(1)
        self.source_box.setMinimumContentsLength(12)
        self.trainee_box.setMinimumContentsLength(14)
        self.protocol_box.setMinimumContentsLength(18)
        for box in (self.source_box, self.trainee_box, self.protocol_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_trainee.setMaximumWidth(140)
        for plot in (self.drive_plot, self.p_plot):
            plot.setMinimumHeight(90)
            plot.setMaximumHeight(170)
        charts = QHBoxLayout()
        charts.addWidget(self.drive_plot, 3)
        charts.addWidget(self.p_plot, 2)
        # the summary never grows the window: it wraps inside the side column, and a long one
        # scrolls there instead of pushing the controls down
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.summary_label.setMinimumHeight(48)
        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.view, 1, 0)
        grid.addLayout(side, 1, 1)
        grid.addLayout(charts, 2, 0, 1, 2)
        grid.addLayout(who, 3, 0, 1, 2)
        grid.addLayout(what, 4, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ control
    def toggle(self) -> None:
        """Space / the Start button: start (after the countdown), pause, resume; during the
        countdown, call it off."""
        if self._count_timer.isActive():
            self._count_timer.stop()
            self.start_btn.setText("Start (space)")
            self.clock.setText(f"{self.limit.value() // 60}:{self.limit.value() % 60:02d}")
            self.verdict.setText("countdown called off")
            return
        if self.session is None or self.session.finished:
            if self._unsaved:  # a finished test nobody kept yet: never lose it to a key press
                from app.ui.dialogs import confirm
                confirm(self, "Start a new test?", "The finished test is not saved yet: starting a new one throws "
                        "it away. Save it first to keep it.", "Start a new test", self._begin_anew)
                return
            self.begin()
        elif self.session.paused:
            self.session.resume()
            self.start_btn.setText("Pause (space)")
        else:
            self.session.pause()
            self.start_btn.setText("Resume (space)")

    def _begin_anew(self) -> None:
        """The instructor chose to throw away the unsaved test and start another."""
        self._throw_away()
        self.begin()

    def has_test_in_hand(self) -> bool:
        """A test running, or finished and neither saved nor discarded: closing would lose it."""
        running = self.session is not None and not self.session.finished
        return running or self._unsaved

    def begin(self) -> None:
        """Start after the countdown (the clock counts down the seconds; none: at once)."""
        if self.countdown.value() <= 0:
            self.start()
            return
        self._clear_view()
        self._count_left = self.countdown.value()
        self.clock.setText(str(self._count_left))
        self.verdict.setText(f"get ready: the test starts in {self._count_left} s")
        self.start_btn.setText("Call off (space)")
        self._count_timer.start()

    def _count_tick(self) -> None:
        self._count_left -= 1
        if self._count_left <= 0:
            self._count_timer.stop()
            self.verdict.setText("go")
            self.start()
            return
        self.clock.setText(str(self._count_left))
        self.verdict.setText(f"get ready: the test starts in {self._count_left} s")

    def settings(self) -> TestSetup:
        """The instructor's choices for the next test (app.pipeline.live_test.TestSetup)."""
        t = self._trainee()
        event = self.event_box.currentText()
        from app.assess.protocol import ProtocolError, find_protocol
        try:
            protocol = find_protocol(self.protocol_box.currentData()) if self.protocol_box.count() else None
        except ProtocolError:
            protocol = None
        return TestSetup(source=self.source_box.currentData(), exercise=event, time_limit=float(self.limit.value()),
                         protocol=protocol,
                         trainee={"id": t["id"], "name": t["name"]} if t else None,
                         thresholds=self.app_settings.rules(), camera_size=self.app_settings.camera_size,
                         bar_y=self.bar_y if event in ("pullup", "auto") else None,
                         record_under=str(self.recordings) if self.recordings is not None else None)

    def start(self) -> None:
        try:
            self.session = self.make_session(self.settings())
        except ValueError as e:  # a bad video, a missing model, no camera: said, nothing starts
            self.verdict.setText(f"cannot start: {e}")
            self.notify("Cannot start the test", str(e))
            return
        self.assessment = None
        self._unsaved = False
        self._clear_view()
        self.summary_label.setText("")
        for b in (self.save_btn, self.discard_btn):
            b.setEnabled(False)
        self.view.src_size = self.session.size
        self.drive_plot.setTitle(MOVEMENT_AXIS.get(self.session.exercise, MOVEMENT_AXIS["auto"]))
        self.drive_plot.setLabel("left", MOVEMENT_UNIT.get(self.session.exercise, MOVEMENT_UNIT["auto"]))
        self._p_history.clear()
        self._reported = False
        self._said_lost = None
        self._said_recording = False
        self.session.start()
        self.start_btn.setText("Pause (space)")
        self.stop_btn.setEnabled(True)
        self.timer.start()
        self.started.emit()

    def _clear_view(self) -> None:
        """A new test starts from a clean slate: the counts, verdict, charts and rep markers of
        the last one go (they showed through the countdown and the next test's first reps)."""
        self.standard.setText("0")
        self.total.setText("0")
        self.verdict.setText("waiting for the first rep")
        self.p_label.setText("form model: -")
        self.drive_curve.setData([], [])
        self.rep_marks.setData([], [])
        self._reps = ()
        self._p_history.clear()
        self.p_curve.setData([])
        self.summary_label.setText("")
        self.clock.setText(f"{self.limit.value() // 60}:{self.limit.value() % 60:02d}")

    def _preview_source(self) -> None:
        """The chosen source's first picture (a video file), or none (the demo track, a camera),
        so the old source's last frame never stands in for the new one until Start."""
        if self.session is not None and not self.session.finished:
            return  # the running test owns the picture
        data = self.source_box.currentData()
        self.view.clear()
        if not isinstance(data, str) or data == "demo" or data.startswith("camera:"):
            return
        from app.capture.video import VideoError, frames
        try:
            info, it = frames(data)
            first = next(it)
            it.close()
        except (VideoError, StopIteration):
            return
        self.view.src_size = info.size
        self.view.show_frame(None, first, None)

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.refresh()

    def shutdown(self) -> None:
        """Stop the session thread (window closing, tests)."""
        self.timer.stop()
        self._count_timer.stop()
        if self.session is not None:
            self.session.stop()

    # ------------------------------------------------------------------ view
    def refresh(self) -> None:
        s = self.session
        if s is None:
            return
        r = s.latest.take()
        if r is not None:
            last = r.reps[-1] if r.reps else None
            others = tuple(p.kpts for p in r.poses if p is not r.subject)
            self.view.exercise = s.exercise
            self.view.bar_y = self.bar_y if s.exercise == "pullup" else None
            self.view.show_frame(r.subject.kpts if r.subject else None, r.frame.image if r.frame else None,
                                 None if last is None else last.standard, others)
            self.hint.setVisible(bool(others))
            if r.pose3d is not None:
                self.view3d.show_pose(r.pose3d.joints)
            self.standard.setText(str(r.counts[0]))
            self.total.setText(str(r.counts[1]))
            if last is not None:
                # the rep still settling is said to be provisional: what is shown as final stays
                wait = " (provisional)" if 0 <= r.settled < len(r.reps) else ""
                self.verdict.setText(f"rep {last.n}{wait}: " + ("counted" if last.standard else "NOT counted: " + "; ".join(
                    REASON_TEXT.get(x, x) for x in last.reasons)))
            if r.cls is not None:
                self.p_label.setText(f"form model: {r.cls.p_standard:.0%} sure it is standard")
                self._p_history.append(r.cls.p_standard)
        self._ticks += 1
        if r is not None:
            self._reps = r.reps
        # the charts are redrawn at a third of the frame rate: their cost grows with the test and,
        # on two cores, every millisecond the GUI thread holds is one the analysis waits for
        st = s.state()
        charts = self._ticks % CHART_EVERY == 0 or st.finished
        if charts:
            self.p_curve.setData(np.asarray(self._p_history))
        if s.exercise == "auto":
            self.verdict.setText("recognising the event ...")
        elif s.guess is not None and not r and st.frames and self.total.text() == "0" and \
                not self.verdict.text().startswith("rep"):
            self.verdict.setText(f"recognised: {s.guess.exercise} ({s.guess.confidence:.0%}), {s.guess.view} view")
        if s.lost:
            self.verdict.setText(s.lost)
            self.start_btn.setText("Resume (space)")
            if self._said_lost != s.lost:
                self._said_lost = s.lost
                self.notify("Camera lost", s.lost)
        else:
            self._said_lost = None
        rec = s.recorder
        if rec is not None and rec.error and not self._said_recording:
            self._said_recording = True
            self.notify("Recording stopped", rec.error)
        perf = (f"{s.fps_now:.0f} frames/s analysed, {s.latency_ms:.0f} ms from frame to result, "
                f"{s.dropped} frames dropped")
        self.stats_label.setText(perf)
        self.stats.emit(perf)
        left = max(0.0, st.limit - st.elapsed)
        self.clock.setText(f"{int(left) // 60}:{int(left) % 60:02d}")
        if len(st.drive) and charts:
            self.drive_curve.setData(np.arange(st.drive_start, st.drive_start + len(st.drive)),
                                     np.nan_to_num(st.drive, nan=np.nan))
            if self._reps:
                shown = [x for x in self._reps if st.drive_start <= x.end < st.drive_start + len(st.drive)]
                self.rep_marks.setData([x.end for x in shown], [float(st.drive[x.end - st.drive_start]) for x in shown],
                                       brush=[pg.mkBrush("g" if x.standard else "r") for x in shown])
        if st.finished and not self._reported:
            self._reported = True
            self.timer.stop()
            self.start_btn.setText("Start (space)")
            self.stop_btn.setEnabled(False)
            self.assessment = s.stop()
            if s.error:
                self.verdict.setText(f"the test stopped: {s.error} (the reps so far are kept)")
                self.notify("The test stopped", f"{s.error}. The reps so far are kept: save or discard them.")
            self._show_summary()
            self.finished.emit(self.assessment)

    def draw_bar(self) -> None:
        """The next click on the image sets the pull-up bar's height (once; press again to redraw)."""
        self._drawing_bar = True
        self.verdict.setText("click on the image at the height of the bar")

    def image_clicked(self, x: float, y: float) -> None:
        """A click on the image: the bar's height when drawing it, else choose the subject."""
        if self._drawing_bar:
            self._drawing_bar = False
            self.bar_y = y
            self.view.bar_y = y
            self.view.update()
            if self.session is not None:
                self.session.bar_y = y  # a running test re-reads the whole track against it
            self.verdict.setText(f"bar line set at {y:.0f} px")
            return
        if self.session is not None and self.session.choice is not None:
            self.session.choice.click(x, y)
            self.verdict.setText("subject chosen: the person nearest the click is scored from now on")

    def notify(self, title: str, text: str) -> None:
        """A short non-blocking dialog (what happened, what to do); the last one stays in last_error."""
        from app.ui.dialogs import show_error
        show_error(self, title, text)

    # ------------------------------------------------------------------ end of test
    def reload_trainees(self) -> None:
        if self.db is not None:
            fill_trainees(self.trainee_box, self.db, self.actor, placeholder=PICK_TRAINEE)

    def quick_add(self) -> None:
        from app.storage.db import StorageError, add_trainee
        if self.writer is None:
            return
        try:
            birth = self.new_birth.value() if self.new_birth.value() > self.new_birth.minimum() else None
            self.writer.call(add_trainee, self.actor, self.new_trainee.text(), self.new_sex.currentData(), birth)
        except StorageError as e:
            self.summary_label.setText(str(e))
            return
        name = self.new_trainee.text().strip()
        self.new_trainee.clear()
        self.new_sex.setCurrentIndex(0)
        self.new_birth.setValue(self.new_birth.minimum())
        self.reload_trainees()
        self.trainee_box.setCurrentText(name)

    def _pick_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Video file", "", "Videos (*.mp4 *.avi *.mov *.mkv)")
        if path:
            self.add_video_source(path)

    def find_cameras(self) -> None:
        from app.capture.camera import list_cameras
        cams = list_cameras()
        for i in cams:
            if self.source_box.findData(f"camera:{i}") < 0:
                self.source_box.addItem(f"Camera {i}", f"camera:{i}")
        self.verdict.setText(f"{len(cams)} camera(s) found" if cams else
                             "no camera found: plug one in and press Find cameras again, or use a video file")
        if not cams:
            self.notify("No camera found", "No camera answered. Plug one in and press Find cameras again, "
                                           "or choose a video file.")

    def add_video_source(self, path: str) -> bool:
        """Check the file now (one decoded frame), not after the countdown: a file that is not
        a readable video is refused with a dialog and never becomes the source."""
        from app.capture.video import VideoError, frames
        try:
            _, it = frames(path)
            it.close()
        except VideoError as e:
            self.verdict.setText(f"cannot use this file: {e}")
            self.notify("Not a usable video", f"{e}\n\nChoose another file.")
            return False
        self.source_box.addItem(path.rsplit("/", 1)[-1], path)
        self.source_box.setCurrentIndex(self.source_box.count() - 1)
        return True

    def _trainee(self) -> dict | None:
        return self.trainee_box.currentData() if self.trainee_box.count() else None

    def _scoring(self) -> tuple:
        from app.assess.scoring import scoring_for
        table, sex, age, problem = scoring_for(self._trainee(), self.app_settings.scoring_table)
        if problem:
            self.last_error = problem  # the card then asks for a usable table instead of points
        return table, sex, age

    def _show_summary(self) -> None:
        from app.pipeline.live import summary
        a = self.assessment
        if a is None:
            if self.session is not None and self.session.exercise == "auto":
                # the recogniser never became sure: say so and ask, never count a guessed event
                self.summary_label.setText("could not tell which event this was: pick push-up, pull-up or sit-up "
                                           "under <b>event</b> and start the test again")
                self.notify("Which event?", "The event could not be recognised with confidence. Pick push-up, "
                                            "pull-up or sit-up and start the test again.")
                return
            self.summary_label.setText("nothing was seen: no rep to keep")
            return
        card = summary(a, *self._scoring())
        refused = ", ".join(f"{REASON_TEXT.get(k, k)} x{v}" for k, v in card["refused"].items()) or "none"
        if card["points"] is not None:
            pts = f"{card['points']:g} points ({card['table']})"
        elif self._trainee() is None:
            pts = "points: choose the trainee"
        else:
            pts = f"no points: {card['points_note']}"
        from app.assess.coverage import coverage
        seen = coverage(self.session.track().keypoints, a.exercise, self.session.thresholds.min_score)
        warn = "".join(f"<br><span style='color:#c0392b'>{w}</span>" for w in seen["warnings"])
        self.summary_label.setText(f"<b>{card['standard']} standard of {card['total']} reps</b> in "
                                   f"{card['duration_s']:g} s<br>refused: {refused}<br>{pts}{warn}")
        if self.db is not None and self._trainee() is None:
            self.summary_label.setText(self.summary_label.text() + "<br><b>choose the trainee above, then Save</b>")
        self.save_btn.setEnabled(self.db is not None and self._trainee() is not None)
        self.discard_btn.setEnabled(True)
        self._unsaved = self.db is not None

    def save(self) -> None:
        """Store the finished test for the chosen trainee through the database writer, judged
        by the one judging path (app.pipeline.live_test.save_test); `saved` is emitted with
        the new id when it is stored."""
        t, s, actor = self._trainee(), self.session, self.actor
        if self.assessment is None or t is None or self.writer is None or s is None:
            return
        table, sex, age = self._scoring()
        source = str(self.source_box.currentData())

        def job(db) -> int:  # on the writer thread: the judgement, then one transaction
            return save_test(db, actor, t["id"], s, source, table, sex, age)
        self.save_btn.setEnabled(False)
        self.discard_btn.setEnabled(False)
        self.summary_label.setText(self.summary_label.text() + "<br>saving ...")
        self.writer.submit(job).add_done_callback(self._save_done.emit)

    def _saved(self, fut) -> None:
        text = self.summary_label.text().replace("<br>saving ...", "")
        try:
            sid = fut.result()
        except Exception as e:  # noqa: BLE001 - said on the card; the test stays here to save again
            self.summary_label.setText(f"{text}<br>not saved: {e} (the test is still here: try Save again)")
            self.save_btn.setEnabled(True)
            self.discard_btn.setEnabled(True)
            self.notify("Not saved", f"{e}. The test is still here: try Save again.")
            return
        self.summary_label.setText(text + f"<br>saved as session {sid}")
        self._unsaved = False
        self.saved.emit(sid)

    def discard(self) -> None:
        """Ask, then throw the finished test away (its recording too)."""
        if not self._unsaved:
            self._throw_away()
            return
        from app.ui.dialogs import confirm
        confirm(self, "Discard this test?", "The finished test and its recording are thrown away; this cannot be "
                "undone.", "Discard", self._throw_away)

    def _trainee_changed(self) -> None:
        if self._unsaved:  # the trainee chosen after the test: Save becomes possible
            self.save_btn.setEnabled(self.writer is not None and self._trainee() is not None)

    def _throw_away(self) -> None:
        self._unsaved = False
        self.assessment = None
        discard_test(self.session)
        self.summary_label.setText("discarded")
        self.save_btn.setEnabled(False)
        self.discard_btn.setEnabled(False)
