"""Crash-safe recording (issue 6): a live test killed with SIGKILL mid-recording is found at the
next start, recovered and sealed; the database stays intact. The full 50-kill run is
benchmarks/kill_test.py; CI runs three rounds of the same code."""
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import admin_of

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import kill_test
from conftest import DEMO_TRACK

from app.capture.recorder import SessionRecorder, read_recording
from app.cli import main
from app.core.tracks import read_track
from app.pipeline.recovery import RecoveryError, dismiss, find_unsaved, recover, seal_recording
from app.storage.db import add_trainee, list_sessions, load_session, open_db, verify_records


def test_killed_recordings_are_recovered_and_the_database_stays_intact(tmp_path):
    lines = []
    totals = kill_test.run(3, tmp_path, seed=1, say=lines.append)
    assert totals["recovered"] == 3, lines
    assert totals["integrity_failures"] == 0 and totals["chain_failures"] == 0, lines
    # the recorder flushes every second of recording and queues at most 4 s: a structural bound
    assert totals["lost_frames_max"] <= 5 * kill_test.FPS, lines
    assert totals["sessions_saved_by_the_killed"] > 0  # the kills landed among database writes


def _recording(root: Path, name: str, trainee: dict | None, frames: int) -> Path:
    """A live test's recording that finished but whose result was never saved."""
    track = read_track(DEMO_TRACK)
    rec = SessionRecorder(root / name, track.fps, track.size,
                          {"exercise": "pushup", "view": "side", "source": "demo", "trainee": trainee},
                          seal=seal_recording)
    for i in range(frames):
        rec.frame(i, i / track.fps, None, track.keypoints[i])
    rec.close()
    return root / name


def test_unsaved_recordings_are_offered_recovered_or_dismissed(tmp_path, monkeypatch, capsys):
    db = open_db(tmp_path / "d.db", create=True)
    me = admin_of(db)
    tid = add_trainee(db, me, "Ann", "female", 2002)
    root = tmp_path / "recordings"
    done = _recording(root, "a-finished", {"id": tid, "name": "Ann"}, 400)
    nobody = _recording(root, "b-nobody", None, 200)
    empty = _recording(root, "c-empty", {"id": tid, "name": "Ann"}, 0)
    offered = find_unsaved(root, set())
    assert [u.folder for u in offered] == [done, nobody] and empty not in [u.folder for u in offered]
    assert "Ann, pushup" in offered[0].describe() and "finished but not saved" in offered[0].describe()
    with pytest.raises(RecoveryError, match="without a trainee"):
        recover(db, me, nobody)
    sid = recover(db, me, done)
    res, track = load_session(db, me, sid)
    ref = read_recording(done)
    assert track.frames == 400 and np.array_equal(track.keypoints, ref.track.keypoints)
    assert res.notes["recovered"]["complete"] and res.count_total > 0 and res.score is not None
    saved = {Path(r["recording"]) for r in list_sessions(db, me) if r["recording"]}
    assert saved == {done} and verify_records(db).ok
    assert [u.folder for u in find_unsaved(root, saved)] == [nobody]
    dismiss(db, me, nobody, root, "camera test, no trainee")
    assert find_unsaved(root, saved) == [] and (nobody / "track.bin").exists()  # kept, not offered
    # the command line: lists and recovers, with credentials
    again = _recording(root, "d-again", {"id": tid, "name": "Ann"}, 300)
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    args = ["recover", "--db", str(tmp_path / "d.db"), "--recordings", str(root)]
    assert main([*args, "--list"]) == 0 and "d-again" in capsys.readouterr().out
    assert main(args) == 0 and "recovered as session" in capsys.readouterr().out
    assert main([*args, "--list"]) == 0 and "nothing to recover" in capsys.readouterr().out
    assert any(r["recording"] == str(again) for r in list_sessions(db, me))


