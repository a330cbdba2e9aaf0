"""The live workspace offscreen (pytest-qt): the demo track to the end, pause, screenshot."""
import subprocess
import sys
import threading

import numpy as np
import pytest
from conftest import admin_of

pytest.importorskip("pytestqt", reason="pytest-qt (the dev extra) is not installed")

from conftest import DEMO_TRACK

from app.assess.engine import assess
from app.core.tracks import read_track
from app.pipeline.live_test import session_factory
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
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False), "demo")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.finished, timeout=60_000) as done:
        w.start()
    a = done.args[0]
    assert (a.count_standard, a.count_total) == (ref.count_standard, ref.count_total) and ref.count_total > 0
    w.refresh()
    assert w.standard.text() == str(ref.count_standard) and w.total.text() == str(ref.count_total)
    assert w.verdict.text().startswith(f"rep {ref.count_total}:")
    assert w.p_label.text().startswith("form model: ") and "sure" in w.p_label.text()  # the classifier ran alongside
    w.shutdown()
    assert threading.active_count() == threads  # no session or classifier thread left behind


def test_pause_holds_the_clock_and_space_resumes(qtbot):
    from PySide6.QtCore import Qt
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=True, classifier=False), "demo")
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


def test_start_counts_down_first_and_space_calls_it_off(qtbot):
    from PySide6.QtCore import Qt
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=True, classifier=False), "demo")
    qtbot.addWidget(w)
    w.show()
    qtbot.wait(300)  # shortcuts act once the window is shown and active
    w.countdown.setValue(2)
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert w.session is None and w.clock.text() == "2" and "starts in 2 s" in w.verdict.text()
    qtbot.keyClick(w, Qt.Key.Key_Space)  # called off
    qtbot.wait(2300)
    assert w.session is None and w.verdict.text() == "countdown called off" and w.clock.text() == "2:00"
    w.countdown.setValue(1)
    w.toggle()
    assert w.session is None
    qtbot.waitUntil(lambda: w.session is not None and w.session.state().frames > 0, timeout=3_000)
    w.shutdown()


