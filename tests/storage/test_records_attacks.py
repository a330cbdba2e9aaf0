"""Records you can trust, part 2 (issue 20): the forgeries and silent failures an attacker with
write access to the database folder (not the key) found, each closed."""
import json
import os
import shutil
import sqlite3
import stat

import pytest
from conftest import DEMO_TRACK, admin_of, rules_judgement

from app.cli import main
from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.storage.accounts import add_user, set_disabled, sign_in
from app.storage.audit import list_audit
from app.storage.db import (
    AccessError,
    StorageError,
    add_trainee,
    get_or_add_trainee,
    open_db,
    save_session,
    update_trainee,
    verify_records,
)
from app.storage.heads import head_path

TRACK = read_track(DEMO_TRACK)
PLANT_USER = "insert into users (username, role, secret, pin, disabled) values ('evil', 'admin', 'x', 0, 0)"


def _saved(db, actor, tid, frames=300):
    part = PoseTrack(TRACK.keypoints[:frames], TRACK.fps, TRACK.size, "pushup")
    return save_session(db, actor, tid, rules_judgement(part, "pushup", "side"), part)


def _world(tmp_path):
    path = tmp_path / "r.db"
    db = open_db(path, create=True)
    admin = admin_of(db)
    inst = add_user(db, admin, "sgt", "instructor", "instructor-pw")
    ann = add_trainee(db, inst, "Ann", "female", 2001, "1st")
    bob = add_trainee(db, admin, "Bob", "male", 2000, "1st")
    ids = [_saved(db, inst, t, f) for t, f in ((ann, 300), (bob, 350), (ann, 400), (bob, 450))]
    db.conn.close()
    return path, ids, ann, bob


def _raw(path):
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger {name}")
    return conn


def _verify(path, capsys) -> tuple[int, str]:
    rc = main(["verify", "--db", str(path)])
    got = capsys.readouterr()
    return rc, got.out + got.err


def test_a_migration_never_reseals_a_sealed_database_and_verify_never_migrates(tmp_path, capsys):
    path, ids, *_ = _world(tmp_path)
    conn = _raw(path)  # strip the seal's tables and forge a session, as the attack did
    conn.execute("delete from _sqlite_migrations where name in ('m003_accounts_audit_chain', 'm004_sealed_ledger')")
    for t in ("chain", "audit", "users", "meta"):
        conn.execute(f"drop table {t}")
    conn.execute("update sessions set count_standard = 99 where id = ?", [ids[0]])
    conn.commit()
    conn.close()
    before = path.read_bytes()
    rc, text = _verify(path, capsys)
    assert rc == 2 and "older than this DrillScore" in text
    assert path.read_bytes() == before  # verify opened it read-only: nothing migrated or created
    with pytest.raises(StorageError, match="sealed before .* restore the database from a backup"):
        open_db(path)
    conn = sqlite3.connect(path)
    assert not conn.execute("select 1 from sqlite_master where name = 'chain'").fetchone()  # nothing re-sealed
    conn.close()


def test_verify_on_a_missing_empty_or_newer_database_exits_2_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "typo.db"
    rc, text = _verify(missing, capsys)
    assert rc == 2 and "no such database" in text and not missing.exists()
    assert main(["db", "sessions", "--db", str(missing), "--user", "x"]) == 2 and not missing.exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    rc, text = _verify(empty, capsys)
    assert rc == 2 and "empty (0 bytes)" in text and empty.stat().st_size == 0
    with pytest.raises(StorageError, match="empty"):
        open_db(empty, create=True)
    path, *_ = _world(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                  "values ('drillscore', 'm099_from_the_future', '2030')")
    conn.commit()
    conn.close()
    for opener in (lambda: open_db(path), lambda: open_db(path, read_only=True)):
        with pytest.raises(StorageError, match="made by a newer DrillScore .*m099"):
            opener()


def test_every_session_mac_is_checked_across_a_gap(tmp_path, capsys):
    from app.pipeline.report_gather import verified
    path, ids, *_ = _world(tmp_path)
    conn = _raw(path)
    conn.execute("delete from chain where session_id = ?", [ids[1]])  # a gap ...
    conn.execute("update sessions set count_standard = count_standard + 7 where id = ?", [ids[2]])
    payload = json.loads(conn.execute("select payload from chain where session_id = ?", [ids[2]]).fetchone()[0])
    payload["count_standard"] += 7  # ... and a forged payload after it that matches the forged row
    conn.execute("update chain set payload = ? where session_id = ?",
                 [json.dumps(payload, sort_keys=True, separators=(",", ":")), ids[2]])
    conn.commit()
    conn.close()
    db = open_db(path, read_only=True)
    report = verify_records(db)
    assert ids[2] in report.failing_sessions() and ids[1] in report.failing_sessions()
    assert verified(db).status(ids[2]).startswith("FAILED")
    assert not verified(db).status(ids[0]).startswith("sealed, verified")  # the records as a whole are in doubt
    rc, text = _verify(path, capsys)
    assert rc == 1 and f"session {ids[2]}: chain entry" in text


