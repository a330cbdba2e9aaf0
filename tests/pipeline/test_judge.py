"""The one judging use case: what it takes, what it gives, and that every caller gets the same."""
import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import DEMO_TRACK, FakeClassifier, FakeEstimator, FakeSource, admin_of

from app.assess.scoring import default_table
from app.cli import main
from app.core.judgement_json import from_dict, to_dict
from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.pipeline.judge import JudgeError, JudgeRequest, judge
from app.pipeline.models import ModelBox

TRACK = read_track(DEMO_TRACK)

ANALYZE_KEYS = {"exercise", "view", "frames", "fps", "duration_s", "count_total", "count_standard", "reps",
                "unmeasured", "score", "models", "engine", "classifier", "timings_ms", "visibility", "protocol"}
REP_KEYS = {"n", "start_frame", "end_frame", "standard", "p_standard", "reasons", "measures", "attention"}


def test_analyze_json_keeps_its_schema(tmp_path):
    """The keys scripts read from `drillscore analyze --json` (added to, never taken away)."""
    out = tmp_path / "r.json"
    assert main(["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--sex", "male", "--age", "25",
                 "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    assert set(res) == ANALYZE_KEYS
    assert all(set(r) == REP_KEYS for r in res["reps"]) and res["count_total"] == len(res["reps"]) == 8
    assert set(res["score"]) == {"table", "example", "sex", "age", "points", "note"}
    assert set(res["classifier"]) == {"model", "policy", "note"}
    assert res["engine"].startswith("drillscore-rules ") and {"assess", "classifier"} <= set(res["timings_ms"])
    card = json.loads((DEMO_TRACK.parents[2] / "models" / "lstm_attention.json").read_text())
    assert res["models"] == {"lstm_attention": card["sha256"]}  # every model that judged it, by hash
    assert from_dict(res) == from_dict(json.loads(json.dumps(to_dict(from_dict(res)))))  # the codec round-trips


def test_the_rules_engine_runs_once_per_judgement(monkeypatch):
    import app.pipeline.judge as J
    calls = []
    real = J.assess
    monkeypatch.setattr(J, "assess", lambda *a, **k: calls.append(1) or real(*a, **k))
    box = ModelBox().provide("classifier", FakeClassifier(0.3))
    j = judge(TRACK, JudgeRequest(exercise="pushup", policy="both"), box)
    assert len(calls) == 1  # fusing the probabilities did not re-run it
    # policy both: a rep the rules pass is refused for the classifier's doubt, with that reason
    passed = [r for r in judge(TRACK, JudgeRequest(exercise="pushup", classifier=False)).reps if r.standard]
    assert passed and all(j.reps[r.n - 1].reasons == ("classifier_doubt",) for r in passed)
    assert all(r.p_standard == pytest.approx(0.3) for r in j.reps)


class _Live:
    """What the live analysis worker hands the judge: its category and per-rep probabilities."""

    def __init__(self, exercise: str, view: str) -> None:
        self.exercise, self.view, self.asked = exercise, view, []
        self.fingerprint = {"lstm_attention": "a" * 64}

    def rep_probability(self, start: int, end: int):
        from app.inference.classifier import RepProbability
        self.asked.append((start, end))
        return RepProbability(0.42, np.full(10, 0.1, np.float32), 5)


def test_probabilities_computed_live_are_reused_not_recomputed():
    fake = FakeClassifier(0.9)
    box = ModelBox().provide("classifier", fake)
    live = _Live("pushup", "side")
    j = judge(TRACK, JudgeRequest(exercise="pushup"), box, precomputed=live)
    assert fake.calls == 0 and len(live.asked) == j.count_total == 8
    assert all(r.p_standard == pytest.approx(0.42) for r in j.reps) and "live" in j.classifier.note
    assert j.models == {"lstm_attention": "a" * 64}
    # scored for another view (the live test guessed wrong at first): the judge scores it again
    other = judge(TRACK, JudgeRequest(exercise="pushup"), box, precomputed=_Live("pushup", "front"))
    assert fake.calls == 1 and all(r.p_standard == pytest.approx(0.9) for r in other.reps)


def test_a_missing_classifier_is_a_note_and_an_unknown_event_one_line(tmp_path):
    j = judge(TRACK, JudgeRequest(exercise="pushup"), ModelBox(tmp_path))
    assert j.count_total == 8 and j.classifier.model is None and "model file missing" in j.classifier.note
    assert j.models == {}  # nothing but the rules judged it
    with pytest.raises(JudgeError, match="exercise must be one of"):
        judge(TRACK, JudgeRequest(exercise="burpee"))
    with pytest.raises(JudgeError, match="name it with --exercise"):
        judge(PoseTrack(TRACK.keypoints[:10], TRACK.fps, TRACK.size), JudgeRequest(exercise="auto"))


def test_points_and_a_grader_correction_follow_the_reps():
    from app.assess.correction import overrule_rep
    table = default_table()
    j = judge(TRACK, JudgeRequest(exercise="pushup", table=table, sex="female", age=22, classifier=False))
    assert j.score.points == table.points("pushup", "female", 22, j.count_standard)
    refused = next(r for r in j.reps if not r.standard)
    c = overrule_rep(j, refused.n, True, "lockout seen", table)
    assert c.count_standard == j.count_standard + 1 and c.reps[refused.n - 1].overruled.was_reasons == refused.reasons
    assert c.score.points == table.points("pushup", "female", 22, c.count_standard)
    assert from_dict(to_dict(c)) == c


def test_a_video_through_the_one_pose_loop_seals_the_pose_model(tmp_path):
    """FakeSource + FakeEstimator: the pose loop keeps one row per frame (zeros where nobody is),
    picks the subject, and the judge seals the pose model that made the track."""
    from app.capture.video import VideoInfo
    from app.pipeline.pose_loop import video_poses
    people = [[TRACK.keypoints[i]] if i % 50 else [] for i in range(200)]
    src = FakeSource(200, TRACK.size)
    vp = video_poses((VideoInfo(None, TRACK.fps, TRACK.size, 200), (img for _i, img in src)), FakeEstimator(people))
    assert vp.subject.frames == 200 and vp.frames_without_person == 4
    assert not vp.subject.keypoints[50].any() and np.allclose(vp.subject.keypoints[51, :, :2],
                                                              TRACK.keypoints[51, :, :2])
    j = judge(vp.subject, JudgeRequest(exercise="pushup", classifier=False), upstream=vp.models)
    j = j.with_notes(video=vp.notes())
    assert j.models == {"fake_pose": "f" * 64} and to_dict(j)["video"]["frames_without_person"] == 4


def test_smoothing_and_lifting_are_stages_of_the_same_judgement():
    j = judge(TRACK, JudgeRequest(exercise="pushup", smooth=True, lift=True, classifier=False))
    assert j.arrays["smoothed"].shape == TRACK.keypoints.shape and j.arrays["joints3d"].shape == (TRACK.frames, 17, 3)
    assert {"seq2seq", "lifter_pushup"} <= set(j.models) and {"smoother", "lifter"} <= set(j.notes)
    assert all({"elbow_min", "elbow_max"} <= set(r.angles3d) for r in j.reps)
    assert "arrays" not in to_dict(j)


def test_recovered_auto_test_is_judged_as_the_event_it_recognised(tmp_path):
    """A live test run as "auto" that a crash cut short: its journal says which event the
    recogniser named, and recovery judges that event (it could not be recovered before)."""
    from app.capture.recorder import SessionRecorder
    from app.pipeline.recovery import recover, seal_recording
    from app.storage.db import add_trainee, load_session, open_db
    db = open_db(tmp_path / "d.db", create=True)
    me = admin_of(db)
    tid = add_trainee(db, me, "Ann", "female", 2002)
    rec = SessionRecorder(tmp_path / "rec" / "auto", TRACK.fps, TRACK.size,
                          {"exercise": "auto", "view": "auto", "source": "camera:0", "trainee": {"id": tid}},
                          seal=seal_recording)
    for i in range(TRACK.frames):
        rec.frame(i, i / TRACK.fps, None, TRACK.keypoints[i])
        if i == 90:
            rec.event("recognised", frames=i, exercise="pushup", view="side", confidence=0.93)
    rec.close()
    sid = recover(db, me, tmp_path / "rec" / "auto")
    j, _track = load_session(db, me, sid)
    ref = judge(TRACK, JudgeRequest(exercise="pushup"))
    assert j.exercise == "pushup" and j.guess.exercise == "pushup" and j.guess.confidence == pytest.approx(0.93)
    assert [(r.start, r.end, r.standard, r.reasons) for r in j.reps] == \
        [(r.start, r.end, r.standard, r.reasons) for r in ref.reps]
    assert j.notes["recovered"]["complete"] and "recognised" in j.notes["recovered"]["events"]


def test_live_save_from_the_window_equals_analyze_of_the_same_frames(qtbot, tmp_path):
    from conftest import live_workspace_with_trainee
    from PySide6.QtCore import Qt

    from app.storage.db import load_session
    w, db, me = live_workspace_with_trainee(qtbot, tmp_path, "Cadet Di")
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    with qtbot.waitSignal(w.saved, timeout=30_000) as saved:
        qtbot.mouseClick(w.save_btn, Qt.MouseButton.LeftButton)
    live, track = load_session(db, me, saved.args[0])
    out = tmp_path / "a.json"
    assert main(["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--json", str(out)]) == 0
    offline = from_dict(json.loads(out.read_text()))
    assert track.frames == TRACK.frames and (live.exercise, live.view) == (offline.exercise, offline.view)
    assert [(r.start, r.end, r.standard, r.reasons) for r in live.reps] == \
        [(r.start, r.end, r.standard, r.reasons) for r in offline.reps]
    # the P(standard) the analysis worker computed live is the one the offline classifier computes
    assert [r.p_standard for r in live.reps] == pytest.approx([r.p_standard for r in offline.reps], abs=1e-4)
    assert live.models == offline.models and "live" in live.classifier.note
    w.shutdown()


def test_judgement_is_frozen():
    j = judge(TRACK, JudgeRequest(exercise="pushup", classifier=False))
    with pytest.raises(AttributeError):
        j.exercise = "situp"
    assert replace(j, exercise="situp").exercise == "situp" and j.exercise == "pushup"


def test_parts_the_camera_missed_are_said_not_hidden_behind_a_zero(tmp_path, capsys):
    from app.core.tracks import write_track
    k = TRACK.keypoints.copy()
    k[:, 7:11, 2] = 0.0  # elbows and wrists never found
    blind = PoseTrack(k, TRACK.fps, TRACK.size, "pushup")
    j = judge(blind, JudgeRequest(exercise="pushup", classifier=False))
    assert j.notes["visibility"]["unseen"]["arms"] == 1.0
    assert any(w.startswith("arms not found in 100% of frames") for w in j.notes["visibility"]["warnings"])
    assert not judge(TRACK, JudgeRequest(exercise="pushup", classifier=False)).notes["visibility"]["warnings"]
    path = write_track(tmp_path / "blind.npz", blind)
    assert main(["analyze", str(path), "--exercise", "pushup", "--no-classifier"]) == 0
    assert "note: arms not found in 100% of frames: check the camera angle" in capsys.readouterr().out


class _Recogniser:
    """A recogniser that always reads `exercise` at `confidence`."""

    window = 30
    model = type("M", (), {"fingerprint": {"pose_attention": "b" * 64}})()

    def __init__(self, exercise: str, confidence: float) -> None:
        self.exercise, self.confidence = exercise, confidence

    def recognise(self, track):
        from app.core.recognition import ExerciseGuess
        return ExerciseGuess(self.exercise, "side", self.confidence, 0.9, 1.0, {})


def test_auto_below_its_confidence_asks_for_the_event_instead_of_counting():
    box = ModelBox().provide("recogniser", _Recogniser("pushup", 0.55))
    with pytest.raises(JudgeError, match=r"not sure which event this is \(pushup at 55%, 70% needed\); name it"):
        judge(TRACK, JudgeRequest(exercise="auto", classifier=False), box)
    sure = judge(TRACK, JudgeRequest(exercise="auto", classifier=False, min_confidence=0.5), box)
    assert sure.exercise == "pushup" and sure.guess.confidence == 0.55 and "pose_attention" in sure.models


def test_auto_asks_when_the_posture_contradicts_the_recognised_event():
    """A pull-up hold read as sit-ups (a real video did that at 85%): the body hangs upright
    the whole time, so the judge asks for the event instead of counting sit-ups."""
    from training.synth import make_clip
    hanging = make_clip(5, "pullup", "side", n_reps=3, noise=0.0).track()
    box = ModelBox().provide("recogniser", _Recogniser("situp", 0.9))
    with pytest.raises(JudgeError, match=r"read as situp at 90%, but the body is upright in \d+% of frames"):
        judge(hanging, JudgeRequest(exercise="auto", classifier=False), box)
    lying = make_clip(5, "situp", "side", n_reps=3, noise=0.0).track()
    assert judge(lying, JudgeRequest(exercise="auto", classifier=False), box).exercise == "situp"


def test_the_bar_seen_in_the_image_is_what_the_chin_must_clear():
    """A pull-up clip judged against a bar the image shows high above the hands refuses the
    chins; without it (the fixed estimate) the same reps count; a bar the instructor drew wins
    over the image's; other events ignore it."""
    from training.synth import make_clip
    c = make_clip(11, "pullup", "front", n_reps=4, fault_rate=0.0, noise=0.5)
    track = c.track()
    plain = judge(track, JudgeRequest(exercise="pullup", classifier=False))
    high = judge(track, JudgeRequest(exercise="pullup", classifier=False, bar_offset=0.39))
    assert plain.count_standard >= 3 and "bar" not in plain.notes
    assert high.count_total == plain.count_total
    assert all("chin_below_bar" in r.reasons for r in high.reps)
    assert high.notes["bar"] == {"from": "image", "above_wrists_torso_lengths": 0.39}
    drawn = judge(track, JudgeRequest(exercise="pullup", classifier=False, bar_offset=0.39, bar_y=0.0))
    assert "bar" not in drawn.notes
    push = judge(TRACK, JudgeRequest(exercise="pushup", classifier=False, bar_offset=0.39))
    assert "bar" not in push.notes
