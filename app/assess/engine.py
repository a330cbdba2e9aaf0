"""Counting and judging a whole pose track: signals -> rep state machine -> rules -> verdicts."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.assess import rules
from app.assess.counter import Cycle, RepCounter, noise_level, run_counter
from app.assess.fusion import fuse
from app.assess.signals import Signals, compute, detect_view
from app.assess.thresholds import DEFAULTS, Thresholds
from app.core.rolling import row_quantile, trailing_rows
from app.core.types import EXERCISES, PoseTrack, RepEvent


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of one track: reps in order, with the signals they were read from."""

    exercise: str
    view: str
    frames: int
    fps: float
    reps: tuple[RepEvent, ...]
    signals: Signals
    unmeasured: tuple[str, ...]

    @property
    def count_total(self) -> int:
        return len(self.reps)

    @property
    def count_standard(self) -> int:
        return sum(r.standard for r in self.reps)


def _return_until(drive: np.ndarray, gate: np.ndarray, end: int, last: int, enter: float) -> int:
    """The last frame after `end` (at most `last`) before the smoothed drive falls `enter`
    below its highest point since `end` (the next rep begins) or the body leaves the exercise's
    position (standing up, dropping off the bar): decided from these frames alone, so live and
    offline agree."""
    top = drive[end] if np.isfinite(drive[end]) else -np.inf
    for t in range(end + 1, last + 1):
        if not gate[t]:
            return t - 1
        v = drive[t]
        if not np.isfinite(v):
            continue
        if v < top - enter:
            return t - 1
        top = max(top, v)
    return last


def reject_spikes(x: np.ndarray, window: int = 7, k: float = 4.0) -> np.ndarray:
    """Causal Hampel filter: a sample further than k robust deviations from the median of the
    last `window` finite samples is replaced by that median. A few frames of a mis-placed joint
    (up to half the window) are dropped; a real movement, which the previous frames lead into,
    is kept. (T,) -> (T,); NaN stays NaN. The window holds the raw samples, not the replaced
    ones, so a level that really moved is accepted a few frames on."""
    out = np.array(x, dtype=float, copy=True)
    idx = np.flatnonzero(np.isfinite(out))
    if idx.size <= 4:
        return out
    v = out[idx]
    prev = trailing_rows(v, window)[:-1]  # row i: the (up to) `window` samples before sample i + 1
    med = row_quantile(prev, 50.0)
    mad = 1.4826 * row_quantile(np.abs(prev - med[:, None]), 50.0)
    ptp = np.nanmax(prev, axis=1) - np.nanmin(prev, axis=1)
    spread = np.maximum(np.maximum(mad, 1e-3 * np.maximum(np.abs(med), 1.0)), ptp / 4)
    i = np.arange(1, v.size)
    bad = (i >= 4) & (np.abs(v[1:] - med) > k * spread)
    out[idx[1:][bad]] = med[bad]
    return out


def smooth_causal(x: np.ndarray, median: int = 3, alpha: float = 0.6) -> np.ndarray:
    """Spikes rejected (reject_spikes), then the median of the last `median` finite samples,
    then an exponential moving average. Keeps NaN where the input is NaN (an unseen frame stays
    unseen). (T,) -> (T,)."""
    x = reject_spikes(x)
    out = np.full(x.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(x))
    if idx.size == 0:
        return out
    meds = row_quantile(trailing_rows(x[idx], median), 50.0).tolist()
    ema = meds[0]
    smooth = [ema]
    for m in meds[1:]:  # the recursion on Python floats: ~1 ms for two minutes of track
        ema = alpha * m + (1 - alpha) * ema
        smooth.append(ema)
    out[idx] = smooth
    return out


def _is_on_bar(sig: Signals, c: Cycle, th: Thresholds) -> bool:
    """A pull-up moves the body, not the hands: reject arm raises while standing."""
    w = sig.measures["wrist_y"][c.start:c.end + 1]
    n = sig.measures["nose_y"][c.start:c.end + 1]
    w, n = w[np.isfinite(w)], n[np.isfinite(n)]
    if w.size < 3 or n.size < 3:
        return True
    wr = np.percentile(w, 95) - np.percentile(w, 5)
    nr = np.percentile(n, 95) - np.percentile(n, 5)
    return wr <= th.pullup_max_wrist_travel * max(nr, 1e-6)


