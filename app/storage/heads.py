"""Head files: how far the sealed records reached, kept outside the database so that cutting
entries, wiping the chain or putting another database in place is seen.

Each head names the last chain entry (seq, mac), the last audit row (id, mac) and the first
MAC of each (the database's identity: `origin`, `audit_origin`), itself MACed with the
installation key. Three copies:
  - DB.chain-head beside the database (moves with the folder, so a restored folder verifies);
  - heads/<origin>.head beside the key, named for the database by its first chain entry, so a
    copy of the folder put back (a rollback) is checked against the newest state sealed;
  - heads/at-<path hash>.head beside the key, named for where the database lives, so a wiped
    chain (no first entry left to name it by) or a fresh database put in place of the sealed
    one is seen: this installation knows it sealed records at that path.
The heads are written after each commit (a crash may leave them one write behind: an entry
the head lags is in the chain, which is fine; one the head names that is gone is not).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.storage.errors import ChainError
from app.storage.keyfile import head_path, installation_key, key_path

_FIELDS = ("seq", "mac", "audit_id", "audit_mac", "origin", "audit_origin")


@dataclass(frozen=True, slots=True)
class Head:
    """The sealed records' reach: seq/mac of the last chain entry (0/"" when none), audit_id /
    audit_mac of the last sealed audit row, origin / audit_origin: the first MAC of each."""

    seq: int = 0
    mac: str = ""
    audit_id: int = 0
    audit_mac: str = ""
    origin: str = ""
    audit_origin: str = ""

    @property
    def empty(self) -> bool:
        return not self.seq and not self.audit_id


__all__ = ["Head", "check", "current", "forget", "head_path", "known_at", "read_head", "refresh", "write_heads"]


def _key_folder() -> Path:
    return key_path().parent / "heads"


def origin_head_path(origin: str) -> Path:
    return _key_folder() / f"{origin[:32]}.head"


def path_head_path(db_file: Path) -> Path:
    where = str(Path(db_file).resolve()).encode("utf-8")
    return _key_folder() / f"at-{hashlib.sha256(where).hexdigest()[:32]}.head"


def current(conn: sqlite3.Connection) -> Head:
    """The reach of the records as stored now (committed or inside the caller's transaction)."""
    last = conn.execute("select seq, mac from chain order by seq desc limit 1").fetchone()
    first = conn.execute("select mac from chain order by seq limit 1").fetchone()
    a_last = conn.execute("select id, mac from audit where mac is not null order by id desc limit 1").fetchone()
    a_first = conn.execute("select mac from audit where mac is not null order by id limit 1").fetchone()
    return Head(last[0] if last else 0, last[1] if last else "", a_last[0] if a_last else 0,
                a_last[1] if a_last else "", first[0] if first else "", a_first[0] if a_first else "")


def _body_mac(key: bytes, head: Head) -> str:
    text = "|".join(str(getattr(head, f)) for f in _FIELDS)
    return hmac.new(key, f"head2|{text}".encode(), hashlib.sha256).hexdigest()


def _put(p: Path, body: dict) -> None:
    tmp = p.with_name(p.name + ".part")
    try:
        p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(body) + "\n")
        os.replace(tmp, p)
    except OSError:
        pass  # the heads are a second line of defence; the sealed rows are already committed


def write_heads(conn: sqlite3.Connection, db_file: Path, key: bytes) -> None:
    """After a commit: the reach as it is now, in all three places."""
    head = current(conn)
    if head.empty:
        return
    body = {f: getattr(head, f) for f in _FIELDS}
    body["head_mac"] = _body_mac(key, head)
    _put(head_path(db_file), body)
    _put(path_head_path(db_file), body)
    if head.origin:
        _put(origin_head_path(head.origin), body)


