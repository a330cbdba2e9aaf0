"""How long the judging engine takes over a 2-minute track (issue 17's budget: under 0.5 s),
per event, rules only and through the whole judge with the classifier; best of three.

Run: .venv/bin/python benchmarks/engine_speed.py [--seconds 120]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reports import best_of  # benchmarks/reports.py: best of N wall-clock runs

from app.assess.engine import assess
from app.core.types import PoseTrack
from app.pipeline.judge import JudgeRequest, judge
from app.pipeline.models import ModelBox
from training.synth import make_clip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120.0)
    a = ap.parse_args()
    box = ModelBox()
    for ex in ("pushup", "pullup", "situp"):
        clip = make_clip(7, ex, "side", n_reps=8, noise=1.0).track()
        n = int(a.seconds * clip.fps)
        k = np.concatenate([clip.keypoints] * (n // clip.frames + 1))[:n]
        track = PoseTrack(k, clip.fps, clip.size, ex)
        rules = best_of(3, lambda t=track, e=ex: assess(t, e, "side"))
        whole = best_of(3, lambda t=track, e=ex: judge(t, JudgeRequest(exercise=e, view="side"), box))
        print(f"{ex:7s} {a.seconds:g} s track ({n} frames): rules engine {rules:.3f} s, "
              f"whole judgement with the classifier {whole:.3f} s")


if __name__ == "__main__":
    main()
