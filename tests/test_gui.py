"""The live workspace offscreen (pytest-qt): the demo track to the end, pause, screenshot."""
import subprocess
import sys
import threading

import pytest

pytest.importorskip("pytestqt", reason="pytest-qt (the dev extra) is not installed")

from app.assess.engine import assess
from app.cli import DEMO_TRACK
from app.core.tracks import read_track
from app.ui.app import demo_session_factory
from app.ui.live_workspace import LiveWorkspace


def test_void_qt_calls_keep_none_alive(qtbot):
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call, and the app
    aborts after a few thousand: pyproject excludes it; this catches it if it comes back."""
    from PySide6.QtWidgets import QLabel
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setEnabled(True)
    assert sys.getrefcount(None) - before > -50


def test_live_workspace_runs_the_demo_to_the_end_with_the_offline_count(qtbot):
    track = read_track(DEMO_TRACK)
    ref = assess(track, track.exercise or "pushup", track.view or "auto")
    threads = threading.active_count()
    w = LiveWorkspace(demo_session_factory(DEMO_TRACK, realtime=False), "demo")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.finished, timeout=60_000) as done:
        w.start()
    a = done.args[0]
    assert (a.count_standard, a.count_total) == (ref.count_standard, ref.count_total) and ref.count_total > 0
    w.refresh()
    assert w.standard.text() == str(ref.count_standard) and w.total.text() == str(ref.count_total)
    assert w.verdict.text().startswith(f"rep {ref.count_total}:")
    assert w.p_label.text().startswith("P(standard): ")  # the classifier ran alongside
    w.shutdown()
    assert threading.active_count() == threads  # no session or classifier thread left behind


def test_pause_holds_the_clock_and_space_resumes(qtbot):
    from PySide6.QtCore import Qt
    w = LiveWorkspace(demo_session_factory(DEMO_TRACK, realtime=True, classifier=False), "demo")
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.wait(300)
    w.toggle()  # pause
    assert w.session.paused
    qtbot.wait(200)
    n = w.session.state().frames
    qtbot.wait(400)
    assert w.session.state().frames <= n + 1  # at most the frame in flight
    qtbot.keyClick(w, Qt.Key.Key_Space)  # resume
    assert not w.session.paused
    qtbot.wait(300)
    assert w.session.state().frames > n
    w.shutdown()
    assert not w.session._thread.is_alive()


def test_gui_screenshot_command_writes_a_png(tmp_path):
    out = tmp_path / "live.png"
    r = subprocess.run([sys.executable, "-m", "app", "gui", "--screenshot", str(out), "--seconds", "2"],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-500:]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "app", "gui", "--screenshot", str(tmp_path / "no" / "x.png")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "no such folder" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