def test_gui_screenshot_command_writes_a_png(tmp_path):
    out = tmp_path / "live.png"
    r = subprocess.run([sys.executable, "-m", "app", "gui", "--screenshot", str(out), "--seconds", "2"],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-500:]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "app", "gui", "--screenshot", str(tmp_path / "no" / "x.png")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "no such folder" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_review_lists_filters_opens_a_session_and_jumps_to_a_rep(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from app.pipeline.demo import demo_database
    from app.ui.review_workspace import ReviewWorkspace
    db, me = demo_database(DEMO_TRACK, tmp_path)
    w = ReviewWorkspace(db, me)
    qtbot.addWidget(w)
    w.show()
    assert w.sessions.rowCount() == 3 and w.sessions.item(0, 0).text() == "3"  # newest first
    w.event_box.setCurrentText("situp")
    assert w.sessions.rowCount() == 0
    w.event_box.setCurrentText("pushup")
    w.sessions.selectRow(0)
    assert w.result is not None and w.track is not None
    reps = w.result.reps
    assert len(reps) >= 3 and w.reps.rowCount() == len(reps)
    w.reps.selectRow(2)  # click rep 3: the player jumps to its first frame
    assert w.frame == reps[2].start == w.slider.value()
    assert f"rep {reps[2].n}" in w.pos_label.text()
    qtbot.keyClick(w.slider, Qt.Key.Key_Right)  # frame by frame
    assert w.frame == reps[2].start + 1
    w.toggle_play()
    qtbot.waitUntil(lambda: w.frame > reps[2].start + 3, timeout=3000)
    w.toggle_play()
    assert not w.timer.isActive()
    qtbot.keyClick(w, Qt.Key.Key_N)  # the next rep by keyboard
    assert w.frame == reps[3].start
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert w.frame == reps[2].start
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert w.timer.isActive()
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not w.timer.isActive()
    progress_points = w.progress_plot.getPlotItem().listDataItems()[0].getData()[1]
    assert list(progress_points) == sorted(progress_points)  # the demo's three tests rise
    for side in ("bottom", "left"):  # tests and reps come in ones: no 1.5th test, no 3.5 reps
        ticks = w.progress_plot.getAxis(side).tickValues(2.8, 5.2, 300)
        assert ticks and all(float(v).is_integer() for _step, values in ticks for v in values), (side, ticks)
    w.wait_for_background()  # the driving signal is read off the GUI thread, then drawn
    assert len(w.drive_curve.getData()[1]) == w.track.frames and w.sessions.item(0, 6).text() == "sealed"


def test_review_model_filters_progress_and_rep_lookup():
    from app.pipeline.review import Filters, filter_sessions, progress, rep_at
    rows = [{"id": 1, "trainee": "A", "exercise": "pushup", "started": "2026-11-01T10:00", "count_standard": 3,
             "count_total": 4, "score": None},
            {"id": 2, "trainee": "B", "exercise": "pushup", "started": "2026-11-02T10:00", "count_standard": 9,
             "count_total": 9, "score": None},
            {"id": 3, "trainee": "A", "exercise": "pushup", "started": "2026-11-03T10:00", "count_standard": 5,
             "count_total": 5, "score": None},
            {"id": 4, "trainee": "A", "exercise": "situp", "started": "2026-11-04T10:00", "count_standard": 1,
             "count_total": 2, "score": None}]
    assert [r["id"] for r in filter_sessions(rows, Filters(trainee="A"))] == [4, 3, 1]
    assert [r["id"] for r in filter_sessions(rows, Filters(exercise="pushup", date_from="2026-11-02"))] == [3, 2]
    assert [r["id"] for r in filter_sessions(rows, Filters(date_to="2026-11-01"))] == [1]
    assert progress(rows, "A", "pushup") == [("2026-11-01T10:00", 3, 4), ("2026-11-03T10:00", 5, 5)]
    from app.core.judgement import RepEvent
    reps = [RepEvent(1, 10, 20, True), RepEvent(2, 25, 40, False, ("no_lockout",))]
    assert rep_at(20, reps) is reps[0] and rep_at(22, reps) is None and rep_at(25, reps) is reps[1]


def test_admin_adds_edits_archives_a_trainee_and_exports_csv(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from app.pipeline.demo import demo_database
    from app.storage.db import list_trainees
    from app.ui.admin_workspace import AdminWorkspace
    db, me = demo_database(DEMO_TRACK, tmp_path)
    w = AdminWorkspace(db, me)
    qtbot.addWidget(w)
    w.name.setText("  Cadet Ada ")
    w.sex.setCurrentText("female")
    w.birth_year.setValue(2004)
    w.unit.setText("2nd Platoon")
    qtbot.mouseClick(w.add_btn, Qt.MouseButton.LeftButton)
    names = [t["name"] for t in list_trainees(db, me)]
    assert "Cadet Ada" in names and w.table.rowCount() == 2 and "added" in w.message.text()
    qtbot.mouseClick(w.add_btn, Qt.MouseButton.LeftButton)  # the same name again: refused, said in a line
    assert [t["name"] for t in list_trainees(db, me)].count("Cadet Ada") == 1 and "already exists" in w.message.text()
    row = next(i for i, t in enumerate(w.trainees) if t["name"] == "Cadet Ada")
    w.table.selectRow(row)
    w.unit.setText("3rd Platoon")
    qtbot.mouseClick(w.save_btn, Qt.MouseButton.LeftButton)
    assert next(t for t in list_trainees(db, me) if t["name"] == "Cadet Ada")["unit"] == "3rd Platoon"
    w.table.selectRow(next(i for i, t in enumerate(w.trainees) if t["name"] == "Cadet Ada"))
    qtbot.mouseClick(w.archive_btn, Qt.MouseButton.LeftButton)
    assert w.table.rowCount() == 1  # archived trainees leave the list ...
    w.show_archived.setChecked(True)
    assert w.table.rowCount() == 2  # ... and come back when asked for
    out = w.export_csv(tmp_path / "sessions.csv")
    lines = out.read_text().splitlines()
    assert lines[0].startswith("id,started,trainee") and len(lines) == 4
    assert w.export_csv(tmp_path / "missing" / "x.csv") is None and "cannot write" in w.message.text()


def test_trainee_repository_rejects_bad_input(tmp_path):
    from app.storage.db import StorageError, add_trainee, archive_trainee, open_db, update_trainee
    db = open_db(tmp_path / "t.db", create=True)
    me = admin_of(db)
    tid = add_trainee(db, me, "A")
    for bad, msg in (({"name": " "}, "cannot be empty"), ({"sex": "x"}, "male or female"),
                     ({"birth_year": 1700}, "not plausible")):
        with pytest.raises(StorageError, match=msg):
            update_trainee(db, me, tid, **bad)
    with pytest.raises(StorageError, match="already exists"):
        add_trainee(db, me, "A")
    with pytest.raises(StorageError, match="no trainee 99"):
        archive_trainee(db, me, 99)


def test_live_test_for_a_trainee_ends_with_a_summary_and_is_saved(qtbot, tmp_path):
    from conftest import live_workspace_with_trainee
    from PySide6.QtCore import Qt

    from app.storage.db import list_sessions, load_session, update_trainee
    w, db, me = live_workspace_with_trainee(qtbot, tmp_path, "Cadet Bo")
    update_trainee(db, me, w.trainee_box.currentData()["id"], sex="male", birth_year=2000)
    w.reload_trainees()
    w.limit.setValue(15)  # a 15-second test: the clock ends it
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    a = w.assessment
    assert a is not None and a.frames <= 15 * 30 + 1
    assert f"{a.count_standard} standard of {a.count_total} reps" in w.summary_label.text()
    assert "points" in w.summary_label.text() and w.save_btn.isEnabled()
    with qtbot.waitSignal(w.saved, timeout=10_000) as saved:
        qtbot.mouseClick(w.save_btn, Qt.MouseButton.LeftButton)
    sid = saved.args[0]
    res, track = load_session(db, me, sid)
    assert res.count_total == a.count_total and track.frames == a.frames
    assert res.score is not None and res.classifier.model == "lstm_attention"
    assert set(res.models) == {"lstm_attention"}  # the classifier that scored it live is sealed with it
    assert [r["id"] for r in list_sessions(db, me)] == [sid] and not w.save_btn.isEnabled()
    w.shutdown()


def test_live_test_from_a_video_file_and_a_broken_one(qtbot, tmp_path):
    from app.paths import assets_dir
    """A video through the pose model, recorded while it runs (video + journal, frame for frame);
    a broken file is refused when it is chosen (a dialog), never after the countdown."""
    from app.capture.recorder import read_recording
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "video",
                      recordings=tmp_path / "rec")
    qtbot.addWidget(w)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    sources = w.source_box.count()
    assert not w.add_video_source(str(broken))
    assert w.source_box.count() == sources and "broken.mp4" in w.verdict.text()
    assert w.last_error.startswith("Not a usable video") and "broken.mp4" in w.last_error
    assert w.session is None and not (tmp_path / "rec").exists()
    w.add_video_source(str(assets_dir() / "demo" / "pushup_side_demo.mp4"))
    with qtbot.waitSignal(w.finished, timeout=120_000):
        w.start()
    a = w.assessment
    assert a is not None and a.frames > 200  # every frame through the pose model
    rec = read_recording(w.session.recorder.folder)
    assert rec.complete and rec.track.frames == a.frames and rec.video_frame[-1] == a.frames - 1
    assert np.array_equal(rec.track.keypoints, w.session.track().keypoints)
    import cv2
    cap = cv2.VideoCapture(str(rec.video))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == a.frames and tuple(rec.meta["size"]) == w.session.size
    cap.release()
    w.shutdown()


def _flaky_source(track, lose_at):
    """Frames of `track` until frame `lose_at`, then the camera vanishes."""
    from app.capture.camera import SourceLost

    def items():
        for i, k in enumerate(track.keypoints[:lose_at]):
            yield i, i / track.fps, None, k
        raise SourceLost("camera 0 stopped giving frames (disconnected?); the test is paused")
    return items()


def test_a_vanished_camera_pauses_the_test_keeps_the_data_and_resumes(qtbot):
    from app.pipeline.live import LiveSession
    track = read_track(DEMO_TRACK)
    first, rest = 300, track.keypoints[300:]
    reopened = []

    def reopen():
        reopened.append(1)
        return ((i, i / track.fps, None, k) for i, k in enumerate(rest))

    def make(_settings):
        return LiveSession(_flaky_source(track, first), "pushup", track.fps, track.size, "side", realtime=False,
                           reopen=reopen)
    w = LiveWorkspace(make, "camera")
    qtbot.addWidget(w)
    w.start()
    qtbot.waitUntil(lambda: w.session.lost is not None, timeout=10_000)
    w.refresh()
    assert "camera 0 stopped" in w.verdict.text() and w.start_btn.text().startswith("Resume")
    assert w.last_error.startswith("Camera lost: camera 0 stopped")  # said once, in a dialog that does not block
    assert not w.session.finished and w.session.state().frames == first  # paused, nothing lost
    counted = int(w.total.text())
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.toggle()  # the instructor resumes once the camera is back
    assert reopened == [1]
    a = w.assessment
    assert a.frames == track.frames and a.count_total >= counted
    ref = assess(track, "pushup", "side")
    assert (a.count_standard, a.count_total) == (ref.count_standard, ref.count_total)  # as if never lost
    w.shutdown()


def test_a_camera_that_stays_gone_keeps_the_test_paused_until_stop(qtbot):
    from app.capture.camera import SourceLost
    from app.pipeline.live import LiveSession
    track = read_track(DEMO_TRACK)

    def reopen():
        raise SourceLost("camera 0: cannot be opened")
    s = LiveSession(_flaky_source(track, 200), "pushup", track.fps, track.size, "side", realtime=False,
                    reopen=reopen)
    s.start()
    qtbot.waitUntil(lambda: s.lost is not None, timeout=10_000)
    s.resume()
    qtbot.waitUntil(lambda: s.paused and s.lost == "camera 0: cannot be opened", timeout=5_000)
    assert not s.finished
    a = s.stop()
    assert s.finished and a.frames == 200  # stopping keeps what was seen


def test_gui_without_a_display_says_so_in_one_line(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "app", "gui"], capture_output=True, text=True, timeout=60, env=env,
                       check=False)
    assert r.returncode == 2 and "no display found" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("exercise,view", [("pullup", "front"), ("situp", "side")])
