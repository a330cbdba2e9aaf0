"""The vectorised rolling statistics give numpy's own numbers over the same windows."""
import numpy as np
import pytest

from app.core.rolling import forward_fill, row_quantile, trailing_rows


def _loop(x, width, q):
    out = np.full(len(x), np.nan)
    for t in range(len(x)):
        w = x[max(0, t - width + 1):t + 1]
        w = w[np.isfinite(w)]
        if w.size:
            out[t] = float(np.median(w)) if q == 50.0 else float(np.percentile(w, q))
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("q", [50.0, 90.0, 95.0, 5.0, 100.0, 0.0])
def test_rolling_quantiles_match_numpy_bit_for_bit(dtype, q):
    rng = np.random.default_rng(int(q) + (dtype == np.float32))
    for n, width in ((0, 3), (1, 3), (5, 7), (200, 7), (300, 45), (50, 1)):
        x = (rng.normal(size=n).cumsum() * 37).astype(dtype)
        x[rng.random(n) < 0.3] = np.nan
        x[rng.random(n) < 0.05] = np.inf * rng.choice([-1, 1])  # not finite: left out, as the loops did
        got = row_quantile(trailing_rows(x, width), q)
        assert got.shape == (n,)
        assert np.array_equal(got, _loop(x, width, q), equal_nan=True), (n, width)


def test_trailing_rows_and_forward_fill():
    rows = trailing_rows(np.array([1.0, 2.0, 3.0]), 2)
    assert np.array_equal(rows, [[np.nan, 1], [1, 2], [2, 3]], equal_nan=True)
    assert trailing_rows(np.array([1, 2]), 3, fill=-np.inf)[0].tolist() == [-np.inf, -np.inf, 1.0]
    assert np.array_equal(forward_fill(np.array([5.0, 7.0]), np.array([1, 3]), 5), [np.nan, 5, 5, 7, 7], equal_nan=True)
    assert np.isnan(forward_fill(np.zeros(0), np.zeros(0, int), 3)).all()
    assert np.isnan(row_quantile(np.full((2, 4), np.nan), 50.0)).all()
