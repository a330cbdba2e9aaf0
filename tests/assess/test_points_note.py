"""Why a result has no points, said in the admin's words."""
from app.assess.scoring import default_table, points_note


def test_each_missing_piece_is_named():
    t = default_table()  # the bundled example: push-ups and sit-ups, ages 17-21
    assert points_note(t, "pushup", "male", 19) is None
    assert "no row for age 28" in points_note(t, "pushup", "male", 28) and "17-21" in points_note(t, "pushup", "male", 28)
    assert "no pullup rows" in points_note(t, "pullup", "male", 19)
    assert "sex and birth year are not recorded" in points_note(t, "pushup", None, 19)
    assert "sex and birth year are not recorded" in points_note(t, "pushup", "female", None)
    assert "no scoring table" in points_note(None, "pushup", "male", 19)
