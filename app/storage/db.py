"""The SQLite store: schema migrations, WAL, and repository functions.

One session is written in one transaction (session row, its reps, its pose track), so a
crash leaves either the whole session or none of it. Pose tracks are stored as compressed
.npz bytes so they read back bit-identical.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlite_utils
from sqlite_utils.migrations import Migrations

from app.core.judgement import Judgement
from app.core.judgement_json import from_dict, to_dict
from app.core.types import PoseTrack
from app.storage.audit import audit
from app.storage.chain import ChainError, seal
from app.storage.errors import AccessError, ReadOnlyError, StorageError, locked_or
from app.storage.location import database_path
from app.storage.names import NameError_, clean_name, look_alike
from app.storage.roles import ADMIN, INSTRUCTOR, Actor, can_see_trainee, require

__all__ = ["AccessError", "StorageError", "open_db"]

migrations = Migrations("drillscore")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["trainees"].create({"id": int, "name": str, "sex": str, "birth_year": int, "unit": str, "archived": int,
                           "created": str}, pk="id", not_null={"name"}, defaults={"archived": 0})
    db["trainees"].create_index(["name"], unique=True)
    db["sessions"].create({"id": int, "trainee_id": int, "exercise": str, "view": str, "started": str,
                           "frames": int, "fps": float, "duration_s": float, "count_total": int,
                           "count_standard": int, "score": float, "source": str, "result_json": str},
                          pk="id", foreign_keys=[("trainee_id", "trainees", "id")])
    db["reps"].create({"id": int, "session_id": int, "n": int, "start_frame": int, "end_frame": int,
                       "standard": int, "p_standard": float, "reasons": str, "measures": str},
                      pk="id", foreign_keys=[("session_id", "sessions", "id")])
    db["tracks"].create({"session_id": int, "npz": bytes}, pk="session_id",
                        foreign_keys=[("session_id", "sessions", "id")])
    db["models_used"].create({"session_id": int, "name": str, "sha256": str}, pk=("session_id", "name"),
                             foreign_keys=[("session_id", "sessions", "id")])


@migrations()
def m002_session_recording(db: sqlite_utils.Database) -> None:
    # the folder the live test was recorded into while it ran (video + pose journal), if any
    db["sessions"].add_column("recording", str)


APPEND_ONLY = ("sessions", "reps", "tracks", "models_used", "chain", "audit")


def _sealed_here(db: sqlite_utils.Database) -> bool:
    from app.storage.heads import head_path, known_at
    path = database_path(db)
    return head_path(path).exists() or known_at(path)


@migrations()
def m003_accounts_audit_chain(db: sqlite_utils.Database) -> None:
    # accounts and roles (app.storage.accounts), the audit log (app.storage.audit), the HMAC
    # chain sealing every result (app.storage.chain); who saved a session and what it corrects
    if "saved_by" in db["sessions"].columns_dict or _sealed_here(db):
        # the seal's own tables were removed from a sealed database: never rebuild and re-seal
        raise ChainError(f"{database_path(db)}: this database was sealed before and its seal tables were removed; "
                         "restore the database from a backup")
    db["users"].create({"id": int, "username": str, "role": str, "secret": str, "pin": int, "trainee_id": int,
                        "disabled": int, "created": str}, pk="id", not_null={"username", "role", "secret"},
                       foreign_keys=[("trainee_id", "trainees", "id")])
    db.execute("create unique index users_username on users (username collate nocase)")
    db["audit"].create({"id": int, "at": str, "user_id": int, "username": str, "action": str, "target": str,
                        "detail": str}, pk="id")
    db["chain"].create({"seq": int, "session_id": int, "kind": str, "at": str, "payload": str, "mac": str},
                       pk="seq")
    db["meta"].create({"name": str, "value": str}, pk="name")
    for col, kind in (("saved_by", int), ("corrects", int), ("correction_reason", str)):
        db["sessions"].add_column(col, kind)
    db["sessions"].create_index(["corrects"])     # "corrected by" in every session list
    db["sessions"].create_index(["trainee_id"])   # a trainee's history, a unit's report
    # Records are never edited or deleted in place: a correction is a new session (correct_session)
    for t in APPEND_ONLY:
        for op in ("update", "delete"):
            db.conn.execute(f"create trigger {t}_no_{op} before {op} on {t} begin select raise(abort, "
                            f"'DrillScore records are append-only: save a correction instead'); end")


@migrations()
def m004_sealed_ledger(db: sqlite_utils.Database) -> None:
    # Each chain entry keeps the MAC it chains to (checkable after a gap); the audit log is a
    # sealed chain too (app.storage.ledger) vouching for the trainees and accounts; failed
    # sign-ins are counted per account (app.storage.accounts).
    from app.storage.heads import audit_sealed_here
    path = database_path(db)
    if "mac" in db["audit"].columns_dict or audit_sealed_here(path):
        raise ChainError(f"{path}: this database's audit log was sealed before and its seal was removed; "
                         "restore the database from a backup")
    db["chain"].add_column("prev", str)
    db["audit"].add_column("mac", str)
    db["audit"].add_column("prev", str)
    db["users"].add_column("failed_signins", int)
    db["users"].add_column("locked_until", str)
    conn = db.conn
    adopt_sessions = [] if conn.execute("select 1 from chain limit 1").fetchone() or _sealed_here(db) else \
        [r[0] for r in conn.execute("select id from sessions order by id")]
    has_people = conn.execute("select 1 from trainees limit 1").fetchone() or \
        conn.execute("select 1 from users limit 1").fetchone()
    if not adopt_sessions and not has_people:
        return  # a new database: nothing to adopt
    from app.storage.ledger import snapshot
    for sid in adopt_sessions:  # results saved before the chain existed, sealed as they are
        seal(conn, sid, path.parent, kind="adopted")
    # the trainees and accounts as they are at the upgrade: the sealed audit log starts here
    audit(conn, None, "adopt_records", "records", {**snapshot(conn), "sessions": len(adopt_sessions)})


KNOWN_MIGRATIONS = ("m001_initial", "m002_session_recording", "m003_accounts_audit_chain", "m004_sealed_ledger")


def open_db(path: str | Path, *, create: bool = False, read_only: bool = False) -> sqlite_utils.Database:
    """Open and migrate the database at `path` (WAL mode). create: make it when there is no
    file (only `db init` and the first-run flow do). read_only: open for reading only (verify,
    listings): never migrates or writes anything, and works on read-only media."""
    p = Path(path)
    if p.exists() and p.is_dir():
        raise StorageError(f"{p}: is a folder; give a database file path")
    if not p.exists():
        _create_file(p, create and not read_only)
    elif p.stat().st_size == 0:
        raise StorageError(f"{p}: the file is empty (0 bytes), not a DrillScore database; restore it from a backup, "
                           "or delete it and run `drillscore db init`")
    elif not p.is_file():
        raise StorageError(f"{p}: is not a regular file; give a database file path")
    conn = None
    try:
        conn = _connect_read_only(p) if read_only else sqlite3.connect(str(p), timeout=5.0)
        db = sqlite_utils.Database(conn)
        applied = [m.name for m in migrations.applied(db)]
        unknown = sorted(set(applied) - set(KNOWN_MIGRATIONS))
        if unknown:
            raise StorageError(f"{p}: made by a newer DrillScore (it has {', '.join(unknown)}); update DrillScore "
                               "to open it")
        if read_only:
            if not applied:
                raise StorageError(f"{p}: not a DrillScore database (it has none of its tables); check --db")
            pending = [m.name for m in migrations.pending(db)]
            if pending:
                raise StorageError(f"{p}: its tables are older than this DrillScore (missing {', '.join(pending)}); "
                                   "open it once with `drillscore db init --db FILE` to upgrade it")
        else:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            upgraded = bool(migrations.pending(db))
            migrations.apply(db)
            if upgraded:  # what a migration sealed gets its heads once its transaction is committed
                from app.storage.heads import refresh
                refresh(conn)
            _owner_only(p)
    except ChainError as e:
        _close(conn)
        raise StorageError(str(e)) from None
    except StorageError:
        _close(conn)
        raise
    except sqlite3.DatabaseError as e:
        _close(conn)
        raise _open_error(p, e) from None
    return db


def _create_file(p: Path, create: bool) -> None:
    """A new, owner-only database file; refused where it must not be made."""
    from app.storage.heads import known_at
    if not create:
        raise StorageError(f"{p}: no such database; check --db (a new one is made by `drillscore db init --db {p}`)")
    if not p.parent.exists():
        raise StorageError(f"{p}: folder {p.parent} does not exist; create it or choose another --db")
    if known_at(p):
        raise StorageError(f"{p}: this installation sealed records in a database here and it is gone; put it back "
                           "from your backup (or start a new one with `drillscore db init --start-over`)")
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # made by another process at the same moment: open theirs
    except OSError as e:
        raise StorageError(f"{p}: cannot create the database ({e.strerror}); choose a writable folder") from None


def _connect_read_only(p: Path) -> sqlite3.Connection:
    uri = p.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5.0)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # read-only media: the WAL's shared-memory file cannot be made beside it; a database
        # there cannot change under us, so read it as immutable
        conn.close()
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=5.0)


def _owner_only(p: Path) -> None:
    """Results and password hashes are for this user's eyes: 0600 (also on a file made before)."""
    for f in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        try:
            if f.exists() and f.stat().st_mode & 0o077:
                os.chmod(f, 0o600)
        except OSError:
            pass  # not ours to change (another user's file, read-only media): reading still works


