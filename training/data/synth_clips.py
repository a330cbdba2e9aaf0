"""Synthetic clips for the temporal models, by subject seed: one place decides the mix.

Train and held-out sets are disjoint ranges of seeds (a seed fixes the body, style and
camera), so no synthetic subject is shared between training and test.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from app.core.types import EXERCISES, VIEWS

HELD_OUT_SEED = 10_000   # held-out subjects are seeds HELD_OUT_SEED.. (training uses 0..)


def clips(seeds: range | list[int], exercises: tuple[str, ...] = EXERCISES, views: tuple[str, ...] = VIEWS,
          extra_kinds: bool = True, noise: float | None = None) -> Iterator:
    """Yield training.synth Clips: per seed x exercise x view a `reps` clip, and with extra_kinds
    every third seed also an `idle` and a `positioning` clip (the recogniser's idle class).
    noise None draws the estimator-noise level per clip in [0.5, 1.5] (seeded)."""
    from training.synth import make_clip
    for seed in seeds:
        rng = np.random.default_rng([seed, 77])
        for ex in exercises:
            for view in views:
                kinds = ["reps"] + (["idle", "positioning"] if extra_kinds and seed % 3 == 0 else [])
                for kind in kinds:
                    level = float(rng.uniform(0.5, 1.5)) if noise is None else noise
                    yield make_clip(seed, ex, view, kind=kind, noise=level)