def test_a_wiped_or_replaced_database_fails_and_a_lost_key_is_never_replaced(tmp_path, capsys, chain_key):
    path, *_ = _world(tmp_path)
    shutil.copy(path, tmp_path / "kept.db")
    conn = _raw(path)  # wipe the chain and the key id
    conn.execute("delete from chain")
    conn.execute("delete from meta")
    conn.commit()
    conn.close()
    rc, text = _verify(path, capsys)
    assert rc == 1 and "wiped" in text
    # a fresh database put in place of the sealed one (made elsewhere, moved in, its head too)
    path.unlink()
    head_path(path).unlink()
    with pytest.raises(StorageError, match="sealed records in a database here and it is gone"):
        open_db(path, create=True)
    other = tmp_path / "elsewhere" / "r.db"
    other.parent.mkdir()
    fresh = open_db(other, create=True)
    admin_of(fresh)
    fresh.conn.close()
    shutil.copy(other, path)
    rc, text = _verify(path, capsys)
    assert rc == 1 and "wiped or replaced" in text, text
    # the key and its id both gone: the next save refuses instead of making a new key
    shutil.copy(tmp_path / "kept.db", path)
    conn = _raw(path)
    conn.execute("delete from meta")
    conn.commit()
    conn.close()
    chain_key.unlink()
    db = open_db(path)
    with pytest.raises(StorageError, match="chain key is missing"):
        _saved(db, sign_in(db, "sgt", "instructor-pw"), 1)
    assert not chain_key.exists()


def test_trainees_accounts_and_the_audit_log_are_sealed(tmp_path, capsys):
    from app.pipeline.report_gather import verified
    path, ids, ann, bob = _world(tmp_path)
    db = open_db(path)
    update_trainee(db, admin_of(db), bob, unit="2nd")  # a change through the app stays sealed
    db.conn.close()
    assert _verify(path, capsys)[0] == 0
    cases = {
        "a trainee's sex and birth year": ("update trainees set sex = 'male', birth_year = 1960 where id = ?", [ann],
                                           "trainee 1 (Ann): changed behind the app's back: sex 'female' -> 'male'"),
        "a trainee renamed": ("update trainees set name = 'Zed' where id = ?", [bob], "trainee 2 (Zed)"),
        "an account made admin": ("update users set role = 'admin' where username = 'sgt'", [],
                                  "role 'instructor' -> 'admin'"),
        "a password hash swapped": ("update users set secret = 'scrypt$1$1$1$00$00' where username = 'sgt'", [],
                                    "secret_sha256"),
        "an account planted": (PLANT_USER, [], "'evil' added behind the app's back"),
        "audit rows deleted": ("delete from audit where action = 'add_trainee'", [], "audit"),
        "an audit row edited": ("update audit set username = 'someone' where action = 'save_session'", [],
                                "altered"),
    }
    for k, (name, (sql, args, expect)) in enumerate(cases.items()):
        case = tmp_path / f"case{k}" / "r.db"
        case.parent.mkdir()
        shutil.copy(path, case)
        shutil.copy(head_path(path), head_path(case))
        conn = _raw(case)
        conn.execute(sql, args)
        conn.commit()
        conn.close()
        rc, text = _verify(case, capsys)
        assert rc == 1 and expect in text, (name, text)
    case = tmp_path / "case0" / "r.db"  # the sex change: Ann's results are no longer "verified"
    check = verified(open_db(case, read_only=True))
    assert check.status(ids[0], ann).startswith("FAILED") and "trainee" in check.status(ids[0], ann)


def test_names_are_one_spelling_without_hidden_characters(tmp_path):
    db = open_db(tmp_path / "n.db", create=True)
    admin = admin_of(db)
    nfc = "Jos\u00e9"
    first = add_trainee(db, admin, nfc)
    for twin in ("Jose\u0301", "JOS\u00c9", " jos\u00e9 "):  # NFD, capitals, spaces: the same person
        with pytest.raises(StorageError, match="already exists"):
            add_trainee(db, admin, twin)
        assert get_or_add_trainee(db, admin, twin) == first
    for bad in ("Ann\nFake row 99", "Ann\u200bLee", "Bo\x00b", "\u202eevil"):
        with pytest.raises(StorageError, match="control or invisible"):
            add_trainee(db, admin, bad)
    with pytest.raises(AccessError, match="control or invisible"):
        add_user(db, admin, "a\u200bdmin", "instructor", "long-password-1")


