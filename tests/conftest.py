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
