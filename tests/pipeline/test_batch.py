"""Analysing files off the GUI thread: a folder of good and bad files, cancel mid-video, a
missing pose model, and the GUI tab saving sessions through the writer."""
import shutil
import threading
import time

import numpy as np
import pytest
from conftest import DEMO_TRACK, DEMO_VIDEO, admin_of

from app.assess.engine import assess
from app.core.tracks import read_track
from app.pipeline.batch import BatchAnalysis, analysable_files


class SlowNobody:
    """A pose model that sees nobody, slowly (so a cancel lands mid-video)."""

    name, recurrent = "slow", False

    def __call__(self, _image):
        time.sleep(0.01)
        return []

    def reset(self):
        pass


@pytest.fixture
def folder(tmp_path):
    shutil.copy(DEMO_TRACK, tmp_path / "a_demo.npz")
    shutil.copy(DEMO_VIDEO, tmp_path / "b_demo.mp4")
    (tmp_path / "c_broken.mp4").write_bytes(b"not a video")
    (tmp_path / "d_broken.npz").write_bytes(b"not a track")
    (tmp_path / "notes.txt").write_text("ignored")
    return tmp_path


def test_a_folder_is_analysed_file_by_file_and_bad_files_are_reported(folder):
    files = analysable_files(folder)
    assert [f.name for f in files] == ["a_demo.npz", "b_demo.mp4", "c_broken.mp4", "d_broken.npz"]
    job = BatchAnalysis(files, "pushup")
    seen = []
    job.start()
    while not job.finished:
        p = job.progress.take()
        if p is not None:
            seen.append(p.fraction)
        time.sleep(0.01)
    assert job.wait(5) and job.error is None and not job.cancelled
    a, b, c, d = job.results
    track = read_track(DEMO_TRACK)
    ref = assess(track, "pushup", track.view or "auto")
    assert (a.judgement.count_standard, a.judgement.count_total) == (ref.count_standard, ref.count_total)
    assert b.error is None and b.track.frames > 200 and b.judgement.count_total > 0  # through the pose model
    assert "pose_paf" in b.judgement.models or "pose_lstm_pm" in b.judgement.models  # the pose model is sealed
    assert "c_broken.mp4" in c.error and c.judgement is None
    assert "d_broken.npz" in d.error and d.judgement is None
    assert seen == sorted(seen) and 0 <= seen[0] and seen[-1] <= 1 and len(seen) > 5
    with pytest.raises(ValueError, match="not a folder"):
        analysable_files(folder / "notes.txt")


def test_cancel_stops_mid_video_and_keeps_the_files_before(folder):
    job = BatchAnalysis(analysable_files(folder), "pushup", make_estimator=SlowNobody)
    job.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        p = job.progress.peek()
        if p is not None and p.file_index == 1 and p.frame > 5:
            break
        time.sleep(0.005)
    job.cancel()
    assert job.wait(10) and job.cancelled and job.error is None
    assert [r.path.name for r in job.results] == ["a_demo.npz"]  # the video in progress is not half-kept


def test_a_missing_pose_model_stops_the_batch_with_one_message(folder):
    from app.inference.session import ModelError

    def missing():
        raise ModelError("models/pose_paf.onnx: model file missing; build it with `python -m training export pose`")
    job = BatchAnalysis(analysable_files(folder), "pushup", make_estimator=missing)
    job.start()
    assert job.wait(30) and "model file missing" in job.error and len(job.results) == 1


def test_analyse_tab_saves_sessions_shows_problems_and_cancels(qtbot, tmp_path, folder):
    from app.storage.db import add_trainee, list_sessions, open_db
    from app.storage.writer import DatabaseWriter
    from app.ui.analyse_workspace import AnalyseWorkspace
    threads = threading.active_count()
    db = open_db(tmp_path / "s.db", create=True)
    me = admin_of(db)
    add_trainee(db, me, "Cadet Ed")
    writer = DatabaseWriter(tmp_path / "s.db")
    w = AnalyseWorkspace(db, writer, actor=me)
    qtbot.addWidget(w)
    w.save_box.setChecked(True)
    (folder / "b_demo.mp4").unlink()  # the track files only: quick
    with qtbot.waitSignal(w.finished, timeout=60_000):
        assert w.analyse_folder(folder)
    assert w.results.rowCount() == 3 and w.bar.value() == 1000 and w.status.text().startswith("done: 1 of 3")
    assert "d_broken.npz" in w.results.item(2, 4).text()
    saved = list_sessions(db, me)
    assert len(saved) == 1 and saved[0]["trainee"] == "Cadet Ed" and w.results.item(0, 3).text() == str(saved[0]["id"])
    assert not w.analyse_folder(tmp_path / "nowhere") and w.last_error.startswith("Cannot analyse the folder")
    shutil.copy(DEMO_VIDEO, folder / "b_demo.mp4")
    w.make_estimator = SlowNobody
    w.save_box.setChecked(False)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.analyse_folder(folder)
        qtbot.waitUntil(lambda: w.job.progress.peek() is not None and w.job.progress.peek().frame > 3, timeout=30_000)
        w.cancel_btn.click()
    assert w.status.text().startswith("cancelled: 1 file(s)") and w.file_btn.isEnabled()
    w.shutdown()
    writer.close()
    assert threading.active_count() == threads
    assert np.isfinite(w.bar.value())


def test_a_batch_never_saves_a_file_nobody_is_seen_in(tmp_path):
    """Issue 20 item 7 in the Analyse tab's path: shown with its problem, not saved."""
    np.savez(tmp_path / "a_nobody.npz", keypoints=np.zeros((300, 17, 3), np.float32), fps=30.0,
             size=np.array([640, 480]))
    shutil.copy(DEMO_TRACK, tmp_path / "b_demo.npz")
    saved = []
    job = BatchAnalysis(analysable_files(tmp_path), "pushup", save=lambda p, j, t: saved.append(p.name) or 7)
    job.start()
    assert job.wait(60)
    nobody, demo = job.results
    assert nobody.session_id is None and "not saved: nobody was seen" in nobody.error
    assert demo.session_id == 7 and saved == ["b_demo.npz"]
