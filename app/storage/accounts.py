"""Accounts, roles and sign-in; the acting user every repository function takes.

Three roles: an admin manages accounts, trainees, scoring tables and exports; an instructor
runs and saves tests (and adds a trainee on the spot); a trainee sees their own sessions
only. The rules live here, in storage, so that a command line or a script gets the same
refusals as the window (`require`, `can_see_trainee`), not only hidden buttons.
Secrets are salted scrypt hashes (app.storage.secrets); every write is audited in the same
transaction (app.storage.audit).
"""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import sqlite_utils

from app.storage.audit import audit
from app.storage.errors import AccessError, locked_or
from app.storage.heads import refresh
from app.storage.ledger import secret_digest
from app.storage.names import NameError_, clean_name
from app.storage.roles import ADMIN, ROLES, TRAINEE, Actor, require
from app.storage.secrets import SecretError, check_secret, hash_secret, verify_secret

# Wrong secrets in a row before an account waits; a PIN has 10^4..10^12 values, so at five
# tries per quarter hour guessing one takes months, and every try is in the audit log
MAX_FAILED, LOCK_MINUTES = 5, 15


def has_accounts(db: sqlite_utils.Database) -> bool:
    return bool(db.execute("select 1 from users limit 1").fetchone())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _insert_user(db: sqlite_utils.Database, actor: Actor | None, username: str, role: str, secret: str,
                 pin: bool, trainee_id: int | None) -> Actor:
    try:
        username = clean_name(username, "user name")
    except NameError_ as e:
        raise AccessError(str(e)) from None
    if any(c.isspace() for c in username):
        raise AccessError(f"user name {username!r} is not usable; give one word (letters, digits, . _ -)")
    if role not in ROLES:
        raise AccessError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role == TRAINEE and trainee_id is None:
        raise AccessError("a trainee account belongs to a trainee; choose the trainee")
    _check(secret, pin, role)
    stored = hash_secret(secret)
    conn = db.conn
    try:
        with conn:
            if conn.execute("select 1 from users where username = ? collate nocase", [username]).fetchone():
                raise AccessError(f"a user named {username!r} exists already; choose another name")
            if trainee_id is not None and not conn.execute("select 1 from trainees where id = ?",
                                                           [trainee_id]).fetchone():
                raise AccessError(f"no trainee {trainee_id}; add the trainee first")
            uid = int(conn.execute(
                "insert into users (username, role, secret, pin, trainee_id, disabled, created) "
                "values (?, ?, ?, ?, ?, 0, ?)",
                [username, role, stored, int(pin), trainee_id if role == TRAINEE else None, _now()]).lastrowid)
            new = Actor(uid, username, role, trainee_id if role == TRAINEE else None)
            audit(conn, actor or new, "add_user", f"user {uid}",
                  {"username": username, "role": role, "secret_sha256": secret_digest(stored), "pin": int(pin),
                   "trainee_id": new.trainee_id})
        refresh(conn)
    except sqlite3.OperationalError as e:
        raise locked_or(e, "the account was not created") from None
    return new


def _check(secret: str, pin: bool, role: str) -> None:
    """Staff sign with a password (their accounts save and correct results); a PIN is for a
    trainee, who can only read their own."""
    if pin and role != TRAINEE:
        raise AccessError(f"a {role} account needs a password (a PIN is for trainee accounts); drop --pin")
    try:
        check_secret(secret, pin, staff=role != TRAINEE)
    except SecretError as e:
        raise AccessError(str(e)) from None


def create_first_admin(db: sqlite_utils.Database, username: str, secret: str, pin: bool = False) -> Actor:
    """The first-run flow: the first account, an admin; refused once any account exists."""
    if has_accounts(db):
        raise AccessError("accounts exist already; sign in as an admin to add more")
    return _insert_user(db, None, username, ADMIN, secret, pin, None)


def add_user(db: sqlite_utils.Database, actor: Actor, username: str, role: str, secret: str, pin: bool = False,
             trainee_id: int | None = None) -> Actor:
    require(actor, ADMIN, to="add accounts")
    return _insert_user(db, actor, username, role, secret, pin, trainee_id)


def sign_in(db: sqlite_utils.Database, username: str, secret: str) -> Actor:
    """-> the Actor for a right user name and password / PIN; AccessError (the same words for
    an unknown name and a wrong secret, so names cannot be probed) otherwise. Every failure is
    audited; after MAX_FAILED in a row the account waits LOCK_MINUTES (an admin can unlock it)."""
    row = db.execute("select id, username, role, secret, trainee_id, disabled, locked_until from users "
                     "where username = ? collate nocase", [username.strip()]).fetchone()
    now = datetime.now(UTC)
    if row is not None and row[6] and now < datetime.fromisoformat(row[6]):
        _failed(db, row, username, locked=True)
        raise AccessError(f"too many wrong passwords for {row[1]!r}: try again after "
                          f"{datetime.fromisoformat(row[6]).strftime('%H:%M')} UTC, or ask an admin to unlock it "
                          f"(`drillscore db disable {row[1]} --enable`)")
    if row is None or not verify_secret(secret, row[3]):
        _failed(db, row, username)
        raise AccessError("user name or password / PIN not right; try again (an admin can reset it)")
    if row[5]:
        raise AccessError(f"the account {row[1]!r} is disabled; ask an admin")
    if row[6] or _failures(db, row[0]):
        _write_quietly(db, lambda c: c.execute("update users set failed_signins = 0, locked_until = null "
                                               "where id = ?", [row[0]]))
    return Actor(int(row[0]), row[1], row[2], row[4])


