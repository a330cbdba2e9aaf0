"""The instructor's live workspace: the subject with the skeleton, a big counter of standard
and total reps, the last rep's verdict in words, P(standard) of the current window, the
time left, and strip charts of the driving signal (rep markers) and of P(standard).

The GUI never blocks on the session: a 30 Hz timer pulls the newest PipelineResult from
the session's LatestSlot. Space starts, pauses and resumes.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.assess.rules import REASON_TEXT
from app.pipeline.live import LiveSession
from app.ui.skeleton_view import SkeletonView


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

    def __init__(self, make_session, title: str, parent: QWidget | None = None) -> None:
        """make_session: () -> LiveSession (not started): a fresh one per test."""
        super().__init__(parent)
        self.make_session = make_session
        self.session: LiveSession | None = None
        self._p_history: list[float] = []
        self._reported = False
        self.title = QLabel(title)
        self.view = SkeletonView((640, 480))
        self.standard = _big("0", 64)
        self.total = _big("0", 28)
        self.clock = _big("2:00", 28)
        self.verdict = QLabel("waiting for the first rep")
        self.verdict.setWordWrap(True)
        self.p_label = QLabel("P(standard): -")
        self.start_btn = QPushButton("Start (space)")
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.setEnabled(False)
        self.start_btn.clicked.connect(self.toggle)
        self.stop_btn.clicked.connect(self.stop)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.toggle)
        self.drive_plot = pg.PlotWidget(title="driving signal")
        self.drive_curve = self.drive_plot.plot(pen=pg.mkPen((80, 160, 255), width=2))
        self.rep_marks = pg.ScatterPlotItem(size=10)
        self.drive_plot.addItem(self.rep_marks)
        self.p_plot = pg.PlotWidget(title="P(standard)")
        self.p_plot.setYRange(0, 1)
        self.p_curve = self.p_plot.plot(pen=pg.mkPen((250, 180, 60), width=2))
        side = QVBoxLayout()
        side.addWidget(QLabel("standard reps"))
        side.addWidget(self.standard)
        side.addWidget(QLabel("total reps"))
        side.addWidget(self.total)
        side.addWidget(QLabel("time left"))
        side.addWidget(self.clock)
        side.addWidget(self.verdict)
        side.addWidget(self.p_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_btn)
        buttons.addWidget(self.stop_btn)
        side.addLayout(buttons)
        side.addStretch(1)
        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.view, 1, 0)
        grid.addLayout(side, 1, 1)
        grid.addWidget(self.drive_plot, 2, 0, 1, 2)
        grid.addWidget(self.p_plot, 3, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.refresh)

    # ------------------------------------------------------------------ control
    def toggle(self) -> None:
        if self.session is None or self.session.finished:
            self.start()
        elif self.session.paused:
            self.session.resume()
            self.start_btn.setText("Pause (space)")
        else:
            self.session.pause()
            self.start_btn.setText("Resume (space)")

    def start(self) -> None:
        self.session = self.make_session()
        self.view.src_size = self.session.size
        self._p_history.clear()
        self._reported = False
        self.session.start()
        self.start_btn.setText("Pause (space)")
        self.stop_btn.setEnabled(True)
        self.timer.start()
        self.started.emit()

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.refresh()

    def shutdown(self) -> None:
        """Stop the session thread (window closing, tests)."""
        self.timer.stop()
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
            self.view.show_frame(r.subject.kpts if r.subject else None, r.frame.image if r.frame else None,
                                 None if last is None else last.standard)
            self.standard.setText(str(r.counts[0]))
            self.total.setText(str(r.counts[1]))
            if last is not None:
                self.verdict.setText(f"rep {last.n}: " + ("counted" if last.standard else "NOT counted: " + "; ".join(
                    REASON_TEXT.get(x, x) for x in last.reasons)))
            if r.cls is not None:
                self.p_label.setText(f"P(standard): {r.cls.p_standard:.2f}")
                self._p_history.append(r.cls.p_standard)
                self.p_curve.setData(np.asarray(self._p_history[-900:]))
        st = s.state()
        left = max(0.0, st.limit - st.elapsed)
        self.clock.setText(f"{int(left) // 60}:{int(left) % 60:02d}")
        if len(st.drive):
            self.drive_curve.setData(np.nan_to_num(st.drive[-900:], nan=np.nan))
            if r is not None and r.reps:
                off = max(0, len(st.drive) - 900)
                ends = [x.end - off for x in r.reps if x.end >= off and x.end < len(st.drive)]
                self.rep_marks.setData(ends, [float(st.drive[x + off]) for x in ends],
                                       brush=[pg.mkBrush("g" if rr.standard else "r") for rr in r.reps
                                              if rr.end >= off and rr.end < len(st.drive)])
        if st.finished and not self._reported:
            self._reported = True
            self.timer.stop()
            self.start_btn.setText("Start (space)")
            self.stop_btn.setEnabled(False)
            self.finished.emit(s.stop())
