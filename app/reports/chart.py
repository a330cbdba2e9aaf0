"""Chart geometry for the PDF reports (pure): values -> points in a box, and tick values.

The painter (app.ui.pdf_report) only draws what these return, so what a chart shows is
tested without Qt.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Box:
    """A chart's plotting area in page units: left, top, width, height (y grows downwards)."""

    x: float
    y: float
    w: float
    h: float


def value_range(values: np.ndarray) -> tuple[float, float]:
    """(lo, hi) of the finite values, widened when flat; (0, 1) when there are none."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def to_x(i: float, n: int, box: Box) -> float:
    """Sample index i of n -> x (the first sample on the left edge, the last on the right)."""
    return box.x + (box.w * i / (n - 1) if n > 1 else box.w / 2)


def to_y(v: float, lo: float, hi: float, box: Box) -> float:
    return box.y + box.h * (1.0 - (v - lo) / (hi - lo))


def polylines(values: np.ndarray, box: Box, lo: float | None = None, hi: float | None = None,
              max_points: int = 2000) -> list[list[tuple[float, float]]]:
    """The finite runs of `values` (T,) as lines in `box`; a NaN (joints not seen) breaks the
    line. Long signals are thinned to about max_points (a page cannot show more)."""
    v = np.asarray(values, float)
    n = len(v)
    if n == 0:
        return []
    if lo is None or hi is None:
        lo, hi = value_range(v)
    step = max(1, math.ceil(n / max_points))
    out, run = [], []
    for i in range(0, n, step):
        if np.isfinite(v[i]):
            run.append((to_x(i, n, box), to_y(float(np.clip(v[i], lo, hi)), lo, hi, box)))
        elif run:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    # the finest round step that gives at most one tick more than asked for
    step = next(m * mag for m in (1, 2, 5, 10, 20) if (hi - lo) / (m * mag) <= count + 1)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + k * step, 10) for k in range(int((hi - first) / step + 1e-9) + 1)]
