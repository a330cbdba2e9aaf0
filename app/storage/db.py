"""The SQLite store: schema migrations, WAL, and repository functions.

One session is written in one transaction (session row, its reps, its pose track), so a
crash leaves either the whole session or none of it. Pose tracks are stored as compressed
.npz bytes so they read back bit-identical.
"""
from __future__ import annotations

import io
import json
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
from app.storage.chain import ChainError, seal, write_head
from app.storage.errors import AccessError, StorageError, locked_or
from app.storage.location import database_path
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


@migrations()
def m003_accounts_audit_chain(db: sqlite_utils.Database) -> None:
    # accounts and roles (app.storage.accounts), the audit log (app.storage.audit), the HMAC
    # chain sealing every result (app.storage.chain); who saved a session and what it corrects
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
    conn = db.conn
    from app.storage.audit import audit
    from app.storage.chain import seal
    path = database_path(db)
    last = None
    for (sid,) in conn.execute("select id from sessions order by id").fetchall():  # results saved before the chain
        last = seal(conn, sid, path.parent, kind="adopted")
    if last is not None:
        audit(conn, None, "adopt_sessions", "chain", {"sessions": last[1]})
    # Records are never edited or deleted in place: a correction is a new session (correct_session)
    for t in APPEND_ONLY:
        for op in ("update", "delete"):
            conn.execute(f"create trigger {t}_no_{op} before {op} on {t} begin select raise(abort, "
                         f"'DrillScore records are append-only: save a correction instead'); end")
    if last is not None:
        _pending_heads.append((path, last))


_pending_heads: list = []  # the chain head to write once the migration's transaction is committed


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`, in WAL mode."""
    p = Path(path)
    if p.exists() and p.is_dir():
        raise StorageError(f"{p}: is a folder; give a database file path")
    if not p.parent.exists():
        raise StorageError(f"{p}: folder {p.parent} does not exist; create it or choose another --db")
    try:
        conn = sqlite3.connect(str(p), timeout=5.0)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrations.apply(db)
        while _pending_heads:
            from app.storage.chain import write_head
            hp, sealed = _pending_heads.pop()
            write_head(hp, *sealed)
    except ChainError as e:
        raise StorageError(str(e)) from None
    except sqlite3.DatabaseError as e:
        msg = str(e)
        if "locked" in msg:
            raise StorageError(f"{p}: the database is locked by another program; close it and try again") from None
        raise StorageError(f"{p}: not a usable DrillScore database ({msg}); choose another --db or restore a backup") from None
    return db


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
            return job(conn)
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
    rows = [t for t in list_trainees(db, actor, include_archived=True) if t["name"].lower() == name.strip().lower()]
    if rows:
        return rows[0]
    known = [t["name"] for t in list_trainees(db, actor, include_archived=True)]
    near = [n for n in known if name.strip().lower()[:3] in n.lower()][:3]
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise StorageError(f"no trainee named {name!r}{hint}; list them with `drillscore db trainees`")


def get_or_add_trainee(db: sqlite_utils.Database, actor: Actor, name: str, sex: str | None = None,
                       birth_year: int | None = None, unit: str | None = None) -> int:
    name = name.strip()
    if not name:
        raise StorageError("trainee name is empty; give --trainee NAME")
    require(actor, *STAFF, to="add trainees")
    row = db.execute("select id from trainees where name = ?", [name]).fetchone()
    if row:
        return int(row[0])
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
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise StorageError("a trainee needs a name")
    if out.get("sex") not in (None, "", "male", "female"):
        raise StorageError(f"sex must be male or female, got {out['sex']!r}")
    year = out.get("birth_year")
    if year not in (None, "") and not 1900 <= int(year) <= datetime.now(UTC).year:
        raise StorageError(f"birth year {year} is not plausible; give a four-digit year")
    return out


def add_trainee(db: sqlite_utils.Database, actor: Actor, name: str, sex: str | None = None,
                birth_year: int | None = None, unit: str | None = None) -> int:
    """A new trainee (admins; instructors too, on the spot before a test); StorageError when the
    name is taken (names identify trainees on reports)."""
    require(actor, *STAFF, to="add trainees")
    row = _check_trainee({"name": name, "sex": sex or None, "birth_year": birth_year or None, "unit": unit or None})

    def job(conn: sqlite3.Connection) -> int:
        if conn.execute("select 1 from trainees where name = ?", [row["name"]]).fetchone():
            raise StorageError(f"a trainee named {row['name']!r} already exists; choose another name or edit that one")
        tid = _insert(conn, "trainees", {**row, "archived": 0, "created": _now()})
        audit(conn, actor, "add_trainee", f"trainee {tid}", row)
        return tid
    return _write(db, "the trainee was not added", job)


def update_trainee(db: sqlite_utils.Database, actor: Actor, trainee_id: int, **fields) -> None:
    require(actor, ADMIN, to="edit trainees")
    row = _check_trainee(fields)

    def job(conn: sqlite3.Connection) -> None:
        _trainee_row(conn, trainee_id)
        if "name" in row and conn.execute("select 1 from trainees where name = ? and id != ?",
                                          [row["name"], trainee_id]).fetchone():
            raise StorageError(f"a trainee named {row['name']!r} already exists; choose another name")
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
    sealed: list = []
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
        sealed.append(seal(conn, sid, folder, "correction" if corrects else "result"))
        audit(conn, actor, "correct_session" if corrects else "save_session", f"session {sid}",
              {"trainee_id": trainee_id, "corrects": corrects, "reason": reason,
               "count_standard": result["count_standard"]})
        return sid
    sid = _write(db, "nothing was saved", job)
    write_head(database_path(db), *sealed[0])
    return sid


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


def record_export(db: sqlite_utils.Database, actor: Actor, what: str, path: str | Path) -> None:
    """A report or export left the database: who made which one, into which file (audited).
    what: e.g. 'unit report 1st (pdf)'."""
    def job(conn: sqlite3.Connection) -> None:
        audit(conn, actor, "export", what, {"file": str(path)})
    _write(db, "the export was written but not logged", job)
