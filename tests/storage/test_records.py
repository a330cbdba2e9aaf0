"""Records you can trust: roles enforced by storage, the audit log, the sealed chain and
`verify`, corrections as new records (issue 6)."""
import json
import shutil
import sqlite3

import pytest
from conftest import DEMO_TRACK, admin_of, rules_judgement

from app.assess.correction import CorrectionError, overrule_rep
from app.cli import main
from app.core.tracks import read_track
from app.storage.accounts import add_user, create_first_admin, list_users, set_disabled, set_secret, sign_in
from app.storage.audit import list_audit
from app.storage.db import (
    AccessError,
    StorageError,
    add_trainee,
    archive_trainee,
    correct_session,
    list_sessions,
    list_trainees,
    load_session,
    open_db,
    save_session,
    update_trainee,
    verify_records,
)
from app.storage.heads import head_path

TRACK = read_track(DEMO_TRACK)


def _result(frames: int = 300) -> tuple:
    from app.core.types import PoseTrack
    part = PoseTrack(TRACK.keypoints[:frames], TRACK.fps, TRACK.size, TRACK.exercise)
    return rules_judgement(part, "pushup", "side"), part


def _world(tmp_path):
    """A database with an admin, an instructor, two trainees with accounts, and four sealed
    sessions (one with a recording folder) -> (db, admin, instructor, ann, bob, session ids)."""
    db = open_db(tmp_path / "r.db", create=True)
    admin = admin_of(db)
    inst = add_user(db, admin, "sgt", "instructor", "instructor-pw")
    a_id = add_trainee(db, inst, "Ann", "female", 2001, "1st")
    b_id = add_trainee(db, admin, "Bob", "male", 2000, "2nd")
    ann = add_user(db, admin, "ann", "trainee", "1234", pin=True, trainee_id=a_id)
    bob = add_user(db, admin, "bob", "trainee", "4321", pin=True, trainee_id=b_id)
    rec = tmp_path / "recordings" / "t1"
    rec.mkdir(parents=True)
    (rec / "video.avi").write_bytes(bytes(range(256)) * 64)
    (rec / "track.bin").write_bytes(b"DSTRK1\n" + b"\x00" * 500)
    ids = []
    for k, (tid, frames) in enumerate([(a_id, 300), (b_id, 400), (a_id, 500), (b_id, TRACK.frames)]):
        res, track = _result(frames)
        ids.append(save_session(db, inst, tid, res.with_models({"pose_paf": "ab" * 32}), track,
                                recording=str(rec) if k == 0 else None))
    return db, admin, inst, ann, bob, ids


def test_roles_are_enforced_by_storage_and_every_write_is_audited(tmp_path):
    db, admin, inst, ann, bob, ids = _world(tmp_path)
    res, track = _result()
    # a trainee sees only their own sessions and roster entry, and cannot write
    assert {r["trainee"] for r in list_sessions(db, ann)} == {"Ann"}
    assert [t["name"] for t in list_trainees(db, ann)] == ["Ann"]
    with pytest.raises(AccessError, match="only their own"):
        load_session(db, ann, ids[1])
    assert load_session(db, ann, ids[0])[0].count_total > 0
    with pytest.raises(AccessError, match="may not save tests"):
        save_session(db, ann, ann.trainee_id, res, track)
    with pytest.raises(AccessError):
        add_trainee(db, bob, "Mallory")
    # an instructor runs tests and adds trainees; accounts and edits are the admin's
    with pytest.raises(AccessError, match="ask an admin"):
        add_user(db, inst, "x", "admin", "password-123")
    with pytest.raises(AccessError):
        update_trainee(db, inst, ann.trainee_id, unit="3rd")
    with pytest.raises(AccessError):
        archive_trainee(db, inst, ann.trainee_id)
    with pytest.raises(AccessError):
        list_users(db, inst)
    with pytest.raises(AccessError):
        list_audit(db, inst)
    update_trainee(db, admin, ann.trainee_id, unit="3rd")
    # sign-in: the right secret, the same words for a wrong one and an unknown name
    assert sign_in(db, "SGT", "instructor-pw") == inst
    with pytest.raises(AccessError, match="not right") as wrong:
        sign_in(db, "sgt", "instructor-pX")
    with pytest.raises(AccessError, match="not right") as unknown:
        sign_in(db, "nobody", "instructor-pw")
    assert str(wrong.value) == str(unknown.value)
    set_secret(db, inst, inst.user_id, "a-new-password")  # anyone may change their own
    assert sign_in(db, "sgt", "a-new-password") == inst
    with pytest.raises(AccessError):
        set_secret(db, inst, ann.user_id, "9999", pin=True)
    set_disabled(db, admin, bob.user_id)
    with pytest.raises(AccessError, match="disabled"):
        sign_in(db, "bob", "4321")
    with pytest.raises(AccessError, match="exist already"):
        create_first_admin(db, "second", "password-1")
    # secrets are never stored in clear
    stored = [r[0] for r in db.execute("select secret from users")]
    assert all(s.startswith("scrypt$") and "1234" not in s and "instructor-pw" not in s for s in stored)
    # the audit log names who did each write, and cannot be edited
    log = list_audit(db, admin, 100)
    saves = [r for r in log if r["action"] == "save_session"]
    assert len(saves) == 4 and {r["username"] for r in saves} == {"sgt"}
    assert {"add_user", "add_trainee", "update_trainee", "set_secret", "disable_user"} <= {r["action"] for r in log}
    assert next(r for r in log if r["action"] == "add_trainee" and "Ann" in r["detail"])["username"] == "sgt"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("delete from audit")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("update sessions set count_standard = 99")