def test_live_auto_event_is_recognised_and_counts_like_naming_it(qtbot, exercise, view):
    from app.core.types import PoseTrack
    from app.inference.exercise import ExerciseRecogniser
    from app.pipeline.live import LiveSession, track_source
    from training.synth import make_clip
    c = make_clip(10_030, exercise, view, n_reps=4, fault_rate=0.0)
    track = PoseTrack(c.keypoints, c.fps, c.size)
    ref = assess(track, exercise, "auto")
    s = LiveSession(track_source(track), "auto", track.fps, track.size, realtime=False,
                    recogniser=ExerciseRecogniser())
    s.start()
    assert s.wait(60)
    a = s.stop()
    assert s.guess is not None and s.guess.exercise == exercise and a.exercise == exercise
    assert (a.count_standard, a.count_total) == (ref.count_standard, ref.count_total)  # no rep lost while naming it
    with pytest.raises(ValueError, match="recogniser"):
        LiveSession(track_source(track), "auto", track.fps, track.size)


def test_main_window_records_the_test_saves_it_through_the_writer_and_review_opens_it(qtbot, tmp_path):
    """The whole round: a live test recorded while it runs, saved by the database writer thread,
    listed in review with its recording; a discarded test leaves no recording; no thread left."""
    from PySide6.QtCore import Qt

    from app.capture.recorder import read_recording
    from app.storage.db import list_sessions, open_db
    from app.ui.main_window import MainWindow
    threads = threading.active_count()
    db = open_db(tmp_path / "d.db", create=True)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "demo", db, actor=admin_of(db))
    qtbot.addWidget(win)
    live = win.live
    live.new_trainee.setText("Cadet Cy")
    qtbot.mouseClick(live.add_trainee_btn, Qt.MouseButton.LeftButton)  # through the writer
    assert live.trainee_box.currentText() == "Cadet Cy"
    with qtbot.waitSignal(live.finished, timeout=60_000):
        live.start()
    folder = live.session.recorder.folder
    assert folder.parent == tmp_path / "recordings" and "Cadet_Cy" in folder.name
    rec = read_recording(folder)
    assert rec.complete and rec.track.frames == live.assessment.frames and rec.video is None  # a replay: no images
    with qtbot.waitSignal(live.saved, timeout=30_000) as saved:
        qtbot.mouseClick(live.save_btn, Qt.MouseButton.LeftButton)
    row = next(r for r in list_sessions(db, win.actor) if r["id"] == saved.args[0])
    assert row["recording"] == str(folder) and row["trainee"] == "Cadet Cy"
    assert "saved as session" in win.statusBar().currentMessage() and "frames dropped" in win.perf.text()
    win.review.reload()
    win.review.sessions.selectRow(0)
    assert win.review.result.count_total == live.assessment.count_total
    assert "no video recorded" in win.review.pos_label.text()
    with qtbot.waitSignal(live.finished, timeout=60_000):  # a second test, thrown away
        live.start()
    second = live.session.recorder.folder
    assert second.exists() and second != folder
    qtbot.mouseClick(live.discard_btn, Qt.MouseButton.LeftButton)
    from app.ui.dialogs import answer
    assert second.exists()  # Discard asks first
    answer(live.last_question, yes=True)
    assert not second.exists() and folder.exists()
    win.close()
    assert not win.writer.alive and threading.active_count() == threads


