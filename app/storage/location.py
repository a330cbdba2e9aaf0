"""Where an open database lives on disk (its recordings, chain head and key are found from it)."""
from __future__ import annotations

from pathlib import Path


def database_path(db) -> Path:
    """The file behind an open sqlite-utils Database (for the writer's own connection)."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise ValueError("the database has no file (in memory); the writer needs a database file")


def connection_path(conn) -> Path | None:
    """The file behind a sqlite3 connection; None in memory."""
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None
