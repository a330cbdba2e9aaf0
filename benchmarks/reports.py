"""How long the score reports take for a unit of 100 trainees x 10 sessions.

    .venv/bin/python benchmarks/reports.py [--trainees 100] [--sessions 10] [--repeat 3]

Builds a database of real-shaped sessions (the demo track cut to 6-23 s, judged by the rules,
saved and sealed through the storage layer as the app saves them), then times, each the best
of --repeat runs: the unit report (gather + chain check + CSV, gather + PDF), one trainee's
report and one session's report as PDF. Prints one line per figure and a JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(work: Path, trainees: int, sessions: int) -> tuple[Path, object]:
    from dataclasses import replace

    from app.assess.scoring import default_table
    from app.core.judgement import Score
    from app.core.tracks import read_track
    from app.core.types import PoseTrack
    from app.paths import demo_track
    from app.pipeline.judge import JudgeRequest, judge
    from app.storage.accounts import create_first_admin
    from app.storage.db import add_trainee, open_db, save_session
    db_path = work / "unit.db"
    db = open_db(db_path, create=True)
    admin = create_first_admin(db, "admin", "bench-admin-pw")
    track = read_track(demo_track())
    table = default_table()
    judged = {}
    for frames in range(180, 700, 60):  # a few distinct lengths, judged once each
        part = PoseTrack(track.keypoints[:frames], track.fps, track.size, "pushup")
        judged[frames] = (part, judge(part, JudgeRequest(exercise="pushup", view="side", classifier=False)))
    lengths = sorted(judged)
    for t in range(trainees):
        sex = "male" if t % 2 else "female"
        tid = add_trainee(db, admin, f"Trainee {t:03d}", sex, 2005 + t % 4, "Alpha Company")
        for s in range(sessions):
            part, a = judged[lengths[(t + s) % len(lengths)]]
            age = 2026 - (2005 + t % 4)
            res = replace(a, score=Score(table.name, table.example, sex, age,
                                         table.points("pushup", sex, age, a.count_standard)))
            save_session(db, admin, tid, res, part, source="benchmark",
                         started=f"2026-{1 + s % 12:02d}-{1 + t % 28:02d}T08:00:00+00:00")
    db.conn.close()
    return db_path, admin


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trainees", type=int, default=100)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="drillscore-reports-") as tmp:
        work = Path(tmp)
        os.environ["DRILLSCORE_KEY"] = str(work / "chain.key")
        t0 = time.perf_counter()
        db_path, admin = build(work, args.trainees, args.sessions)
        n = args.trainees * args.sessions
        print(f"database: {args.trainees} trainees x {args.sessions} sessions = {n} sealed sessions "
              f"({time.perf_counter() - t0:.1f} s to save, {db_path.stat().st_size / 1e6:.1f} MB)")
        from app.assess.scoring import default_table
        from app.pipeline.report_gather import build_report, verified
        from app.reports.csv_report import write_report_csv
        from app.storage.db import open_db
        from app.ui.pdf_report import write_report_pdf
        db = open_db(db_path, create=True)
        table = default_table()
        figures = {"sessions": n}
        figures["chain_check_s"] = best_of(args.repeat, lambda: verified(db))
        figures["unit_gather_s"] = best_of(args.repeat, lambda: build_report(db, admin, "unit", "Alpha Company",
                                                                             table))
        unit = build_report(db, admin, "unit", "Alpha Company", table)
        figures["unit_csv_s"] = best_of(args.repeat, lambda: (
            write_report_csv(build_report(db, admin, "unit", "Alpha Company", table), work / "unit.csv")))
        figures["unit_pdf_s"] = best_of(args.repeat, lambda: (
            write_report_pdf(build_report(db, admin, "unit", "Alpha Company", table), work / "unit.pdf")))
        figures["trainee_pdf_s"] = best_of(args.repeat, lambda: (
            write_report_pdf(build_report(db, admin, "trainee", "Trainee 042"), work / "trainee.pdf")))
        figures["session_pdf_s"] = best_of(args.repeat, lambda: (
            write_report_pdf(build_report(db, admin, "session", "421"), work / "session.pdf")))
        figures["unit_rows"] = len(unit.rows)
        figures["unit_pdf_kb"] = round((work / "unit.pdf").stat().st_size / 1024, 1)
        for k, v in figures.items():
            print(f"{k:>16}: {v:.3f}" if isinstance(v, float) else f"{k:>16}: {v}")
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
