"""One visibility rule: a joint the rules cannot see is not drawn, not tracked, not measured."""
import numpy as np

from app.assess import measures
from app.assess.thresholds import DEFAULTS
from app.core.overlay import event_angles
from app.core.skeleton import J
from app.core.visibility import SEEN_SCORE, visible
from app.inference.tracker import person_distance, person_size


def _person(score_of_elbow: float) -> np.ndarray:
    k = np.zeros((17, 3), np.float32)
    k[:, 0] = np.linspace(100, 300, 17)
    k[:, 1] = np.linspace(50, 400, 17)
    k[:, 2] = 0.9
    k[J.L_ELBOW, 2] = k[J.R_ELBOW, 2] = score_of_elbow
    k[J.L_ELBOW, 0] = k[J.R_ELBOW, 0] = 900.0  # far out: it would change the person's size if counted
    return k


def test_the_threshold_is_one_number_shared_by_the_rules():
    assert DEFAULTS.min_score == SEEN_SCORE
    k = _person(SEEN_SCORE)
    assert visible(k)[J.L_ELBOW] and not visible(_person(SEEN_SCORE - 0.01))[J.L_ELBOW]


def test_engine_tracker_and_overlay_agree_on_a_joint_just_below_the_threshold():
    low, high = _person(SEEN_SCORE - 0.05), _person(0.9)
    # the rules: the elbow angle is unmeasured on both sides
    assert np.isnan(measures.elbow_angle(low[None], DEFAULTS.min_score)).all()
    assert np.isfinite(measures.elbow_angle(high[None], DEFAULTS.min_score)).all()
    # the overlay: no elbow angle is drawn
    assert not [a for a in event_angles(low, "pushup") if a[1] == "elbow"]
    assert [a for a in event_angles(high, "pushup") if a[1] == "elbow"]
    # the tracker: the unseen elbow neither sizes the person nor matches it
    assert person_size(low) < person_size(high)
    moved = low.copy()
    moved[J.L_ELBOW, :2] += 500  # a jump of an unseen joint is not a different person
    assert person_distance(low, moved) == 0.0