def _close(conn) -> None:
    if conn is not None:
        conn.close()


def _open_error(p: Path, e: sqlite3.DatabaseError) -> StorageError:
    msg = str(e)
    if "locked" in msg or "busy" in msg:
        return StorageError(f"{p}: the database is locked by another program; close it and try again")
    if "readonly" in msg or "read-only" in msg or "unable to open" in msg:
        return ReadOnlyError(f"{p}: the database cannot be written here ({msg}); reading works (`drillscore db "
                            "sessions`, `drillscore verify`); to save, copy it to a writable folder")
    return StorageError(f"{p}: not a usable DrillScore database ({msg}); choose another --db or restore a backup")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def track_to_bytes(track: PoseTrack) -> bytes:
    buf = io.BytesIO()
    extra = {k: v for k, v in (("exercise", track.exercise), ("view", track.view)) if v}
    np.savez_compressed(buf, keypoints=track.keypoints, fps=np.float64(track.fps),
                        size=np.array(track.size, np.int64), **extra)
    return buf.getvalue()


def track_from_bytes(data: bytes) -> PoseTrack:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        ex = str(z["exercise"]) if "exercise" in z.files else None
        vw = str(z["view"]) if "view" in z.files else None
        return PoseTrack(z["keypoints"], float(z["fps"]), tuple(int(v) for v in z["size"]), ex, vw)


