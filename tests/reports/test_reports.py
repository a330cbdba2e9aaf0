"""Score reports (issue 6): the report model from real saved sessions, CSV and PDF, the
command line with its roles and refusals, the admin panel's progress and Cancel."""
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import DEMO_TRACK, ROOT, admin_of, rules_judgement

from app.assess.correction import overrule_rep
from app.assess.scoring import load_table
from app.cli import main
from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.pipeline.report_gather import build_report
from app.pipeline.report_job import ReportJob, ReportRequest
from app.reports.csv_report import write_report_csv
from app.reports.files import Cancelled
from app.storage.accounts import add_user
from app.storage.db import AccessError, StorageError, add_trainee, correct_session, list_sessions, open_db, save_session

TRACK = read_track(DEMO_TRACK)
PASSWORD = "admin-secret"


def _table(tmp_path: Path) -> Path:
    """A small table where the demo's few reps can pass: 5 standard push-ups = 80 points."""
    p = tmp_path / "low.json"
    p.write_text(json.dumps({"name": "Low bar", "source": "test", "pass_points": 60, "events": {"pushup": {
        "male": {"17-21": [[1, 10], [5, 80]]}, "female": {"17-21": [[1, 20], [4, 80]]}}}}))
    return p


def _world(tmp_path: Path, extra_trainees: int = 0):
    """An admin, an instructor, trainees in two units with sessions of 3, 5 or 8 reps on known
    days, one corrected. -> (db, admin, ids by name, session ids)."""
    db = open_db(tmp_path / "r.db", create=True)
    admin = admin_of(db)
    inst = add_user(db, admin, "sgt", "instructor", "instructor-pw")
    tids = {}
    for name, sex, year, unit in [("Ann", "female", 2006, "1st"), ("Bob", "male", 2005, "1st"),
                                  ("Cy", "male", 2007, "2nd")] + \
            [(f"T{k:03d}", "male", 2006, "1st") for k in range(extra_trainees)]:
        tids[name] = add_trainee(db, admin, name, sex, year, unit)
    sids = []
    plan = [("Ann", 360, "2026-01-05"), ("Ann", 470, "2026-02-05"), ("Bob", 470, "2026-01-06"),
            ("Bob", 250, "2026-03-06"), ("Cy", 470, "2026-01-07")]
    plan += [(f"T{k:03d}", 250 + (k % 3) * 110, "2026-02-01") for k in range(extra_trainees)]
    for name, frames, day in plan:
        part = PoseTrack(TRACK.keypoints[:frames], TRACK.fps, TRACK.size, "pushup")
        res = rules_judgement(part, "pushup", "side")
        sids.append(save_session(db, inst, tids[name], res, part, source="demo", started=f"{day}T09:00:00+00:00"))
    return db, admin, tids, sids