def assess(track: PoseTrack, exercise: str, view: str = "auto", th: Thresholds = DEFAULTS,
           bar_y: float | None = None, normalised: bool = False, policy: str = "rules",
           p_standard: list[float | None] | None = None, checks: tuple[str, ...] | None = None) -> Assessment:
    """Count and judge the reps of `track`.

    view: front | side | auto (from the shoulder-to-torso ratio). bar_y: image row of the
    pull-up bar if known (else estimated from the hands). normalised: coordinates were
    min-max scaled per frame (repcount data), which disables posture gates.
    p_standard: per-rep classifier probabilities to fuse, when a classifier ran.
    checks: the reasons the protocol judges (app.assess.protocol); None = every standard check.
    """
    if exercise not in EXERCISES:
        raise ValueError(f"exercise must be one of {', '.join(EXERCISES)}, got {exercise!r}")
    if view == "auto":
        view = track.view if track.view in ("front", "side") else detect_view(track.keypoints, th.min_score)
    if view not in ("front", "side"):
        raise ValueError(f"view must be front, side or auto, got {view!r}")
    sig = compute(track.keypoints, track.fps, exercise, view, th, bar_y, normalised)
    drive = smooth_causal(sig.drive)
    fps = track.fps
    counter = RepCounter(sig.enter, sig.min_amplitude, sig.return_fraction, grace=int(th.gate_grace_s * fps),
                         lost_abort=int(th.lost_abort_s * fps), settle=max(3, int(0.7 * fps)), ready=sig.ready,
                         partial_returns=not normalised,
                         # RepCount's sequences are resampled to a nominal rate (no true seconds)
                         max_away=int(th.max_rep_s * fps) if not normalised else 10 ** 9)
    floor = None
    if exercise == "situp" and not normalised:
        # the smallest attempt the track can show: a crunch on a clean track (a few degrees of
        # jitter), only a real sit-up's swing on a noisy one (jitter would fake crunches)
        noise = noise_level(sig.drive)
        cap = th.situp_max_min_amplitude if view == "side" else th.situp_front_max_min_amplitude
        floor = np.clip(np.nan_to_num(th.situp_noise_k * noise, nan=cap), sig.min_amplitude,
                        max(sig.min_amplitude, cap))
    cycles = run_counter(drive, sig.gate, counter, floor)
    if exercise == "pullup" and not normalised:
        cycles = [c for c in cycles if _is_on_bar(sig, c, th)]
    # a slow return (a controlled descent from the bar) reaches the start position after the
    # counter has closed the rep: the start-position checks read on up to `return_read_s` past
    # its end, until the signal leaves that level again (never into the next rep's pull); live,
    # the rep stays provisional until then
    more = int(th.return_read_s * fps)
    cycles = [replace(c, until=_return_until(drive, sig.gate, c.end, min(track.frames - 1, c.end + more), sig.enter))
              for c in cycles]
    reps = []
    unmeasured: set[str] = set()
    for i, c in enumerate(cycles):
        failed, values, missing = rules.judge(sig, c, th, checks)
        unmeasured.update(missing)
        p = p_standard[i] if p_standard is not None and i < len(p_standard) else None
        standard, reasons = fuse(failed, p, th.p_standard_min, policy)
        reps.append(RepEvent(n=i + 1, start=c.start, end=c.end, standard=standard, reasons=reasons,
                             p_standard=p, measures=values))
    return Assessment(exercise, view, track.frames, track.fps, tuple(reps), sig, tuple(sorted(unmeasured)))


def settled(a: Assessment, frames_seen: int) -> int:
    """How many of `a`'s reps are final when `frames_seen` frames of a live test are in: a rep
    is final once the counter has let it settle (0.7 s after its end) and the rules' one frame
    of look-ahead is in. The engine is causal, so a final rep's boundaries and verdict never
    change with later frames (tests/assess/test_counting.py checks it on every prefix); the
    rep still settling at the cut is shown as provisional."""
    margin = max(3, int(0.7 * a.fps)) + 2 + int(DEFAULTS.return_read_s * a.fps)
    return sum(1 for r in a.reps if r.end + margin < frames_seen)


def with_probabilities(a: Assessment, p_standard: list[float | None], th: Thresholds = DEFAULTS,
                       policy: str = "rules") -> Assessment:
    """The same reps with the classifier's per-rep P(standard) fused in, without re-running the
    counter or the rules: a probability never moves a boundary, and the rules' own reasons are
    the rep's reasons less any earlier `classifier_doubt`."""
    reps = []
    for i, r in enumerate(a.reps):
        p = p_standard[i] if i < len(p_standard) else None
        failed = tuple(x for x in r.reasons if x != "classifier_doubt")
        standard, reasons = fuse(failed, p, th.p_standard_min, policy)
        reps.append(replace(r, standard=standard, reasons=reasons, p_standard=p))
    return replace(a, reps=tuple(reps))
