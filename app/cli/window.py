"""`drillscore gui`: the desktop window (or an offscreen screenshot of it)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from app.cli.common import UsageError, default_db
from app.paths import demo_track

# What Qt's X11 (xcb) platform plugin loads beyond Qt itself -> the Debian / Ubuntu package
# that ships it. A bare desktop install lacks some of them, and Qt then aborts with a message
# about its plugin folder that sends the user the wrong way.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libX11-xcb.so.1": "libx11-xcb1", "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
}


def missing_packages(load=None) -> list[str]:
    """Debian / Ubuntu packages of XCB_LIBRARIES that cannot be loaded. load: soname -> raises
    OSError when missing (default ctypes.CDLL)."""
    if load is None:
        import ctypes
        load = ctypes.CDLL
    out = []
    for soname, package in XCB_LIBRARIES.items():
        try:
            load(soname)
        except OSError:
            out.append(package)
    return out


def check_desktop(env: dict | None = None, platform: str | None = None, load=None) -> None:
    """UsageError in one line when the window cannot open here: no display, or Qt's X11
    plugin missing system libraries (the packages named, with the command that installs them)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and qpa != "xcb":
        return  # offscreen, wayland, vnc...: the user chose; Qt reports its own
    if not qpa and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        # Qt would abort the process here (no display); say it in one line instead
        raise UsageError("no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it on the desktop, "
                         "or use --screenshot OUT.png to render offscreen")
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return  # Qt picks its Wayland plugin
    missing = missing_packages(load)
    if missing:
        raise UsageError(f"the desktop window needs system libraries that are missing: install them with "
                         f"`sudo apt install {' '.join(missing)}` (Debian / Ubuntu package names), then try again")


def cmd_gui(args) -> int:
    if not args.screenshot:
        check_desktop()
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
            # a locked or corrupt database is reported before the window opens; the default one is
            # made on the first run (the window then asks for the first admin), a --db never is
            open_db(db_path, create=not args.db).conn.close()
        except StorageError as e:
            raise UsageError(str(e)) from None
    size = None
    if getattr(args, "size", None):
        try:
            w, h = (int(v) for v in args.size.lower().split("x"))
            if not (320 <= w <= 7680 and 240 <= h <= 4320):
                raise ValueError
        except ValueError:
            raise UsageError(f"--size {args.size!r}: give the window size as WIDTHxHEIGHT, e.g. 1280x720") from None
        size = (w, h)
    rc = run(demo_track(), args.demo, args.screenshot, args.seconds, args.workspace, db_path, size=size)
    if args.screenshot:
        if not Path(args.screenshot).exists():
            raise UsageError(f"{args.screenshot}: the screenshot could not be written; choose a writable path")
        print(f"{args.screenshot}: the {args.workspace} workspace after {args.seconds:g} s")
    return rc