STAFF = (ADMIN, INSTRUCTOR)


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> int:
    # Plain SQL on purpose: sqlite-utils' insert commits on its own, which would break the
    # one-transaction-per-write guarantee (the row, its audit entry, its chain entry).
    cols = ", ".join(f"[{k}]" for k in row)
    marks = ", ".join("?" for _ in row)
    return int(conn.execute(f"insert into [{table}] ({cols}) values ({marks})", list(row.values())).lastrowid)


def _write(db: sqlite_utils.Database, what: str, job):
    """Run job(conn) in one transaction; the errors a user can act on become StorageError."""
    conn = db.conn
    try:
        with conn:  # commits on success, rolls everything back on any exception
            out = job(conn)
        from app.storage.heads import refresh
        refresh(conn)  # the heads follow the commit (what it sealed: a chain entry, audit rows)
        return out
    except sqlite3.OperationalError as e:
        raise locked_or(e, what) from None
    except sqlite3.IntegrityError as e:
        raise StorageError(f"refused by the database ({e}); {what}") from None
    except ChainError as e:
        raise StorageError(f"{e}; {what}") from None


def verify_records(db: sqlite_utils.Database):
    """-> app.storage.chain.VerifyReport for this database and its recordings (ChainError when
    the installation key is missing or foreign)."""
    from app.storage.chain import verify
    return verify(db.conn, database_path(db))


# --- trainees --------------------------------------------------------------------------------

TRAINEE_FIELDS = ("name", "sex", "birth_year", "unit")