def test_the_report_models_say_what_the_database_holds(tmp_path):
    db, admin, _tids, sids = _world(tmp_path)
    table = load_table(_table(tmp_path))
    rows = {r["id"]: r for r in list_sessions(db, admin)}
    # one session: every rep, the refused ones counted by reason, the curve the reps were read from
    s = build_report(db, admin, "session", str(sids[1]))
    assert s.count_total == rows[sids[1]]["count_total"] and len(s.reps) == s.count_total
    refused = [r for r in s.reps if not r.counted]
    assert sum(k for _why, k in s.refused) == sum(len(r.reasons) for r in refused) > 0
    assert len(s.drive) == 470 and np.isfinite(s.drive).mean() > 0.9 and s.status == "sealed, verified"
    # a correction stands in the trainee's history; the record it corrects is left out
    from app.storage.db import load_session
    old, _ = load_session(db, admin, sids[0])
    n = next(r.n for r in old.reps if not r.standard)
    cid = correct_session(db, admin, sids[0], overrule_rep(old, n, True, "grader saw lockout"), "grader saw lockout")
    t = build_report(db, admin, "trainee", "ann")
    assert [h.session_id for h in t.history] == [cid, sids[1]]
    assert t.history[0].count_standard == old.count_standard + 1
    assert "corrects session" in t.history[0].status
    assert t.progress["pushup"] == tuple((h.day, h.count_standard) for h in t.history)
    # a unit: best and latest by the given table, passed by its pass mark, a date range
    u = build_report(db, admin, "unit", "1ST", table)
    by = {x.trainee: x for x in u.rows}
    assert set(by) == {"Ann", "Bob"} and by["Bob"].sessions == 2
    bob = [rows[sids[2]], rows[sids[3]]]
    assert by["Bob"].best == max(r["count_standard"] for r in bob) and by["Bob"].latest == bob[1]["count_standard"]
    assert by["Bob"].latest_points == table.points("pushup", "male", 2026 - 2005, bob[1]["count_standard"])
    assert by["Bob"].passed == (by["Bob"].latest_points >= 60)
    assert u.passed + u.failed == sum(x.passed is not None for x in u.rows)
    early = build_report(db, admin, "unit", "1st", table, end="2026-01-31")
    assert {x.trainee: x.sessions for x in early.rows} == {"Ann": 1, "Bob": 1}
    # a trainee of the unit with no session yet is counted as such, not left out
    add_trainee(db, admin, "Dee", "female", 2006, "1st")
    u2 = build_report(db, admin, "unit", "1st", table)
    assert u2.untested == ("Dee",) and "Dee" not in {x.trainee for x in u2.rows}
    from app.reports.csv_report import sections
    head = dict(sections(u2)[0][1])
    assert head["trainees with no session yet"] == 1 and head["no session yet"] == "Dee"
    # a record changed behind the app's back is flagged in every report that shows it
    db.conn.close()
    raw = sqlite3.connect(tmp_path / "r.db")
    raw.execute("drop trigger sessions_no_update")
    raw.execute("update sessions set count_standard = 40 where id = ?", [sids[3]])
    raw.commit()
    raw.close()
    db = open_db(tmp_path / "r.db", create=True)
    u = build_report(db, admin, "unit", "1st", table)
    assert [x.verified for x in u.rows if x.trainee == "Bob"] == [False]
    assert build_report(db, admin, "session", str(sids[3])).status.startswith("FAILED verification")


def test_csv_report_reads_back_as_the_session_holds(tmp_path):
    db, admin, _tids, sids = _world(tmp_path)
    rep = build_report(db, admin, "session", str(sids[1]))
    out = write_report_csv(rep, tmp_path / "s.csv")
    parts = [[]]
    for row in csv.reader(out.open(encoding="utf-8")):
        if row:
            parts[-1].append(row)
        else:
            parts.append([])
    head, reps, refused = parts
    assert dict(head[1:])["standard reps"] == str(rep.count_standard)
    assert [r[5] for r in reps[1:]] == ["yes" if r.counted else "no" for r in rep.reps]
    assert sum(int(r[1]) for r in refused[1:]) == sum(k for _, k in rep.refused)
    u = write_report_csv(build_report(db, admin, "unit", "1st", load_table(_table(tmp_path))), tmp_path / "u.csv")
    rows = [r for r in csv.reader(u.open(encoding="utf-8"))]
    assert rows[rows.index(["trainee", "event", "sessions", "best", "best_points", "latest", "latest_points",
                            "latest_day", "passed", "records_verified"]) + 1][0] == "Ann"


def _pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run installs Debian's poppler-utils")
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed; .ci/run installs it")
    return exe


def _pages(pdf: Path, tmp_path: Path) -> list[np.ndarray]:
    import cv2
    subprocess.run([_pdftoppm(), "-r", "50", "-png", str(pdf), str(tmp_path / pdf.stem)], check=True)
    return [cv2.imread(str(p)) for p in sorted(tmp_path.glob(f"{pdf.stem}-*.png"))]


def _share(img: np.ndarray, bgr: tuple, tol: int = 40) -> float:
    return float((np.abs(img.astype(int) - np.array(bgr)).max(-1) < tol).mean())