def test_corrections_are_new_sealed_records_that_reference_the_old(tmp_path, capsys, monkeypatch):
    db, admin, inst, ann, _bob, ids = _world(tmp_path)
    old, _ = load_session(db, admin, ids[3])
    refused = next(r.n for r in old.reps if not r.standard)
    new = overrule_rep(old, refused, True, "the grader saw full lockout")
    assert new.count_standard == old.count_standard + 1 and old != new
    with pytest.raises(CorrectionError, match="counted already"):
        overrule_rep(new, refused, True, "again")
    with pytest.raises(CorrectionError, match="no rep 99"):
        overrule_rep(old, 99, True, "x")
    with pytest.raises(StorageError, match="needs a reason"):
        correct_session(db, inst, ids[3], new, "  ")
    with pytest.raises(AccessError):
        correct_session(db, ann, ids[3], new, "mine")
    cid = correct_session(db, inst, ids[3], new, "the grader saw full lockout")
    with pytest.raises(StorageError, match=f"corrected already by session {cid}"):
        correct_session(db, inst, ids[3], new, "twice")
    rows = {r["id"]: r for r in list_sessions(db, admin)}
    assert rows[ids[3]]["corrected_by"] == cid and rows[cid]["corrects"] == ids[3]
    assert rows[cid]["count_standard"] == old.count_standard + 1
    assert load_session(db, admin, ids[3])[0] == old  # the original is as it was
    assert verify_records(db).ok
    # the same from the command line
    monkeypatch.setenv("DRILLSCORE_USER", "sgt")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "instructor-pw")
    good = next(r.n for r in old.reps if r.standard)
    assert main(["db", "correct", str(ids[2]), "--rep", str(good), "--verdict", "refused", "--reason", "hips low",
                 "--db", str(tmp_path / "r.db")]) == 0
    assert "corrected by session" in capsys.readouterr().out
    assert main(["db", "correct", str(ids[2]), "--rep", "99", "--verdict", "refused", "--reason", "x",
                 "--db", str(tmp_path / "r.db")]) == 2
    assert "no rep 99" in capsys.readouterr().err
    assert main(["verify", "--db", str(tmp_path / "r.db")]) == 0


def _raw(path):
    """A connection that goes behind the app's back: the append-only triggers dropped."""
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger {name}")
    return conn


