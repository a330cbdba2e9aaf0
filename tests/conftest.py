import os
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not present at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def chain_key(tmp_path_factory, monkeypatch) -> Path:
    """Each test seals results with its own installation key, never the user's (~/.config)."""
    path = tmp_path_factory.mktemp("key") / "chain.key"
    monkeypatch.setenv("DRILLSCORE_KEY", str(path))
    return path


def admin_of(db):
    """The database's admin account (created on first use): the actor tests write as."""
    from app.storage.accounts import create_first_admin, has_accounts, sign_in
    if not has_accounts(db):
        return create_first_admin(db, "admin", "admin-secret")
    return sign_in(db, "admin", "admin-secret")


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """A modal dialog would wait for a click nobody makes offscreen: any blocking one fails the
    test at once instead of hanging it (the app opens its dialogs non-blocking, app.ui.dialogs)."""
    try:
        from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
    except ImportError:
        return

    def refuse(*_a, **_k):
        raise AssertionError("a blocking dialog was opened in a test")
    for name in ("critical", "warning", "information", "question", "exec"):
        monkeypatch.setattr(QMessageBox, name, refuse)
    monkeypatch.setattr(QDialog, "exec", refuse)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, refuse)


OUR_THREADS = {"live-session", "live-assess", "analysis", "recorder", "capture", "db-writer", "batch-analysis", "report",
               "review-check", "review-signal"}


@pytest.fixture(autouse=True)
def no_thread_left():
    """Every test ends with none of the app's worker threads running (napari's habit): a thread
    left behind is a window that cannot close or a file still being written."""
    before = {t for t in threading.enumerate() if t.name in OUR_THREADS}
    yield
    deadline = time.monotonic() + 5.0
    while True:
        left = [t.name for t in threading.enumerate() if t.name in OUR_THREADS and t not in before and t.is_alive()]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"threads left running after the test: {left}"


from app.paths import demo_track, demo_video

DEMO_TRACK = demo_track()
DEMO_VIDEO = demo_video()


def rules_judgement(track, exercise: str, view: str = "auto", table=None, sex=None, age=None):
    """The Judgement of `track` by the rules alone (no model needed): what tests store."""
    from app.pipeline.judge import JudgeRequest, judge
    return judge(track, JudgeRequest(exercise=exercise, view=view, table=table, sex=sex, age=age, classifier=False))


# --- fakes: pipeline and GUI tests that need no real ONNX model (DeepLabCut-live-GUI's habit) ---

class FakeModel:
    """What a loaded model offers the pipeline: its path stem and its checked sha256."""

    def __init__(self, name: str) -> None:
        self.path = Path(f"/fake/{name}.onnx")
        self.fingerprint = {name: "f" * 64}


class FakeSource:
    """(frame number, image) pairs of blank BGR frames, like app.capture.video.frames' images."""

    def __init__(self, frames: int, size: tuple[int, int] = (64, 48)) -> None:
        self.frames, self.size = frames, size

    def __iter__(self):
        import numpy as np
        w, h = self.size
        for i in range(self.frames):
            yield i, np.zeros((h, w, 3), np.uint8)


class FakeEstimator:
    """image -> people, from a script: people[i] is the list of (17, 3) keypoints of frame i
    (the frame's number is counted by the calls)."""

    recurrent = False
    name = "fake_pose"

    def __init__(self, people: list) -> None:
        self.people, self.calls, self.model = people, 0, FakeModel("fake_pose")

    def __call__(self, _image):
        out = self.people[self.calls] if self.calls < len(self.people) else []
        self.calls += 1
        return [k.copy() for k in out]


class FakeClassifier:
    """A RepClassifier that says `p` for every window (uniform attention), and counts its calls."""

    window = 10

    def __init__(self, p: float = 0.8) -> None:
        self.p, self.calls, self.model = p, 0, FakeModel("fake_classifier")

    def category(self, exercise: str, view: str) -> int:
        return 0

    def windows(self, features, category: int):
        import numpy as np
        self.calls += 1
        n = len(features)
        return np.full(n, self.p, np.float32), np.full((n, self.window), 1 / self.window, np.float32)

    def per_rep(self, track, spans, exercise: str, view: str, stride: int = 1):
        import numpy as np

        from app.inference.classifier import RepProbability
        self.calls += 1
        return [RepProbability(self.p, np.full(self.window, 1 / self.window, np.float32), max(1, e - s - 8))
                for s, e in spans]


def live_workspace_with_trainee(qtbot, tmp_path, name: str, classifier: bool = True):
    """A live workspace on the demo track (replayed as fast as it goes) over a fresh database,
    with `name` quick-added as the trainee -> (workspace, db, admin)."""
    from PySide6.QtCore import Qt

    from app.pipeline.live_test import session_factory
    from app.storage.db import open_db
    from app.ui.live_workspace import LiveWorkspace
    db = open_db(tmp_path / "live.db", create=True)
    me = admin_of(db)
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=classifier), "demo", db=db, actor=me)
    qtbot.addWidget(w)
    w.new_trainee.setText(name)
    qtbot.mouseClick(w.add_trainee_btn, Qt.MouseButton.LeftButton)
    assert w.trainee_box.currentText() == name
    return w, db, me