def test_pdf_pages_render_with_their_charts(tmp_path):
    _db, _admin, _tids, sids = _world(tmp_path, extra_trainees=70)
    assert main(["report", "session", str(sids[1]), "--db", str(tmp_path / "r.db"), "--user", "admin",
                 "--out", str(tmp_path / "session.pdf")], ) == 2  # no password in the environment: refused
    os.environ["DRILLSCORE_PASSWORD"] = PASSWORD
    try:
        base = ["--db", str(tmp_path / "r.db"), "--user", "admin"]
        assert main(["report", "session", str(sids[1]), *base, "--out", str(tmp_path / "session.pdf")]) == 0
        assert main(["report", "unit", "1st", *base, "--scoring", str(_table(tmp_path)),
                     "--out", str(tmp_path / "unit.pdf")]) == 0
    finally:
        del os.environ["DRILLSCORE_PASSWORD"]
    page = _pages(tmp_path / "session.pdf", tmp_path)
    assert len(page) == 1 and page[0].shape[0] > page[0].shape[1]  # one A4 portrait page
    img = page[0]
    assert (img < 200).any(-1).mean() > 0.02                          # not blank
    assert _share(img, (255, 98, 41)) > 0.0005                         # the driving signal's blue line
    assert _share(img, (216, 219, 250), 12) > 0.001                    # a refused rep's red band or row
    unit = _pages(tmp_path / "unit.pdf", tmp_path)
    assert len(unit) >= 2                                              # 72 trainees: the table goes on
    assert _share(unit[0], (73, 132, 30)) > 0.001 and _share(unit[0], (43, 57, 192)) > 0.001  # passed / failed bar
    assert (unit[1] < 200).any(-1).mean() > 0.01                       # the second page has rows


def test_report_command_refusals_are_one_line(tmp_path, capsys, monkeypatch):
    db, admin, tids, sids = _world(tmp_path)
    add_user(db, admin, "ann", "trainee", "1234", pin=True, trainee_id=tids["Ann"])
    base = ["--db", str(tmp_path / "r.db")]
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", PASSWORD)

    def fails(args, msg):
        assert main(["report", *args, *base]) == 2
        err = capsys.readouterr().err
        assert msg in err and err.count("\n") == 1 and "Traceback" not in err, err
    fails(["trainee", "Zed", "--out", str(tmp_path / "z.pdf")], "no trainee named 'Zed'")
    fails(["unit", "3rd", "--out", str(tmp_path / "z.pdf")], "no trainees in unit '3rd' (units: 1st, 2nd)")
    fails(["session", "x1", "--out", str(tmp_path / "z.pdf")], "is not a session number")
    fails(["session", "999", "--out", str(tmp_path / "z.pdf")], "no session 999")
    fails(["session", "1", "--out", str(tmp_path / "nowhere" / "z.pdf")], "does not exist")
    fails(["session", "1", "--format", "pdf", "--out", str(tmp_path)], "is a folder")
    fails(["session", "1", "--out", str(tmp_path / "z.txt")], "say --format csv or --format pdf")
    fails(["unit", "1st", "--from", "01/02/2026", "--out", str(tmp_path / "z.csv")], "give it as YYYY-MM-DD")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "source": "y", "pass_points": "sixty", "events": {"pushup": {"male": {"17-21": [[1, 60]]}}}}')
    fails(["unit", "1st", "--scoring", str(bad), "--out", str(tmp_path / "z.csv")], "pass_points must be")
    # a damaged record: one line naming it, and the other sessions still report
    db.conn.execute("drop trigger tracks_no_update")
    db.conn.execute("update tracks set npz = x'0102' where session_id = ?", [sids[2]])
    db.conn.commit()
    fails(["session", str(sids[2]), "--out", str(tmp_path / "z.pdf")], "the stored record is damaged")
    assert main(["report", "session", str(sids[1]), *base, "--out", str(tmp_path / "ok.csv")]) == 0
    from app.storage.audit import list_audit
    assert [(r["action"], r["username"], r["target"]) for r in list_audit(db, admin, 1)] == \
        [("export", "admin", f"session report {sids[1]} (csv)")]
    # a trainee reports on themselves only, and not on a unit
    monkeypatch.setenv("DRILLSCORE_USER", "ann")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "1234")
    capsys.readouterr()
    assert main(["report", "trainee", "Ann", *base, "--out", str(tmp_path / "mine.csv")]) == 0
    fails(["trainee", "Bob", "--out", str(tmp_path / "z.csv")], "no trainee named 'Bob'")
    fails(["session", str(sids[2]), "--out", str(tmp_path / "z.csv")], "may see only their own sessions")
    fails(["unit", "1st", "--out", str(tmp_path / "z.csv")], "may not report on a whole unit")
    with pytest.raises(AccessError):
        build_report(db, admin.__class__(99, "ann", "trainee", tids["Ann"]), "unit", "1st")


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from app.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("fmt,limit", [("pdf", 6000), ("csv", 200)])
def test_a_full_disk_while_exporting_keeps_the_old_report(tmp_path, fmt, limit):
    """The file size limit makes every write past `limit` bytes fail, as a full disk does: the
    export says so in one line, the report already there is untouched, nothing half-written
    is left."""
    db, admin, _tids, sids = _world(tmp_path)
    out = tmp_path / f"report.{fmt}"
    out.write_bytes(b"the previous report")
    env = {**os.environ, "DRILLSCORE_USER": "admin", "DRILLSCORE_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT),
           "QT_QPA_PLATFORM": "offscreen"}
    # db stays open here: the subprocess finds the WAL index it needs and only reads
    p = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), "report", "session", str(sids[1]),
                        "--db", str(tmp_path / "r.db"), "--out", str(out)], env=env, capture_output=True, text=True,
                       timeout=120, check=False)
    assert p.returncode == 2, p.stderr
    assert "cannot write" in p.stderr and "free some space" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert out.read_bytes() == b"the previous report" and not list(tmp_path.glob("*.part"))
    assert len(list_sessions(db, admin)) == 5  # nothing already saved is touched