def read_head(p: Path, key: bytes) -> Head | str | None:
    """-> the Head, None when there is no file, or "unreadable" / "forged"."""
    if p is None or not p.exists():
        return None
    try:
        body = json.loads(p.read_text(encoding="utf-8"))
        if "audit_id" not in body:  # written before the audit log was sealed: seq and mac only
            head = Head(int(body["seq"]), str(body["mac"]))
            good = hmac.new(key, f"head|{head.seq}|{head.mac}".encode(), hashlib.sha256).hexdigest()
        else:
            head = Head(int(body["seq"]), str(body["mac"]), int(body["audit_id"]), str(body["audit_mac"]),
                        str(body["origin"]), str(body["audit_origin"]))
            good = _body_mac(key, head)
    except (OSError, ValueError, KeyError, TypeError):
        return "unreadable"
    return head if hmac.compare_digest(good, str(body.get("head_mac", ""))) else "forged"


def known_at(db_file: Path) -> bool:
    """Whether this installation sealed records in a database at this path (its path head)."""
    return path_head_path(db_file).exists()


def forget(db_file: Path) -> None:
    """`db init --start-over`: the installation no longer expects records at this path."""
    for p in (path_head_path(db_file), head_path(db_file)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def check(db_file: Path, key: bytes, now: Head, chain_macs: dict[int, str], audit_macs: dict[int, str]) -> list[str]:
    """Every way the records as stored (`now`, and the MAC of each chain entry / audit row by
    number) fall short of what the heads say was sealed; one line each."""
    out: list[str] = []
    places = [("beside the database", head_path(db_file), not now.empty),
              ("beside the key for this path", path_head_path(db_file), False)]
    if now.origin:
        places.append(("beside the key", origin_head_path(now.origin), True))
    for where, p, needed in places:
        head = read_head(p, key)
        if head is None:
            if needed:
                out.append(f"the head file {where} ({p}) is missing: entries cut from the end could not be "
                           "checked; restore it from the backup")
            continue
        if isinstance(head, str):
            out.append(f"the head file {where} ({p.name}) is {head}")
            continue
        if head.origin and head.origin != now.origin or head.audit_origin and head.audit_origin != now.audit_origin:
            out.append(f"this is not the database this installation sealed here (the head file {where} names "
                       f"{head.seq} sealed results and {head.audit_id} audit rows that began otherwise; this one "
                       f"has {now.seq} and {now.audit_id}): it was wiped or replaced; put the real one back")
            continue
        if head.seq > now.seq:
            out.append(f"entries {now.seq + 1}..{head.seq} were deleted from the end (the head file {where} says "
                       "so; a backup put back loses the results saved after it)")
        elif head.seq and chain_macs.get(head.seq) != head.mac:
            out.append(f"the chain was rewritten (the head file {where} does not match it)")
        if head.audit_id > now.audit_id:
            out.append(f"audit rows after {now.audit_id} were deleted (the head file {where} names row "
                       f"{head.audit_id})")
        elif head.audit_id and audit_macs.get(head.audit_id) != head.audit_mac:
            out.append(f"the audit log was rewritten (the head file {where} does not match it)")
    return out


def refresh(conn: sqlite3.Connection) -> None:
    """After a commit that may have sealed something: bring the three heads up to date (no key
    yet: nothing was sealed, nothing to write)."""
    from app.storage.location import connection_path
    path = connection_path(conn)
    if path is None:
        return
    try:
        key = installation_key(conn, create=False)
    except ChainError:
        return
    write_heads(conn, path, key)


def audit_sealed_here(db_file: Path) -> bool:
    """Whether a head file (beside the database or the key) says this database had a sealed
    audit log: then no migration may adopt its trainees and accounts as they are."""
    for p in (head_path(db_file), path_head_path(db_file)):
        try:
            if int(json.loads(p.read_text(encoding="utf-8")).get("audit_id", 0)) > 0:
                return True
        except FileNotFoundError:
            continue
        except (OSError, ValueError, TypeError, AttributeError):
            return True  # a head that cannot be read is no proof of a new database
    return False
