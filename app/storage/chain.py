"""Tamper-evident results: every finalised session is sealed into an append-only HMAC chain.

Each chain entry holds the session's payload (everything that decides its score: trainee,
event, times, every rep with verdict and reasons, the models' hashes, the pose track's hash,
the recording's file hashes; `session_payload`) and mac = HMAC(key, previous mac | seq |
session | sha256(payload)). The key is created once per installation, kept outside the
database file (`key_path`), so someone who edits the database cannot re-seal what they
changed. A head file (itself MACed) remembers the last entry, so entries cut from the end
are caught too; it is kept twice: next to the database (DB.chain-head) and next to the key
(heads/<first MAC>.head), so putting back an older copy of the database folder with its own
older head (a rollback) is caught by the one beside the key.

`verify` recomputes every payload from the rows and files as they are now and names each
session that was changed, deleted, reordered or added behind the app's back.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.core.hashing import sha256_file

KEY_BYTES = 32
_KEY_ID_LABEL = b"drillscore chain key id"
SESSION_FIELDS = ("id", "trainee_id", "exercise", "view", "started", "frames", "fps", "duration_s", "count_total",
                  "count_standard", "score", "source", "recording", "saved_by", "corrects", "correction_reason")
REP_FIELDS = ("id", "n", "start_frame", "end_frame", "standard", "p_standard", "reasons", "measures")


class ChainError(RuntimeError):
    """The chain cannot be written or checked (key missing or foreign); str() says what to do."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of verify: session (id or None), seq (chain entry or None), what (one line)."""

    session: int | None
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = (f"session {self.session}" if self.session is not None else
                 f"chain entry {self.seq}" if self.seq is not None else "chain")
        return f"{where}: {self.what}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """entries: chain entries read; sessions: session rows; problems: every finding, in order."""

    entries: int
    sessions: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def failing_sessions(self) -> set[int]:
        return {p.session for p in self.problems if p.session is not None}


# --- the key ---------------------------------------------------------------------------------

def key_path() -> Path:
    """$DRILLSCORE_KEY, else chain.key in the settings folder (outside the database file)."""
    env = os.environ.get("DRILLSCORE_KEY")
    if env:
        return Path(env)
    from app.paths import config_dir
    return config_dir() / "chain.key"


def _key_id(key: bytes) -> str:
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _read_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise ChainError(f"{path}: the chain key cannot be read ({e}); restore it from your backup") from None
    if len(key) != KEY_BYTES:
        raise ChainError(f"{path}: the chain key is damaged ({len(key)} bytes, expected {KEY_BYTES}); "
                         "restore it from your backup")
    return key


def _create_key(path: Path) -> bytes:
    key = os.urandom(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by this user only
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except FileExistsError:  # another process made it first: use theirs
        return _read_key(path) or key
    except OSError as e:
        raise ChainError(f"{path}: cannot create the chain key ({e.strerror}); make the folder writable "
                         "or set DRILLSCORE_KEY to a writable file") from None
    return key


def installation_key(conn: sqlite3.Connection, create: bool) -> bytes:
    """The key this database is sealed with. create: make one when there is none yet and the
    database has no sealed entries (a new installation). ChainError when the key is missing
    for a sealed database, or is another installation's key."""
    path = key_path()
    key = _read_key(path)
    row = conn.execute("select value from meta where name = 'chain_key_id'").fetchone()
    if key is None:
        if row is not None:
            raise ChainError(f"{path}: the chain key is missing, and this database's results were sealed with it; "
                             "restore it from your backup (or set DRILLSCORE_KEY to it). The live recording is "
                             "kept, and can be recovered once the key is back")
        if not create:
            raise ChainError(f"{path}: no chain key yet; nothing has been sealed")
        key = _create_key(path)
    if row is None:
        if create:
            conn.execute("insert into meta (name, value) values ('chain_key_id', ?)", [_key_id(key)])
    elif row[0] != _key_id(key):
        raise ChainError(f"{path}: this is not the key this database was sealed with (another installation's?); "
                         "point DRILLSCORE_KEY at the right one")
    return key


# --- the payload -----------------------------------------------------------------------------

def recording_folder(recording: str | None, db_folder: Path) -> Path | None:
    if not recording:
        return None
    p = Path(recording)
    return p if p.is_absolute() else db_folder / p