def test_the_live_test_starts_under_the_default_rules_and_another_can_be_chosen(qtbot):
    from app.pipeline.live_test import session_factory
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo")
    qtbot.addWidget(w)
    assert w.settings().protocol.name == "US Army APFT (EXAMPLE)"
    w.protocol_box.setCurrentIndex(w.protocol_box.findData("arms_crossed_situp_example"))
    assert "arms_off_chest" in w.settings().protocol.applies("situp")


def test_an_auto_test_never_recognised_asks_for_the_event(qtbot):
    """The recogniser never became sure (a short test of someone standing): the card says so
    and asks for the event; nothing can be saved."""
    from app.core.types import PoseTrack
    from app.pipeline.live import LiveSession, track_source
    from training.synth import make_clip
    idle = make_clip(3, "pushup", "side", "idle").track()
    short = PoseTrack(idle.keypoints[:40], idle.fps, idle.size)

    class Unsure:
        window = 30

        def windows(self, w):
            probs = np.full((len(w), 7), 1 / 7, np.float32)
            return probs, None, None

    def make(setup):
        return LiveSession(track_source(short), "auto", short.fps, short.size, realtime=False, recogniser=Unsure())
    w = LiveWorkspace(make, "auto")
    qtbot.addWidget(w)
    w.event_box.setCurrentText("auto")
    w.countdown.setValue(0)
    with qtbot.waitSignal(w.finished, timeout=30_000):
        w.start()
    assert "could not tell which event this was" in w.summary_label.text() and not w.save_btn.isEnabled()
    w.shutdown()


