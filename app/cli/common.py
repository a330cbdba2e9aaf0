"""What every command shares: the one-line error, the database and who is acting, output files."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def default_db() -> Path:
    env = os.environ.get("DRILLSCORE_DB")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "drillscore"
    base.mkdir(parents=True, exist_ok=True)
    return base / "drillscore.db"


def secret(env: str, prompt: str, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"no password or PIN: set {env} (or run it in a terminal to be asked)")
    import getpass
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != value:
        raise UsageError("the two entries differ; run it again")
    return value


def open_database(args, create: bool = False, read_only: bool = False, reads: bool = False):
    """The database of --db (or the default), as a one-line error when it cannot be used.
    create: only `db init` makes a new one; read_only: never write (verify); reads: a listing,
    opened for writing (failed sign-ins are logged) but read-only where it cannot be written."""
    from app.storage.db import StorageError, open_db
    from app.storage.errors import ReadOnlyError
    path = args.db or default_db()
    try:
        try:
            return open_db(path, create=create, read_only=read_only)
        except ReadOnlyError:
            if not reads:
                raise
            return open_db(path, read_only=True)
    except StorageError as e:
        raise UsageError(str(e)) from None


def signed_in(args, db):
    """The acting user from --user / $DRILLSCORE_USER and $DRILLSCORE_PASSWORD (or asked)."""
    from app.storage.accounts import has_accounts, sign_in
    from app.storage.errors import StorageError
    if not has_accounts(db):
        raise UsageError("no accounts yet: create the admin with `drillscore db init --admin NAME` "
                         "(its password from DRILLSCORE_PASSWORD, or asked)")
    user = args.user or os.environ.get("DRILLSCORE_USER")
    if not user:
        raise UsageError("this command needs credentials: give --user NAME (or set DRILLSCORE_USER), "
                         "with the password or PIN in DRILLSCORE_PASSWORD")
    try:
        return sign_in(db, user, secret("DRILLSCORE_PASSWORD", f"password or PIN for {user}: "))
    except StorageError as e:
        raise UsageError(str(e)) from None


def write_json(res: dict, dest: str) -> None:
    text = json.dumps(res, indent=2)
    if dest == "-":
        print(text)
        return
    try:
        Path(dest).write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror}; choose a writable path") from None


def progress(label: str):
    """A one-line progress bar on stderr when it is a terminal (quiet in pipes and tests)."""
    if not sys.stderr.isatty():
        return None

    def show(i: int, n: int) -> None:
        if i == 1 or i % 10 == 0 or i == n:
            frac = i / n if n else 0.0
            sys.stderr.write(f"\r{label} [{'#' * int(frac * 30):<30}] {i}/{n or '?'} frames")
            if n and i >= n:
                sys.stderr.write("\n")
            sys.stderr.flush()
    return show