def _file_hashes(folder: Path | None) -> dict[str, str] | None:
    if folder is None:
        return None
    if not folder.is_dir():
        return {"(folder)": "missing"}
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def session_payload(conn: sqlite3.Connection, session_id: int, db_folder: Path) -> dict | None:
    """Everything that decides the session's score, as stored now; None when the row is gone.
    The same function seals (at save) and checks (verify), so they can only differ by a change."""
    cols = ", ".join(f"[{c}]" for c in SESSION_FIELDS)
    row = conn.execute(f"select {cols}, result_json from sessions where id = ?", [session_id]).fetchone()
    if row is None:
        return None
    out = dict(zip(SESSION_FIELDS, row[:-1], strict=True))
    out["result_sha256"] = hashlib.sha256((row[-1] or "").encode("utf-8")).hexdigest()
    rcols = ", ".join(f"[{c}]" for c in REP_FIELDS)
    out["reps"] = [list(r) for r in conn.execute(f"select {rcols} from reps where session_id = ? order by n, id",
                                                 [session_id])]
    track = conn.execute("select cast(npz as blob) from tracks where session_id = ?", [session_id]).fetchone()
    out["track_sha256"] = hashlib.sha256(track[0]).hexdigest() if track else None
    out["models"] = {n: s for n, s in conn.execute("select name, sha256 from models_used where session_id = ? "
                                                   "order by name", [session_id])}
    out["files"] = _file_hashes(recording_folder(out["recording"], db_folder))
    return out


def _canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def _mac(key: bytes, prev: str, seq: int, session_id: int, kind: str, payload_text: str) -> str:
    digest = hashlib.sha256(payload_text.encode("utf-8")).hexdigest()
    return hmac.new(key, f"{prev}|{seq}|{session_id}|{kind}|{digest}".encode(), hashlib.sha256).hexdigest()


# --- the head file ---------------------------------------------------------------------------

def head_path(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".chain-head")


def key_side_head_path(origin: str) -> Path:
    """The second head, kept beside the installation key (outside the database's folder) and
    named for the database by its first entry's MAC, so a copy of the database folder (or a
    backup put back) is still checked against the newest state this installation sealed."""
    return key_path().parent / "heads" / f"{origin[:32]}.head"


def _put_head(p: Path, body: dict) -> None:
    tmp = p.with_name(p.name + ".part")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(body) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except OSError:
        pass  # the heads are a second line of defence; the sealed entry is already committed


def write_head(db_file: Path, key: bytes, seq: int, mac: str, origin: str) -> None:
    """After the commit: the last entry, MACed, beside the database and beside the key (a stale
    head lags by one after a crash: fine, the entry it lags is in the chain)."""
    body = {"seq": seq, "mac": mac}
    body["head_mac"] = hmac.new(key, f"head|{seq}|{mac}".encode(), hashlib.sha256).hexdigest()
    _put_head(head_path(db_file), body)
    _put_head(key_side_head_path(origin), body)


def _read_head(p: Path, key: bytes) -> tuple[int, str] | str | None:
    if not p.exists():
        return None
    try:
        body = json.loads(p.read_text(encoding="utf-8"))
        seq, mac = int(body["seq"]), str(body["mac"])
        good = hmac.new(key, f"head|{seq}|{mac}".encode(), hashlib.sha256).hexdigest()
    except (OSError, ValueError, KeyError, TypeError):
        return "unreadable"
    return (seq, mac) if hmac.compare_digest(good, str(body.get("head_mac", ""))) else "forged"


# --- sealing and checking --------------------------------------------------------------------

