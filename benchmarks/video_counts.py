"""Rep counts from raw video on ../shared/data/clips against clips.json (counted by hand):
predicted total and standard reps per clip, with the pose model's coverage and speed.

Run: .venv/bin/python benchmarks/video_counts.py [--models DIR] [--threads N]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.assess.engine import assess
from app.inference.pose import PoseEstimator
from app.pipeline.pose_loop import video_poses

CLIPS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "clips"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--stateless", action="store_true", help="use pose_paf even when pose_lstm_pm is present")
    a = ap.parse_args()
    truth = json.loads((CLIPS / "clips.json").read_text())
    print(f"{'clip':28s} {'exercise':8s} {'true':>4s} {'regul.':>6s} {'pred':>4s} {'std':>4s} {'seen':>5s} {'ms/f':>5s}")
    for name, t in truth.items():
        est = PoseEstimator(a.models, a.threads, recurrent=not a.stateless)
        t0 = time.perf_counter()
        vp = video_poses(CLIPS / name, est, exercise=t["exercise"])
        el = time.perf_counter() - t0
        r = assess(vp.subject, t["exercise"], "auto")
        seen = float((vp.subject.keypoints[..., 2] > 0).any(-1).mean())
        print(f"{name:28s} {t['exercise']:8s} {t['complete_reps']:4d} {sum(t['regulation']):6d} {r.count_total:4d} "
              f"{r.count_standard:4d} {seen:5.0%} {el / vp.subject.frames * 1000:5.1f}   ({est.name}, view {r.view})")


if __name__ == "__main__":
    main()
