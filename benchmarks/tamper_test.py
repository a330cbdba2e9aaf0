"""Random tampering behind the app's back: does `verify` catch every change, naming the record?

    .venv/bin/python benchmarks/tamper_test.py [--trials 300] [--seed 0]

Builds one sealed database (14 sessions of the demo track, 4 of them with a live recording:
pose journal, Motion-JPEG video, events) the way the app writes it. Each trial copies the
database, its head file and the recordings, then does ONE random thing an attacker with the
files (but not the installation key) could do: edit any stored field of a session or a rep,
add or delete reps, flip a byte of a pose track, edit / add / delete a model hash, delete a
session (with or without its chain entry and audit row), swap two sessions' ids, reorder,
delete or re-write chain entries, edit / truncate / delete / add a recording file, delete a
recording folder, insert a forged session; and (issue 20) edit a trainee, edit / plant /
delete an account, edit or delete audit rows, strip the seal's tables so a migration would
re-run, delete an entry and forge the one after it, wipe the chain and key id, put a fresh
database in place, plant a recording folder (judged by recovery: never offered or saved). The
attacker drops the append-only triggers first. A trial is DETECTED when verify reports a problem and, where the change belongs to a
session, names that session. Prints one line per kind and the totals (JSON).

Also a rollback, reported apart: the attacker deletes the newest 1-3 sessions with their chain
entries and audit rows AND puts back the database folder's head file as it was before those
sessions were saved (what restoring an old copy of the folder does). The head kept beside the
installation key catches it; someone who can write the key's folder can forge anything, so
that is the boundary of what a local check can promise.
tests/test_records.py runs a fixed catalogue; tests/test_tamper_random.py runs this one briefly.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SESSION_COLS = ("trainee_id", "exercise", "view", "started", "frames", "fps", "duration_s", "count_total",
                "count_standard", "score", "source", "recording", "saved_by", "corrects", "correction_reason",
                "result_json")
REP_COLS = ("n", "start_frame", "end_frame", "standard", "p_standard", "reasons", "measures")


def build(work: Path) -> tuple[Path, list[int]]:
    """The sealed database every trial starts from -> (its path, session ids)."""
    import numpy as np

    from app.capture.recorder import SessionRecorder
    from app.paths import demo_track
    from app.pipeline.judge import JudgeRequest, judge
    from app.pipeline.recovery import seal_recording
    DEMO_TRACK = demo_track()
    from app.core.tracks import read_track
    from app.core.types import PoseTrack
    from app.storage.accounts import create_first_admin
    from app.storage.db import add_trainee, open_db, save_session
    from app.storage.heads import head_path
    db_path = work / "base" / "t.db"
    heads = db_path.parent / "heads"
    db_path.parent.mkdir(parents=True)
    db = open_db(db_path, create=True)
    admin = create_first_admin(db, "admin", "tamper-admin-pw")
    from app.storage.accounts import add_user
    add_user(db, admin, "sgt", "instructor", "tamper-instructor-pw")
    tids = [add_trainee(db, admin, n, "male", 2005, "1st") for n in ("Ann", "Bob", "Cy")]
    track = read_track(DEMO_TRACK)
    ids = []
    for k in range(14):
        frames = 200 + 35 * k
        part = PoseTrack(track.keypoints[:frames], track.fps, track.size, "pushup")
        rec = None
        if k % 4 == 1:  # a live test's recording folder, as the recorder writes it
            folder = db_path.parent / "recordings" / f"test{k:02d}"
            r = SessionRecorder(folder, track.fps, (96, 72), {"exercise": "pushup", "trainee": {"id": tids[k % 3]}},
                                seal=seal_recording)
            for i in range(60):
                r.frame(i, i / track.fps, np.full((72, 96, 3), (i * 9) % 250, np.uint8), part.keypoints[i])
            r.close()
            rec = str(folder)
        j = judge(part, JudgeRequest(exercise="pushup", view="side", classifier=False))
        ids.append(save_session(db, admin, tids[k % 3], j.with_models({"pose_paf": f"{k:02d}" * 32}), part,
                                source="tamper", recording=rec))
        heads.mkdir(exist_ok=True)
        shutil.copy(head_path(db_path), heads / f"after{k + 1}")  # for the rollback measurement
    db.conn.close()
    return db_path, ids


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger {name}")
    return conn


def _other(v, rng: random.Random):
    """A different value of the same kind (what a forger would write)."""
    if v is None:
        return rng.choice([1, "x"])
    if isinstance(v, bool | int):
        return v + rng.choice([-2, -1, 1, 3])
    if isinstance(v, float):
        return v + rng.choice([-0.5, 0.25, 1.0])
    if v.startswith(("{", "[")):
        i = rng.randrange(len(v))
        return v[:i] + (" " if v[i] != " " else "  ") + v[i:]  # same JSON meaning, other bytes
    return v + rng.choice(["x", " ", "0"])


def tamper(kind: str, conn: sqlite3.Connection, folder: Path, ids: list[int], rec_ids: list[int],
           rng: random.Random) -> int | None:
    """Do one `kind` of change -> the session verify must name (None: a chain-level finding)."""
    sid = rng.choice(ids)
    if kind == "edit a session field":
        col = rng.choice(SESSION_COLS)
        v = conn.execute(f"select [{col}] from sessions where id = ?", [sid]).fetchone()[0]
        conn.execute(f"update sessions set [{col}] = ? where id = ?", [_other(v, rng), sid])
        return sid
    if kind == "edit a rep field":
        rid, = rng.choice(conn.execute("select id from reps where session_id = ?", [sid]).fetchall())
        col = rng.choice(REP_COLS)
        v = conn.execute(f"select [{col}] from reps where id = ?", [rid]).fetchone()[0]
        conn.execute(f"update reps set [{col}] = ? where id = ?", [_other(v, rng), rid])
        return sid
    if kind == "delete a rep":
        conn.execute("delete from reps where id = (select id from reps where session_id = ? order by random() "
                     "limit 1)", [sid])
        return sid
    if kind == "add a rep":
        conn.execute("insert into reps (session_id, n, start_frame, end_frame, standard, reasons, measures) "
                     "values (?, 99, 1, 2, 1, '[]', '{}')", [sid])
        return sid
    if kind == "move a rep to another session":
        other = rng.choice([i for i in ids if i != sid])
        conn.execute("update reps set session_id = ? where id = (select id from reps where session_id = ? "
                     "order by random() limit 1)", [other, sid])
        return sid
    if kind == "flip a byte of a pose track":
        blob = bytearray(conn.execute("select npz from tracks where session_id = ?", [sid]).fetchone()[0])
        i = rng.randrange(len(blob))
        blob[i] ^= 1 << rng.randrange(8)
        conn.execute("update tracks set npz = ? where session_id = ?", [bytes(blob), sid])
        return sid
    if kind == "swap two pose tracks":
        _swap(conn, "tracks", "session_id", sid, rng.choice([i for i in ids if i != sid]))
        return sid
    if kind == "edit, add or delete a model hash":
        how = rng.choice(["edit", "add", "delete"])
        if how == "edit":
            conn.execute("update models_used set sha256 = 'ee' || substr(sha256, 3) where session_id = ?", [sid])
        elif how == "add":
            conn.execute("insert into models_used (session_id, name, sha256) values (?, 'classifier', 'ab')", [sid])
        else:
            conn.execute("delete from models_used where session_id = ?", [sid])
        return sid
    if kind == "delete a session":
        for t, k in (("reps", "session_id"), ("tracks", "session_id"), ("models_used", "session_id"),
                     ("sessions", "id")):
            conn.execute(f"delete from {t} where {k} = ?", [sid])
        if rng.random() < 0.5:
            conn.execute("delete from chain where session_id = ?", [sid])
        if rng.random() < 0.5:
            conn.execute("delete from audit where target = ?", [f"session {sid}"])
        return None if sid == ids[-1] else sid  # the newest one may only be caught at the chain's end
    if kind == "swap two sessions' ids":
        _swap(conn, "sessions", "id", sid, rng.choice([i for i in ids if i != sid]))
        return sid
    if kind == "reorder chain entries":
        _swap(conn, "chain", "seq", *rng.sample(range(1, len(ids) + 1), 2))
        return None
    if kind == "delete a chain entry":
        conn.execute("delete from chain where session_id = ?", [sid])
        return None if sid == ids[-1] else sid
    if kind == "re-seal an edit without the key":
        return _forge_count(conn, sid)
    if kind == "edit a recording file":
        sid = rng.choice(rec_ids)
        f = rng.choice(sorted(p for p in _folder(conn, sid, folder).iterdir() if p.is_file()))
        data = bytearray(f.read_bytes())
        if data and rng.random() < 0.7:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        else:
            data = data[: len(data) // 2]  # truncated
        f.write_bytes(bytes(data))
        return sid
    if kind == "delete or add a recording file":
        sid = rng.choice(rec_ids)
        d = _folder(conn, sid, folder)
        if rng.random() < 0.5:
            rng.choice(sorted(p for p in d.iterdir() if p.is_file())).unlink()
        else:
            (d / "extra.avi").write_bytes(b"RIFF")
        return sid
    if kind == "delete a recording folder":
        sid = rng.choice(rec_ids)
        shutil.rmtree(_folder(conn, sid, folder))
        return sid
    if kind == "edit a trainee's name, sex, birth year or unit":
        tid = rng.choice([1, 2, 3])
        col, val = rng.choice([("name", "Someone Else"), ("sex", "female"), ("birth_year", 1970), ("unit", "2nd")])
        conn.execute(f"update trainees set [{col}] = ? where id = ?", [val, tid])
        return ("trainee", tid)
    if kind == "edit, plant or delete an account":
        how = rng.choice(["role", "secret", "plant", "delete"])
        if how == "role":
            conn.execute("update users set role = 'admin' where username = 'sgt'")
        elif how == "secret":
            conn.execute("update users set secret = (select secret from users where username = 'admin') "
                         "where username = 'sgt'")
        elif how == "plant":
            conn.execute("insert into users (username, role, secret, pin, disabled) values ('evil', 'admin', 'x', 0, 0)")
        else:
            conn.execute("delete from users where username = 'sgt'")
        return None
    if kind == "edit or delete audit rows":
        rid = rng.choice([r[0] for r in conn.execute("select id from audit")])
        if rng.random() < 0.5:
            conn.execute("delete from audit where id = ?", [rid])
        else:
            conn.execute("update audit set detail = '{}' where id = ?", [rid])
        return None
    if kind == "strip the seal and re-run the migration":
        conn.execute("delete from _sqlite_migrations where name in ('m003_accounts_audit_chain', 'm004_sealed_ledger')")
        for t in ("chain", "audit", "users", "meta"):
            conn.execute(f"drop table {t}")
        conn.execute("update sessions set count_standard = count_standard + 5 where id = ?", [sid])
        return None
    if kind == "delete an entry and forge the one after it":
        later = rng.choice(ids[1:])
        conn.execute("delete from chain where session_id = ?", [later - 1])
        return _forge_count(conn, later)
    if kind == "wipe the chain and the key id":
        conn.execute("delete from chain")
        conn.execute("delete from meta")
        if rng.random() < 0.5:
            for t in ("reps", "tracks", "models_used", "sessions"):
                conn.execute(f"delete from {t}")
        return None
    if kind == "insert a forged session":
        new = conn.execute("insert into sessions (trainee_id, exercise, started, frames, fps, duration_s, count_total, "
                           "count_standard) values (1, 'pushup', '2026-01-01', 10, 30, 0.3, 50, 50)").lastrowid
        return int(new)
    raise ValueError(kind)


def _forge_count(conn: sqlite3.Connection, sid: int) -> int:
    """Five more standard reps in the session row AND in its sealed payload, written as the app
    writes payloads (only the MAC, which needs the key, is left as it was) -> sid."""
    conn.execute("update sessions set count_standard = count_standard + 5 where id = ?", [sid])
    payload = json.loads(conn.execute("select payload from chain where session_id = ?", [sid]).fetchone()[0])
    payload["count_standard"] += 5
    conn.execute("update chain set payload = ? where session_id = ?",
                 [json.dumps(payload, sort_keys=True, separators=(",", ":")), sid])
    return sid


def _swap(conn: sqlite3.Connection, table: str, col: str, a: int, b: int) -> None:
    """Exchange the rows whose `col` is a and b (through -1, the column being unique)."""
    conn.execute(f"update {table} set {col} = -1 where {col} = ?", [a])
    conn.execute(f"update {table} set {col} = ? where {col} = ?", [a, b])
    conn.execute(f"update {table} set {col} = ? where {col} = -1", [b])


def _folder(conn: sqlite3.Connection, sid: int, db_folder: Path) -> Path:
    rec = conn.execute("select recording from sessions where id = ?", [sid]).fetchone()[0]
    p = Path(rec)
    return p if p.is_absolute() else db_folder / p


KINDS = ("edit a session field", "edit a rep field", "delete a rep", "add a rep", "move a rep to another session",
         "flip a byte of a pose track", "swap two pose tracks", "edit, add or delete a model hash",
         "delete a session", "swap two sessions' ids", "reorder chain entries", "delete a chain entry",
         "re-seal an edit without the key", "edit a recording file", "delete or add a recording file",
         "delete a recording folder", "insert a forged session",
         # issue 20: what decides a result outside the session rows, and the chain's shape
         "edit a trainee's name, sex, birth year or unit", "edit, plant or delete an account",
         "edit or delete audit rows", "strip the seal and re-run the migration",
         "delete an entry and forge the one after it", "wipe the chain and the key id",
         "replace the database with a fresh one", "plant a recording folder")


def _copy(base: Path, dest: Path) -> Path:
    shutil.copytree(base.parent, dest)
    return dest / base.name


def trial(base: Path, ids: list[int], rec_ids: list[int], kind: str, rng: random.Random, dest: Path) -> dict:
    from app.storage.db import StorageError, open_db, verify_records
    from app.storage.heads import refresh
    path = _copy(base, dest)
    db = open_db(path)
    refresh(db.conn)  # this installation has sealed records at this path (as at the original's)
    db.conn.close()
    if kind == "plant a recording folder":
        return _planted(path, rec_ids, rng, dest)
    if kind == "replace the database with a fresh one":
        fresh = dest / "elsewhere" / base.name
        fresh.parent.mkdir()
        other = open_db(fresh, create=True)
        from app.storage.accounts import create_first_admin
        create_first_admin(other, "admin", "tamper-admin-pw")
        other.conn.close()
        shutil.copy(fresh, path)
        expect = None
    else:
        conn = _raw(path)
        expect = tamper(kind, conn, path.parent, ids, rec_ids, rng)
        conn.commit()
        conn.close()
    try:
        db = open_db(path, read_only=True)  # as `drillscore verify` opens it
    except StorageError as e:  # refused outright (a stripped seal, a replaced file): not "all as sealed"
        shutil.rmtree(dest)
        return {"kind": kind, "detected": True, "problems": [str(e)]}
    report = verify_records(db)
    db.conn.close()
    if isinstance(expect, tuple):
        ok = any(p.trainee == expect[1] for p in report.problems)
    else:
        ok = not report.ok and (expect is None or expect in report.failing_sessions())
    shutil.rmtree(dest)
    return {"kind": kind, "detected": ok, "problems": [str(p) for p in report.problems][:3]}


def _planted(path: Path, rec_ids: list[int], rng: random.Random, dest: Path) -> dict:
    """A recording folder put beside the real ones (a genuine one copied under a new name, or
    one with its meta edited): the next start must not offer it as recoverable, and recovering
    it must be refused (nothing saved)."""
    from app.pipeline.recovery import RecoveryError, find_unsaved, recover
    from app.storage.accounts import sign_in
    from app.storage.db import list_sessions, open_db
    db = open_db(path)
    actor = sign_in(db, "admin", "tamper-admin-pw")
    root = path.parent / "recordings"
    src = rng.choice(sorted(p for p in root.iterdir() if p.is_dir()))
    planted = root / "zz-planted"
    shutil.copytree(src, planted)
    if rng.random() < 0.5:  # edit who it was for, keeping the genuine seal file
        meta = json.loads((planted / "meta.json").read_text())
        meta["trainee"] = {"id": 2}
        (planted / "meta.json").write_text(json.dumps(meta))
    saved = {Path(r["recording"]) for r in list_sessions(db, actor) if r["recording"]}
    offered = {u.folder.name: u for u in find_unsaved(root, saved)}
    refused = "zz-planted" in offered and offered["zz-planted"].problem is not None
    try:
        recover(db, actor, planted, trainee_id=1)
        refused = False
    except RecoveryError:
        pass
    db.conn.close()
    shutil.rmtree(dest)
    return {"kind": "plant a recording folder", "detected": refused,
            "problems": [offered["zz-planted"].problem] if "zz-planted" in offered else []}


def rollback(base: Path, ids: list[int], k: int, dest: Path) -> dict:
    """Delete the newest k sessions with every trace (rows, chain entries, audit rows) and put
    back this installation's own head file as it was before they were saved."""
    from app.storage.db import open_db, verify_records
    from app.storage.heads import head_path
    path = _copy(base, dest)
    conn = _raw(path)
    for sid in ids[-k:]:
        for t, col in (("reps", "session_id"), ("tracks", "session_id"), ("models_used", "session_id"),
                       ("chain", "session_id"), ("audit", "target"), ("sessions", "id")):
            conn.execute(f"delete from {t} where {col} = ?", [f"session {sid}" if col == "target" else sid])
    conn.commit()
    conn.close()
    shutil.copy(base.parent / "heads" / f"after{len(ids) - k}", head_path(path))
    db = open_db(path, read_only=True)
    report = verify_records(db)
    db.conn.close()
    shutil.rmtree(dest)
    return {"sessions_removed": k, "detected": not report.ok, "problems": [str(p) for p in report.problems][:2]}


