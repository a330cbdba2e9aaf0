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

from app.core.types import PoseTrack

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


class StorageError(RuntimeError):
    """A database problem; str() says which file and what to do."""


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


def _locked_or(e: sqlite3.OperationalError, what: str) -> StorageError:
    if "locked" in str(e) or "busy" in str(e):
        return StorageError(f"the database is locked by another program; {what} — close it and try again")
    return StorageError(f"database error ({e}); {what}")


def get_or_add_trainee(db: sqlite_utils.Database, name: str, sex: str | None = None,
                       birth_year: int | None = None, unit: str | None = None) -> int:
    name = name.strip()
    if not name:
        raise StorageError("trainee name is empty; give --trainee NAME")
    try:
        rows = list(db["trainees"].rows_where("name = ?", [name]))
        if rows:
            return int(rows[0]["id"])
        return int(db["trainees"].insert({"name": name, "sex": sex, "birth_year": birth_year, "unit": unit,
                                          "archived": 0, "created": _now()}).last_pk)
    except sqlite3.OperationalError as e:
        raise _locked_or(e, "the trainee was not added") from None


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> int:
    # Plain SQL on purpose: sqlite-utils' insert commits on its own, which would break the
    # one-transaction-per-session guarantee.
    cols = ", ".join(f"[{k}]" for k in row)
    marks = ", ".join("?" for _ in row)
    return int(conn.execute(f"insert into [{table}] ({cols}) values ({marks})", list(row.values())).lastrowid)


def save_session(db: sqlite_utils.Database, trainee_id: int, result: dict, track: PoseTrack,
                 source: str = "", models: dict[str, str] | None = None, recording: str | None = None) -> int:
    """Store one analysed session with its reps and pose track in ONE transaction; recording:
    the folder of the live test's video and journal (app.capture.recorder), if there is one."""
    conn = db.conn
    try:
        with conn:  # commits on success, rolls everything back on any exception
            sid = _insert(conn, "sessions", {
                "trainee_id": trainee_id, "exercise": result["exercise"], "view": result.get("view"),
                "started": _now(), "frames": result["frames"], "fps": result["fps"],
                "duration_s": result["duration_s"], "count_total": result["count_total"],
                "count_standard": result["count_standard"],
                "score": (result.get("score") or {}).get("points"), "source": source,
                "result_json": json.dumps(result), "recording": recording})
            for r in result["reps"]:
                _insert(conn, "reps", {
                    "session_id": sid, "n": r["n"], "start_frame": r["start_frame"], "end_frame": r["end_frame"],
                    "standard": int(r["standard"]), "p_standard": r["p_standard"],
                    "reasons": json.dumps(r["reasons"]), "measures": json.dumps(r.get("measures", {}))})
            _insert(conn, "tracks", {"session_id": sid, "npz": track_to_bytes(track)})
            for name, sha in (models or {}).items():
                _insert(conn, "models_used", {"session_id": sid, "name": name, "sha256": sha})
    except sqlite3.OperationalError as e:
        raise _locked_or(e, "nothing was saved") from None
    return sid


def load_session(db: sqlite_utils.Database, session_id: int) -> tuple[dict, PoseTrack]:
    """-> (stored result dict, pose track) exactly as saved."""
    try:
        row = db["sessions"].get(session_id)
    except sqlite_utils.db.NotFoundError:
        raise StorageError(f"no session {session_id}; list them with `drillscore db sessions`") from None
    track = track_from_bytes(db["tracks"].get(session_id)["npz"])
    return json.loads(row["result_json"]), track


def list_sessions(db: sqlite_utils.Database, trainee: str | None = None) -> list[dict]:
    sql = ("select s.id, t.name as trainee, s.exercise, s.started, s.count_total, s.count_standard, s.score, "
           "s.recording "
           "from sessions s join trainees t on t.id = s.trainee_id")
    args: list = []
    if trainee:
        sql += " where t.name = ?"
        args.append(trainee)
    return [dict(r) for r in db.query(sql + " order by s.id", args)]


TRAINEE_FIELDS = ("name", "sex", "birth_year", "unit")


def list_trainees(db: sqlite_utils.Database, include_archived: bool = False) -> list[dict]:
    where = "" if include_archived else " where archived = 0"
    return [dict(r) for r in db.query(f"select id, name, sex, birth_year, unit, archived from trainees{where} "
                                      "order by name collate nocase")]


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


def add_trainee(db: sqlite_utils.Database, name: str, sex: str | None = None, birth_year: int | None = None,
                unit: str | None = None) -> int:
    """A new trainee; StorageError when the name is taken (names identify trainees on reports)."""
    row = _check_trainee({"name": name, "sex": sex or None, "birth_year": birth_year or None, "unit": unit or None})
    try:
        if list(db["trainees"].rows_where("name = ?", [row["name"]])):
            raise StorageError(f"a trainee named {row['name']!r} already exists; choose another name or edit that one")
        return int(db["trainees"].insert({**row, "archived": 0, "created": _now()}).last_pk)
    except sqlite3.OperationalError as e:
        raise _locked_or(e, "the trainee was not added") from None


def update_trainee(db: sqlite_utils.Database, trainee_id: int, **fields) -> None:
    row = _check_trainee(fields)
    try:
        if "name" in row:
            clash = [r for r in db["trainees"].rows_where("name = ? and id != ?", [row["name"], trainee_id])]
            if clash:
                raise StorageError(f"a trainee named {row['name']!r} already exists; choose another name")
        db["trainees"].update(trainee_id, {k: (v if v != "" else None) for k, v in row.items()})
    except sqlite_utils.db.NotFoundError:
        raise StorageError(f"no trainee {trainee_id}") from None
    except sqlite3.OperationalError as e:
        raise _locked_or(e, "the change was not saved") from None


def archive_trainee(db: sqlite_utils.Database, trainee_id: int, archived: bool = True) -> None:
    """Archived trainees leave the pickers; their sessions stay (records are never deleted)."""
    try:
        db["trainees"].update(trainee_id, {"archived": int(archived)})
    except sqlite_utils.db.NotFoundError:
        raise StorageError(f"no trainee {trainee_id}") from None
    except sqlite3.OperationalError as e:
        raise _locked_or(e, "the change was not saved") from None