def _trainee_row(conn: sqlite3.Connection, trainee_id: int) -> tuple:
    row = conn.execute("select id, name from trainees where id = ?", [trainee_id]).fetchone()
    if row is None:
        raise StorageError(f"no trainee {trainee_id}; pick one from the list or add the trainee first")
    return row


def find_trainee(db: sqlite_utils.Database, actor: Actor, name: str) -> dict:
    """The trainee called `name` (as the actor may see them); StorageError naming close matches."""
    key = look_alike(name)
    rows = [t for t in list_trainees(db, actor, include_archived=True) if look_alike(t["name"]) == key]
    if rows:
        return rows[0]
    known = [t["name"] for t in list_trainees(db, actor, include_archived=True)]
    near = [n for n in known if name.strip().lower()[:3] in n.lower()][:3]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise StorageError(f"no trainee named {name!r}{hint}; list them with `drillscore db trainees`")


def get_or_add_trainee(db: sqlite_utils.Database, actor: Actor, name: str, sex: str | None = None,
                       birth_year: int | None = None, unit: str | None = None) -> int:
    if not (name or "").strip():
        raise StorageError("trainee name is empty; give --trainee NAME")
    require(actor, *STAFF, to="add trainees")
    name = _check_trainee({"name": name})["name"]
    key = look_alike(name)
    row = next((tid for tid, stored in db.execute("select id, name from trainees").fetchall()
                if look_alike(stored) == key), None)
    if row is not None:
        return int(row)
    return add_trainee(db, actor, name, sex, birth_year, unit)


def list_trainees(db: sqlite_utils.Database, actor: Actor, include_archived: bool = False) -> list[dict]:
    """The roster; a trainee sees only themselves."""
    where = [] if include_archived else ["archived = 0"]
    args: list = []
    if actor.role not in STAFF:
        where.append("id = ?")
        args.append(actor.trainee_id)
    clause = f" where {' and '.join(where)}" if where else ""
    return [dict(r) for r in db.query(f"select id, name, sex, birth_year, unit, archived from trainees{clause} "
                                      "order by name collate nocase", args)]


def _check_trainee(fields: dict) -> dict:
    out = {k: v for k, v in fields.items() if k in TRAINEE_FIELDS}
    try:
        if "name" in out:
            out["name"] = clean_name(out["name"], "trainee name")
        if out.get("unit") not in (None, ""):
            out["unit"] = clean_name(out["unit"], "unit")
    except NameError_ as e:
        raise StorageError(str(e)) from None
    if out.get("sex") not in (None, "", "male", "female"):
        raise StorageError(f"sex must be male or female, got {out['sex']!r}")
    year = out.get("birth_year")
    if year not in (None, ""):
        try:
            out["birth_year"] = int(year)
        except (TypeError, ValueError):
            raise StorageError(f"birth year {year!r} is not a year; give a four-digit year") from None
        if not 1900 <= out["birth_year"] <= datetime.now(UTC).year:
            raise StorageError(f"birth year {year} is not plausible; give a four-digit year")
    return out


def _name_taken(conn: sqlite3.Connection, name: str, other_than: int | None = None) -> str | None:
    """The stored name that looks the same as `name` (another trainee's), if any."""
    key = look_alike(name)
    for tid, stored in conn.execute("select id, name from trainees"):
        if tid != other_than and look_alike(stored) == key:
            return stored
    return None


def add_trainee(db: sqlite_utils.Database, actor: Actor, name: str, sex: str | None = None,
                birth_year: int | None = None, unit: str | None = None) -> int:
    """A new trainee (admins; instructors too, on the spot before a test); StorageError when the
    name is taken (names identify trainees on reports)."""
    require(actor, *STAFF, to="add trainees")
    row = _check_trainee({"name": name, "sex": sex or None, "birth_year": birth_year or None, "unit": unit or None})

    def job(conn: sqlite3.Connection) -> int:
        taken = _name_taken(conn, row["name"])
        if taken is not None:
            same = "" if taken == row["name"] else f" (it looks the same as {row['name']!r})"
            raise StorageError(f"a trainee named {taken!r} already exists{same}; choose another name or edit that one")
        tid = _insert(conn, "trainees", {**row, "archived": 0, "created": _now()})
        audit(conn, actor, "add_trainee", f"trainee {tid}", row)
        return tid
    return _write(db, "the trainee was not added", job)


