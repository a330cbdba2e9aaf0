"""Latency of the temporal models per call on this CPU, and the live per-frame budget.

Per frame in live mode the app runs: the pose model (one image), the smoother (one
16-frame window, look-ahead 5), the classifier (one 10-frame window), the causal lifter
(one 27-frame window); the recogniser scores a 30-frame window every 15 frames (its cost is
amortised over them). The budget is one frame at 30 fps = 33.3 ms.

Run: .venv/bin/python benchmarks/temporal.py [--threads 1] [--repeat 200]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.core.features import frame_features
from app.inference.classifier import RepClassifier
from app.inference.exercise import ExerciseRecogniser
from app.inference.lifter import Lifter3D
from app.inference.smoother import Smoother


def timed(fn, repeat: int) -> float:
    for _ in range(5):
        fn()
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--pose-ms", type=float, default=None,
                    help="pose model ms/frame (default: measured here on a 256 px frame)")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    k = lambda n: np.concatenate([rng.uniform(0, 600, (n, 17, 2)), rng.uniform(0.5, 1, (n, 17, 1))], -1)
    clf, rec, sm = RepClassifier(threads=a.threads), ExerciseRecogniser(threads=a.threads), Smoother(threads=a.threads)
    lc = Lifter3D(causal=True, threads=a.threads)
    lr = Lifter3D("pushup", threads=a.threads)
    f10 = frame_features(k(clf.window), (640, 480))[None]
    w30, w16, w27, t300 = k(rec.window)[None], k(sm.window)[None], k(lc.rf), k(300)
    ms = {"classifier (1 window of 10)": timed(lambda: clf.windows(f10, 0), a.repeat),
          "recogniser (1 window of 30)": timed(lambda: rec.windows(w30), a.repeat),
          "smoother (1 window of 16)": timed(lambda: sm.windows(w16), a.repeat),
          "lifter causal (1 window of 27)": timed(lambda: lc.last(w27), a.repeat),
          "lifter review (300-frame track)": timed(lambda: lr.lift(t300), max(5, a.repeat // 10)),
          "smoother full (300-frame track)": timed(lambda: sm.windows(np.stack([t300[i:i + 16] for i in
                                                                               range(0, 285, 4)])), max(5, a.repeat // 10))}
    if a.pose_ms is None:
        from app.inference.pose import PoseEstimator
        est = PoseEstimator(threads=a.threads)
        img = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
        ms["pose model (1 frame, lstm_pm)"] = timed(lambda: est(img), max(10, a.repeat // 5))
    pose = a.pose_ms if a.pose_ms is not None else ms["pose model (1 frame, lstm_pm)"]
    per_frame = pose + ms["smoother (1 window of 16)"] + ms["classifier (1 window of 10)"] + \
        ms["lifter causal (1 window of 27)"] + ms["recogniser (1 window of 30)"] / 15
    print(f"threads {a.threads}")
    for name, v in ms.items():
        print(f"  {name:<34} {v:7.2f} ms")
    print(f"live per frame: pose + smoother + classifier + causal lifter + recogniser/15 = {per_frame:.1f} ms "
          f"({'within' if per_frame <= 1000 / 30 else 'OVER'} the 33.3 ms budget of 30 fps; {1000 / per_frame:.0f} fps)")


if __name__ == "__main__":
    main()
