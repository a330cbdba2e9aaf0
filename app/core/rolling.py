"""Causal rolling statistics over a signal's samples, vectorised (numpy, no Python loop per frame).

The engine re-reads the whole track every second or so during a live test; its running medians
and percentiles were Python loops calling np.median once per frame (0.4 s for two minutes of
track on this CPU, holding the interpreter while the pose loop waited). These give the same
numbers as np.median / np.percentile (linear method) over the same windows, bit for bit.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def trailing_rows(x: np.ndarray, width: int, fill: float = np.nan) -> np.ndarray:
    """(T,) -> (T, width) view-backed array: row t holds x[t - width + 1 .. t], the missing
    samples before the start filled with `fill`."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(float)
    if x.size == 0:
        return np.empty((0, width), x.dtype)
    padded = np.concatenate([np.full(width - 1, fill, x.dtype), x])
    return sliding_window_view(padded, width)


def row_quantile(rows: np.ndarray, q: float) -> np.ndarray:
    """The q-th percentile (0-100, numpy's linear method) of each row's finite entries (N,);
    NaN for a row with none. q = 50 is np.median's mean of the two middle values. The arithmetic
    is done in the rows' own float type, as numpy does (float32 rows give float32 results)."""
    rows = np.asarray(rows)
    if not np.issubdtype(rows.dtype, np.floating):
        rows = rows.astype(float)
    if rows.shape[0] == 0:
        return np.zeros(0)
    finite = np.isfinite(rows)
    a = np.sort(np.where(finite, rows, np.nan), axis=1)  # NaN (and so +-inf, left out) sorts last
    n = finite.sum(axis=1)
    out = np.full(rows.shape[0], np.nan)
    ok = n > 0
    if not ok.any():
        return out
    a, n = a[ok], n[ok]
    r = np.arange(a.shape[0])
    if q == 50.0:
        lo, hi = (n - 1) // 2, n // 2
        out[ok] = np.where(lo == hi, a[r, lo], (a[r, lo] + a[r, hi]) / 2.0)
        return out
    virtual = (n - 1) * (q / 100.0)
    prev = np.floor(virtual).astype(int)
    nxt = np.minimum(prev + 1, n - 1)
    gamma = virtual - prev  # float64, each weight cast to the rows' type as numpy's own lerp does
    lo, hi = a[r, prev], a[r, nxt]
    diff = hi - lo
    out[ok] = np.where(gamma >= 0.5, hi - diff * (1 - gamma).astype(a.dtype), lo + diff * gamma.astype(a.dtype))
    return out


def forward_fill(values: np.ndarray, at: np.ndarray, length: int) -> np.ndarray:
    """(length,) array holding values[i] from frame at[i] on until the next one (at ascending);
    NaN before the first."""
    out = np.full(length, np.nan)
    if len(at) == 0:
        return out
    slot = np.full(length, -1)
    slot[at] = np.arange(len(at))
    slot = np.maximum.accumulate(slot)
    seen = slot >= 0
    out[seen] = np.asarray(values, float)[slot[seen]]
    return out