def test_the_admin_panel_makes_a_report_with_progress_and_cancel(qtbot, tmp_path):
    from app.ui.admin_workspace import AdminWorkspace
    db, admin, _tids, sids = _world(tmp_path)
    ws = AdminWorkspace(db, admin)
    qtbot.addWidget(ws)
    panel = ws.reports
    panel.kind.setCurrentIndex(2)  # a unit
    assert [panel.target.itemText(i) for i in range(panel.target.count())] == ["1st", "2nd"]
    panel.table_path = str(_table(tmp_path))
    with qtbot.waitSignal(panel.finished, timeout=60_000) as done:
        job = panel.start_report(tmp_path / "unit.pdf")
        assert not panel.make_btn.isEnabled() and panel.cancel_btn.isEnabled()
    assert done.args[0] is job and job.error is None and job.progress == 1.0
    assert (tmp_path / "unit.pdf").read_bytes().startswith(b"%PDF") and "report written to" in panel.message.text()
    from app.storage.audit import list_audit
    logged = list_audit(db, admin, 1)[0]
    assert logged["action"] == "export" and logged["target"] == "unit report 1st (pdf)"
    assert json.loads(logged["detail"])["file"] == str(tmp_path / "unit.pdf")
    assert panel.make_btn.isEnabled() and panel.bar.isHidden()
    panel.kind.setCurrentIndex(0)  # a session, newest first, into a folder that does not exist
    assert panel.target.currentData() == str(sids[-1])
    with qtbot.waitSignal(panel.finished, timeout=60_000):
        panel.start_report(tmp_path / "missing" / "s.pdf")
    assert "does not exist" in panel.message.text()
    # Cancel: the job stops at its next step and leaves no file
    req = ReportRequest("unit", "1st", "pdf", tmp_path / "cancelled.pdf")
    from app.ui.report_writer import write_report
    job = ReportJob(tmp_path / "r.db", admin, req, write_report)
    job.cancel()
    job.start().join(30)
    assert job.cancelled and job.result is None and not (tmp_path / "cancelled.pdf").exists()
    with pytest.raises(Cancelled):
        def stop(_d, _n):
            raise Cancelled()
        build_report(db, admin, "session", str(sids[0]), progress=stop)
    with pytest.raises(StorageError):
        build_report(db, admin, "trainee", "nobody")


