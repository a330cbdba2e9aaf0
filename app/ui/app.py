"""`drillscore gui`: open the window; --demo runs the bundled pose track; --screenshot renders
the window offscreen after the demo has run a while and saves a PNG."""
from __future__ import annotations

from pathlib import Path

from app.core.tracks import read_track
from app.pipeline.live import LiveSession, track_source


def demo_session_factory(track_path: Path, realtime: bool = True, classifier: bool = True):
    """-> () -> LiveSession replaying the bundled demo track (with the classifier when it loads)."""
    track = read_track(track_path)

    def make() -> LiveSession:
        worker = None
        if classifier:
            from app.inference.classifier import RepClassifier
            from app.inference.session import ModelError
            from app.pipeline.analysis import AnalysisWorker
            try:
                worker = AnalysisWorker(RepClassifier(), track.exercise or "pushup", track.view or "side", track.size)
            except ModelError:
                worker = None  # the rules alone still count; the P(standard) chart stays empty
        return LiveSession(track_source(track), track.exercise or "pushup", track.fps, track.size,
                           track.view or "auto", realtime=realtime, classifier=worker)
    return make


def run(demo_track: Path, demo: bool, screenshot: str | None, seconds: float = 4.0) -> int:
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = MainWindow(demo_session_factory(demo_track), f"Demo: {demo_track.name} (synthetic push-ups, side view)")
    win.show()
    if demo or screenshot:
        win.live.start()
    if screenshot:
        def grab() -> None:
            win.live.refresh()
            win.grab().save(screenshot)
            win.close()
            app.quit()
        QTimer.singleShot(int(seconds * 1000), grab)
    return app.exec()
