"""Each fault, where the view can show it, is found with its reason in >= 90% of its reps."""
import pytest

from app.assess.engine import assess
from app.assess.rules import observable
from training.synth import FAULTS, make_clip

# Measured shortfalls, open in issue 2 (strict xfail: they fail loudly once fixed).
KNOWN_GAPS = {
}

CASES = [(ex, view, f) for ex in FAULTS for view in ("side", "front") for f in FAULTS[ex] if f in observable(ex, view)]


def _match(truth, reps):
    best, ov = None, 0
    for p in reps:
        o = min(truth.end, p.end) - max(truth.start, p.start)
        if o > ov:
            best, ov = p, o
    return best


@pytest.mark.parametrize("exercise,view,fault", CASES)
def test_fault_found_with_reason(exercise, view, fault, request):
    if (exercise, view, fault) in KNOWN_GAPS:
        request.node.add_marker(pytest.mark.xfail(reason=KNOWN_GAPS[(exercise, view, fault)], strict=True))
    found = total = 0
    for s in range(6):
        c = make_clip(200 + s, exercise, view, n_reps=4, fault_rate=0.5, faults=(fault,), noise=1.0)
        reps = assess(c.track(), exercise, view).reps
        for r in c.reps:
            if r.faults:
                total += 1
                got = _match(r, reps)
                found += got is not None and fault in got.reasons
    assert total >= 8
    assert found / total >= 0.9, f"{fault}: {found}/{total}"


@pytest.mark.parametrize("exercise", list(FAULTS))
def test_standard_reps_mostly_pass(exercise):
    ok = total = 0
    for view in ("side", "front"):
        for s in range(5):
            c = make_clip(300 + s, exercise, view, n_reps=5, fault_rate=0.0, noise=1.0)
            reps = assess(c.track(), exercise, view).reps
            for r in c.reps:
                total += 1
                got = _match(r, reps)
                ok += got is not None and got.standard
    assert ok / total >= 0.85, f"{ok}/{total}"


def test_side_view_can_judge_every_fault():
    for ex, faults in FAULTS.items():
        assert set(faults) <= set(observable(ex, "side")), ex
