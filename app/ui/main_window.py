"""The main window: the live, review and admin workspaces as tabs, and a status bar."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QTabWidget

from app.ui.live_workspace import LiveWorkspace


class MainWindow(QMainWindow):
    def __init__(self, make_session, title: str, db=None) -> None:
        super().__init__()
        self.setWindowTitle("DrillScore")
        self.resize(1200, 860)
        self.tabs = QTabWidget()
        self.live = LiveWorkspace(make_session, title, db=db)
        self.tabs.addTab(self.live, "Live test")
        self.review = self.admin = None
        if db is not None:
            from app.ui.admin_workspace import AdminWorkspace
            from app.ui.review_workspace import ReviewWorkspace
            self.review = ReviewWorkspace(db)
            self.tabs.addTab(self.review, "Review")
            self.admin = AdminWorkspace(db)
            self.tabs.addTab(self.admin, "Admin")
            self.live.reload_trainees()
            self.live.saved.connect(lambda sid: (self.review.reload(),
                                                 self.statusBar().showMessage(f"saved as session {sid}")))
            self.tabs.currentChanged.connect(lambda _i: self.live.reload_trainees())
        self.setCentralWidget(self.tabs)
        self.live.finished.connect(self._done)
        self.live.started.connect(lambda: self.statusBar().showMessage("test running: space pauses, Stop ends it"))
        self.statusBar().showMessage("ready: press space to start")

    def _done(self, a) -> None:
        if a is None:
            self.statusBar().showMessage("test ended: nothing was seen")
            return
        self.statusBar().showMessage(f"test ended: {a.count_standard} standard of {a.count_total} reps "
                                     f"({a.exercise}, {a.view} view, {a.frames / a.fps:.0f} s)")

    def closeEvent(self, event) -> None:  # Qt names it
        self.live.shutdown()
        super().closeEvent(event)
