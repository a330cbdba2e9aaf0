"""Counter on the repcount dev set (../shared/data/repcount): MAE and OBO per exercise.

Its poses are MediaPipe-33 min-max normalised per frame and per axis; they load through
training.data.repcount and are analysed with normalised=True, where the drives are
same-frame ratios of vertical extents (app.assess.signals.normalised_drive).

The norm_* thresholds were chosen on this same set, so the default figures are in-sample.
`--loo` also prints an honest estimate: for each clip, the (min_amplitude, ready, return)
that does best on the OTHER clips of its exercise is chosen from a small grid, then used on
the held-out clip.

Run: .venv/bin/python benchmarks/repcount_eval.py [--loo]
"""
from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.assess.engine import assess
from app.assess.thresholds import DEFAULTS
from training.data import repcount

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "repcount"
GRID = {  # per exercise: min_amplitude values; ready values; return fractions
    "pushup": ((0.3, 0.5, 0.7), (0.5, 1.0, 1.4), (0.3, 0.4, 0.5)),
    "pullup": ((0.4, 0.6, 0.8), (-0.5, 0.0, 0.3), (0.3, 0.4, 0.5)),
    "situp": ((0.2, 0.3, 0.4), (-2.5, -2.0, -1.5), (0.3, 0.4, 0.5)),
}


def mae_obo(gt: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    return float(np.mean(np.abs(pred - gt) / gt)), float(np.mean(np.abs(pred - gt) <= 1))


def count(track, exercise: str, th=DEFAULTS) -> int:
    return assess(track, exercise, "side", th=th, normalised=True).count_total


def report(per: dict[str, list[tuple[int, int]]], title: str) -> None:
    print(title)
    allp = []
    for ex, pairs in per.items():
        gt, pr = np.array(pairs).T
        mae, obo = mae_obo(gt, pr)
        allp += pairs
        print(f"  {ex:7s} clips {len(pairs):2d}  MAE {mae:.3f}  OBO {obo:.2f}  (gt, pred) {pairs}")
    gt, pr = np.array(allp).T
    mae, obo = mae_obo(gt, pr)
    print(f"  overall clips {len(allp)}  MAE {mae:.3f}  OBO {obo:.2f}")


def leave_one_out(clips, tracks) -> dict[str, list[tuple[int, int]]]:
    per = defaultdict(list)
    for ex, (amps, readies, returns) in GRID.items():
        idx = [i for i, c in enumerate(clips) if c.exercise == ex]
        gt = np.array([clips[i].count for i in idx])
        combos = list(itertools.product(amps, readies, returns))
        preds = np.zeros((len(combos), len(idx)), int)
        for j, (a, r, f) in enumerate(combos):
            th = DEFAULTS.replace(**{f"norm_{ex}_min_amplitude": a, f"norm_{ex}_ready": r, f"norm_{ex}_return": f})
            preds[j] = [count(tracks[i], ex, th) for i in idx]
        err = np.abs(preds - gt) / gt  # (combos, clips)
        for k in range(len(idx)):
            others = np.delete(err, k, axis=1).mean(axis=1)
            best = int(np.argmin(others))
            per[ex].append((int(gt[k]), int(preds[best, k])))
    return per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loo", action="store_true", help="also run the leave-one-clip-out threshold choice")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not present")
        return
    clips = repcount.load_annotations(DATA)
    tracks = [repcount.load_track(DATA, c.clip) for c in clips]
    per = defaultdict(list)
    for c, t in zip(clips, tracks):
        per[c.exercise].append((c.count, count(t, c.exercise)))
    report(per, "default thresholds (chosen on this set: in-sample)")
    if args.loo:
        report(leave_one_out(clips, tracks), "leave-one-clip-out threshold choice (held-out estimate)")


if __name__ == "__main__":
    main()
