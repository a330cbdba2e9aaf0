"""The audit log as a keyed hash chain, and the trainees and accounts it vouches for.

What decides a result is not only the session: the trainee's name (who it belongs to), sex
and birth year (which points and pass mark apply), unit (which report it is in), and the
accounts (who may save and correct). Every change to those rows is written through the app
with an audit row in the same transaction, and every audit row is sealed:
mac = HMAC(key, prev | id | at | user | action | target | sha256(detail)), keeping `prev`, the
MAC it chains to, so each row is checkable on its own and a deleted row leaves a visible gap.
`check` replays the sealed audit log into the trainees and accounts it says exist and names
every row of those tables that differs (a renamed trainee, a sex or birth year changed, an
account made admin, a row added or deleted behind the app's back). The heads
(app.storage.heads) hold the last audit row, so rows cut from the end are seen too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from datetime import UTC, datetime

from app.storage.findings import Problem
from app.storage.keyfile import installation_key

TRAINEE_STATE = ("name", "sex", "birth_year", "unit", "archived")
USER_STATE = ("username", "role", "secret_sha256", "pin", "trainee_id", "disabled")


def _mac(key: bytes, prev: str, row_id: int, at: str, user_id, username: str, action: str, target: str,
         detail: str) -> str:
    digest = hashlib.sha256(detail.encode("utf-8")).hexdigest()
    text = f"audit|{prev}|{row_id}|{at}|{user_id}|{username}|{action}|{target}|{digest}"
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def append(conn: sqlite3.Connection, user_id: int | None, username: str, action: str, target: str,
           detail: dict) -> int:
    """One sealed audit row inside the caller's transaction -> its id."""
    key = installation_key(conn, create=True)
    last = conn.execute("select id, mac from audit order by id desc limit 1").fetchone()
    row_id = (last[0] + 1) if last else 1
    prev_row = conn.execute("select mac from audit where mac is not null order by id desc limit 1").fetchone()
    prev = prev_row[0] if prev_row else ""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    text = json.dumps(detail, sort_keys=True)
    mac = _mac(key, prev, row_id, at, user_id, username, action, target, text)
    conn.execute("insert into audit (id, at, user_id, username, action, target, detail, mac, prev) "
                 "values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [row_id, at, user_id, username, action, target, text, mac, prev])
    return row_id


def secret_digest(stored: str) -> str:
    """What the audit log keeps of a password hash: enough to see it was swapped, nothing to crack."""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()


def trainee_rows(conn: sqlite3.Connection) -> dict[int, dict]:
    cols = ", ".join(TRAINEE_STATE)
    return {r[0]: dict(zip(TRAINEE_STATE, r[1:], strict=True))
            for r in conn.execute(f"select id, {cols} from trainees order by id")}


def user_rows(conn: sqlite3.Connection) -> dict[int, dict]:
    return {r[0]: {"username": r[1], "role": r[2], "secret_sha256": secret_digest(r[3]), "pin": r[4],
                   "trainee_id": r[5], "disabled": r[6]}
            for r in conn.execute("select id, username, role, secret, pin, trainee_id, disabled from users order by id")}


def snapshot(conn: sqlite3.Connection) -> dict:
    """The trainees and accounts as they are, for the audit row that adopts them (an upgrade)."""
    return {"trainees": {str(k): v for k, v in trainee_rows(conn).items()},
            "users": {str(k): v for k, v in user_rows(conn).items()}}


def _replay(state: dict, action: str, target: str, detail: dict) -> None:
    trainees, users = state["trainees"], state["users"]
    parts = target.split()
    ident = int(parts[-1]) if len(parts) == 2 and parts[-1].isdigit() else None
    if action == "adopt_records":
        trainees.clear()
        users.clear()
        trainees.update({int(k): dict(v) for k, v in detail.get("trainees", {}).items()})
        users.update({int(k): dict(v) for k, v in detail.get("users", {}).items()})
    elif ident is None:
        return
    elif action == "add_trainee":
        trainees[ident] = {**dict.fromkeys(TRAINEE_STATE), **detail, "archived": 0}
    elif action == "update_trainee" and ident in trainees:
        trainees[ident].update({k: v for k, v in detail.items() if k in TRAINEE_STATE})
    elif action in ("archive_trainee", "restore_trainee") and ident in trainees:
        trainees[ident]["archived"] = int(action == "archive_trainee")
    elif action == "add_user":
        users[ident] = {**dict.fromkeys(USER_STATE), **detail, "disabled": 0}
    elif action == "set_secret" and ident in users:
        users[ident].update({k: v for k, v in detail.items() if k in USER_STATE})
    elif action in ("disable_user", "enable_user") and ident in users:
        users[ident]["disabled"] = int(action == "disable_user")


def _same(a, b) -> bool:
    return (a if a != "" else None) == (b if b != "" else None)


def _compare(kind: str, sealed: dict[int, dict], stored: dict[int, dict], fields: tuple[str, ...],
             label: str) -> list[Problem]:
    out = []
    for i in sorted(set(sealed) | set(stored)):
        trainee = i if kind == "trainee" else None
        if i not in stored:
            out.append(Problem(None, None, f"deleted behind the app's back (it was {sealed[i].get(label)!r})",
                               where=f"{kind} {i}", trainee=trainee))
        elif i not in sealed:
            out.append(Problem(None, None, f"{stored[i].get(label)!r} added behind the app's back (no sealed "
                                           "audit row adds it)", where=f"{kind} {i}", trainee=trainee))
        else:
            diff = [f"{f} {sealed[i].get(f)!r} -> {stored[i].get(f)!r}" for f in fields
                    if not _same(sealed[i].get(f), stored[i].get(f))]
            if diff:
                name = stored[i].get(label)
                out.append(Problem(None, None, f"changed behind the app's back: {'; '.join(diff)}",
                                   where=f"{kind} {i} ({name})", trainee=trainee))
    return out


def check(conn: sqlite3.Connection, key: bytes) -> tuple[dict[int, str], list[Problem]]:
    """-> (MAC of each sealed audit row by id, every problem in the audit log, the trainees and
    the accounts)."""
    rows = conn.execute("select id, at, user_id, username, action, target, detail, mac, prev from audit "
                        "order by id").fetchall()
    problems: list[Problem] = []
    macs: dict[int, str] = {}
    state: dict = {"trainees": {}, "users": {}}
    prev, last_id, started = "", None, False
    for row_id, at, user_id, username, action, target, detail, mac, stored_prev in rows:
        if mac is None:
            if started:
                problems.append(Problem(None, None, f"{action} {target}: added behind the app's back (not sealed)",
                                        where=f"audit row {row_id}"))
                last_id = row_id
            continue  # written before the audit log was sealed: the adopting row vouches for that state
        if started and row_id != last_id + 1:
            problems.append(Problem(None, None, f"audit rows {last_id + 1}..{row_id - 1} were deleted",
                                    where="audit log"))
        started = True
        last_id = row_id
        macs[row_id] = mac
        good = hmac.compare_digest(_mac(key, stored_prev or "", row_id, at, user_id, username, action, target,
                                        detail or ""), mac)
        if not good:
            problems.append(Problem(None, None, f"altered ({action} {target}): its seal does not match",
                                    where=f"audit row {row_id}"))
            prev = mac
            continue
        if (stored_prev or "") != prev:
            problems.append(Problem(None, None, "the row it was sealed after is missing or was replaced",
                                    where=f"audit row {row_id}"))
        prev = mac
        try:
            _replay(state, action, target, json.loads(detail or "{}"))
        except (ValueError, TypeError, AttributeError):
            problems.append(Problem(None, None, "its detail is unreadable", where=f"audit row {row_id}"))
    if started or rows:
        problems += _compare("trainee", state["trainees"], trainee_rows(conn), TRAINEE_STATE, "name")
        problems += _compare("user", state["users"], user_rows(conn), USER_STATE, "username")
    return macs, problems


def unsealed(conn: sqlite3.Connection) -> list[Problem]:
    """For a database that never sealed anything: trainees or accounts in it came from elsewhere."""
    out = [Problem(None, None, f"{name!r} added behind the app's back (no sealed audit row adds it)",
                   where=f"trainee {i}", trainee=i) for i, name in conn.execute("select id, name from trainees")]
    out += [Problem(None, None, f"{name!r} added behind the app's back", where=f"user {i}")
            for i, name in conn.execute("select id, username from users")]
    return out
