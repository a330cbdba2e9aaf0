"""Labelled 10-frame windows for the standard / non-standard classifier.

Synthetic: every window that lies inside a ground-truth rep of a training.synth clip takes
that rep's label (standard = no fault). A fault shows in only part of a rep (the bottom of a
shallow push-up), so some windows of a faulty rep look standard: the label is the rep's,
as a grader's verdict is, and the app fuses all the windows of a rep into its verdict.

Real (pushfit): one correct / wrong label per clip, no rep boundaries. The reps are found
by our own counter (app.assess) on the clip's MoveNet track, and only windows inside those
reps take the clip's label: the set-up and the rest between reps say nothing about form.
A 'wrong' clip may still hold some good reps; that label noise is accepted and the clip
figure is measured clip-level (see training/classifier_eval.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.features import frame_features
from app.core.types import EXERCISES, VIEWS
from app.core.windows import WINDOW_LEN, sliding_windows
from training.nets.lstm_attention import category_index


@dataclass(frozen=True)
class WindowSet:
    """features float32 (N, L, 68); category int64 (N,) 0..5; label int64 (N,) 1 = standard;
    group int64 (N,): the rep (synthetic) or clip (pushfit) each window came from."""

    features: np.ndarray
    category: np.ndarray
    label: np.ndarray
    group: np.ndarray

    def __len__(self) -> int:
        return int(self.label.shape[0])

    @staticmethod
    def concat(sets: list[WindowSet]) -> WindowSet:
        sets = [s for s in sets if len(s)]
        if not sets:
            return WindowSet(np.zeros((0, WINDOW_LEN, 68), np.float32), *(np.zeros(0, np.int64) for _ in range(3)))
        return WindowSet(*(np.concatenate([getattr(s, f) for s in sets]) for f in
                           ("features", "category", "label", "group")))


def windows_in_spans(kpts: np.ndarray, size: tuple[int, int], spans: list[tuple[int, int]],
                     stride: int) -> list[np.ndarray]:
    """kpts (T, 17, 3) -> per span [start, end] (inclusive): features (n, L, 68) of the
    windows that lie wholly inside it (n may be 0 for a span shorter than a window)."""
    out = []
    for s, e in spans:
        _, w = sliding_windows(kpts[max(0, s):e + 1], WINDOW_LEN, stride)
        out.append(frame_features(w, size))
    return out


def synth_windows(seeds: range | list[int], stride: int = 3, fault_rate: float = 0.5,
                  noise: float = 1.0) -> WindowSet:
    """One clip per seed x exercise x view (front, side). Group ids number the reps."""
    from training.synth import make_clip
    parts = []
    rep_id = 0
    for seed in seeds:
        for ex in EXERCISES:
            for view in VIEWS:
                clip = make_clip(seed, ex, view, fault_rate=fault_rate, noise=noise)
                wins = windows_in_spans(clip.keypoints, clip.size, [(r.start, r.end) for r in clip.reps], stride)
                for rep, f in zip(clip.reps, wins, strict=True):
                    n = len(f)
                    parts.append(WindowSet(f, np.full(n, category_index(ex, view)), np.full(n, int(rep.standard)),
                                           np.full(n, rep_id)))
                    rep_id += 1
    return WindowSet.concat(parts)


def pushfit_windows(root: Path, clips: list[str], labels: dict[str, str], stride: int = 2,
                    group_base: int = 0, own_tracks: Path | None = None) -> WindowSet:
    """Windows inside the reps our counter finds on each pushfit clip; the group is the clip's
    position in `clips` (+ group_base); the category is push-up x the view the counter saw.
    own_tracks: read our own pose model's tracks from this cache (training.data.own_tracks)
    instead of MoveNet's; a clip without one is left out."""
    from app.assess.engine import assess
    from training.data import own_tracks as own
    from training.data.pushfit import load_track
    parts = []
    for i, clip in enumerate(clips):
        track = load_track(root, clip) if own_tracks is None else own.load(own_tracks, clip)
        if track is None:
            continue
        r = assess(track, "pushup", "auto")
        view = r.view if r.view in VIEWS else "side"
        wins = windows_in_spans(track.keypoints, track.size, [(rep.start, rep.end) for rep in r.reps], stride)
        f = np.concatenate(wins) if wins else np.zeros((0, WINDOW_LEN, 68), np.float32)
        n = len(f)
        parts.append(WindowSet(f, np.full(n, category_index("pushup", view)),
                               np.full(n, int(labels[clip] == "correct")), np.full(n, group_base + i)))
    return WindowSet.concat(parts)