def seal(conn: sqlite3.Connection, session_id: int, db_folder: Path,
         kind: str = "result") -> tuple[bytes, int, str, str]:
    """Append the session's entry, inside the caller's transaction. -> (key, seq, mac, origin:
    the first entry's MAC) for write_head."""
    key = installation_key(conn, create=True)
    last = conn.execute("select seq, mac from chain order by seq desc limit 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, "")
    text = _canonical(session_payload(conn, session_id, db_folder))
    mac = _mac(key, prev, seq, session_id, kind, text)
    conn.execute("insert into chain (seq, session_id, kind, at, payload, mac) values (?, ?, ?, ?, ?, ?)",
                 [seq, session_id, kind, datetime.now(UTC).isoformat(timespec="seconds"), text, mac])
    first = conn.execute("select mac from chain where seq = 1").fetchone()
    return key, seq, mac, first[0] if first else mac


def _differences(sealed: dict, now: dict) -> str:
    changed = []
    for k in sorted(set(sealed) | set(now)):
        a, b = sealed.get(k), now.get(k)
        if a == b:
            continue
        if k == "files":
            a, b = a or {}, b or {}
            if "(folder)" in b:
                changed.append("recording folder missing")
                continue
            for name in sorted(set(a) | set(b)):
                if name not in b or b.get(name) == "missing":
                    changed.append(f"recording file {name} missing")
                elif name not in a:
                    changed.append(f"recording file {name} added")
                elif a[name] != b[name]:
                    changed.append(f"recording file {name} changed")
        elif k == "reps":
            changed.append(f"reps changed ({len(a or [])} sealed, {len(b or [])} now)")
        elif k in ("track_sha256", "result_sha256"):
            changed.append({"track_sha256": "pose track changed", "result_sha256": "stored result changed"}[k])
        elif k == "models":
            changed.append("model hashes changed")
        else:
            changed.append(f"{k} {a!r} -> {b!r}")
    return "; ".join(changed)


def verify(conn: sqlite3.Connection, db_file: Path) -> VerifyReport:
    """Check the chain and everything it seals; ChainError when the key cannot be used."""
    rows = conn.execute("select seq, session_id, kind, payload, mac from chain order by seq").fetchall()
    session_ids = [r[0] for r in conn.execute("select id from sessions order by id")]
    problems: list[Problem] = []
    if not rows:
        if conn.execute("select 1 from meta where name = 'chain_key_id'").fetchone():
            problems.append(Problem(None, None, "the chain is empty although results were sealed: it was wiped"))
        problems += [Problem(s, None, "not in the chain: added behind the app's back") for s in session_ids]
        return VerifyReport(0, len(session_ids), tuple(problems))
    key = installation_key(conn, create=False)
    prev, expect = "", 1
    sealed: set[int] = set()
    macs = {r[4] for r in rows} | {""}
    for seq, sid, kind, text, mac in rows:
        gap = seq != expect
        if gap:
            problems.append(Problem(None, seq, f"entries {expect}..{seq - 1} before it were deleted"))
        if not hmac.compare_digest(_mac(key, prev, seq, sid, kind, text), mac):
            # after a gap its predecessor is gone and cannot be checked against; and an entry that
            # seals right after some other entry is intact, only its neighbour was moved (said there)
            intact = gap or any(hmac.compare_digest(_mac(key, m, seq, sid, kind, text), mac) for m in macs)
            if not intact:
                problems.append(Problem(sid, seq, f"chain entry {seq} was altered, moved or reordered"))
        prev, expect = mac, seq + 1
        sealed.add(sid)
        try:
            then = json.loads(text)
        except ValueError:
            problems.append(Problem(sid, seq, "its sealed record is unreadable"))
            continue
        now = session_payload(conn, sid, db_file.parent)
        if now is None:
            problems.append(Problem(sid, seq, "deleted"))
        elif now != then:
            problems.append(Problem(sid, seq, "changed: " + _differences(then, now)))
    last_seq = rows[-1][0]
    by_seq = {r[0]: r[4] for r in rows}
    beside_key = key_side_head_path(by_seq[1]) if 1 in by_seq else None
    for where, path in (("beside the database", head_path(db_file)), ("beside the key", beside_key)):
        if path is None:
            continue  # entry 1 is gone: the gap is said above
        head = _read_head(path, key)
        if head is None:
            problems.append(Problem(None, last_seq, f"the head file {where} ({path}) is missing: entries cut from "
                                                    "the end could not be checked; restore it from the backup"))
        elif isinstance(head, str):
            problems.append(Problem(None, last_seq, f"the head file {where} ({path.name}) is {head}"))
        elif head[0] > last_seq:
            problems.append(Problem(None, head[0], f"entries {last_seq + 1}..{head[0]} were deleted from the end "
                                                   f"(the head file {where} says so; a backup put back loses the "
                                                   "results saved after it)"))
        elif by_seq.get(head[0]) != head[1]:
            problems.append(Problem(None, head[0], f"the chain was rewritten (the head file {where} does not "
                                                   "match it)"))
    for sid in session_ids:
        if sid not in sealed:
            problems.append(Problem(sid, None, "not in the chain: added behind the app's back"))
    # the audit log is a third witness: a save it records must still be there
    present = set(session_ids)
    named = {p.session for p in problems}
    for (target,) in conn.execute("select target from audit where action in ('save_session', 'correct_session')"):
        sid = int(target.split()[-1])
        if sid not in present and sid not in sealed and sid not in named:
            problems.append(Problem(sid, None, "deleted with its chain entry (the audit log records its save)"))
            named.add(sid)
    # and the ids themselves a fourth: SQLite gives each new session max(id) + 1 and we never
    # delete, so a gap below the newest id is a session deleted with every other trace
    for sid in range(1, max(present, default=0)):
        if sid not in present and sid not in named:
            problems.append(Problem(sid, None, "deleted with its chain entry and audit row (its id is missing "
                                               "between the sessions before and after it)"))
    return VerifyReport(len(rows), len(session_ids), tuple(problems))
