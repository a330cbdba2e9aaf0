"""Review (issue 6): an instructor overrules a rep with a reason (a new sealed record, the old
kept), a trainee cannot; the open session's report as PDF from the review."""
from conftest import DEMO_TRACK, admin_of, rules_judgement

from app.assess.scoring import default_table
from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.storage.accounts import add_user
from app.storage.db import add_trainee, list_sessions, load_session, open_db, save_session, verify_records


def _one_session(tmp_path):
    db = open_db(tmp_path / "r.db", create=True)
    admin = admin_of(db)
    sgt = add_user(db, admin, "sgt", "instructor", "instructor-pw")
    tid = add_trainee(db, admin, "Ann", "female", 2006)
    ann = add_user(db, admin, "ann", "trainee", "1357", pin=True, trainee_id=tid)
    track = read_track(DEMO_TRACK)
    part = PoseTrack(track.keypoints[:470], track.fps, track.size, "pushup")
    res = rules_judgement(part, "pushup", "side", default_table(), "female", 20)
    return db, sgt, ann, save_session(db, sgt, tid, res, part, source="demo")


def test_an_instructor_overrules_a_rep_in_review_and_the_old_record_stays(qtbot, tmp_path):
    from app.ui.review_workspace import ReviewWorkspace
    db, sgt, _ann, sid = _one_session(tmp_path)
    old, _ = load_session(db, sgt, sid)
    ws = ReviewWorkspace(db, sgt)
    qtbot.addWidget(ws)
    ws.sessions.selectRow(0)
    refused = next(i for i, r in enumerate(old.reps) if not r.standard)
    ws.reps.selectRow(refused)
    assert ws.overrule_selected() is None and "needs a reason" in ws.note.text()
    ws.reason.setText("the grader saw a full lockout")
    new_sid = ws.overrule_selected()
    assert new_sid is not None and "corrects session" in ws.note.text() and ws.session_id == new_sid
    new, _ = load_session(db, sgt, new_sid)
    assert new.count_standard == old.count_standard + 1
    assert new.reps[refused].overruled.reason == "the grader saw a full lockout"
    assert new.score.points > old.score.points  # recomputed by the same table
    assert load_session(db, sgt, sid)[0] == old and verify_records(db).ok
    rows = {r["id"]: r for r in list_sessions(db, sgt)}
    assert rows[sid]["corrected_by"] == new_sid and "corrects" in ws.integrity.text()
    # the table says who decided it, and the correction is one test in the progress chart
    assert ws.reps.item(refused, 2).text() == "counted (overruled)"
    assert ws.reps.item(refused, 4).text().startswith("overruled: the grader saw a full lockout (the rules said:")
    assert len(ws.progress_plot.getPlotItem().listDataItems()[0].getData()[0]) == 1
    ws.sessions.selectRow([r["id"] for r in ws._shown].index(sid))  # the old one: corrections go to the newest
    ws.reps.selectRow(0)
    ws.reason.setText("again")
    assert ws.overrule_selected() is None and f"corrected already by session {new_sid}" in ws.note.text()


def test_a_trainee_reviews_without_overruling_and_exports_their_report(qtbot, tmp_path):
    from app.ui.review_workspace import ReviewWorkspace
    db, _sgt, ann, sid = _one_session(tmp_path)
    ws = ReviewWorkspace(db, ann)
    qtbot.addWidget(ws)
    assert ws.overrule_btn.isHidden() and ws.reason.isHidden() and not ws.report_btn.isHidden()
    ws.sessions.selectRow(0)
    ws.reps.selectRow(0)
    ws.reason.setText("I did it right")
    assert ws.overrule_selected() is None and "may not correct results" in ws.note.text()  # storage says no
    job = ws.report(tmp_path / "mine.pdf")
    job.join(60)
    qtbot.waitUntil(lambda: "report written to" in ws.note.text(), timeout=10_000)
    assert (tmp_path / "mine.pdf").read_bytes()[:4] == b"%PDF" and job.request.target == str(sid)
    ws.shutdown()


def test_the_form_models_view_is_behind_advanced(qtbot, tmp_path):
    from app.ui.review_workspace import ReviewWorkspace
    db, sgt, _ann, _sid = _one_session(tmp_path)
    ws = ReviewWorkspace(db, sgt)
    qtbot.addWidget(ws)
    ws.show()
    ws.sessions.selectRow(0)
    assert ws.reps.isColumnHidden(3) and not ws.attention.isVisible()
    assert not ws.reps.isColumnHidden(2) and not ws.reps.isColumnHidden(4)  # the verdict and why stay
    ws.advanced.setChecked(True)
    assert not ws.reps.isColumnHidden(3) and ws.attention.isVisible()
    ws.shutdown()
