"""Tracking people across frames and choosing the subject."""
import numpy as np

from app.core.skeleton import NUM_JOINTS
from app.inference.tracker import Tracker


def _person(cx, cy, s):
    rng = np.random.default_rng(int(cx))
    k = np.zeros((NUM_JOINTS, 3), np.float32)
    k[:, 0] = cx + rng.uniform(-s, s, NUM_JOINTS)
    k[:, 1] = cy + rng.uniform(-2 * s, 2 * s, NUM_JOINTS)
    k[:, 2] = 0.9
    return k


def test_ids_stay_with_people_as_they_move_and_swap_order():
    tr = Tracker((640, 480))
    a, b = _person(150, 240, 40), _person(450, 240, 40)
    first = tr.update([a, b])
    ida = next(i for i, k in first.items() if np.allclose(k, a))
    for step in range(1, 20):
        a2, b2 = a.copy(), b.copy()
        a2[:, 0] += 3 * step
        b2[:, 0] -= 3 * step
        seen = tr.update([b2, a2] if step % 2 else [a2, b2])  # detection order changes
        assert np.allclose(seen[ida], a2)


def test_subject_is_the_largest_central_person_and_survives_a_short_gap():
    tr = Tracker((640, 480))
    big, small = _person(320, 240, 60), _person(80, 100, 15)
    seen = tr.update([small, big])
    assert np.allclose(tr.subject(seen), big)
    sid = tr.subject_id
    for _ in range(5):  # the subject is missed for a few frames
        tr.update([small])
    seen = tr.update([small, big])
    assert tr.subject_id == sid and np.allclose(tr.subject(seen), big)


def test_subject_lost_after_long_absence_is_reported_and_repicked():
    tr = Tracker((640, 480), max_missing=3)
    big, small = _person(320, 240, 60), _person(80, 100, 15)
    tr.update([small, big])
    sid = tr.subject_id
    lost = False
    for _ in range(5):
        tr.update([small])
        lost |= tr.subject_lost
    assert lost and tr.subject_id != sid


def test_instructor_choice_sticks():
    tr = Tracker((640, 480))
    big, small = _person(320, 240, 60), _person(80, 100, 15)
    tr.update([small, big])
    chosen = tr.choose(80, 100)
    seen = tr.update([small, big])
    assert tr.subject_id == chosen and np.allclose(tr.subject(seen), small)


def test_nobody_in_view_gives_no_subject():
    tr = Tracker((640, 480))
    assert tr.update([]) == {} and tr.subject({}) is None


def test_subject_keeps_its_id_when_its_body_changes_shape():
    """Between frames the decoder may find a different set of the subject's joints (weak
    limbs drop in and out): the subject keeps its id instead of becoming a new person."""
    tr = Tracker((640, 480))
    full = _person(320, 240, 60)
    tr.update([full])
    sid = tr.subject_id
    partial = full.copy()
    partial[:5, 2] = partial[13:, 2] = 0  # head and legs lost ...
    partial[5:13, 0] += 130               # ... the rest found 130 px off: distance > max_distance
    from app.inference.tracker import person_distance
    assert person_distance(full, partial) > tr.max_distance
    seen = tr.update([partial])
    assert tr.subject_id == sid and np.allclose(tr.subject(seen), partial)


def test_subject_missed_for_a_frame_does_not_take_a_tracked_neighbour():
    tr = Tracker((640, 480))
    subj, other = _person(300, 240, 60), _person(420, 240, 60)
    seen = tr.update([other, subj])
    sid = tr.subject_id
    oid = next(i for i, k in seen.items() if np.allclose(k, other))
    assert sid != oid
    seen = tr.update([other])     # the subject is missed this frame
    assert tr.subject(seen) is None and oid in seen and tr.subject_id == sid
    seen = tr.update([other, subj])
    assert np.allclose(tr.subject(seen), subj)