def _tampers(ids, rec):
    """name -> (function(conn, folder) doing the tampering, session ids verify must name or
    None when the finding is about the chain itself)."""
    a, b, c, d = ids
    return {
        "edit a session's count": (lambda q, f: q.execute("update sessions set count_standard = 99 where id = ?", [b]),
                                   {b}),
        "edit a rep's verdict": (lambda q, f: q.execute("update reps set standard = 1 - standard where session_id = ? "
                                                       "and n = 1", [c]), {c}),
        "edit a rep's reasons": (lambda q, f: q.execute("update reps set reasons = '[\"hips_sag\"]' where session_id = ?", [a]),
                                 {a}),
        "edit the stored result": (lambda q, f: q.execute("update sessions set result_json = replace(result_json, "
                                                          "'\"count_standard\"', '\"count_standard \"') where id = ?",
                                                          [d]), {d}),
        "edit the pose track": (lambda q, f: q.execute("update tracks set npz = x'00' || npz where session_id = ?",
                                                       [b]), {b}),
        "edit a model hash": (lambda q, f: q.execute("update models_used set sha256 = 'cd' where session_id = ?", [c]),
                              {c}),
        "move a session to another trainee": (lambda q, f: q.execute("update sessions set trainee_id = 3 - trainee_id "
                                                                     "where id = ?", [a]), {a}),
        "change a start time": (lambda q, f: q.execute("update sessions set started = '2020-01-01' where id = ?", [d]),
                                {d}),
        "delete a session": (lambda q, f: [q.execute(f"delete from {t} where {k} = ?", [b]) for t, k in
                                           (("reps", "session_id"), ("tracks", "session_id"),
                                            ("models_used", "session_id"), ("sessions", "id"))], {b}),
        "delete a session and its chain entry": (lambda q, f: [q.execute("delete from sessions where id = ?", [c]),
                                                               q.execute("delete from chain where session_id = ?", [c])],
                                                 {c}),
        "delete the last session, its entry and its audit row": (
            lambda q, f: [q.execute("delete from sessions where id = ?", [d]),
                          q.execute("delete from chain where session_id = ?", [d]),
                          q.execute("delete from audit where target = ?", [f"session {d}"])], None),
        "swap two sessions' ids": (lambda q, f: [q.execute("update sessions set id = -1 where id = ?", [a]),
                                                 q.execute("update sessions set id = ? where id = ?", [a, c]),
                                                 q.execute("update sessions set id = ? where id = -1", [c])], {a, c}),
        "reorder chain entries": (lambda q, f: [q.execute("update chain set seq = -1 where seq = 2"),
                                                q.execute("update chain set seq = 2 where seq = 3"),
                                                q.execute("update chain set seq = 3 where seq = -1")], {b, c}),
        "re-seal an edit without the key": (
            lambda q, f: [q.execute("update sessions set count_standard = 99 where id = ?", [b]),
                          q.execute("update chain set payload = replace(payload, '\"count_standard\":' || "
                                    "(select json_extract(payload, '$.count_standard') from chain where session_id = ?)"
                                    ", '\"count_standard\":99') where session_id = ?", [b, b])], {b}),
        "insert a forged session": (lambda q, f: q.execute(
            "insert into sessions (trainee_id, exercise, started, frames, fps, duration_s, count_total, count_standard) "
            "values (1, 'pushup', '2026-01-01', 10, 30, 0.3, 50, 50)"), {d + 1}),
        "wipe the chain": (lambda q, f: q.execute("delete from chain"), {a, b, c, d}),
        "edit the recorded video": (lambda q, f: (f / "video.avi").write_bytes(b"\xff" + (f / "video.avi").read_bytes()[1:]),
                                    {a}),
        "delete the recorded journal": (lambda q, f: (f / "track.bin").unlink(), {a}),
        "delete the recording folder": (lambda q, f: shutil.rmtree(f), {a}),
    }


def test_verify_names_every_edit_deletion_and_reordering(tmp_path, capsys):
    """The tamper test (issue 6's target): each change made behind the app's back to a copy of
    a sealed database and its recording is caught by verify, naming the session."""
    db, _admin, _inst, _ann, _bob, ids = _world(tmp_path)
    assert verify_records(db).ok
    src = tmp_path / "r.db"
    db.conn.close()
    detected = []
    cases = _tampers(ids, None)
    for k, (name, (tamper, expect)) in enumerate(cases.items()):
        case = tmp_path / f"case{k}"
        case.mkdir()
        shutil.copy(src, case / "r.db")
        shutil.copy(head_path(src), head_path(case / "r.db"))
        shutil.copytree(tmp_path / "recordings", case / "recordings")
        copy = open_db(case / "r.db", create=True)
        assert verify_records(copy).ok  # the folder moved as one piece: still as sealed
        copy.conn.close()
        conn = _raw(case / "r.db")
        tamper(conn, case / "recordings" / "t1")
        conn.commit()
        conn.close()
        report = verify_records(open_db(case / "r.db", create=True))
        ok = not report.ok and (expect is None or expect <= report.failing_sessions())
        detected.append((name, ok, [str(p) for p in report.problems]))
        assert main(["verify", "--db", str(case / "r.db")]) == 1
        assert "FAILED" in capsys.readouterr().out
    missed = [(n, why) for n, ok, why in detected if not ok]
    assert not missed, missed
    print(f"tamper test: {sum(ok for _, ok, _ in detected)} of {len(detected)} detected")


def test_verify_without_the_key_or_with_another_says_so(tmp_path, monkeypatch, capsys, chain_key):
    db, *_ = _world(tmp_path)
    path = tmp_path / "r.db"
    assert main(["verify", "--db", str(path)]) == 0
    assert "4 sealed entries, 4 sessions, " in (out := capsys.readouterr().out) and "audit rows: all as sealed" in out
    monkeypatch.setenv("DRILLSCORE_KEY", str(tmp_path / "elsewhere.key"))
    assert main(["verify", "--db", str(path)]) == 2
    assert "chain key is missing" in capsys.readouterr().err
    res, track = _result()
    with pytest.raises(StorageError, match="chain key is missing"):  # saving is refused, not unsealed
        save_session(db, admin_of(db), 1, res, track)
    (tmp_path / "elsewhere.key").write_text("ab" * 32)
    assert main(["verify", "--db", str(path)]) == 2
    assert "not the key this database was sealed with" in capsys.readouterr().err
    monkeypatch.setenv("DRILLSCORE_KEY", str(chain_key))
    assert main(["verify", "--db", str(path)]) == 0