def test_staff_need_passwords_and_wrong_ones_are_audited_then_locked(tmp_path):
    db = open_db(tmp_path / "s.db", create=True)
    admin = admin_of(db)
    for secret, pin, msg in (("0000", True, "needs a password"), ("12345678901", False, "digits only"),
                             ("short-pw", False, "at least 10")):
        with pytest.raises(AccessError, match=msg):
            add_user(db, admin, "sgt", "instructor", secret, pin=pin)
    tid = add_trainee(db, admin, "Ann")
    with pytest.raises(AccessError, match="one digit repeated"):
        add_user(db, admin, "ann", "trainee", "0000", pin=True, trainee_id=tid)
    add_user(db, admin, "sgt", "instructor", "instructor-pw")
    for _ in range(5):
        with pytest.raises(AccessError, match="not right"):
            sign_in(db, "sgt", "guess")
    with pytest.raises(AccessError, match="too many wrong passwords"):
        sign_in(db, "sgt", "instructor-pw")  # locked: even the right one waits
    with pytest.raises(AccessError, match="not right"):
        sign_in(db, "nobody", "guess")
    actions = [r["action"] for r in list_audit(db, admin, 20)]
    assert actions.count("sign_in_failed") == 6 and "sign_in_refused" in actions
    set_disabled(db, admin, sign_in_id(db, "sgt"), False)  # an admin unlocks it
    assert sign_in(db, "sgt", "instructor-pw").role == "instructor"
    assert verify_records(db).ok  # the counters are not sealed state; the audit rows are


def sign_in_id(db, name):
    return db.execute("select id from users where username = ?", [name]).fetchone()[0]


def test_the_database_and_the_key_folder_are_owner_only(tmp_path, chain_key):
    path, *_ = _world(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(chain_key.stat().st_mode) == 0o600
    assert stat.S_IMODE((chain_key.parent / "heads").stat().st_mode) == 0o700
    assert stat.S_IMODE(chain_key.parent.stat().st_mode) == 0o700
    from app.capture.recorder import SessionRecorder
    rec = SessionRecorder(tmp_path / "recordings" / "t1", 30.0, (64, 48))
    rec.close()
    assert stat.S_IMODE((tmp_path / "recordings" / "t1").stat().st_mode) == 0o700
    os.chmod(path, 0o644)  # a file made by an older version: tightened at the next open
    open_db(path).conn.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reads_work_on_read_only_media_and_nothing_says_restore_a_backup(tmp_path):
    """A database on a read-only filesystem (a bind mount made read-only in a private mount
    namespace): listings, verify and reports work; a save says it cannot write there."""
    import subprocess
    import sys
    _world(tmp_path)
    mnt = tmp_path / "ro"
    mnt.mkdir()
    mount = f"mount --bind {tmp_path} {mnt} && mount -o remount,bind,ro {mnt}"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", mount], check=False, capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here ({probe.stderr.decode().strip()[:80]})")
    env = {**os.environ, "DRILLSCORE_USER": "admin", "DRILLSCORE_PASSWORD": "admin-secret"}
    ro_db = mnt / "r.db"
    commands = {
        "verify": ["verify", "--db", str(ro_db)],
        "sessions": ["db", "sessions", "--db", str(ro_db)],
        "report": ["report", "session", "1", "--out", str(tmp_path.parent / "ro-report.csv"), "--db", str(ro_db)],
        "save": ["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--save", "--trainee", "Ann", "--db", str(ro_db)],
    }
    runs = {}
    for name, argv in commands.items():
        script = f"{mount} && {sys.executable} -m app {' '.join(argv)}"
        runs[name] = subprocess.run(["unshare", "-rm", "sh", "-c", script], check=False, capture_output=True,
                                    text=True, env=env, timeout=120)
    assert runs["verify"].returncode == 0 and "all as sealed" in runs["verify"].stdout, runs["verify"].stderr
    assert runs["sessions"].returncode == 0 and "Ann" in runs["sessions"].stdout
    assert runs["report"].returncode == 0 and "not logged" in runs["report"].stderr
    assert runs["save"].returncode == 2 and "cannot be written here" in runs["save"].stderr
    assert not any("restore" in r.stderr for r in runs.values())