def test_missing_x11_libraries_are_named_with_the_install_command():
    """Qt's xcb plugin aborts with a message about its plugin folder when a system library is
    missing; the gui command names the Debian packages instead, in one line."""
    from app.cli.common import UsageError
    from app.cli.window import check_desktop

    def load(soname):
        if soname in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
            raise OSError(f"{soname}: cannot open shared object file")

    with pytest.raises(UsageError) as e:
        check_desktop({"DISPLAY": ":0"}, "linux", load)
    msg = str(e.value)
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in msg and "\n" not in msg
    check_desktop({"DISPLAY": ":0"}, "linux", lambda s: None)  # all there: no complaint
    check_desktop({"QT_QPA_PLATFORM": "offscreen"}, "linux", load)  # offscreen needs no X11
    check_desktop({"WAYLAND_DISPLAY": "wayland-0"}, "linux", load)  # Qt's Wayland plugin
    with pytest.raises(UsageError, match="no display found"):
        check_desktop({}, "linux", load)


def test_opencv_brings_no_qt_plugins_of_its_own():
    """opencv-python ships Qt plugins in cv2/qt/plugins and points Qt at them; the headless
    build is the same OpenCV without them, so only PySide6's plugins can be picked up."""
    from pathlib import Path

    import cv2
    assert not (Path(cv2.__file__).parent / "qt" / "plugins").exists()


def test_ctrl_q_quits_through_the_ordinary_close(qtbot):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu

    from app.ui.main_window import MainWindow
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "demo")
    qtbot.addWidget(win)
    win.show()
    assert QKeySequence("Ctrl+Q") in win.quit_action.shortcuts()
    assert "Quit" in [a.text().replace("&", "") for m in win.menuBar().findChildren(QMenu) for a in m.actions()]
    win.quit_action.trigger()
    assert not win.isVisible()


