import json
import sqlite3

import numpy as np
import pytest
from conftest import admin_of

from app.assess.scoring import ScoringTableError, default_table, load_table
from app.cli import main
from app.core.tracks import write_track
from app.storage.db import StorageError, get_or_add_trainee, load_session, open_db, save_session
from training.synth import make_clip


@pytest.fixture
def track_file(tmp_path):
    c = make_clip(21, "situp", "side", n_reps=4, fault_rate=0.0, noise=0.0)
    return write_track(tmp_path / "s.npz", c.track()), c


def test_analyze_json_schema(track_file, tmp_path, capsys):
    path, clip = track_file
    out = tmp_path / "r.json"
    assert main(["analyze", str(path), "--exercise", "situp", "--json", str(out), "--csv", str(tmp_path / "r.csv")]) == 0
    res = json.loads(out.read_text())
    for key in ("exercise", "frames", "fps", "duration_s", "count_total", "count_standard", "reps", "score", "models"):
        assert key in res
    assert res["count_total"] == clip.count_total == 4
    assert set(res["reps"][0]) >= {"n", "start_frame", "end_frame", "standard", "p_standard", "reasons"}
    p = [r["p_standard"] for r in res["reps"]]  # the shipped classifier's, recorded; the rules decide
    assert all(0.0 <= x <= 1.0 for x in p) and res["classifier"]["model"] == "lstm_attention"
    assert all(len(r["attention"]) == 10 and abs(sum(r["attention"]) - 1) < 1e-3 for r in res["reps"])
    assert (tmp_path / "r.csv").read_text().count("\n") == 5
    assert "standard reps: 4" in capsys.readouterr().out


def test_analyze_without_classifier_or_with_it_missing_still_judges(track_file, tmp_path, capsys):
    path, _ = track_file
    out = tmp_path / "r.json"
    assert main(["analyze", str(path), "--exercise", "situp", "--json", str(out), "--no-classifier"]) == 0
    res = json.loads(out.read_text())
    assert res["count_total"] == 4 and all(r["p_standard"] is None for r in res["reps"])
    empty = tmp_path / "models"
    empty.mkdir()
    assert main(["analyze", str(path), "--exercise", "situp", "--json", str(out), "--models", str(empty)]) == 0
    res = json.loads(out.read_text())
    assert res["count_total"] == 4 and all(r["p_standard"] is None for r in res["reps"])
    assert "lstm_attention.onnx: model file missing" in res["classifier"]["note"]


