"""The append-only audit table: who wrote what, when.

audit() is called inside the transaction of the write it describes, so a write and its
audit row are stored together or not at all. Triggers (migration m003) refuse UPDATE and
DELETE on the table; each row is sealed into a keyed hash chain (app.storage.ledger), which
catches rows edited, deleted or added behind SQLite's back, and vouches for the trainees and
accounts the rows describe.
"""
from __future__ import annotations

import sqlite3

from app.storage.ledger import append
from app.storage.roles import ADMIN, require


def audit(conn: sqlite3.Connection, actor, action: str, target: str, detail: dict) -> None:
    """actor: app.storage.roles.Actor (or None for the system: migrations, a failed sign-in)."""
    append(conn, getattr(actor, "user_id", None), getattr(actor, "username", "system"), action, target, detail)


def list_audit(db, actor, limit: int = 500) -> list[dict]:
    require(actor, ADMIN, to="read the audit log")
    return [dict(r) for r in db.query("select id, at, user_id, username, action, target, detail from audit "
                                      "order by id desc limit ?", [limit])]