def test_sigterm_closes_the_demo_window_and_removes_its_temporary_folder(tmp_path):
    import os
    import signal
    import time
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "app", "gui", "--demo"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("drillscore-demo-*/*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list(tmp_path.glob("drillscore-demo-*")), "the demo never made its folder"
        time.sleep(1.0)  # the window is up and the demo test running
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and not list(tmp_path.glob("drillscore-demo-*"))


def test_a_finished_unsaved_test_is_never_lost_without_asking(qtbot, tmp_path):
    """Space after a finished, unsaved test, Discard, and quitting each ask first; Cancel keeps
    the test, the destructive answer does what it says."""
    from conftest import live_workspace_with_trainee

    from app.ui.dialogs import answer
    w, _db, _me = live_workspace_with_trainee(qtbot, tmp_path, "Cadet Ed", classifier=False)
    w.limit.setValue(5)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    first = w.session
    assert w.has_test_in_hand() and w.save_btn.isEnabled()
    w.countdown.setValue(0)
    w.toggle()  # Space
    assert w.session is first and "not saved" in w.last_question.text()
    answer(w.last_question, yes=False)
    assert w.session is first and w.save_btn.isEnabled() and w.has_test_in_hand()
    w.discard()
    answer(w.last_question, yes=False)
    assert w.assessment is not None and w.has_test_in_hand()
    w.toggle()
    with qtbot.waitSignal(w.finished, timeout=60_000):
        answer(w.last_question, yes=True)  # start a new one, the old one thrown away
    assert w.session is not first and w.has_test_in_hand()
    w.discard()
    answer(w.last_question, yes=True)
    assert not w.has_test_in_hand() and not w.save_btn.isEnabled()
    w.toggle()  # nothing left to lose: no question
    qtbot.waitUntil(lambda: w.session.finished, timeout=60_000)
    w.shutdown()


def test_nobody_is_chosen_as_the_trainee_until_the_instructor_picks_one(qtbot, tmp_path):
    from app.storage.db import add_trainee, open_db
    from app.ui.live_workspace import PICK_TRAINEE
    db = open_db(tmp_path / "t.db", create=True)
    me = admin_of(db)
    for name in ("Adams", "Brown"):
        add_trainee(db, me, name)
    from app.storage.writer import DatabaseWriter
    writer = DatabaseWriter(tmp_path / "t.db", create=True)
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo", db=db, writer=writer,
                      actor=me)
    qtbot.addWidget(w)
    w.reload_trainees()
    assert w.trainee_box.currentText() == PICK_TRAINEE and w._trainee() is None
    w.limit.setValue(5)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    assert not w.save_btn.isEnabled() and "choose the trainee" in w.summary_label.text()
    w.trainee_box.setCurrentText("Brown")
    assert w.save_btn.isEnabled() and w._trainee()["name"] == "Brown"
    w.shutdown()
    writer.close()


def test_quitting_with_a_test_in_hand_asks_and_cancel_keeps_the_window(qtbot, tmp_path):
    from conftest import DEMO_TRACK as TRACK

    from app.storage.db import open_db
    from app.ui.dialogs import answer
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "q.db", create=True)
    win = MainWindow(session_factory(TRACK, realtime=False, classifier=False), "demo", db, actor=admin_of(db))
    qtbot.addWidget(win)
    win.show()
    win.live.limit.setValue(5)
    with qtbot.waitSignal(win.live.finished, timeout=60_000):
        win.live.start()
    win.quit_action.trigger()
    assert win.isVisible() and "not saved" in win.last_question.text()
    answer(win.last_question, yes=False)
    assert win.isVisible() and win.live.has_test_in_hand()
    win.quit_action.trigger()
    answer(win.last_question, yes=True)
    assert not win.isVisible() and not win.writer.alive


def test_nothing_of_the_last_test_or_source_shows_in_the_next(qtbot, tmp_path):
    """The countdown and the next test start from zero (counts, rep markers, charts), and a
    newly chosen video shows its own first picture, the demo track none."""
    from app.paths import assets_dir
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo")
    qtbot.addWidget(w)
    w.limit.setValue(20)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    w.refresh()
    assert int(w.total.text()) > 0 and len(w.rep_marks.data) > 0
    w.countdown.setValue(3)
    w.toggle()  # the countdown of the next test (the demo workspace keeps nothing to lose)
    assert w.total.text() == "0" and w.standard.text() == "0" and len(w.rep_marks.data) == 0
    assert w.drive_curve.getData()[0] is None or len(w.drive_curve.getData()[0]) == 0
    w.toggle()  # called off
    video = assets_dir() / "demo" / "pushup_side_demo.mp4"
    assert w.add_video_source(str(video))
    assert w.view.image is not None and w.view.kpts is None
    import cv2
    cap = cv2.VideoCapture(str(video))
    assert (w.view.image.width(), w.view.image.height()) == (int(cap.get(3)), int(cap.get(4)))
    cap.release()
    w.source_box.setCurrentIndex(0)  # back to the demo track: no picture until it runs
    assert w.view.image is None
    w.shutdown()


