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
    sid = tr.choose(*subj[0, :2])
    oid = next(i for i, k in seen.items() if np.allclose(k, other))
    assert sid != oid
    seen = tr.update([other])     # the subject is missed this frame
    assert tr.subject(seen) is None and oid in seen and tr.subject_id == sid
    seen = tr.update([other, subj])
    assert np.allclose(tr.subject(seen), subj)


def test_a_person_walking_in_front_never_becomes_the_subject():
    """A bigger person walks across the image in front of the subject, hiding them for 24
    frames (longer than a track lives unseen): the subject is unseen meanwhile, never the
    walker, and is the subject again when they reappear."""
    tr = Tracker((640, 480))
    subj, walker = _person(320, 300, 50), _person(10, 260, 80)
    tr.update([subj])
    sid = tr.subject_id
    hidden = 0
    for f in range(70):
        w = walker.copy()
        w[:, 0] += 10 * f
        behind = abs(w[:, 0].mean() - 320) < 120
        hidden += behind
        s = tr.subject(tr.update([w] if behind else [w, subj]))
        if behind:
            assert s is None, f"frame {f}: the walker was scored as the subject"
        else:
            assert s is not None and np.allclose(s, subj), f"frame {f}: the subject was not followed"
    assert hidden > tr.max_missing and sid is not None


def _posed(points: dict[int, tuple[float, float]]) -> np.ndarray:
    k = np.zeros((NUM_JOINTS, 3), np.float32)
    for j, (x, y) in points.items():
        k[j] = (x, y, 0.9)
    return k


def _standing(cx: float, top: float, h: float) -> np.ndarray:
    """Upright, arms hanging: head at top, feet at top + h."""
    return _posed({0: (cx, top), 5: (cx - 0.12 * h, top + 0.18 * h), 6: (cx + 0.12 * h, top + 0.18 * h),
                   7: (cx - 0.14 * h, top + 0.33 * h), 8: (cx + 0.14 * h, top + 0.33 * h),
                   9: (cx - 0.14 * h, top + 0.46 * h), 10: (cx + 0.14 * h, top + 0.46 * h),
                   11: (cx - 0.08 * h, top + 0.52 * h), 12: (cx + 0.08 * h, top + 0.52 * h),
                   13: (cx - 0.08 * h, top + 0.75 * h), 14: (cx + 0.08 * h, top + 0.75 * h),
                   15: (cx - 0.08 * h, top + h), 16: (cx + 0.08 * h, top + h)})


def _lying(x0: float, y: float, length: float) -> np.ndarray:
    """Flat on the floor, head at x0, feet towards +x (a sit-up's or push-up's low point)."""
    return _posed({0: (x0, y), 5: (x0 + 0.15 * length, y), 6: (x0 + 0.15 * length, y + 4),
                   7: (x0 + 0.15 * length, y - 0.15 * length), 8: (x0 + 0.15 * length, y - 0.15 * length + 4),
                   9: (x0 + 0.05 * length, y - 0.2 * length), 10: (x0 + 0.05 * length, y - 0.2 * length + 4),
                   11: (x0 + 0.5 * length, y), 12: (x0 + 0.5 * length, y + 4),
                   13: (x0 + 0.72 * length, y - 0.2 * length), 14: (x0 + 0.72 * length, y - 0.2 * length + 4),
                   15: (x0 + length, y), 16: (x0 + length, y + 4)})


def test_a_trainer_standing_beside_is_not_picked_while_the_subject_is_briefly_unseen():
    tr = Tracker((640, 480))
    # the trainer stands nearer the camera and the centre, bigger than the trainee lying down
    subj, trainer = _lying(60, 420, 260), _standing(330, 40, 400)
    for _ in range(30):
        assert np.allclose(tr.subject(tr.update([trainer, subj])), subj)
    for _ in range(40):          # the subject's pose is lost for 1.3 s (lying flat, dark gym)
        assert tr.subject(tr.update([trainer])) is None
    assert np.allclose(tr.subject(tr.update([trainer, subj])), subj)


def test_a_detection_with_only_faint_joints_is_never_picked_over_a_seen_person():
    """A detection whose joints are all below the visibility threshold has no centre: it
    ranked NaN (a warning, and max() then picked by list order)."""
    import warnings
    tr = Tracker((640, 480))
    faint = _person(320, 240, 80)
    faint[:, 2] = 0.05
    seen_person = _person(100, 200, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        seen = tr.update([faint, seen_person])
    assert np.allclose(tr.subject(seen), seen_person)
