"""Protocols as data: which checks a test applies and its numbers, validated on load."""
import json

import numpy as np
import pytest
from conftest import DEMO_TRACK

from app.assess.engine import assess
from app.assess.protocol import ProtocolError, find_protocol, load_protocol, names
from app.assess.rules import observable
from app.core.skeleton import J
from app.core.types import PoseTrack
from training.synth import make_clip


def test_bundled_protocols_load_with_their_source_and_the_army_one_is_the_standard_checks():
    assert {"us_army_apft_example", "arms_crossed_situp_example"} <= set(names())
    army = find_protocol(None)
    assert army.example and "FM 7-22" in army.source and army.name == "US Army APFT (EXAMPLE)"
    for ex in ("pushup", "pullup", "situp"):
        assert set(observable(ex, "side")) | set(observable(ex, "front")) == set(army.applies(ex))
    crossed = find_protocol("arms_crossed_situp_example")
    assert "arms_off_chest" in crossed.applies("situp") and "hands_off_head" not in crossed.applies("situp")
    assert find_protocol("Arms crossed on the chest (EXAMPLE)").path == crossed.path


@pytest.mark.parametrize("body,says", [
    ("{not json", "not valid JSON .*fix the protocol file"),
    ('{"name": "x"}', 'a JSON object with "name" and "events"'),
    ('{"events": {"burpee": {"checks": []}}}', "event 'burpee' is not one of"),
    ('{"events": {"situp": {"checks": ["hands_of_head"]}}}', "did you mean 'hands_off_head'"),
    ('{"events": {"situp": {"checks": "not_vertical"}}}', "must be a list of check names"),
    ('{"events": {"situp": {"checks": [], "thresholds": {"situp_vertcal": 70}}}}', "did you mean 'situp_vertical'"),
])
def test_a_bad_protocol_file_is_one_line_naming_the_file_and_the_fix(tmp_path, body, says):
    p = tmp_path / "mine.json"
    p.write_text(body)
    with pytest.raises(ProtocolError, match=says) as e:
        load_protocol(p)
    assert str(p) in str(e.value) and "\n" not in str(e.value)


def _arms(track: PoseTrack, on_chest: bool) -> PoseTrack:
    """The same sit-ups with both wrists on the chest (arms crossed) or at the head."""
    k = track.keypoints.copy()
    neck = (k[:, J.L_SHOULDER, :2] + k[:, J.R_SHOULDER, :2]) / 2
    pelvis = (k[:, J.L_HIP, :2] + k[:, J.R_HIP, :2]) / 2
    target = neck + 0.25 * (pelvis - neck) if on_chest else k[:, J.NOSE, :2]
    for w in (J.L_WRIST, J.R_WRIST):
        k[:, w, :2] = target
        k[:, w, 2] = 0.9
    return PoseTrack(k, track.fps, track.size, track.exercise)


def test_the_same_reps_are_judged_by_the_protocol_the_test_was_run_under():
    clip = make_clip(31, "situp", "side", n_reps=4, fault_rate=0.0, noise=0.0)
    army, crossed = find_protocol(None), find_protocol("arms_crossed_situp_example")
    at_head, on_chest = _arms(clip.track(), on_chest=False), _arms(clip.track(), on_chest=True)

    def verdicts(track, protocol):
        a = assess(track, "situp", "side", protocol.thresholds(), checks=protocol.applies("situp"))
        return [r.reasons for r in a.reps]
    assert all("hands_off_head" not in r for r in verdicts(at_head, army))
    assert all("arms_off_chest" in r for r in verdicts(at_head, crossed))
    assert all("hands_off_head" in r for r in verdicts(on_chest, army))
    assert all("arms_off_chest" not in r for r in verdicts(on_chest, crossed))
    # without a protocol the optional check is never judged
    assert all("arms_off_chest" not in r.reasons for r in assess(at_head, "situp", "side").reps)


def test_the_protocol_is_chosen_per_test_and_stored_with_the_session(tmp_path, monkeypatch):
    from conftest import admin_of

    from app.cli import main
    from app.storage.db import load_session, open_db
    db_path = tmp_path / "p.db"
    admin_of(open_db(db_path, create=True))
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    out = tmp_path / "r.json"
    assert main(["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--protocol", "arms_crossed_situp_example",
                 "--no-classifier", "--json", str(out), "--save", "--trainee", "Ann", "--db", str(db_path)]) == 0
    res = json.loads(out.read_text())
    assert res["protocol"] == "Arms crossed on the chest (EXAMPLE)"
    j, _ = load_session(open_db(db_path, create=True), admin_of(open_db(db_path, create=True)), res["session_id"])
    assert j.protocol == res["protocol"]
    assert main(["analyze", str(DEMO_TRACK), "--exercise", "pushup", "--protocol", "nope"]) == 2


def test_a_live_test_is_judged_and_saved_under_its_protocol():
    from app.pipeline.live_test import TestSetup, judge_test, session_factory
    make = session_factory(DEMO_TRACK, realtime=False, classifier=False)
    s = make(TestSetup(exercise="pushup", protocol=find_protocol("arms_crossed_situp_example")))
    s.start()
    assert s.wait(60)
    a = s.stop()
    j, track = judge_test(s)
    assert j.protocol == "Arms crossed on the chest (EXAMPLE)" and j.count_total == a.count_total
    assert np.array_equal(track.keypoints[:, :, :2], s.track().keypoints[:, :, :2])
