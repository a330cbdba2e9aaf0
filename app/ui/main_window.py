"""The main window: the live, review and admin workspaces as tabs, and a status bar."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.config import Settings
from app.ui.live_workspace import LiveWorkspace
from app.ui.settings_panel import SettingsModel


class MainWindow(QMainWindow):
    def __init__(self, make_session, title: str, db=None, recordings: Path | None = None,
                 settings: SettingsModel | None = None, actor=None) -> None:
        """db: the database (read here; every write goes through one DatabaseWriter thread);
        actor: who signed in (app.storage.roles.Actor): the tabs follow the role (a trainee
        reviews their own sessions; an instructor also runs tests and analyses files; an admin
        also administers), and storage refuses what the role may not do whatever is shown;
        recordings: where live tests are recorded while they run (default: the settings' folder,
        else next to the database); settings: the admin's settings (defaults, unsaved, if None)."""
        super().__init__()
        self.settings = settings or SettingsModel(Settings())
        self.setWindowTitle("DrillScore")
        self.resize(1200, 860)
        self.tabs = QTabWidget()
        self.db, self.writer = db, None
        if db is not None:
            from app.storage.location import database_path
            from app.storage.writer import DatabaseWriter
            path = database_path(db)
            self.writer = DatabaseWriter(path)
            self._default_recordings = recordings or path.parent / "recordings"
            recordings = Path(self.settings.value.recordings) if self.settings.value.recordings \
                else self._default_recordings
        from app.storage.roles import ADMIN, INSTRUCTOR
        if db is not None and actor is None:
            raise ValueError("a window over a database needs the signed-in user (app.ui.sign_in)")
        self.actor = actor
        role = actor.role if actor is not None else INSTRUCTOR  # no database: a demo to try
        self.live = LiveWorkspace(make_session, title, db=db, writer=self.writer, recordings=recordings, actor=actor)
        if role in (ADMIN, INSTRUCTOR):
            self.tabs.addTab(self.live, "Live test")
        self.review = self.admin = self.analyse = None
        self.perf = QLabel("")  # fps, latency and dropped frames of the running test
        self.statusBar().addPermanentWidget(self.perf)
        self.live.stats.connect(self.perf.setText)
        self.live.app_settings = self.settings.value
        self.settings.changed.connect(self._settings_changed)
        if db is not None:
            from app.ui.admin_workspace import AdminWorkspace
            from app.ui.analyse_workspace import AnalyseWorkspace
            from app.ui.review_workspace import ReviewWorkspace
            self.review = ReviewWorkspace(db, actor, writer=self.writer)
            self.tabs.addTab(self.review, "Review")
            self.analyse = AnalyseWorkspace(db, self.writer, actor=actor)
            self.analyse.app_settings = self.settings.value
            self.analyse.finished.connect(lambda _job: self.review.reload())
            if role in (ADMIN, INSTRUCTOR):
                self.tabs.addTab(self.analyse, "Analyse files")
            from app.paths import config_dir
            from app.ui.scoring_panel import ScoringPanel
            from app.ui.settings_panel import SettingsPanel
            self.admin = AdminWorkspace(db, actor, writer=self.writer)
            self.admin.reports.table_path = self.settings.value.scoring_table
            self.scoring = ScoringPanel(self.settings, config_dir() / "scoring")
            self.settings_panel = SettingsPanel(self.settings)
            self.admin_tabs = QTabWidget()
            self.admin_tabs.addTab(self.admin, "Trainees and reports")
            self.accounts = None
            if role == ADMIN:  # storage refuses the accounts and the audit log to anyone else
                from app.ui.accounts_panel import AccountsPanel
                self.accounts = AccountsPanel(db, actor, self.writer)
                self.admin_tabs.addTab(self.accounts, "Accounts")
            self.admin_tabs.addTab(self.scoring, "Scoring tables")
            self.admin_tabs.addTab(self.settings_panel, "Settings")
            if role == ADMIN:
                self.tabs.addTab(self.admin_tabs, "Admin")
            self.live.reload_trainees()
            self.live.saved.connect(lambda sid: (self.review.reload(), self.admin.reports.reload(),
                                                 self.statusBar().showMessage(f"saved as session {sid}")))
            self.tabs.currentChanged.connect(lambda _i: (self.live.reload_trainees(), self.analyse.reload_trainees()))
        self.recovery = None
        if db is not None and role in (ADMIN, INSTRUCTOR):
            # live tests a crash cut short (or never saved): offered over the tabs at start
            from app.ui.recovery_banner import RecoveryBanner
            self.recovery = RecoveryBanner(db, self.writer, actor)
            self.recovery.settings = self.settings.value
            self.recovery.trainee_id = lambda: (self.live._trainee() or {}).get("id")
            self.recovery.recovered.connect(lambda sid: (self.review.reload(),
                                                         self.statusBar().showMessage(f"recovered as session {sid}")))
            self.recovery.scan(self.live.recordings)
            central = QWidget()
            lay = QVBoxLayout(central)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(self.recovery)
            lay.addWidget(self.tabs)
            self.setCentralWidget(central)
        else:
            self.setCentralWidget(self.tabs)
        self._menus()
        self.live.finished.connect(self._done)
        self.live.started.connect(lambda: self.statusBar().showMessage("test running: space pauses, Stop ends it"))
        self.statusBar().showMessage("ready: press space to start")
        if actor is not None:
            # permanent: a status message would hide ordinary status-bar widgets while it shows
            self.statusBar().addPermanentWidget(QLabel(f"signed in: {actor}"))
            from PySide6.QtWidgets import QPushButton
            self.password_btn = QPushButton("Change my password...")
            self.password_btn.setFlat(True)
            self.password_btn.clicked.connect(self.change_password)
            self.statusBar().addPermanentWidget(self.password_btn)

    def _menus(self) -> None:
        """File > Quit (Ctrl+Q, the platform's quit keys): closing goes through closeEvent,
        which stops the test and lets the writer finish."""
        from PySide6.QtGui import QAction, QKeySequence
        menu = self.menuBar().addMenu("&File")
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Quit), QKeySequence("Ctrl+Q")])
        self.quit_action.triggered.connect(self.request_close)
        menu.addAction(self.quit_action)
        self._close_confirmed = False

    def request_close(self) -> None:
        """Quit as the user asked (Ctrl+Q, File > Quit, the window's close button): with a
        test running or finished and unsaved, ask first (without blocking the window)."""
        if self.live.has_test_in_hand() and not self._close_confirmed:
            from app.ui.dialogs import confirm
            running = self.live.session is not None and not self.live.session.finished
            confirm(self, "Quit DrillScore?",
                    ("A test is running: quitting stops it and it is not saved." if running else
                     "The finished test is not saved: quitting throws it away. Save it first to keep it."),
                    "Quit without saving", self._quit_confirmed)
            return
        self.close()

    def _quit_confirmed(self) -> None:
        self._close_confirmed = True
        self.close()

    def change_password(self):
        """The signed-in user's own password / PIN, in a dialog that does not block the window."""
        from app.ui.password_dialog import PasswordDialog
        self.password_dialog = PasswordDialog(self.db, self.writer, self.actor, self)
        self.password_dialog.accepted.connect(lambda: self.statusBar().showMessage("your new password is saved"))
        self.password_dialog.show()
        return self.password_dialog

    def _settings_changed(self, s: Settings) -> None:
        self.live.app_settings = s
        if self.recovery is not None:
            self.recovery.settings = s
        if self.analyse is not None:
            self.analyse.app_settings = s
        if self.admin is not None:
            self.admin.reports.table_path = s.scoring_table  # a unit passes or fails by the active table
        if self.writer is not None:
            self.live.recordings = Path(s.recordings) if s.recordings else self._default_recordings
        self.statusBar().showMessage("settings saved: the next test uses them")

    def _done(self, a) -> None:
        if a is None:
            self.statusBar().showMessage("test ended: nothing was seen")
            return
        self.statusBar().showMessage(f"test ended: {a.count_standard} standard of {a.count_total} reps "
                                     f"({a.exercise}, {a.view} view, {a.frames / a.fps:.0f} s)")

    def shutdown(self) -> None:
        """Stop the test, then let the writer finish what is queued (a save in flight is kept)."""
        self.live.shutdown()
        if self.analyse is not None:
            self.analyse.shutdown()
        if self.admin is not None:
            self.admin.reports.shutdown()
        if self.review is not None:
            self.review.shutdown()
        if self.writer is not None:
            self.writer.close()

    def closeEvent(self, event) -> None:  # Qt names it
        # the user's own close (the title bar's button) asks like Ctrl+Q; a program closing the
        # window (SIGTERM, tests) does not wait for an answer nobody may give
        if event.spontaneous() and self.live.has_test_in_hand() and not self._close_confirmed:
            event.ignore()
            self.request_close()
            return
        self.shutdown()
        super().closeEvent(event)