def update_trainee(db: sqlite_utils.Database, actor: Actor, trainee_id: int, **fields) -> None:
    require(actor, ADMIN, to="edit trainees")
    row = _check_trainee(fields)

    def job(conn: sqlite3.Connection) -> None:
        _trainee_row(conn, trainee_id)
        taken = _name_taken(conn, row["name"], trainee_id) if "name" in row else None
        if taken is not None:
            raise StorageError(f"a trainee named {taken!r} already exists; choose another name")
        vals = {k: (v if v != "" else None) for k, v in row.items()}
        if vals:
            conn.execute(f"update trainees set {', '.join(f'[{k}] = ?' for k in vals)} where id = ?",
                         [*vals.values(), trainee_id])
        audit(conn, actor, "update_trainee", f"trainee {trainee_id}", vals)
    _write(db, "the change was not saved", job)


def archive_trainee(db: sqlite_utils.Database, actor: Actor, trainee_id: int, archived: bool = True) -> None:
    """Archived trainees leave the pickers; their sessions stay (records are never deleted)."""
    require(actor, ADMIN, to="archive trainees")

    def job(conn: sqlite3.Connection) -> None:
        _trainee_row(conn, trainee_id)
        conn.execute("update trainees set archived = ? where id = ?", [int(archived), trainee_id])
        audit(conn, actor, "archive_trainee" if archived else "restore_trainee", f"trainee {trainee_id}", {})
    _write(db, "the change was not saved", job)


# --- sessions --------------------------------------------------------------------------------

def save_session(db: sqlite_utils.Database, actor: Actor, trainee_id: int, judgement: Judgement, track: PoseTrack,
                 source: str = "", recording: str | None = None, corrects: int | None = None,
                 reason: str | None = None, started: str | None = None) -> int:
    """Store and seal one judged session in ONE transaction: the session row, its reps, its
    pose track, the hashes of the models that judged it (judgement.models), its chain entry
    and its audit entry. recording: the folder of the live test's video and journal
    (app.capture.recorder), if there is one."""
    require(actor, *STAFF, to="save tests")
    result = to_dict(judgement)
    models = judgement.models
    folder = database_path(db).parent
    if recording and Path(recording).is_absolute() and Path(recording).is_relative_to(folder):
        # kept relative to the database: the folder moves (or is restored) as one piece and still verifies
        recording = str(Path(recording).relative_to(folder))

    def job(conn: sqlite3.Connection) -> int:
        _trainee_row(conn, trainee_id)
        sid = _insert(conn, "sessions", {
            "trainee_id": trainee_id, "exercise": result["exercise"], "view": result.get("view"),
            "started": started or _now(), "frames": result["frames"], "fps": result["fps"],
            "duration_s": result["duration_s"], "count_total": result["count_total"],
            "count_standard": result["count_standard"],
            "score": (result.get("score") or {}).get("points"), "source": source,
            "result_json": json.dumps(result), "recording": recording, "saved_by": actor.user_id,
            "corrects": corrects, "correction_reason": reason})
        for r in result["reps"]:
            _insert(conn, "reps", {
                "session_id": sid, "n": r["n"], "start_frame": r["start_frame"], "end_frame": r["end_frame"],
                "standard": int(r["standard"]), "p_standard": r["p_standard"],
                "reasons": json.dumps(r["reasons"]), "measures": json.dumps(r.get("measures", {}))})
        _insert(conn, "tracks", {"session_id": sid, "npz": track_to_bytes(track)})
        for name, sha in (models or {}).items():
            _insert(conn, "models_used", {"session_id": sid, "name": name, "sha256": sha})
        seal(conn, sid, folder, "correction" if corrects else "result")
        audit(conn, actor, "correct_session" if corrects else "save_session", f"session {sid}",
              {"trainee_id": trainee_id, "corrects": corrects, "reason": reason,
               "count_standard": result["count_standard"]})
        return sid
    return _write(db, "nothing was saved", job)


