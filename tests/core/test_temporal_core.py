"""Pure pieces of the temporal models: One-Euro, window coverage, edge padding, recognition guess."""
import numpy as np
import pytest

from app.core.one_euro import one_euro
from app.core.recognition import CLASSES, guess
from app.core.smoothing import smooth_full, smooth_live
from app.core.windows import padded_indices


def _track(T=120, seed=0, noise=3.0):
    rng = np.random.default_rng(seed)
    t = np.arange(T) / 30
    clean = np.zeros((T, 17, 3), np.float32)
    clean[..., 0] = 300 + 80 * np.sin(2 * np.pi * 0.5 * t)[:, None] + np.arange(17) * 5
    clean[..., 1] = 200 + 40 * np.cos(2 * np.pi * 0.5 * t)[:, None]
    clean[..., 2] = 0.9
    noisy = clean.copy()
    noisy[..., :2] += rng.normal(0, noise, (T, 17, 2))
    return clean, noisy


def test_one_euro_reduces_jitter_keeps_scores_and_follows_the_motion():
    clean, noisy = _track()
    out = one_euro(noisy, 30.0, min_cutoff=1.0, beta=0.01)
    acc = lambda k: np.abs(np.diff(k[..., :2], 2, axis=0)).mean()
    assert acc(out) < 0.5 * acc(noisy)
    assert np.array_equal(out[..., 2], noisy[..., 2])
    assert np.abs(out[10:, :, :2] - clean[10:, :, :2]).mean() < 6.0  # lag stays small at this speed
    still = np.repeat(clean[:1], 50, 0)
    assert np.allclose(one_euro(still, 30.0), still)


def test_one_euro_holds_hidden_joints_and_rejects_bad_input():
    _, noisy = _track(T=20)
    noisy[5:10, 3, 2] = 0.0
    noisy[5:10, 3, :2] = 9999.0  # a lost joint's coordinates are garbage
    out = one_euro(noisy, 30.0)
    assert np.all(out[5:10, 3, :2] == 9999.0)  # passed through, not fed into the filter
    assert np.abs(out[10, 3, :2] - noisy[10, 3, :2]).max() < 50  # catching up, not pulled towards 9999
    with pytest.raises(ValueError, match="fps"):
        one_euro(noisy, 0)
    with pytest.raises(ValueError, match=r"\(T, J, 3\)"):
        one_euro(noisy[..., :2], 30)


def test_window_coverage_averages_overlaps_and_live_mode_never_looks_further_ahead():
    _, k = _track(T=37)
    ident = lambda w: w[..., :2]
    assert np.allclose(smooth_full(k, ident, 16, 4), k)
    assert np.allclose(smooth_live(k, ident, 16, 5), k)
    shift = lambda w: w[..., :2] + 1.0
    assert np.allclose(smooth_full(k, shift, 16, 4)[..., :2], k[..., :2] + 1)
    short = k[:5]  # shorter than a window: padded, still one estimate per frame
    assert smooth_full(short, ident, 16).shape == short.shape

    def mean_fn(w):  # every output depends on the whole window
        return np.repeat(w[..., :2].mean(1, keepdims=True), w.shape[1], 1)
    a = smooth_live(k, mean_fn, 16, 5)
    k2 = k.copy()
    k2[26:] += 100.0  # change only frames after 20 + 5
    b = smooth_live(k2, mean_fn, 16, 5)
    assert np.allclose(a[:21], b[:21]) and not np.allclose(a[21], b[21])
    with pytest.raises(ValueError, match="lookahead"):
        smooth_live(k, ident, 16, 16)


def test_padded_indices_repeat_the_ends():
    assert padded_indices(4, 2, 1).tolist() == [0, 0, 0, 1, 2, 3, 3]
    assert padded_indices(1, 3, 0).tolist() == [0, 0, 0, 0]
    with pytest.raises(ValueError):
        padded_indices(0, 1, 1)


def test_guess_sums_views_leaves_out_idle_and_reports_confidence():
    p = np.zeros((4, len(CLASSES)))
    p[0, CLASSES.index("idle")] = 1.0
    p[1, CLASSES.index("pullup-front")] = 0.6
    p[1, CLASSES.index("situp-side")] = 0.4
    p[2, CLASSES.index("situp-side")] = 0.5
    p[2, CLASSES.index("situp-front")] = 0.5
    p[3, CLASSES.index("situp-side")] = 1.0
    g = guess(p)
    assert (g.exercise, g.view) == ("situp", "side")  # 2.4 of 3.0 non-idle mass, though one window says pull-up
    assert g.confidence == pytest.approx(2.4 / 3.0) and g.view_confidence == pytest.approx(1.9 / 2.4)
    assert g.active == pytest.approx(0.75)
    with pytest.raises(ValueError, match="window probabilities"):
        guess(np.zeros((0, len(CLASSES))))