def test_analyze_json_to_stdout_and_score(track_file, capsys):
    path, _ = track_file
    assert main(["analyze", str(path), "--exercise", "situp", "--json", "-", "--sex", "male", "--age", "19"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["score"]["points"] == pytest.approx(60 * 4 / 53, abs=0.1) and res["score"]["example"] is True
    assert main(["analyze", str(path), "--exercise", "situp", "--sex", "male", "--age", "19", "--no-classifier"]) == 0
    assert "points, not passed (pass mark 60)" in capsys.readouterr().out  # 4 sit-ups of the 53 that pass
    assert main(["analyze", str(path), "--exercise", "situp", "--sex", "male", "--age", "15", "--no-classifier"]) == 0
    said = capsys.readouterr().out
    assert "score: no row for age 15" in said and "17-21" in said  # the ages the table has


@pytest.mark.parametrize("argv,msg", [
    (["analyze", "missing.npz", "--exercise", "pushup"], "no such file"),
    (["analyze", "x.npz", "--exercise", "squat"], "invalid choice"),
    (["analyze", "x.npz"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_line(argv, msg, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1 and "Traceback" not in err


def test_save_needs_trainee_and_unwritable_output(track_file, tmp_path, capsys):
    path, _ = track_file
    assert main(["analyze", str(path), "--exercise", "situp", "--save"]) == 2
    assert main(["analyze", str(path), "--exercise", "situp", "--json", str(tmp_path / "no" / "dir.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_save_and_list_need_credentials(track_file, tmp_path, capsys, monkeypatch):
    path, _ = track_file
    db = tmp_path / "d.db"
    save = ["analyze", str(path), "--exercise", "situp", "--save", "--trainee", "Pvt Doe", "--db", str(db)]
    # a mistyped or new --db is never made by a save: only `db init` makes a database
    assert main(save) == 2 and "no such database" in capsys.readouterr().err and not db.exists()
    assert main(["db", "init", "--db", str(db)]) == 0
    assert main(save) == 2 and "no accounts yet" in capsys.readouterr().err
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "first-admin-pw")
    assert main(["db", "init", "--db", str(db), "--admin", "boss"]) == 0
    assert main(save) == 2 and "needs credentials" in capsys.readouterr().err
    monkeypatch.setenv("DRILLSCORE_USER", "boss")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "wrong-password")
    assert main(save) == 2 and "not right" in capsys.readouterr().err
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "first-admin-pw")
    assert main(save) == 0
    assert main(["db", "sessions", "--db", str(db)]) == 0
    assert "Pvt Doe" in capsys.readouterr().out
    monkeypatch.delenv("DRILLSCORE_USER")
    assert main(["db", "sessions", "--db", str(db), "--user", "boss"]) == 0


def test_saved_session_reads_back_identical(track_file, tmp_path):
    _path, clip = track_file
    from conftest import rules_judgement

    from app.core.judgement_json import to_dict
    db = open_db(tmp_path / "x.db", create=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    track = clip.track()
    res = rules_judgement(track, "situp", "side")
    me = admin_of(db)
    sid = save_session(db, me, get_or_add_trainee(db, me, "A"), res, track)
    back, tr = load_session(db, me, sid)
    assert back == res and to_dict(back) == json.loads(json.dumps(to_dict(res)))
    assert np.array_equal(tr.keypoints, track.keypoints) and tr.fps == track.fps and tr.size == track.size
    assert db["reps"].count == res.count_total
    with pytest.raises(StorageError, match="no session 99"):
        load_session(db, me, 99)


def test_failed_save_leaves_nothing(tmp_path, monkeypatch):
    from conftest import rules_judgement

    import app.storage.db as storage
    db = open_db(tmp_path / "y.db", create=True)
    me = admin_of(db)
    tid = get_or_add_trainee(db, me, "B")
    track = make_clip(1, "situp").track()
    j = rules_judgement(track, "situp", "side")
    assert j.count_total > 0

    def broken(_track):  # fails after the session row and its reps are written
        raise OSError("disk went away")
    monkeypatch.setattr(storage, "track_to_bytes", broken)
    with pytest.raises(OSError):
        save_session(db, me, tid, j, track)
    assert db["sessions"].count == 0 and db["reps"].count == 0 and db["tracks"].count == 0


def test_locked_and_corrupt_database(tmp_path):
    p = tmp_path / "z.db"
    me = admin_of(open_db(p, create=True))
    holder = sqlite3.connect(p)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        db = open_db(p, create=True)
        db.conn.execute("PRAGMA busy_timeout=100")
        with pytest.raises(StorageError, match="locked"):
            get_or_add_trainee(db, me, "C")
    finally:
        holder.rollback()
        holder.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a usable DrillScore database"):
        open_db(junk, create=True)


def test_scoring_table(tmp_path):
    t = default_table()
    assert t.example and t.points("pushup", "male", 19, 42) == 60 and t.points("pushup", "male", 19, 71) == 100
    assert t.points("pushup", "male", 19, 90) == 100 and t.points("pullup", "male", 19, 5) == 43.8  # USMC 4 = 40, 20 = 100
    bad = tmp_path / "t.json"
    for doc, msg in [({"name": "x", "source": "y"}, "missing 'events'"),
                     ({"name": "x", "source": "y", "events": {"squat": {}}}, "unknown event"),
                     ({"name": "x", "source": "y", "events": {"pushup": {"male": {"17-21": [[5, 1], [3, 2]]}}}},
                      "reps must increase"),
                     ({"name": "x", "source": "y", "events": {"pushup": {"male": {"young": [[5, 1]]}}}}, "age band")]:
        bad.write_text(json.dumps(doc))
        with pytest.raises(ScoringTableError, match=msg):
            load_table(bad)


def test_demo_runs(capsys):
    assert main(["demo", "--track"]) == 0
    out = capsys.readouterr().out
    assert "standard reps: 5   total reps: 8" in out and "no lockout" in out


# Elbow degrees either side of the lockout threshold where a 2D read of a brief top decides
# by chance: the demo's 5th rep (rendered locked out, no pause at the top, 15 fps) reads 156.0
# through the reference teacher (BlazePose Full), 154.0 through the crop path with the
# 14000-step pose_crop (passing a 3.0 border by 0.02) and 153.6 with the 18500-step one, the
# threshold being 157. Issue 28 (lockout read against the trainee's own start) is to end this.
LOCKOUT_BORDER = 4.0


def test_the_demo_runs_the_real_path_and_counts_the_rendered_clip_exactly(capsys, tmp_path):
    """`drillscore demo`: the bundled rendered video through the pose model counts and judges
    it as its ground truth says (written beside it by `python -m training demo`): the same
    reps, the rendered faults refused, and every standard rep counted unless the one number
    that refused it lies on the lockout threshold's border (LOCKOUT_BORDER)."""
    import json

    from app.assess.thresholds import DEFAULTS
    from app.paths import demo_video
    truth = json.loads(demo_video().with_suffix(".truth.json").read_text())
    out_json = tmp_path / "demo.json"
    assert main(["demo", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "pose model (ONNX)" in out
    got = json.loads(out_json.read_text())
    assert f"total reps: {truth['count_total']}" in out and len(got["reps"]) == truth["count_total"]
    assert f"standard reps: {sum(r['standard'] for r in got['reps'])} " in out
    for rep, standard in zip(got["reps"], truth["standard"], strict=True):
        if rep["standard"] == standard:
            continue
        assert standard and rep["reasons"] == ["no_lockout"], rep  # a rendered fault is never passed
        assert abs(rep["measures"]["no_lockout"] - DEFAULTS.pushup_lockout_elbow) <= LOCKOUT_BORDER, rep
    assert sum(r["standard"] != s for r, s in zip(got["reps"], truth["standard"])) <= 1
    assert 0 < truth["count_standard"] < truth["count_total"]  # the demo shows a refusal too


def test_demo_with_missing_track_is_one_line(monkeypatch, tmp_path, capsys):
    from app.cli import analyze
    monkeypatch.setattr(analyze, "demo_track", lambda: tmp_path / "gone.npz")
    assert main(["demo", "--track"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gone.npz" in err[0] and "reinstall" in err[0]


def test_rep_classifier_checks_shapes_and_skips_reps_shorter_than_a_window(track_file):
    from app.inference.classifier import RepClassifier
    _, clip = track_file
    clf = RepClassifier(threads=1)
    with pytest.raises(ValueError, match=r"\(N, 10, 68\)"):
        clf.windows(np.zeros((2, 9, 68), np.float32), 0)
    with pytest.raises(ValueError, match="no category 'situp-oblique'"):
        clf.category("situp", "oblique")
    out = clf.per_rep(clip.track(), [(0, 5), (10, 40)], "situp", "side")
    assert out[0] is None and out[1].windows == 22 and 0 <= out[1].p_standard <= 1


@pytest.mark.parametrize("exercise,view", [("pushup", "side"), ("pullup", "front"), ("situp", "side")])
def test_analyze_exercise_auto_recognises_the_event(exercise, view, tmp_path, capsys):
    c = make_clip(10_020, exercise, view, n_reps=4, fault_rate=0.0)
    path = write_track(tmp_path / "t.npz", c.track())
    out = tmp_path / "r.json"
    assert main(["analyze", str(path), "--exercise", "auto", "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    g = res["exercise_guess"]
    assert g["exercise"] == exercise == res["exercise"] and 0.5 < g["confidence"] <= 1.0
    assert res["count_total"] == 4
    assert f"recognised: {exercise}" in capsys.readouterr().out


def test_analyze_auto_on_a_too_short_track_asks_for_the_exercise(tmp_path, capsys):
    c = make_clip(3, "pushup", "side", n_reps=1)
    from app.core.types import PoseTrack
    path = write_track(tmp_path / "t.npz", PoseTrack(c.keypoints[:20], c.fps, c.size))
    assert main(["analyze", str(path), "--exercise", "auto"]) == 2
    err = capsys.readouterr().err.strip()
    assert "needs at least 30" in err and "--exercise pushup|pullup|situp" in err and len(err.splitlines()) == 1


def test_analyze_smooth_and_lift_export_the_track(track_file, tmp_path):
    path, clip = track_file
    out, tr = tmp_path / "r.json", tmp_path / "track.npz"
    assert main(["analyze", str(path), "--exercise", "situp", "--smooth", "--lift", "--track-out", str(tr),
                 "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["smoother"]["model"] == "seq2seq" and res["lifter"]["model"] == "lifter_situp"
    assert res["count_total"] == 4
    assert {"elbow_min", "hip_min", "knee_max"} <= set(res["reps"][0]["angles3d"])
    with np.load(tr) as z:
        assert z["smoothed"].shape == z["keypoints"].shape == z["joints3d"].shape == (clip.keypoints.shape)
        hips = (z["joints3d"][:, 11] + z["joints3d"][:, 12]) / 2
        assert np.abs(hips).max() < 1e-4  # root-relative
    from app.core.tracks import read_track
    assert read_track(tr).frames == clip.keypoints.shape[0]  # still an ordinary track file


def test_analyze_smooth_with_a_missing_model_is_one_line(track_file, tmp_path, capsys):
    path, _ = track_file
    empty = tmp_path / "m"
    empty.mkdir()
    assert main(["analyze", str(path), "--exercise", "situp", "--smooth", "--models", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert "seq2seq.onnx: model file missing" in err and len(err.splitlines()) == 1


def test_db_init_refuses_a_weak_admin_password_before_making_anything(tmp_path, monkeypatch, capsys):
    db = tmp_path / "n.db"
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "1234")
    assert main(["db", "init", "--db", str(db), "--admin", "boss"]) == 2
    assert "at least 10 characters; nothing was created" in capsys.readouterr().err and not db.exists()