def _session_row(db: sqlite_utils.Database, actor: Actor, session_id: int) -> dict:
    row = db.execute("select id, trainee_id, recording, started, source from sessions where id = ?",
                     [session_id]).fetchone()
    if row is None:
        raise StorageError(f"no session {session_id}; list them with `drillscore db sessions`")
    if not can_see_trainee(actor, row[1]):
        raise AccessError(f"{actor} may see only their own sessions; session {session_id} is someone else's")
    return dict(zip(("id", "trainee_id", "recording", "started", "source"), row, strict=True))


def correct_session(db: sqlite_utils.Database, actor: Actor, session_id: int, judgement: Judgement,
                    reason: str) -> int:
    """A correction is a new sealed session that references the one it corrects, with the
    reason; the old record stays as it was. Corrections go to the newest version."""
    require(actor, *STAFF, to="correct results")
    reason = (reason or "").strip()
    if not reason:
        raise StorageError("a correction needs a reason (what the grader saw); give --reason TEXT")
    old = _session_row(db, actor, session_id)
    newer = db.execute("select id from sessions where corrects = ? order by id desc limit 1", [session_id]).fetchone()
    if newer:
        raise StorageError(f"session {session_id} was corrected already by session {newer[0]}; correct that one")
    _, track = load_session(db, actor, session_id)
    # the models that judged the original judge the correction too (the grader changed a verdict, not a model)
    used = dict(db.execute("select name, sha256 from models_used where session_id = ?", [session_id]).fetchall())
    return save_session(db, actor, old["trainee_id"], judgement.with_models(used), track, source=old["source"],
                        recording=old["recording"], corrects=session_id, reason=reason, started=old["started"])


def load_session(db: sqlite_utils.Database, actor: Actor, session_id: int) -> tuple[Judgement, PoseTrack]:
    """-> (stored judgement, pose track) exactly as saved; StorageError for a damaged record."""
    _session_row(db, actor, session_id)
    row = db.execute("select s.result_json, cast(t.npz as blob) from sessions s left join tracks t on t.session_id = s.id "
                     "where s.id = ?", [session_id]).fetchone()
    try:
        if row[1] is None:
            raise ValueError("its pose track is missing")
        return from_dict(json.loads(row[0])), track_from_bytes(row[1])
    except (ValueError, TypeError, KeyError, OSError, EOFError) as e:
        why = str(e).splitlines()[0][:80] if str(e) else type(e).__name__
        raise StorageError(f"session {session_id}: the stored record is damaged ({why}); run `drillscore verify` "
                           "and restore the database from a backup") from None


def list_sessions(db: sqlite_utils.Database, actor: Actor, trainee: str | None = None) -> list[dict]:
    """Sessions as the actor may see them (a trainee: their own), oldest first, with
    `corrected_by`: the session that corrects each one (None for the current version)."""
    sql = ("select s.id, t.name as trainee, s.trainee_id, t.unit, s.exercise, s.started, s.count_total, "
           "s.count_standard, s.score, s.duration_s, s.recording, s.corrects, s.correction_reason, "
           "(select max(c.id) from sessions c where c.corrects = s.id) as corrected_by "
           "from sessions s join trainees t on t.id = s.trainee_id")
    where, args = [], []
    if trainee:
        where.append("t.name = ?")
        args.append(trainee)
    if actor.role not in STAFF:
        where.append("s.trainee_id = ?")
        args.append(actor.trainee_id)
    if where:
        sql += " where " + " and ".join(where)
    from app.storage.chain import recording_folder
    folder = database_path(db).parent
    rows = [dict(r) for r in db.query(sql + " order by s.id", args)]
    for r in rows:
        r["recording"] = str(recording_folder(r["recording"], folder)) if r["recording"] else None
    return rows


def record_event(db: sqlite_utils.Database, actor: Actor, action: str, target: str, detail: dict) -> None:
    """Something done outside the tables that the log must show (a recording dismissed)."""
    _write(db, "it was done but not logged", lambda conn: audit(conn, actor, action, target, detail))


def record_export(db: sqlite_utils.Database, actor: Actor, what: str, path: str | Path) -> None:
    """A report or export left the database: who made which one, into which file (audited).
    what: e.g. 'unit report 1st (pdf)'."""
    def job(conn: sqlite3.Connection) -> None:
        audit(conn, actor, "export", what, {"file": str(path)})
    _write(db, "the export was written but not logged", job)