def test_the_admin_checks_every_record_from_the_window(qtbot, tmp_path):
    from app.ui.admin_workspace import AdminWorkspace
    db, admin, _tids, sids = _world(tmp_path)
    ws = AdminWorkspace(db, admin)
    qtbot.addWidget(ws)
    assert ws.verify() and "5 sealed entries, 5 sessions, all as sealed" in ws.message.text()
    db.conn.execute("drop trigger reps_no_update")
    db.conn.execute("update reps set standard = 1 - standard where session_id = ?", [sids[2]])
    db.conn.commit()
    assert not ws.verify() and f"session {sids[2]}: changed: reps changed" in ws.message.text()


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path):
    from app.reports.files import csv_text
    from app.reports.sessions_csv import write_sessions_csv
    assert csv_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [csv_text(x) for x in ("+1 call", "@sum", "-x", "-1.5", "Ann", "")] == \
        ["'+1 call", "'@sum", "'-x", "-1.5", "Ann", ""]
    db = open_db(tmp_path / "f.db", create=True)
    admin = admin_of(db)
    tid = add_trainee(db, admin, "=2+5", "male", 2006, "@unit")
    part = PoseTrack(TRACK.keypoints[:250], TRACK.fps, TRACK.size, "pushup")
    save_session(db, admin, tid, rules_judgement(part, "pushup", "side"), part)
    rows = list(csv.reader(write_report_csv(build_report(db, admin, "trainee", "=2+5"),
                                            tmp_path / "t.csv").open(encoding="utf-8")))
    assert ["trainee", "'=2+5"] in rows and ["unit", "'@unit"] in rows
    out = write_sessions_csv(list_sessions(db, admin), tmp_path / "s.csv")
    assert list(csv.reader(out.open(encoding="utf-8")))[1][2] == "'=2+5"


def test_chart_geometry_breaks_at_unseen_frames_and_ticks_round():
    from app.reports.chart import Box, nice_ticks, polylines, to_x, to_y, value_range
    box = Box(10, 20, 100, 50)
    v = np.array([0.0, 1.0, np.nan, np.nan, 0.5, 0.0])
    runs = polylines(v, box)
    assert len(runs) == 2 and [len(r) for r in runs] == [2, 2]            # a NaN run breaks the line
    assert runs[0][0] == (10.0, 70.0) and runs[0][1] == (30.0, 20.0)        # lowest at the bottom, highest at the top
    assert runs[1][-1] == (to_x(5, 6, box), to_y(0.0, 0.0, 1.0, box)) == (110.0, 70.0)
    assert len(polylines(np.arange(10_000.0), box, max_points=500)[0]) <= 500  # thinned for the page
    assert polylines(np.full(5, np.nan), box) == [] and value_range(np.full(3, np.nan)) == (0.0, 1.0)
    assert value_range(np.array([2.0, 2.0])) == (1.5, 2.5)                   # a flat signal still has a height
    assert nice_ticks(0, 23.1, 6) == [0, 5, 10, 15, 20] and nice_ticks(0.13, 0.97, 4) == [0.2, 0.4, 0.6, 0.8]


def test_cancel_while_the_pdf_is_drawn_leaves_no_file(tmp_path):
    from app.ui.pdf_report import write_report_pdf
    db, admin, _tids, _sids = _world(tmp_path, extra_trainees=60)
    report = build_report(db, admin, "unit", "1st")
    calls = []

    def cancel(done, of):
        calls.append((done, of))
        raise Cancelled()
    out = tmp_path / "u.pdf"
    out.write_bytes(b"an older report")
    with pytest.raises(Cancelled):
        write_report_pdf(report, out, progress=cancel)
    assert calls == [(50, len(report.rows))]  # stopped in the table, 50 rows in
    assert out.read_bytes() == b"an older report" and not list(tmp_path.glob("*.part"))