def test_the_window_offers_an_unsaved_test_at_start(qtbot, tmp_path):
    from app.pipeline.live_test import session_factory
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "d.db", create=True)
    me = admin_of(db)
    tid = add_trainee(db, me, "Bo", "male", 2000)
    root = tmp_path / "recordings"
    first = _recording(root, "a", {"id": tid, "name": "Bo"}, 300)
    second = _recording(root, "b", {"id": tid, "name": "Bo"}, 200)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "t", db, actor=me)
    qtbot.addWidget(win)
    banner = win.recovery
    assert not banner.isHidden() and "Bo, pushup" in banner.label.text() and "1 more" in banner.label.text()
    with qtbot.waitSignal(banner.recovered, timeout=30_000) as got:
        banner.recover_btn.click()
    assert "Recovered as session" in banner.label.text() and win.review.rows[-1]["id"] == got.args[0]
    assert win.review.rows[-1]["recording"] == str(first)
    banner.dismiss_btn.click()
    assert (second / "dismissed.json").exists() and banner.pending == []
    win.shutdown()
    again = MainWindow(session_factory(DEMO_TRACK, realtime=False), "t", db, actor=me)
    qtbot.addWidget(again)
    assert again.recovery.isHidden() and again.recovery.pending == []  # nothing offered twice
    again.shutdown()


def test_recovery_is_staff_only_audited_and_judges_each_folder_on_its_own(tmp_path, monkeypatch, capsys):
    """Issue 20 item 6: a trainee cannot list or dismiss others' tests; --dismiss takes only a
    recording in the recordings folder; a damaged meta.json or a planted folder never blocks
    the others, is listed with its problem, and is never saved as a result."""
    import json

    from app.cli import main
    from app.storage.accounts import add_user
    db = open_db(tmp_path / "d.db", create=True)
    me = admin_of(db)
    tid = add_trainee(db, me, "Ann", "female", 2002)
    add_user(db, me, "ann", "trainee", "2468", pin=True, trainee_id=tid)
    root = tmp_path / "recordings"
    good = _recording(root, "a-good", {"id": tid, "name": "Ann"}, 300)
    no_fps = _recording(root, "b-no-fps", {"id": tid, "name": "Ann"}, 300)
    meta = json.loads((no_fps / "meta.json").read_text())
    del meta["fps"]
    (no_fps / "meta.json").write_text(json.dumps(meta))
    empty_meta = _recording(root, "c-empty-meta", {"id": tid, "name": "Ann"}, 300)
    (empty_meta / "meta.json").write_text("")
    planted = root / "d-planted"  # a genuine-looking recording copied in, without this installation's seal
    import shutil
    shutil.copytree(good, planted)
    (planted / "meta.seal").unlink()
    found = {u.folder.name: u for u in find_unsaved(root, set())}
    assert set(found) == {"a-good", "b-no-fps", "c-empty-meta", "d-planted"}
    assert found["a-good"].problem is None
    assert "lacks 'fps'" in found["b-no-fps"].problem and "empty" in found["c-empty-meta"].problem
    assert "not recorded by this installation" in found["d-planted"].problem
    for bad in (no_fps, empty_meta, planted):
        with pytest.raises(RecoveryError):
            recover(db, me, bad)
    assert list_sessions(db, me) == []
    args = ["recover", "--db", str(tmp_path / "d.db"), "--recordings", str(root)]
    monkeypatch.setenv("DRILLSCORE_USER", "ann")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "2468")
    assert main([*args, "--list"]) == 2 and "may not recover" in capsys.readouterr().err
    assert main([*args, "--dismiss", str(good)]) == 2 and not (good / "dismissed.json").exists()
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    assert main([*args, "--dismiss", str(tmp_path)]) == 2 and "not a recording in" in capsys.readouterr().err
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "a-good: recovered as session" in out and out.count("cannot be recovered") == 3
    assert main([*args, "--dismiss", str(planted)]) == 0
    from app.storage.audit import list_audit
    assert any(r["action"] == "dismiss_recording" and r["target"] == "d-planted" for r in list_audit(db, me))
    assert len(list_sessions(db, me)) == 1 and verify_records(db).ok
