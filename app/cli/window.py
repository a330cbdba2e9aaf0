"""`drillscore gui`: the desktop window (or an offscreen screenshot of it)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from app.cli.common import UsageError, default_db
from app.paths import demo_track


def cmd_gui(args) -> int:
    if (not args.screenshot and sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        # Qt would abort the process here (no display); say it in one line instead
        raise UsageError("no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it on the desktop, "
                         "or use --screenshot OUT.png to render offscreen")
    from app.runtime import tune_malloc
    tune_malloc()  # before any thread: a long test's memory stays near its data (app/runtime.py)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        out = Path(args.screenshot)
        if not out.parent.exists():
            raise UsageError(f"{out.parent}: no such folder for the screenshot; create it or choose another path")
    try:
        from app.ui.app import run
    except ImportError as e:
        raise UsageError(f"the GUI needs PySide6 and pyqtgraph ({e}); reinstall drillscore") from None
    if not demo_track().exists():
        raise UsageError(f"{demo_track()}: the bundled demo track is missing; reinstall drillscore")
    db_path = None
    if args.db or not (args.demo or args.screenshot):
        db_path = Path(args.db) if args.db else default_db()
        from app.storage.db import StorageError, open_db
        try:
            open_db(db_path)  # a locked or corrupt database is reported before the window opens
        except StorageError as e:
            raise UsageError(str(e)) from None
    rc = run(demo_track(), args.demo, args.screenshot, args.seconds, args.workspace, db_path)
    if args.screenshot:
        if not Path(args.screenshot).exists():
            raise UsageError(f"{args.screenshot}: the screenshot could not be written; choose a writable path")
        print(f"{args.screenshot}: the {args.workspace} workspace after {args.seconds:g} s")
    return rc