def run(trials: int, work: Path, seed: int = 0, say=print) -> dict:
    base, ids = build(work)
    conn = sqlite3.connect(base)
    rec_ids = [r[0] for r in conn.execute("select id from sessions where recording is not null")]
    conn.close()
    rng = random.Random(seed)
    per_kind: Counter = Counter()
    caught: Counter = Counter()
    missed = []
    for t in range(trials):
        kind = KINDS[t % len(KINDS)]
        r = trial(base, ids, rec_ids, kind, rng, work / f"trial{t}")
        per_kind[kind] += 1
        caught[kind] += r["detected"]
        if not r["detected"]:
            missed.append(r)
    for kind in KINDS:
        say(f"{kind:<48} {caught[kind]:>4} of {per_kind[kind]:<4} detected")
    rolls = [rollback(base, ids, k, work / f"rollback{k}") for k in (1, 2, 3)]
    say(f"{'rollback with the old head put back':<48} {sum(r['detected'] for r in rolls):>4} of {len(rolls):<4} "
        "detected")
    totals = {"trials": trials, "detected": sum(caught.values()), "missed": missed[:5],
              "rollbacks": len(rolls), "rollbacks_detected": sum(r["detected"] for r in rolls)}
    say(json.dumps(totals))
    return totals


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="drillscore-tamper-") as tmp:
        work = Path(tmp)
        os.environ["DRILLSCORE_KEY"] = str(work / "chain.key")
        run(args.trials, work, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
