"""The storage layer's errors: one line each, naming what went wrong and what to do."""
from __future__ import annotations

import sqlite3


class StorageError(RuntimeError):
    """A database problem; str() says which file and what to do."""


class ChainError(RuntimeError):
    """The seal cannot be written or checked (key missing or foreign); str() says what to do."""


class ReadOnlyError(StorageError):
    """The database cannot be written where it is (read-only media, a write-protected file)."""


class AccessError(StorageError):
    """The acting user may not do this, or sign-in failed; str() says who may."""


def locked_or(e: sqlite3.OperationalError, what: str) -> StorageError:
    """An OperationalError as the user should read it: locked, disk full, or other."""
    msg = str(e)
    if "locked" in msg or "busy" in msg:
        return StorageError(f"the database is locked by another program; {what} — close it and try again")
    if "full" in msg:
        return StorageError(f"the disk is full; {what} — free some space and try again")
    if "readonly" in msg or "read-only" in msg:
        return StorageError(f"the database file is read-only; {what} — make it writable and try again")
    return StorageError(f"database error ({msg}); {what}")
