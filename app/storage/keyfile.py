"""The installation key: made once, kept outside the database, never replaced under a sealed one.

Everything sealed (the results' chain, the audit log, the head files, a recording's meta) is
MACed with this key; someone who can edit the database but not read the key cannot re-seal
what they changed. A key goes missing -> the sealed database refuses new seals instead of
starting over with a new key (which would later blame the old records as "altered").
"""
from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from pathlib import Path

from app.storage.errors import ChainError

KEY_BYTES = 32
_KEY_ID_LABEL = b"drillscore chain key id"


def head_path(db_file: Path) -> Path:
    """The head file beside the database (app.storage.heads)."""
    return db_file.with_name(db_file.name + ".chain-head")


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
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)  # the key's folder (and the heads in it) is this user's only
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
        if row is not None or sealed_before(conn):
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


def sealed_before(conn: sqlite3.Connection) -> bool:
    """Whether anything in this database was sealed (a chain entry, a sealed audit row, or a
    head file beside it): then a missing key or key id is never replaced by a new one."""
    if conn.execute("select 1 from chain limit 1").fetchone():
        return True
    cols = {r[1] for r in conn.execute("pragma table_info(audit)")}
    if "mac" in cols and conn.execute("select 1 from audit where mac is not null limit 1").fetchone():
        return True
    from app.storage.location import connection_path
    path = connection_path(conn)
    return path is not None and head_path(path).exists()


def key_mac(label: str, data: bytes) -> str | None:
    """HMAC of `data` under the installation key, for files the app writes outside the
    database (a recording's meta.json); None when this installation has no key yet."""
    key = _read_key(key_path())
    if key is None:
        return None
    return hmac.new(key, label.encode() + b"|" + data, hashlib.sha256).hexdigest()
