"""Counting on generated clips: 3 exercises x front/side x clean/noisy, plus no-rep clips.

Exact counts on clean tracks, within one on noisy tracks, zero on idle, positioning and
resting tracks. 3 x 2 x (6 clean + 6 noisy) + 3 x 2 x 3 x 2 = 108 clips.
"""
import numpy as np
import pytest

from app.assess.engine import assess
from training.synth import make_clip

EXERCISES = ("pushup", "pullup", "situp")
VIEWS = ("front", "side")
SEEDS = range(100, 106)

# Measured gaps, open in issue 2 (strict: these fail loudly once fixed, so they cannot rot).
# Pattern: after a rep that does not return fully (chin below bar, shoulders not down) the
# next excursion can merge with it.
KNOWN_GAPS = {
}


def _gap(request, *key):
    if key in KNOWN_GAPS:
        request.node.add_marker(pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=True))


def _miscounts(exercise, view, seeds, noise, view_arg, tolerance):
    """(seed, truth, counted) for every clip counted more than `tolerance` off."""
    out = []
    for s in seeds:
        c = make_clip(s, exercise, view, fault_rate=0.3, noise=noise)
        got = assess(c.track(), exercise, view_arg).count_total
        if abs(got - c.count_total) > tolerance:
            out.append((s, c.count_total, got))
    return out


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_exact_on_clean_tracks(exercise, view, request):
    _gap(request, "exact", exercise, view)
    wrong = _miscounts(exercise, view, SEEDS, noise=0.0, view_arg=view, tolerance=0)
    assert not wrong, f"(seed, truth, counted): {wrong}"


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_within_one_on_noisy_tracks(exercise, view, request):
    _gap(request, "noisy", exercise, view)
    off = _miscounts(exercise, view, [s + 50 for s in SEEDS], noise=1.0, view_arg="auto", tolerance=1)
    assert not off, f"(seed, truth, counted): {off}"


@pytest.mark.parametrize("kind", ["idle", "positioning", "resting"])
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_zero_reps_without_exercise(exercise, view, kind, request):
    _gap(request, "zero", exercise, view, kind)
    for s in (7, 8):
        c = make_clip(s, exercise, view, kind, noise=1.0)
        assert assess(c.track(), exercise, view).count_total == 0, (s, kind)


def test_rep_boundaries_overlap_truth():
    c = make_clip(11, "pushup", "side", n_reps=6, fault_rate=0.0, noise=0.0)
    reps = assess(c.track(), "pushup", "side").reps
    assert len(reps) == 6
    for truth, got in zip(c.reps, reps):
        assert got.start <= truth.peak <= got.end


def test_unseen_joints_never_count():
    c = make_clip(12, "pushup", "side", n_reps=5, fault_rate=0.0, noise=0.0)
    k = c.keypoints.copy()
    k[:, :, 2] = 0.05  # a track where nothing was confidently seen
    from app.core.types import PoseTrack
    assert assess(PoseTrack(k, c.fps, c.size), "pushup", "side").count_total == 0


def test_person_leaving_frame_mid_rep_does_not_count_a_rep():
    c = make_clip(13, "situp", "side", n_reps=4, fault_rate=0.0, noise=0.0)
    k = c.keypoints.copy()
    r = c.reps[2]
    k[r.start + 3:, :, 2] = 0.0  # subject walks out during rep 3 and never returns
    from app.core.types import PoseTrack
    got = assess(PoseTrack(k, c.fps, c.size), "situp", "side").count_total
    assert got == 2


def test_view_detection():
    from app.assess.signals import detect_view
    for view in VIEWS:
        hits = sum(detect_view(make_clip(s, "pushup", view).keypoints) == view for s in range(10))
        assert hits >= 9, view
    assert np.isfinite(assess(make_clip(1, "pullup", "front").track(), "pullup", "auto").signals.scale[-1])


