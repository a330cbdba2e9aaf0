"""The rep state machine: hysteresis on a start-high driving signal, streaming.

States: WAIT (not in the exercise's position), TOP (in the start position, tracking its
peak), AWAY (left the top by more than `enter`, tracking the far point). A cycle completes
when the signal comes back by `return_fraction` of an excursion of at least
`min_amplitude`; it is reported once it settles (the next rep leaves the top, the posture
gate drops, `settle` frames pass, or the track ends) so its end frame is the highest point
of the return. NaN samples (joints unseen) change nothing; too many in a row abort the rep.
`ready` is the level the signal must reach to count as the start position at all (leaving
WAIT needs it, and a rep ends only back at it), so standing around, dropping off the bar or
lying still never arms the counter or completes a rep. With `partial_returns`, a rep that
starts where the previous one stalled (it never got back to the top) is measured from the
highest top seen since the counter armed, so the two are not merged into one; off, every
excursion is measured from its own top (better where top levels are not comparable, as on
repcount's per-frame normalised poses, where it measured worse).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WAIT, TOP, AWAY = "wait", "top", "away"


@dataclass(frozen=True, slots=True)
class Cycle:
    """A completed excursion: start (left the top), far (extreme point), end (back on top);
    until: the last frame before the next rep leaves the top, or a little past the end for the
    last rep (app.assess.engine): a slow return to the start position can outlast `end`."""

    start: int
    far: int
    end: int
    top_value: float
    far_value: float
    end_value: float
    until: int = -1


class RepCounter:
    def __init__(self, enter: float, min_amplitude: float, return_fraction: float = 0.5,
                 grace: int = 15, lost_abort: int = 45, settle: int = 20,
                 ready: float = float("-inf"), partial_returns: bool = True, max_away: int = 10 ** 9) -> None:
        """max_away: frames an excursion may last before it is given up (no rep takes longer;
        a top level set by a bad sample would otherwise hold the counter away for good)."""
        self.enter, self.min_amplitude, self.return_fraction = enter, min_amplitude, return_fraction
        self.ready, self.partial_returns = ready, partial_returns
        self.grace, self.lost_abort, self.settle = grace, lost_abort, settle
        self.max_away = max_away
        self.state = WAIT
        self._peak = self._peak_t = 0
        self._far = self._far_t = 0
        self._start_t = 0
        self._off = 0
        self._lost = 0
        # the highest top of the reps since the counter armed (partial_returns): a rep that
        # starts from a partial return is measured from it, not from where the return stalled
        self._ref_top = float("-inf")
        self._pending: tuple | None = None  # (start, far, top, farv, best_end_t, best_end_v, since)

    def _flush(self) -> Cycle | None:
        if self._pending is None:
            return None
        s, f, topv, farv, et, ev, _ = self._pending
        self._pending = None
        return Cycle(s, f, et, topv, farv, ev)

    def push(self, t: int, value: float, gate: bool) -> Cycle | None:
        """Feed frame t; returns a settled Cycle when one is ready."""
        done: Cycle | None = None
        finite = bool(np.isfinite(value))
        if self._pending is not None:
            if finite and value > self._pending[5]:
                p = self._pending
                self._pending = (p[0], p[1], p[2], p[3], t, float(value), p[6])
            if t - self._pending[6] >= self.settle or not gate:
                done = self._flush()
        if not gate:
            self._off += 1
            if self.state == TOP or (self.state == AWAY and self._off > self.grace):
                self.state, self._ref_top = WAIT, float("-inf")
            return done or (self._flush() if self._pending is not None else None)
        self._off = 0
        if not finite:
            self._lost += 1
            if self.state == AWAY and self._lost > self.lost_abort:
                self.state, self._ref_top = WAIT, float("-inf")
            return done
        self._lost = 0
        v = float(value)
        if self.state == WAIT:
            if v >= self.ready:
                self.state, self._peak, self._peak_t = TOP, v, t
        elif self.state == TOP:
            if v >= self._peak:
                self._peak, self._peak_t = v, t
            elif v < self._peak - self.enter:
                if self._pending is not None:
                    done = done or self._flush()
                self.state, self._start_t, self._far, self._far_t = AWAY, self._peak_t, v, t
        elif self.state == AWAY:
            if t - self._start_t > self.max_away:
                # longer than any rep: the top it left was not a real one (a bad sample, a
                # drift): start again from here, with no memory of that top
                self.state, self._peak, self._peak_t, self._ref_top = TOP, v, t, float("-inf")
                return done
            if v < self._far:
                self._far, self._far_t = v, t
            amp = max(self._peak, self._ref_top) - self._far
            if amp >= self.min_amplitude and v >= self._far + self.return_fraction * amp and v >= self.ready:
                self._pending = (self._start_t, self._far_t, self._peak, self._far, t, v, t)
                if self.partial_returns:
                    self._ref_top = max(self._peak, self._ref_top)
                self.state, self._peak, self._peak_t = TOP, v, t
            elif amp < self.min_amplitude and v >= self._peak - 0.5 * self.enter:
                # back near the top without a real excursion: a fidget, not a rep; restart
                # the top here. "Near" rather than "above": a top set by one noisy high
                # sample would otherwise keep the counter away while a long hold's jitter
                # slowly adds up to a rep-sized range (a plank held for ten seconds)
                self.state, self._peak, self._peak_t = TOP, v, t
        return done

    def finish(self) -> Cycle | None:
        """End of input: report a completed cycle still settling."""
        return self._flush()


def noise_level(drive: np.ndarray, every: int = 15, window: int = 300) -> np.ndarray:
    """Causal estimate of the drive's frame-to-frame jitter (T,): a robust standard deviation of
    its second differences over the last `window` frames, updated every `every` frames (NaN
    until there are 10 samples). Smooth motion has small second differences, jitter large ones,
    so a rep in progress barely moves it."""
    d = np.asarray(drive, float)
    c = np.abs(d[2:] - 2 * d[1:-1] + d[:-2])
    c = np.concatenate([[np.nan, np.nan], c])
    out = np.full(d.shape, np.nan)
    last = np.nan
    for t in range(len(d)):
        if t % every == 0:
            w = c[max(0, t - window):t + 1]
            w = w[np.isfinite(w)]
            last = 1.4826 * float(np.median(w)) / np.sqrt(6.0) if w.size >= 10 else np.nan
        out[t] = last
    return out


def run_counter(drive: np.ndarray, gate: np.ndarray, counter: RepCounter,
                min_amplitude: np.ndarray | None = None) -> list[Cycle]:
    """Feed a whole track through `counter`. drive float (T,), gate bool (T,); min_amplitude
    (T,): the smallest excursion that is a rep at each frame, when it adapts (else the counter's)."""
    out = []
    for t in range(drive.shape[0]):
        if min_amplitude is not None:
            counter.min_amplitude = float(min_amplitude[t])
        c = counter.push(t, drive[t], bool(gate[t]))
        if c is not None:
            out.append(c)
    c = counter.finish()
    if c is not None:
        out.append(c)
    return out
