"""`drillscore gui`: open the window; --demo runs the bundled pose track; --screenshot renders
the window offscreen after the demo has run a while and saves a PNG."""
from __future__ import annotations

from pathlib import Path

from app.assess.thresholds import DEFAULTS
from app.core.tracks import read_track
from app.pipeline.live import LiveSession, track_source


def session_factory(demo_track: Path, realtime: bool = True, classifier: bool = True):
    """-> (settings) -> LiveSession: the demo track replayed, or a video file through the pose
    model; the classifier alongside when its model loads. ValueError (one line) when the
    video or the pose model cannot be used."""
    track = read_track(demo_track)

    def make(settings: dict | None = None) -> LiveSession:
        settings = settings or {}
        exercise = settings.get("exercise") or track.exercise or "pushup"
        source = settings.get("source") or "demo"
        reopen = None
        choice = None
        if source == "demo":
            items, fps, size, view = track_source(track), track.fps, track.size, track.view or "auto"
        else:
            from app.capture.camera import CameraError, SourceLost
            from app.capture.video import VideoError
            from app.inference.pose import PoseEstimator
            from app.inference.session import ModelError
            from app.pipeline.live import camera_source, video_source
            from app.pipeline.subject import SubjectChoice
            choice = SubjectChoice()  # the instructor's click picks the subject among several
            try:
                est = PoseEstimator()
                if str(source).startswith("camera:"):
                    index = int(str(source).split(":", 1)[1])
                    cam_size = settings.get("camera_size")
                    info, items = camera_source(index, est, cam_size, choice)

                    def reopen():  # the camera plugged back in; still gone = still paused
                        try:
                            return camera_source(index, est, cam_size, choice)[1]
                        except CameraError as e:
                            raise SourceLost(str(e)) from None
                else:
                    info, items = video_source(source, est, choice)
            except (VideoError, ModelError, CameraError) as e:
                raise ValueError(str(e)) from None
            fps, size, view = info.fps, info.size, "auto"
        def make_worker(ex: str, v: str):
            if not classifier:
                return None
            from app.inference.classifier import RepClassifier
            from app.inference.session import ModelError
            from app.pipeline.analysis import AnalysisWorker
            try:
                clf = RepClassifier()
            except ModelError:
                return None  # the rules alone still count; the P(standard) chart stays empty
            try:
                from app.inference.lifter import Lifter3D
                lifter = Lifter3D(causal=True)  # the small 3D view; 0.4 ms a frame
            except ModelError:
                lifter = None
            return AnalysisWorker(clf, ex, v if v in ("front", "side") else "side", size, lifter=lifter)
        recogniser = None
        if exercise == "auto":
            from app.inference.exercise import ExerciseRecogniser
            from app.inference.session import ModelError
            try:
                recogniser = ExerciseRecogniser()
            except ModelError as e:
                raise ValueError(f"{e}; or pick the event instead of auto") from None
        recorder = None
        if settings.get("record_to"):  # the test is written to disk while it runs
            from app.capture.recorder import RecordingError, SessionRecorder
            try:
                recorder = SessionRecorder(settings["record_to"], fps, size,
                                           {"exercise": exercise, "view": view, "source": str(source),
                                            "trainee": settings.get("trainee")})
            except RecordingError as e:
                raise ValueError(str(e)) from None
        return LiveSession(items, exercise, fps, size, view, time_limit=settings.get("time_limit", 120.0),
                           realtime=realtime and source == "demo", reopen=reopen, recogniser=recogniser,
                           classifier=None if exercise == "auto" else make_worker(exercise, view),
                           make_classifier=make_worker, recorder=recorder,
                           thresholds=settings.get("thresholds") or DEFAULTS, choice=choice,
                           bar_y=settings.get("bar_y"))
    return make


def demo_database(track_path: Path, folder: Path):
    """-> (db, admin actor): a database in `folder` holding the demo track analysed as three
    sessions of one trainee (so the review workspace has something to show with --demo and
    --screenshot), signed in as a demo admin whose password nobody knows."""
    import secrets

    from app.assess.engine import assess
    from app.assess.result import result_dict
    from app.pipeline.offline import attach_probabilities, with_classifier
    from app.storage.accounts import create_first_admin
    from app.storage.db import get_or_add_trainee, open_db, save_session
    track = read_track(track_path)
    db = open_db(folder / "demo.db")
    admin = create_first_admin(db, "demo", secrets.token_hex(12))
    tid = get_or_add_trainee(db, admin, "Demo Trainee", "male")
    for cut in (0.6, 0.8, 1.0):  # three tests, each a little longer: a progress chart that rises
        from app.core.types import PoseTrack
        part = PoseTrack(track.keypoints[:int(track.frames * cut)], track.fps, track.size, track.exercise)
        a, probs, note = with_classifier(part, assess(part, track.exercise or "pushup"))
        save_session(db, admin, tid, attach_probabilities(result_dict(a), probs, note), part, source="demo")
    return db, admin


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
        db_path: Path | None = None, actor=None) -> int:
    """actor: who is signed in for --db (else the sign-in dialog asks; the first run creates the admin)."""
    import sys
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.storage.db import open_db
    from app.storage.settings import Settings, SettingsError, load_settings, settings_path
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
    title = (f"Demo: {demo_track.name} (synthetic push-ups, side view)" if db_path is None else
             f"Live test: {db_path} (pick a video or a camera as the source; the demo track is there to try)")
    win = MainWindow(session_factory(demo_track), title, db, settings=settings, actor=actor)
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
        win.live.start()
    if screenshot:
        def grab() -> None:
            win.live.refresh()
            win.grab().save(screenshot)
            win.close()
            app.quit()
        QTimer.singleShot(int(seconds * 1000), grab)
    try:
        return app.exec()
    finally:
        tmp.cleanup()
