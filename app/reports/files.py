"""Report files written aside and moved into place: never half a file, and one clear error."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text as a spreadsheet should read it: a cell that starts like a formula (a trainee
    named "=HYPERLINK(...)") gets a leading apostrophe, so opening the CSV runs nothing.
    Numbers, negative ones included, are left alone."""
    if value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


class ExportError(OSError):
    """The report file could not be written; the message names the path and the fix."""


def check_writable(path: str | Path) -> Path:
    """Said before the work starts: the folder exists and can be written."""
    import os
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"{p} is a folder; give a file name to write the report to")
    if not p.parent.is_dir():
        raise ExportError(f"cannot write {p}: folder {p.parent} does not exist; create it or choose another")
    if not os.access(p.parent, os.W_OK):
        raise ExportError(f"cannot write {p}: folder {p.parent} is not writable; choose a folder you can write to")
    return p


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """write(tmp) fills a temporary file next to `path`, which then replaces `path`."""
    p = Path(path)
    tmp = p.with_name(p.name + ".part")
    try:
        write(tmp)
        tmp.replace(p)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {p}: {e.strerror or e}; choose a folder you can write to "
                          "(or free some space)") from None
    return p


class Cancelled(Exception):
    """The user cancelled the report; nothing was written."""
