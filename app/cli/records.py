"""`drillscore recover`, `report` and `verify`: the records after the test."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from app.cli.common import UsageError, open_database, signed_in


def cmd_recover(args) -> int:
    from app.config import SettingsError, load_settings
    from app.pipeline.recovery import RecoveryError, dismiss, find_unsaved, recover
    from app.storage.db import STAFF, StorageError, find_trainee, list_sessions
    from app.storage.location import database_path
    from app.storage.roles import require
    db = open_database(args)
    actor = signed_in(args, db)
    try:
        require(actor, *STAFF, to="recover or dismiss unsaved tests")  # a trainee sees no one else's tests
    except StorageError as e:
        raise UsageError(str(e)) from None
    try:
        settings = load_settings()
    except SettingsError as e:
        raise UsageError(str(e)) from None
    root = Path(args.recordings or settings.recordings or database_path(db).parent / "recordings")
    try:
        if args.dismiss:
            dismiss(db, actor, args.dismiss, root)
            print(f"{args.dismiss}: dismissed (kept on disk, not offered again)")
            return 0
        saved = {Path(r["recording"]) for r in list_sessions(db, actor) if r["recording"]}
        found = find_unsaved(root, saved)
        if not found:
            print(f"nothing to recover in {root}")
        tid = find_trainee(db, actor, args.trainee)["id"] if args.trainee else None
        for u in found:
            if args.list or u.problem:
                print(f"{u.folder}: {u.describe()}")
                continue
            sid = recover(db, actor, u.folder, settings.rules(), settings.scoring_table, trainee_id=tid)
            print(f"{u.folder}: recovered as session {sid} ({u.describe()})")
    except (RecoveryError, StorageError) as e:
        raise UsageError(str(e)) from None
    return 0


def cmd_report(args) -> int:
    from app.assess.scoring import ScoringTableError, load_table
    from app.pipeline.report_gather import build_report
    from app.reports.files import ExportError, check_writable
    from app.storage.errors import StorageError
    fmt = args.format or Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("csv", "pdf"):
        raise UsageError(f"{args.out}: say --format csv or --format pdf (or end the file name in .csv / .pdf)")
    from app.ui.report_writer import write_report  # Qt's PDF writer is loaded only for a PDF
    db = open_database(args, reads=True)
    actor = signed_in(args, db)
    table = None
    try:
        if args.kind == "unit":
            from app.config import SettingsError, load_settings
            try:
                chosen = args.scoring or load_settings().scoring_table
            except SettingsError as e:
                raise UsageError(str(e)) from None
            table = load_table(chosen) if chosen else None
        check_writable(args.out)  # said before the work, not after it
        t0 = time.perf_counter()
        report = build_report(db, actor, args.kind, args.target, table, args.start, args.end)
        out = write_report(report, fmt, args.out, by=str(actor))
    except (StorageError, ScoringTableError, ExportError) as e:
        raise UsageError(str(e)) from None
    from app.storage.db import record_export
    try:
        record_export(db, actor, f"{args.kind} report {args.target} ({fmt})", out)
    except StorageError as e:  # the report is written and correct; say that its export went unlogged
        print(f"note: the export was not logged ({e})", file=sys.stderr)
    print(f"{out}: {args.kind} report ({fmt}, {time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_verify(args) -> int:
    """Exit 0 when every sealed result and file is as sealed, 1 naming each that is not."""
    from app.storage.chain import ChainError
    from app.storage.db import verify_records
    db = open_database(args, read_only=True)  # checking never migrates, creates or writes anything
    try:
        report = verify_records(db)
    except ChainError as e:
        raise UsageError(str(e)) from None
    for p in report.problems:
        print(f"FAILED {p}")
    print(f"{report.entries} sealed entries, {report.sessions} sessions, {report.audit_rows} sealed audit rows: "
          + ("all as sealed" if report.ok else f"{len(report.problems)} problem(s)"))
    return 0 if report.ok else 1