def _failures(db: sqlite_utils.Database, user_id: int) -> int:
    got = db.execute("select failed_signins from users where id = ?", [user_id]).fetchone()
    return int(got[0] or 0) if got else 0


def _failed(db: sqlite_utils.Database, row, username: str, locked: bool = False) -> None:
    """A failed sign-in: audited (who tried which name), counted, and the account locked at
    MAX_FAILED. On a database that cannot be written (read-only media) the refusal stands
    without the log."""
    def job(conn: sqlite3.Connection) -> None:
        name = username.strip()[:40]
        if row is None:
            audit(conn, None, "sign_in_failed", "unknown user", {"username": name})
            return
        count = _failures(db, row[0]) + (0 if locked else 1)
        lock = (datetime.now(UTC) + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") \
            if count >= MAX_FAILED and not locked else None
        conn.execute("update users set failed_signins = ?" + (", locked_until = ?" if lock else "") + " where id = ?",
                     [count, lock, row[0]] if lock else [count, row[0]])
        audit(conn, None, "sign_in_refused" if locked else "sign_in_failed", f"user {row[0]}",
              {"username": row[1], "failed_in_a_row": count, **({"locked_until": lock} if lock else {})})
    _write_quietly(db, job)


def _write_quietly(db: sqlite_utils.Database, job) -> None:
    try:
        with db.conn:
            job(db.conn)
        refresh(db.conn)
    except (sqlite3.OperationalError, sqlite3.DatabaseError):
        pass


def list_users(db: sqlite_utils.Database, actor: Actor) -> list[dict]:
    require(actor, ADMIN, to="see the accounts")
    return [dict(r) for r in db.query("select u.id, u.username, u.role, u.pin, u.trainee_id, t.name as trainee, "
                                      "u.disabled, u.created from users u left join trainees t on t.id = u.trainee_id "
                                      "order by u.username collate nocase")]


def find_user(db: sqlite_utils.Database, actor: Actor, username: str) -> dict:
    """The account called `username` (admins); AccessError naming how to list them."""
    rows = [u for u in list_users(db, actor) if u["username"].lower() == username.strip().lower()]
    if not rows:
        raise AccessError(f"no account named {username!r}; list them with `drillscore db users`")
    return rows[0]


def _change(db: sqlite_utils.Database, actor: Actor, user_id: int, sql: str, args: list, action: str,
            what: str, detail: dict | None = None) -> None:
    """One account change and its audit row in one transaction; a locked or full database said."""
    try:
        with db.conn:
            if not db.conn.execute(sql, [*args, user_id]).rowcount:
                raise AccessError(f"no user {user_id}; list them with `drillscore db users`")
            audit(db.conn, actor, action, f"user {user_id}", detail or {})
        refresh(db.conn)
    except sqlite3.OperationalError as e:
        raise locked_or(e, what) from None


def set_secret(db: sqlite_utils.Database, actor: Actor, user_id: int, secret: str, pin: bool = False) -> None:
    """A new password / PIN: an admin for anyone, anyone for themselves."""
    if actor.user_id != user_id:
        require(actor, ADMIN, to="reset another user's password")
    row = db.execute("select role, username from users where id = ?", [user_id]).fetchone()
    if row is None:
        raise AccessError(f"no user {user_id}; list them with `drillscore db users`")
    _check(secret, pin, row[0])
    stored = hash_secret(secret)
    _change(db, actor, user_id, "update users set secret = ?, pin = ?, failed_signins = 0, locked_until = null "
            "where id = ?", [stored, int(pin)], "set_secret", "the password was not changed",
            {"secret_sha256": secret_digest(stored), "pin": int(pin)})


def set_disabled(db: sqlite_utils.Database, actor: Actor, user_id: int, disabled: bool = True) -> None:
    require(actor, ADMIN, to="disable accounts")
    if disabled and user_id == actor.user_id:
        raise AccessError("you cannot disable your own account; sign in as another admin")
    # enabling also lifts a lock left by wrong passwords (the admin vouches for the person)
    _change(db, actor, user_id, "update users set disabled = ?" + ("" if disabled else ", failed_signins = 0, "
                                                                   "locked_until = null") + " where id = ?",
            [int(disabled)], "disable_user" if disabled else "enable_user", "the account was not changed")