def test_sessions_saved_before_the_chain_are_adopted_by_the_migration(tmp_path):
    from sqlite_utils import Database

    from app.storage.db import migrations
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m003_accounts_audit_chain")
    old["trainees"].insert({"id": 1, "name": "Old", "archived": 0})
    old["sessions"].insert({"id": 1, "trainee_id": 1, "exercise": "pushup", "started": "2025", "frames": 1,
                            "fps": 30.0, "duration_s": 0.0, "count_total": 0, "count_standard": 0,
                            "result_json": json.dumps({"reps": []})})
    old.conn.close()
    db = open_db(path, create=True)
    report = verify_records(db)
    assert report.ok and report.entries == 1
    assert db.execute("select kind from chain").fetchone()[0] == "adopted"


def test_a_damaged_record_is_said_in_one_line(tmp_path):
    db, admin, *_rest, ids = _world(tmp_path)
    conn = _raw(tmp_path / "r.db")
    conn.execute("update tracks set npz = x'0102' where session_id = ?", [ids[1]])
    conn.execute("update sessions set result_json = '{broken' where id = ?", [ids[2]])
    conn.commit()
    conn.close()
    for sid in ids[1:3]:
        with pytest.raises(StorageError, match=rf"session {sid}: the stored record is damaged .*drillscore verify"):
            load_session(db, admin, sid)
    assert load_session(db, admin, ids[0])[0].count_total > 0  # the others still load
    assert verify_records(db).failing_sessions() == {ids[1], ids[2]}


def test_sign_in_dialog_first_run_and_tabs_by_role(qtbot, tmp_path):
    from app.pipeline.live_test import session_factory
    from app.ui.main_window import MainWindow
    from app.ui.sign_in import SignInDialog
    db = open_db(tmp_path / "g.db", create=True)
    first = SignInDialog(db)
    qtbot.addWidget(first)
    assert first.first_run
    first.user.setText("chief")
    first.secret.setText("short")
    first.confirm.setText("short")
    assert not first.submit() and "at least 10" in first.message.text()
    first.secret.setText("long-enough")
    first.confirm.setText("long-enough-typo")
    assert not first.submit() and "differ" in first.message.text()
    first.secret.setText("long-enough")
    first.confirm.setText("long-enough")
    assert first.submit() and first.actor.role == "admin"
    tid = add_trainee(db, first.actor, "Ann")
    add_user(db, first.actor, "ann", "trainee", "2468", pin=True, trainee_id=tid)
    again = SignInDialog(db)
    qtbot.addWidget(again)
    assert not again.first_run
    again.user.setText("ann")
    again.secret.setText("1111")
    assert not again.submit() and "not right" in again.message.text()
    again.secret.setText("2468")
    assert again.submit() and again.actor.trainee_id == tid
    tabs = {}
    for actor in (first.actor, again.actor):
        win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "t", db, actor=actor)
        qtbot.addWidget(win)
        tabs[actor.role] = [win.tabs.tabText(i) for i in range(win.tabs.count())]
        win.shutdown()
    assert tabs == {"admin": ["Live test", "Review", "Analyse files", "Admin"], "trainee": ["Review"]}


def test_review_warns_on_a_record_that_fails(qtbot, tmp_path):
    from app.ui.review_workspace import ReviewWorkspace
    db, admin, *_rest, ids = _world(tmp_path)
    conn = _raw(tmp_path / "r.db")
    conn.execute("update sessions set count_standard = 42 where id = ?", [ids[1]])
    conn.commit()
    conn.close()
    w = ReviewWorkspace(db, admin)
    qtbot.addWidget(w)
    assert all(w.sessions.item(i, 6).text() in ("sealed", "corrected by 0") for i in range(w.sessions.rowCount()))
    w.wait_for_background()  # the chain check runs off the GUI thread; its marks follow
    notes = {int(w.sessions.item(i, 0).text()): w.sessions.item(i, 6).text() for i in range(w.sessions.rowCount())}
    assert notes[ids[1]] == "FAILS CHECK" and notes[ids[0]] == "sealed"
    w.open_session(ids[1])
    assert "not as it was sealed" in w.integrity.text() and "count_standard" in w.integrity.text()
    w.open_session(ids[0])
    assert w.integrity.text() == ""
