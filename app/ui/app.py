"""`drillscore gui`: open the window; --demo runs the bundled demo video through the pose
model (the product's real path); --screenshot renders the window offscreen after the demo has
run a while and saves a PNG."""
from __future__ import annotations

from pathlib import Path

from app.pipeline.demo import demo_database
from app.pipeline.live_test import session_factory


def _identify(app) -> None:
    """The name and icon the desktop shows (the .desktop file is assets/drillscore.desktop)."""
    from PySide6.QtGui import QIcon

    from app.paths import assets_dir
    app.setApplicationName("DrillScore")
    app.setDesktopFileName("drillscore")
    icon = assets_dir() / "icons" / "drillscore.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))


def run(demo_track: Path, demo: bool, screenshot: str | None, seconds: float = 4.0, workspace: str = "live",
        db_path: Path | None = None, actor=None, size: tuple[int, int] | None = None) -> int:
    """actor: who is signed in for --db (else the sign-in dialog asks; the first run creates the admin);
    size: the window's size (a screenshot of a laptop screen), else its own."""
    import sys
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.config import Settings, SettingsError, load_settings, settings_path
    from app.storage.db import open_db
    from app.ui.main_window import MainWindow
    from app.ui.settings_panel import SettingsModel
    app = QApplication.instance() or QApplication(sys.argv[:1])
    _identify(app)
    tmp = tempfile.TemporaryDirectory(prefix="drillscore-demo-")
    problem = None
    if db_path is not None:  # the user's own records: their saved settings
        try:
            settings = SettingsModel(load_settings(), settings_path())
        except SettingsError as e:
            settings, problem = SettingsModel(Settings(), settings_path()), f"{e}. The defaults are used."
        settings.value.apply()
    else:  # the demo: defaults, kept in memory only
        settings = SettingsModel(Settings())
    if db_path is not None:
        db = open_db(db_path)
        if actor is None:
            from app.ui.sign_in import SignInDialog
            dialog = SignInDialog(db)
            if not dialog.exec() or dialog.actor is None:
                return 1  # closed without signing in: nothing to do
            actor = dialog.actor
    else:
        import os
        # the demo's throwaway records are sealed with a throwaway key: nothing of it lands in
        # the installation's key folder (its heads/ would fill with one file per demo)
        os.environ["DRILLSCORE_KEY"] = str(Path(tmp.name) / "demo-chain.key")
        db, actor = demo_database(demo_track, Path(tmp.name))
    from app.paths import demo_video
    shown = demo_video() if (demo or screenshot) and demo_video().exists() else demo_track
    title = (f"Demo: {shown.name} (rendered push-ups, side view, through the pose model)" if shown != demo_track
             else f"Demo: {demo_track.name} (synthetic push-ups, side view)") if db_path is None else (
             f"Live test: records in {db_path.name} (pick a video or a camera as the source; the demo track is "
             "there to try)")
    win = MainWindow(session_factory(demo_track), title, db, settings=settings, actor=actor)
    if size is not None:
        win.resize(*size)
    win.show()
    if problem:
        win.live.notify("Settings not usable", problem)
    if workspace in ("admin", "accounts", "scoring", "settings"):
        win.tabs.setCurrentWidget(win.admin_tabs)
        win.admin_tabs.setCurrentWidget({"admin": win.admin, "accounts": win.accounts, "scoring": win.scoring,
                                         "settings": win.settings_panel}[workspace])
        if workspace == "scoring" and win.scoring.tables:
            win.scoring.list.selectRow(0)
    elif workspace == "analyse":
        win.tabs.setCurrentWidget(win.analyse)
        win.analyse.analyse([demo_track])
    elif workspace == "review":
        win.tabs.setCurrentWidget(win.review)
        if win.review.rows:
            win.review.sessions.selectRow(0)
            win.review.reps.selectRow(0)
    elif demo or screenshot:
        if demo_video().exists():  # the real path: video -> pose model -> tracker -> rules
            win.live.add_video_source(str(demo_video()))
        win.live.start()
    if screenshot:
        def grab() -> None:
            win.live.refresh()
            win.grab().save(screenshot)
            win.close()
            app.quit()
        QTimer.singleShot(int(seconds * 1000), grab)
    stop = _quit_on_signals(app)
    try:
        return app.exec()
    finally:
        stop()
        tmp.cleanup()  # the demo's throwaway folder goes on every way out, SIGTERM included


def _quit_on_signals(app):
    """SIGTERM / SIGINT close the window the ordinary way (the test stopped, the writer
    drained, temporary folders removed) instead of killing the process mid-write. Python runs
    signal handlers only between bytecodes, so a timer gives it a turn while Qt waits for events.
    -> a function that restores the previous handlers."""
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def handler(_signum, _frame) -> None:
        for w in QApplication.topLevelWidgets():
            w.close()
        app.quit()

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    tick = QTimer()
    tick.start(200)
    tick.timeout.connect(lambda: None)

    def restore() -> None:
        tick.stop()
        for s, h in old.items():
            signal.signal(s, h)
    return restore
