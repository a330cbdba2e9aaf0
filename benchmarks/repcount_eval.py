"""Counter on the repcount dev set (../shared/data/repcount): MAE and OBO per exercise.

Its poses are MediaPipe-33 min-max normalised per frame and per axis, so they are mapped to
COCO-17, scaled to a 1000x1000 canvas and analysed with normalised=True (posture gates off).
Run: .venv/bin/python benchmarks/repcount_eval.py
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.assess.engine import assess  # noqa: E402
from app.core.skeleton import from_mediapipe33  # noqa: E402
from app.core.types import PoseTrack  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "repcount"


def main() -> None:
    if not DATA.is_dir():
        print(f"skipped: {DATA} not present")
        return
    ann = json.loads((DATA / "annotations.json").read_text())
    per = defaultdict(list)
    for a in ann:
        if a["exercise"] not in ("pushup", "pullup", "situp"):
            continue
        pose = np.load(DATA / "poses" / f"{a['clip']}.npz")["pose"]
        xyz = pose[:, :99].reshape(-1, 33, 3)
        k = np.concatenate([from_mediapipe33(xyz[..., :2]) * 1000.0, np.ones((len(xyz), 17, 1))], -1)
        res = assess(PoseTrack(k, 30.0, (1001, 1001)), a["exercise"], "side", normalised=True)
        per[a["exercise"]].append((a["count"], res.count_total))
    allp = []
    for ex, pairs in per.items():
        gt, pr = np.array(pairs).T
        mae = np.mean(np.abs(pr - gt) / gt)
        obo = np.mean(np.abs(pr - gt) <= 1)
        allp += pairs
        print(f"{ex:7s} clips {len(pairs):2d}  MAE {mae:.3f}  OBO {obo:.2f}  (gt, pred) {pairs}")
    gt, pr = np.array(allp).T
    print(f"overall clips {len(allp)}  MAE {np.mean(np.abs(pr - gt) / gt):.3f}  OBO {np.mean(np.abs(pr - gt) <= 1):.2f}")


if __name__ == "__main__":
    main()
