"""Bad input and limits (issue 6): a database another process holds, a disk that fills while a
session is saved, an unknown trainee. Each is said in one line and loses nothing already
saved; a live test whose save failed stays on the card and on disk, so it can be saved again
or recovered after a crash. (Malformed scoring tables: test_cli_storage / test_admin_settings;
unwritable export paths, a full disk while exporting and damaged records in reports:
test_reports; damaged records: test_records.)"""
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_TRACK, admin_of

from app.cli import main
from app.core.judgement_json import from_dict
from app.storage.db import StorageError, add_trainee, list_sessions, open_db, save_session, verify_records
from app.storage.heads import head_path

HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(120)
"""


def _saved_once(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "d.db"
    db = open_db(path, create=True)
    admin_of(db)
    db.conn.close()
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    assert main(["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--save", "--trainee", "Ann",
                 "--db", str(path), "--no-classifier"]) == 0
    return path


def test_a_database_another_process_holds_is_said_and_nothing_is_lost(tmp_path, monkeypatch, capsys):
    path = _saved_once(tmp_path, monkeypatch)
    capsys.readouterr()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        args = ["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--save", "--trainee", "Ann", "--db", str(path),
                "--no-classifier"]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "locked by another program" in err and err.count("\n") == 1, err
    finally:
        holder.kill()
        holder.wait(10)
    db = open_db(path, create=True)
    assert len(list_sessions(db, admin_of(db))) == 1 and verify_records(db).ok  # the first session is intact
    assert main(args) == 0  # and once the other program lets go, the save goes through
    assert len(list_sessions(db, admin_of(db))) == 2 and verify_records(db).ok


def _fill_the_disk(db) -> None:
    """SQLite's page limit makes the next page a write needs fail with SQLITE_FULL, as a full disk does."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_while_saving_saves_nothing_half_and_keeps_what_was_saved(tmp_path, monkeypatch):
    import json

    from app.core.tracks import read_track
    path = _saved_once(tmp_path, monkeypatch)
    db = open_db(path, create=True)
    me = admin_of(db)
    tid = db.execute("select id from trainees where name = 'Ann'").fetchone()[0]
    res = from_dict(json.loads(db.execute("select result_json from sessions").fetchone()[0]))
    tables = ("sessions", "reps", "tracks", "chain", "audit")

    def counts() -> dict:
        return {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    before, head = counts(), head_path(path).read_text()
    _fill_the_disk(db)
    with pytest.raises(StorageError, match="the disk is full; nothing was saved — free some space"):
        save_session(db, me, tid, res, read_track(DEMO_TRACK))
    assert counts() == before and head_path(path).read_text() == head and verify_records(db).ok
    db.execute("PRAGMA max_page_count = 1073741823")
    save_session(db, me, tid, res, read_track(DEMO_TRACK))
    assert len(list_sessions(db, me)) == 2 and verify_records(db).ok


def test_a_live_save_that_fails_keeps_the_test_to_save_again_or_recover(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from app.pipeline.live_test import session_factory
    from app.pipeline.recovery import find_unsaved
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "d.db", create=True)
    me = admin_of(db)
    add_trainee(db, me, "Cadet Cy", "male", 2006)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "demo", db, actor=me)
    qtbot.addWidget(win)
    live = win.live
    live.reload_trainees()
    live.trainee_box.setCurrentText("Cadet Cy")
    with qtbot.waitSignal(live.finished, timeout=60_000):
        live.start()
    folder = live.session.recorder.folder
    win.writer.call(_fill_the_disk)  # the writer's own connection: the next save finds the disk full
    with qtbot.waitSignal(live._save_done, timeout=30_000):
        qtbot.mouseClick(live.save_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not saved" in live.summary_label.text(), timeout=10_000)
    assert "the disk is full" in live.summary_label.text() and live.save_btn.isEnabled()
    assert list_sessions(db, me) == []
    # were the app to die now, the next start would offer the test: it is on disk, unsaved
    assert [u.folder for u in find_unsaved(folder.parent, set())] == [folder]
    win.writer.call(lambda d: d.execute("PRAGMA max_page_count = 1073741823"))
    with qtbot.waitSignal(live.saved, timeout=30_000):
        qtbot.mouseClick(live.save_btn, Qt.MouseButton.LeftButton)
    assert [r["recording"] for r in list_sessions(db, me)] == [str(folder)] and verify_records(db).ok
    win.close()


def test_an_unknown_trainee_is_said_with_the_close_names(tmp_path, monkeypatch, capsys):
    path = _saved_once(tmp_path, monkeypatch)
    capsys.readouterr()
    assert main(["recover", "--db", str(path), "--recordings", str(tmp_path / "none"), "--trainee", "Anne"]) == 2
    err = capsys.readouterr().err
    assert "no trainee named 'Anne' (did you mean Ann?)" in err and err.count("\n") == 1
    assert main(["db", "sessions", "--db", str(path), "--trainee", "Nobody"]) == 0
    assert "no sessions stored" in capsys.readouterr().out


def test_a_video_analysed_without_the_crop_model_says_so_and_reads_the_whole_frame(tmp_path, capsys):
    """pose_crop.onnx missing: the analysis still runs on the whole-frame model and says why."""
    import shutil

    from app.cli import main
    from app.paths import demo_video, models_dir
    folder = tmp_path / "models"
    shutil.copytree(models_dir(), folder)
    (folder / "pose_crop.onnx").unlink()
    out = tmp_path / "r.json"
    assert main(["analyze", str(demo_video()), "--exercise", "pushup", "--json", str(out), "--models", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "note: " in err and "pose_crop.onnx" in err and "whole frame" in err
    assert "python -m training export crop-pose" in err  # the command that rebuilds that model
    import json
    assert json.loads(out.read_text())["video"]["pose_model"] == "pose_paf"