def test_a_few_frames_of_a_misplaced_joint_never_lock_the_counter():
    """One bad moment while getting into position (the shoulders placed far too high for a
    few frames) once set the body's scale and the top level for the whole test: 0 reps."""
    from app.core.tracks import read_track
    from app.core.types import PoseTrack
    from app.paths import demo_track
    t = read_track(demo_track())
    clean = assess(t, "pushup")
    seen = np.flatnonzero((t.keypoints[:, 5:7, 2] > 0.3).all(1))[0]
    for at in (60, seen):  # mid-test, and the very first frames the body is seen (the scale's first median)
        for frames in (1, 2, 3):
            k = t.keypoints.copy()
            k[at:at + frames, 5:7, 1] -= 150  # both shoulders 150 px up
            a = assess(PoseTrack(k, t.fps, t.size, "pushup"), "pushup")
            assert (a.count_total, a.count_standard) == (clean.count_total, clean.count_standard), (at, frames)


def test_an_excursion_longer_than_any_rep_is_given_up():
    """A top level that was never real (a bad sample the smoothing let through) would hold
    the counter away for good; past max_away frames it starts again from where it is."""
    from app.assess.counter import RepCounter, run_counter
    wave = np.cos(np.linspace(0, 2 * np.pi * 5, 300))  # five clean reps, amplitude 2
    drive = np.concatenate([[50.0] * 3, wave - 0.5])
    stuck = run_counter(drive, np.ones(len(drive), bool), RepCounter(0.3, 1.0, max_away=10 ** 9))
    freed = run_counter(drive, np.ones(len(drive), bool), RepCounter(0.3, 1.0, max_away=60))
    assert len(stuck) == 0 and len(freed) >= 4


def test_a_rep_shown_as_final_live_never_changes_afterwards():
    """Live, the track so far is re-read every few frames; every rep counted as settled at some
    prefix must be exactly the rep (frames, verdict, reasons) of the whole test."""
    from app.assess.engine import settled
    from app.core.tracks import read_track
    from app.core.types import PoseTrack
    from app.paths import demo_track
    tracks = [read_track(demo_track())] + [make_clip(s, ex, "side", n_reps=5, noise=1.0).track()
                                           for s, ex in ((41, "pullup"), (42, "situp"))]
    for t in tracks:
        ex = t.exercise or "pushup"
        final = assess(t, ex, "side").reps
        shown = 0
        for n in range(30, t.frames, 15):
            a = assess(PoseTrack(t.keypoints[:n], t.fps, t.size, ex), ex, "side")
            k = settled(a, n)
            for r in a.reps[:k]:
                f = final[r.n - 1]
                assert (r.start, r.end, r.standard, r.reasons) == (f.start, f.end, f.standard, f.reasons), (ex, n)
            shown = max(shown, k)
        assert shown >= len(final) - 1  # and all but the last were shown as final before the end


def test_pull_ups_filmed_from_behind_count_without_the_nose():
    """From behind the nose is hidden; the ears (or eyes) stand in for the head."""
    for s in (51, 53, 54):
        c = make_clip(s, "pullup", "front", n_reps=5, fault_rate=0.0, noise=0.5)
        t = c.track()
        k = t.keypoints.copy()
        k[:, 0, 2] = 0.0  # no nose, ever
        from app.core.types import PoseTrack
        back = assess(PoseTrack(k, t.fps, t.size, "pullup"), "pullup", "front")
        front = assess(t, "pullup", "front")
        assert back.count_total == front.count_total == 5, s
        assert back.count_standard >= front.count_standard - 1
        nose_at_zero = PoseTrack(np.where(np.arange(17)[None, :, None] == 0, 0.0, k), t.fps, t.size, "pullup")
        assert assess(nose_at_zero, "pullup", "front").count_total == 5  # (0, 0, 0): not found either


@pytest.mark.parametrize("exercise", EXERCISES)
def test_fast_reps_are_counted(exercise):
    """Four times the synthetic cadence: push-ups of about 0.45 s, sit-ups of 0.5 s."""
    from app.core.types import PoseTrack
    for s in (61, 62):
        c = make_clip(s, exercise, "side", n_reps=8, fault_rate=0.0, noise=0.5)
        t = c.track()
        fast = PoseTrack(t.keypoints[::4], t.fps, t.size, exercise)
        a = assess(fast, exercise, "side")
        assert a.count_total == 8 and a.count_standard >= 7, (s, a.count_total, a.count_standard)
