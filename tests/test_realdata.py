"""The counter on real recordings from ../shared/data (skipped when the data is absent).

repcount: RepCount-A poses, per-frame min-max normalised (analysed with normalised=True).
pushfit: MoveNet keypoints of real push-up clips in pixels, counted against a sample whose
reps were counted by eye from contact sheets of the videos (frames tiled every 3-10 frames).
Bounds sit a margin under what was measured (repcount MAE 0.131 / OBO 0.86; pushfit 203 of
211 clips with a rep; by-eye sample 10 of 10 exact) so they guard against regressions.
"""
import numpy as np
import pytest

from app.assess.engine import assess
from training.data import pushfit, repcount

pytestmark = pytest.mark.realdata

# clip -> reps counted by eye (complete down-and-up cycles; a rep still going down at the
# end of the clip does not count). Notes say what the clip shows.
PUSHFIT_BY_EYE = {
    "correct112": 14,  # fast push-ups, side, ~0.7 s each
    "correct69": 7,    # side-behind view
    "wrong58": 7,      # speed contest, front, shallow
    "correct118": 2,   # front, slow; head hides the arms at the bottom
    "correct52": 2,    # diamond push-ups, side, text overlay
    "correct108": 3,   # front, the third comes up in the last frames
    "correct100": 2,   # side, the clip ends at the bottom of a third
    "correct1": 1,     # side, one slow rep
    "wrong10": 1,      # side, one slow rep with sagging hips
    "wrong106": 12,    # side, steady reps
}


def _mae_obo(pairs):
    gt, pr = np.array(pairs, float).T
    return float(np.mean(np.abs(pr - gt) / gt)), float(np.mean(np.abs(pr - gt) <= 1))


def test_repcount_counts(shared_data):
    root = shared_data / "repcount"
    per: dict[str, list] = {}
    for c in repcount.load_annotations(root):
        got = assess(repcount.load_track(root, c.clip), c.exercise, "side", normalised=True).count_total
        per.setdefault(c.exercise, []).append((c.count, got))
    assert set(per) == {"pushup", "pullup", "situp"} and sum(map(len, per.values())) == 28
    for ex, pairs in per.items():
        mae, _ = _mae_obo(pairs)
        assert mae <= 0.3, f"{ex}: MAE {mae:.3f} (gt, pred) {pairs}"
    mae, obo = _mae_obo([p for pairs in per.values() for p in pairs])
    assert mae <= 0.2 and obo >= 0.75, f"overall MAE {mae:.3f} OBO {obo:.2f}"


def test_pushfit_clips_get_reps(shared_data):
    root = shared_data / "pushfit"
    index = pushfit.load_index(root)
    assert len(index) == 211
    with_reps = 0
    for c in index:
        a = assess(pushfit.load_track(root, c.clip), "pushup", "auto")
        assert a.count_standard <= a.count_total
        with_reps += a.count_total >= 1
    assert with_reps / len(index) >= 0.9, f"{with_reps}/{len(index)} clips with at least one rep"


def test_pushfit_by_eye_sample(shared_data):
    root = shared_data / "pushfit"
    got = {clip: assess(pushfit.load_track(root, clip), "pushup", "auto").count_total for clip in PUSHFIT_BY_EYE}
    exact = sum(got[c] == n for c, n in PUSHFIT_BY_EYE.items())
    off = {c: (n, got[c]) for c, n in PUSHFIT_BY_EYE.items() if abs(got[c] - n) > 1}
    assert not off, f"(by eye, counted) more than one off: {off}"
    assert exact >= 9, f"only {exact}/10 exact: {got}"


def _real_eval():
    import sys

    from conftest import ROOT
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import real_eval
    return real_eval


def test_rep_matching_needs_half_of_each_interval():
    """The benchmark's rule (no data needed): a predicted rep matches a hand rep when their
    intervals overlap by at least half of each; each rep is used once."""
    m = _real_eval().match_reps
    assert m([(0, 10), (10, 20)], [(0, 10), (10, 20)]) == [(0, 0), (1, 1)]
    assert m([(0, 30)], [(0, 10), (10, 20), (20, 30)]) == []        # one long rep swallowing three
    assert m([(0, 4), (4, 8)], [(0, 10)]) == []                      # split in two: neither covers half of it
    assert m([(2, 11)], [(0, 10)]) == [(0, 0)]
    f = _real_eval().f1(8, 2, 0)
    assert f["precision"] == 0.8 and f["recall"] == 1.0 and f["f1"] == pytest.approx(0.889, abs=1e-3)


def test_real_videos_through_the_judge_on_teacher_tracks(shared_data):
    """benchmarks/real_eval.py on the 26 hand-counted videos (teacher tracks): every clip is
    judged and the figures are guarded a margin under what was measured (issue 17: 14 of 26
    exact and event F1 0.73 at its start; 21 of 26, F1 0.86, verdicts 0.81 now)."""
    re = _real_eval()
    results, missing = re.hand_set("videos", own=False, make_own=False)
    assert not missing and len(results) == 26
    s = re.summarise(results)["all"]
    assert s["totals"]["exact"] >= 20 and s["events"]["f1"] >= 0.83 and s["verdicts"]["accuracy"] >= 0.78, s
