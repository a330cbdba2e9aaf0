"""The pull-up bar from the image while the hands are on it (numpy only).

Why: the chin-over-bar check needs the bar's height. Without an instructor's line the engine
puts the bar a fixed 0.1 torso length above the wrists, but where the wrist keypoints sit
under the bar depends on the grip, the hands' size and the pose model. The bar itself is a
straight line through both hands, so it can be found: sample the image along lines parallel
to the wrist-to-wrist line, above and just below the wrists, and take the offset where a thin
line contrasts with what is above and below it consistently along the line (the median
along it, so the hands and the head that cross the bar do not count).

Measured only on frames that show a hang in front or behind view: both wrists seen, above
the shoulders and at least half a torso apart (in a side view the bar is seen end-on, a dot,
and nothing is measured). The result is the bar's height above the wrists in torso lengths
(the unit of thresholds.pullup_bar_offset), the median over the frames that found one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.skeleton import Joint as J

MIN_CONTRAST = 6.0      # grey levels: a line fainter than this is not a bar
MIN_PROMINENCE = 3.0    # the line's response over the profile's median response
SEARCH_ABOVE = 0.6      # look this far above the wrists (torso lengths; past PLAUSIBLE) ...
SEARCH_BELOW = 0.15     # ... and this far below them
MIN_FRAMES = 3          # frames that must agree before the image's bar is used
PLAUSIBLE = (-0.1, 0.4)  # torso lengths: a bar further from the hands is another line


@dataclass(frozen=True, slots=True)
class BarSighting:
    """The bar found in one frame: offset = its height above the wrists' midpoint in torso
    lengths (positive = above); contrast in grey levels; prominence over the background."""

    offset: float
    contrast: float
    prominence: float


def _sample(gray: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear samples of gray (H, W) at float arrays x, y (same shape); NaN outside."""
    h, w = gray.shape
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    xc, yc = np.clip(x, 0, w - 1.001), np.clip(y, 0, h - 1.001)
    x0, y0 = xc.astype(int), yc.astype(int)
    fx, fy = xc - x0, yc - y0
    g = gray.astype(np.float32)
    v = (g[y0, x0] * (1 - fx) * (1 - fy) + g[y0, x0 + 1] * fx * (1 - fy)
         + g[y0 + 1, x0] * (1 - fx) * fy + g[y0 + 1, x0 + 1] * fx * fy)
    return np.where(inside, v, np.nan)


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else image[..., :3].astype(np.float32) @ np.float32([0.114, 0.587, 0.299])


def _hanging(k: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, float] | None:
    """-> (wrist midpoint, unit vector along the wrists, torso length px) for a front / back
    view hang, else None."""
    need = (J.L_WRIST, J.R_WRIST, J.L_SHOULDER, J.R_SHOULDER, J.L_HIP, J.R_HIP)
    if (k[list(need), 2] < min_score).any():
        return None
    lw, rw = k[J.L_WRIST, :2], k[J.R_WRIST, :2]
    sh = (k[J.L_SHOULDER, :2] + k[J.R_SHOULDER, :2]) / 2
    hip = (k[J.L_HIP, :2] + k[J.R_HIP, :2]) / 2
    torso = float(np.linalg.norm(sh - hip))
    along = rw - lw
    span = float(np.linalg.norm(along))
    if torso < 8 or span < 0.5 * torso or max(lw[1], rw[1]) > sh[1]:
        return None
    along = along / span
    if along[0] < 0:
        along = -along
    if abs(along[1]) > 0.35:     # the wrists far from level: not two hands on one bar
        return None
    return (lw + rw) / 2, along, torso


def sight_bar(image: np.ndarray, k: np.ndarray, min_score: float = 0.3) -> BarSighting | None:
    """image uint8 (H, W, 3) BGR or (H, W) grey; k (17, 3) the subject's keypoints in px ->
    the bar seen in this frame, or None (not a hang seen from the front or back, or no line)."""
    hang = _hanging(np.asarray(k, np.float32), min_score)
    if hang is None:
        return None
    mid, along, torso = hang
    up = np.array([along[1], -along[0]])           # perpendicular, pointing up the image
    if up[1] > 0:
        up = -up
    span = float(np.linalg.norm(k[J.R_WRIST, :2] - k[J.L_WRIST, :2]))
    u = np.linspace(-(span / 2 + 0.3 * torso), span / 2 + 0.3 * torso, 96)
    d = np.arange(-SEARCH_BELOW * torso, SEARCH_ABOVE * torso, max(torso / 120, 0.5))
    px = mid[0] + u[None, :] * along[0] + d[:, None] * up[0]
    py = mid[1] + u[None, :] * along[1] + d[:, None] * up[1]
    strip = _sample(_grey(image), px, py)          # (offsets, positions along the bar)
    step = float(d[1] - d[0])
    best: tuple[float, float, float] | None = None  # (prominence, contrast, offset px)
    finite = np.isfinite(strip)
    pad = np.zeros((1, strip.shape[1]))
    c = np.cumsum(np.vstack([pad, np.where(finite, strip, 0.0)]), axis=0)
    cn = np.cumsum(np.vstack([pad, finite]), axis=0)
    for thick_px in (0.02 * torso, 0.04 * torso, 0.07 * torso):
        t = max(1, int(round(thick_px / step)))
        i = np.arange(t // 2 + t, strip.shape[0] - 2 * t)
        if i.size == 0:
            continue
        lo = i - t // 2 - t                          # the window: t rows above, the line, t below
        whole = (cn[lo + 3 * t] - cn[lo]) == 3 * t   # no sample outside the image
        centre, above, below = ((c[a + t] - c[a]) / t for a in (lo + t, lo, lo + 2 * t))
        resp = np.where(whole, centre - 0.5 * (above + below), np.nan)   # (len(i), positions)
        enough = whole.mean(1) > 0.6
        if not enough.any():
            continue
        line = np.zeros(len(i))
        line[enough] = np.abs(np.nanmedian(resp[enough], axis=1))
        j = int(np.argmax(line))
        prom = line[j] / max(float(np.median(line[enough])), 0.5)
        if best is None or prom > best[0]:
            best = (prom, float(line[j]), float(d[i[j]]))
    if best is None or best[1] < MIN_CONTRAST or best[0] < MIN_PROMINENCE:
        return None
    return BarSighting(best[2] / torso, best[1], best[0])


def bar_offset(sightings: list[BarSighting]) -> float | None:
    """The bar's height above the wrists (torso lengths) from a clip's sightings: their
    median, or None when fewer than MIN_FRAMES frames saw a bar or it lies implausibly far
    from the hands."""
    if len(sightings) < MIN_FRAMES:
        return None
    mid = float(np.median([s.offset for s in sightings]))
    return mid if PLAUSIBLE[0] <= mid <= PLAUSIBLE[1] else None


class BarWatch:
    """Collects a clip's bar sightings as frames go by: every `every`-th frame is looked at,
    at most `limit` sightings kept (a long hang needs no more). offset: the bar's height
    above the wrists in torso lengths, or None until MIN_FRAMES frames found one."""

    def __init__(self, every: int = 3, limit: int = 120, min_score: float = 0.3) -> None:
        self.every, self.limit, self.min_score = every, limit, min_score
        self.sightings: list[BarSighting] = []

    def see(self, index: int, image: np.ndarray | None, k: np.ndarray) -> None:
        if image is None or index % self.every or len(self.sightings) >= self.limit:
            return
        s = sight_bar(image, k, self.min_score)
        if s is not None:
            self.sightings.append(s)

    @property
    def offset(self) -> float | None:
        return bar_offset(self.sightings)
