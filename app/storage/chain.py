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
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from app.core.hashing import sha256_file
from app.storage.errors import ChainError
from app.storage.findings import Problem, VerifyReport
from app.storage.keyfile import installation_key

__all__ = ["ChainError", "Problem", "VerifyReport", "installation_key", "seal", "verify"]

SESSION_FIELDS = ("id", "trainee_id", "exercise", "view", "started", "frames", "fps", "duration_s", "count_total",
                  "count_standard", "score", "source", "recording", "saved_by", "corrects", "correction_reason")
REP_FIELDS = ("id", "n", "start_frame", "end_frame", "standard", "p_standard", "reasons", "measures")


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


# --- sealing and checking --------------------------------------------------------------------

def seal(conn: sqlite3.Connection, session_id: int, db_folder: Path, kind: str = "result") -> bytes:
    """Append the session's entry, inside the caller's transaction; -> the key (for the heads,
    written after the commit). The entry keeps the MAC it chains to (`prev`), so its own MAC
    can be checked even when the entry before it was deleted."""
    key = installation_key(conn, create=True)
    last = conn.execute("select seq, mac from chain order by seq desc limit 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, "")
    text = _canonical(session_payload(conn, session_id, db_folder))
    mac = _mac(key, prev, seq, session_id, kind, text)
    conn.execute("insert into chain (seq, session_id, kind, at, payload, mac, prev) values (?, ?, ?, ?, ?, ?, ?)",
                 [seq, session_id, kind, datetime.now(UTC).isoformat(timespec="seconds"), text, mac, prev])
    return key


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
    """Check the chain and everything it seals, the audit log, the trainees and accounts it
    vouches for, and the head files; ChainError when the key cannot be used."""
    from app.storage import heads, ledger
    rows = conn.execute("select seq, session_id, kind, payload, mac, prev from chain order by seq").fetchall()
    session_ids = [r[0] for r in conn.execute("select id from sessions order by id")]
    problems: list[Problem] = []
    has_key_id = conn.execute("select 1 from meta where name = 'chain_key_id'").fetchone() is not None
    now = heads.current(conn)
    if now.empty and not has_key_id and not heads.head_path(db_file).exists() and not heads.known_at(db_file):
        # nothing was ever sealed here (a new database): only rows added behind the app's back
        problems += [Problem(s, None, "not in the chain: added behind the app's back") for s in session_ids]
        problems += ledger.unsealed(conn)
        return VerifyReport(0, len(session_ids), tuple(problems))
    key = installation_key(conn, create=False)
    if not rows and has_key_id is False and session_ids:
        problems.append(Problem(None, None, "the chain and its key id were wiped", where="database"))
    elif not rows and session_ids:
        problems.append(Problem(None, None, "the chain is empty although results were sealed: it was wiped"))
    prev, expect = "", 1
    sealed: set[int] = set()
    macs = {r[4] for r in rows} | {""}
    for seq, sid, kind, text, mac, stored_prev in rows:
        gap = seq != expect
        if gap:
            problems.append(Problem(None, seq, f"entries {expect}..{seq - 1} before it were deleted"))
        if stored_prev is not None:
            # the entry names what it chains to: its own MAC is checked whatever happened around it
            if not hmac.compare_digest(_mac(key, stored_prev, seq, sid, kind, text), mac):
                problems.append(Problem(sid, seq, f"chain entry {seq} was altered (its seal does not match)"))
            elif stored_prev != prev and not gap:
                problems.append(Problem(None, seq, f"chain entry {seq} was moved or reordered"))
        elif not hmac.compare_digest(_mac(key, prev, seq, sid, kind, text), mac):
            if gap:  # an entry sealed before `prev` was stored: its predecessor is gone, so is the proof
                problems.append(Problem(sid, seq, f"its seal cannot be checked: the entry before it ({seq - 1}) "
                                                  "was deleted"))
            elif not any(hmac.compare_digest(_mac(key, m, seq, sid, kind, text), mac) for m in macs):
                problems.append(Problem(sid, seq, f"chain entry {seq} was altered, moved or reordered"))
        prev, expect = mac, seq + 1
        sealed.add(sid)
        try:
            then = json.loads(text)
        except ValueError:
            problems.append(Problem(sid, seq, "its sealed record is unreadable"))
            continue
        current = session_payload(conn, sid, db_file.parent)
        if current is None:
            problems.append(Problem(sid, seq, "deleted"))
        elif current != then:
            problems.append(Problem(sid, seq, "changed: " + _differences(then, current)))
    audit_macs, ledger_problems = ledger.check(conn, key)
    problems += ledger_problems
    problems += [Problem(None, None, what, where="records")
                 for what in heads.check(db_file, key, now, {r[0]: r[4] for r in rows}, audit_macs)]
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
    return VerifyReport(len(rows), len(session_ids), tuple(problems), len(audit_macs))
