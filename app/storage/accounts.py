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
from datetime import UTC, datetime

import sqlite_utils

from app.storage.audit import audit
from app.storage.errors import AccessError, locked_or
from app.storage.roles import ADMIN, ROLES, TRAINEE, Actor, require
from app.storage.secrets import SecretError, check_secret, hash_secret, verify_secret


def has_accounts(db: sqlite_utils.Database) -> bool:
    return bool(db.execute("select 1 from users limit 1").fetchone())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _insert_user(db: sqlite_utils.Database, actor: Actor | None, username: str, role: str, secret: str,
                 pin: bool, trainee_id: int | None) -> Actor:
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise AccessError(f"user name {username!r} is not usable; give one word (letters, digits, . _ -)")
    if role not in ROLES:
        raise AccessError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if role == TRAINEE and trainee_id is None:
        raise AccessError("a trainee account belongs to a trainee; choose the trainee")
    try:
        check_secret(secret, pin)
    except SecretError as e:
        raise AccessError(str(e)) from None
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
            audit(conn, actor or new, "add_user", f"user {uid}", {"username": username, "role": role})
    except sqlite3.OperationalError as e:
        raise locked_or(e, "the account was not created") from None
    return new


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
    an unknown name and a wrong secret, so names cannot be probed) otherwise."""
    row = db.execute("select id, username, role, secret, trainee_id, disabled from users "
                     "where username = ? collate nocase", [username.strip()]).fetchone()
    if row is None or not verify_secret(secret, row[3]):
        raise AccessError("user name or password / PIN not right; try again (an admin can reset it)")
    if row[5]:
        raise AccessError(f"the account {row[1]!r} is disabled; ask an admin")
    return Actor(int(row[0]), row[1], row[2], row[4])


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
            what: str) -> None:
    """One account change and its audit row in one transaction; a locked or full database said."""
    try:
        with db.conn:
            if not db.conn.execute(sql, [*args, user_id]).rowcount:
                raise AccessError(f"no user {user_id}; list them with `drillscore db users`")
            audit(db.conn, actor, action, f"user {user_id}", {})
    except sqlite3.OperationalError as e:
        raise locked_or(e, what) from None


def set_secret(db: sqlite_utils.Database, actor: Actor, user_id: int, secret: str, pin: bool = False) -> None:
    """A new password / PIN: an admin for anyone, anyone for themselves."""
    if actor.user_id != user_id:
        require(actor, ADMIN, to="reset another user's password")
    try:
        check_secret(secret, pin)
    except SecretError as e:
        raise AccessError(str(e)) from None
    _change(db, actor, user_id, "update users set secret = ?, pin = ? where id = ?", [hash_secret(secret), int(pin)],
            "set_secret", "the password was not changed")


def set_disabled(db: sqlite_utils.Database, actor: Actor, user_id: int, disabled: bool = True) -> None:
    require(actor, ADMIN, to="disable accounts")
    if disabled and user_id == actor.user_id:
        raise AccessError("you cannot disable your own account; sign in as another admin")
    _change(db, actor, user_id, "update users set disabled = ? where id = ?", [int(disabled)],
            "disable_user" if disabled else "enable_user", "the account was not changed")