def test_trainees_quick_added_in_the_live_test_are_in_the_admin_roster(qtbot, tmp_path):
    from app.storage.db import open_db
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "r.db", create=True)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "demo", db, actor=admin_of(db))
    qtbot.addWidget(win)
    win.show()
    for name in ("Cadet Fay", "Cadet Gil"):
        win.live.new_trainee.setText(name)
        win.live.quick_add()
    win.tabs.setCurrentWidget(win.admin_tabs)
    win.admin_tabs.setCurrentWidget(win.admin)
    names = [win.admin.table.item(i, 0).text() for i in range(win.admin.table.rowCount())]
    assert names == ["Cadet Fay", "Cadet Gil"] and not win.admin.show_archived.isChecked()
    win.close()


def test_quick_add_takes_sex_and_birth_year_and_the_card_says_why_points_are_missing(qtbot, tmp_path):
    from datetime import date

    from app.storage.db import list_trainees
    from app.storage.db import open_db as _open
    from app.storage.writer import DatabaseWriter
    db = _open(tmp_path / "p.db", create=True)
    me = admin_of(db)
    writer = DatabaseWriter(tmp_path / "p.db", create=True)
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo", db=db, writer=writer,
                      actor=me)
    qtbot.addWidget(w)
    w.new_trainee.setText("Cadet Hal")
    w.new_sex.setCurrentText("male")
    w.new_birth.setValue(date.today().year - 16)  # below the table's youngest band (17-21)
    w.quick_add()
    hal = next(t for t in list_trainees(db, me) if t["name"] == "Cadet Hal")
    assert hal["sex"] == "male" and hal["birth_year"] == date.today().year - 16
    assert w.new_sex.currentData() is None and w.new_birth.value() == w.new_birth.minimum()  # cleared for the next
    w.limit.setValue(5)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    assert "no points: no row for age 16" in w.summary_label.text()
    w.new_trainee.setText("Cadet Ida")  # nothing but the name: still fine
    w.quick_add()
    assert next(t for t in list_trainees(db, me) if t["name"] == "Cadet Ida")["sex"] is None
    w.shutdown()
    writer.close()


def test_every_chart_names_both_axes_in_a_graders_words(qtbot, tmp_path):
    import pyqtgraph as pg

    from app.storage.db import open_db
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "c.db", create=True)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "demo", db, actor=admin_of(db))
    qtbot.addWidget(win)
    plots = win.findChildren(pg.PlotWidget)
    assert len(plots) >= 5
    for p in plots:
        for side in ("bottom", "left"):
            assert p.getAxis(side).labelText.strip(), f"{p.getPlotItem().titleLabel.text!r}: no {side} label"
    words = " ".join(p.getPlotItem().titleLabel.text for p in plots)
    assert "driving signal" not in words and "P(standard)" not in words and "attention" not in words
    win.close()


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_the_window_fits_a_laptop_screen_and_never_grows_by_itself(qtbot, tmp_path, size):
    """Every workspace fits 1280 x 720 and 1366 x 768 (its minimum size is within the screen),
    and a finished, saved test does not grow the window."""
    from PySide6.QtWidgets import QApplication

    from app.storage.db import open_db
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "f.db", create=True)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo", db, actor=admin_of(db))
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    for tab in range(win.tabs.count()):
        win.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        hint = win.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], (win.tabs.tabText(tab), hint)
        assert (win.width(), win.height()) == size
    win.tabs.setCurrentWidget(win.live)
    win.live.new_trainee.setText("Cadet Jo")
    win.live.quick_add()
    win.live.limit.setValue(10)
    with qtbot.waitSignal(win.live.finished, timeout=60_000):
        win.live.start()
    with qtbot.waitSignal(win.live.saved, timeout=30_000):
        win.live.save()
    QApplication.processEvents()
    assert (win.width(), win.height()) == size and "saved as session" in win.live.summary_label.text()
    win.close()
