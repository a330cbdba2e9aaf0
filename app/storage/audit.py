"""The append-only audit table: who wrote what, when.

audit() is called inside the transaction of the write it describes, so a write and its
audit row are stored together or not at all. Triggers (migration m003) refuse UPDATE and
DELETE on the table; the results themselves are also protected by the HMAC chain
(app.storage.chain), which catches edits made behind SQLite's back.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from app.storage.roles import ADMIN, require


def audit(conn: sqlite3.Connection, actor, action: str, target: str, detail: dict) -> None:
    """actor: app.storage.roles.Actor (or None for the system: migrations)."""
    conn.execute("insert into audit (at, user_id, username, action, target, detail) values (?, ?, ?, ?, ?, ?)",
                 [datetime.now(UTC).isoformat(timespec="seconds"), getattr(actor, "user_id", None),
                  getattr(actor, "username", "system"), action, target, json.dumps(detail, sort_keys=True)])


def list_audit(db, actor, limit: int = 500) -> list[dict]:
    require(actor, ADMIN, to="read the audit log")
    return [dict(r) for r in db.query("select * from audit order by id desc limit ?", [limit])]
