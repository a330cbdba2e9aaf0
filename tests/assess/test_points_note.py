"""Why a result has no points, said in the admin's words."""
from app.assess.scoring import default_table, points_note


def test_each_missing_piece_is_named():
    t = default_table()  # the bundled example: every APFT age band from 17, men's pull-ups
    assert points_note(t, "pushup", "male", 19) is None
    assert "no row for age 15" in points_note(t, "pushup", "male", 15) and "17-21" in points_note(t, "pushup", "male", 15)
    assert "no row for age 16" in points_note(t, "pullup", "female", 16)
    assert "sex and birth year are not recorded" in points_note(t, "pushup", None, 19)
    assert "sex and birth year are not recorded" in points_note(t, "pushup", "female", None)
    assert "no scoring table" in points_note(None, "pushup", "male", 19)


def test_the_bundled_example_table_covers_every_age_band_and_all_three_events():
    """Issue 19 item 7: points appear for push-ups and sit-ups at every APFT age band, both sexes,
    and for pull-ups at every USMC band for men and women (its own pass mark of 40)."""
    from app.assess.scoring import default_table, points_note
    t = default_table()
    assert t.example and "EXAMPLE" in t.name and "verify" in t.source
    for age in (17, 24, 29, 34, 39, 44, 49, 54, 59, 70):
        for sex in ("male", "female"):
            for event in ("pushup", "situp"):
                assert points_note(t, event, sex, age) is None, (event, sex, age)
                assert t.points(event, sex, age, 200) == 100.0
        for sex in ("male", "female"):
            assert points_note(t, "pullup", sex, age) is None, (sex, age)
            assert t.points("pullup", sex, age, 40) == 100.0
    assert t.points("pushup", "male", 24, 40) == 60.0 and t.points("pushup", "female", 24, 46) == 100.0
    assert t.points("situp", "female", 30, 45) == t.points("situp", "male", 30, 45) == 60.0
    assert t.points("pullup", "male", 22, 5) == 40.0 and t.pass_for("pullup") == 40.0 and t.pass_for("pushup") == 60.0
    # the USMC scores nothing below a band's minimum (men 21-25: 5 reps; women 26-30: 4 reps);
    # a woman's lowest scored rep is worth 60 points, her maximum comes at 7 (17-20) to 12 reps (21-30)
    assert t.points("pullup", "male", 22, 4) == 0.0 and t.points("pullup", "female", 28, 3) == 0.0
    assert t.points("pullup", "female", 28, 4) == 60.0 and t.points("pullup", "female", 28, 8) == 80.0
    assert t.points("pullup", "female", 19, 1) == 60.0 and t.points("pullup", "female", 19, 7) == 100.0
    assert t.points("pullup", "female", 28, 11) < 100.0 < t.points("pullup", "female", 28, 12) + 0.1


def test_a_table_with_a_pass_mark_for_an_unknown_event_is_refused(tmp_path):
    import json

    import pytest

    from app.assess.scoring import ScoringTableError, load_table
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"name": "x", "source": "y", "pass_points_by_event": {"pullup": 40},
                             "events": {"pushup": {"male": {"17-21": [[1, 60]]}}}}))
    with pytest.raises(ScoringTableError, match="pass_points_by_event names pullup"):
        load_table(p)
