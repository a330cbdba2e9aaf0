"""Every threshold has words, a unit and a range, and its default lies inside that range."""
from app.assess.threshold_text import TEXT, check
from app.assess.thresholds import Thresholds


def test_every_threshold_is_described_and_its_default_accepted():
    values = Thresholds().to_dict()
    assert set(TEXT) == set(values)
    for name, v in values.items():
        assert check(name, v) is None, name
        assert "_" not in TEXT[name].label  # words, not identifiers


def test_a_value_outside_its_range_is_named_with_the_range():
    msg = check("pushup_lockout_elbow", 200.0)
    assert msg == "push-up lockout: arms straightened to at least this: 200 degrees is outside 90 to 180"
