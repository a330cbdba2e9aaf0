"""Pose inference speed: ms per frame for letterbox, ONNX inference, decoding and total,
for each shipped pose model at 1 and 2 CPU threads (and on the GPU when ONNX Runtime has
CUDA). Frames: a real clip from ../shared/data/clips when present, else a rendered image.

Run: .venv/bin/python benchmarks/pose.py [--models DIR] [--frames N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.inference.paf_decode import assemble
from app.inference.pose import PoseEstimator, letterbox
from app.inference.session import providers

CLIP = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "clips" / "divyansh_pushups_side.mp4"


def sample_frames(n: int) -> list[np.ndarray]:
    if CLIP.exists():
        from app.capture.video import frames
        _, it = frames(CLIP)
        out = [f for _, f in zip(range(n), it, strict=False)]
        if out:
            return out
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(n)]


def bench(est: PoseEstimator, imgs: list[np.ndarray]) -> dict[str, float]:
    t = {"letterbox": 0.0, "inference": 0.0, "decode": 0.0}
    est.reset()
    for img in imgs[:5]:  # warm-up
        est(img)
    est.reset()
    for img in imgs:
        t0 = time.perf_counter()
        x, lb = letterbox(img, est.size)
        t1 = time.perf_counter()
        heat, paf = est.maps(x)
        t2 = time.perf_counter()
        [lb.to_image(k) for k in assemble(heat, paf, est.stride, est.params)]
        t3 = time.perf_counter()
        t["letterbox"] += t1 - t0
        t["inference"] += t2 - t1
        t["decode"] += t3 - t2
    ms = {k: v / len(imgs) * 1000 for k, v in t.items()}
    ms["total"] = sum(ms.values())
    return ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--frames", type=int, default=100)
    a = ap.parse_args()
    imgs = sample_frames(a.frames)
    print(f"{len(imgs)} frames of {imgs[0].shape[1]}x{imgs[0].shape[0]}; providers available: {providers()}")
    runs = [(1, False), (2, False)] + ([(None, True)] if "CUDAExecutionProvider" in providers() else [])
    for recurrent in (False, True):
        for threads, gpu in runs:
            est = PoseEstimator(a.models, threads, recurrent=recurrent, prefer_gpu=gpu, by_metrics=False)
            if est.recurrent != recurrent:
                continue
            ms = bench(est, imgs)
            where = "GPU" if gpu else f"CPU x{threads}"
            print(f"{est.name:13s} {est.size}px {where:8s} " + "  ".join(f"{k} {v:6.2f}" for k, v in ms.items())
                  + f"  ms/frame  -> {1000 / ms['total']:.0f} frames/s")


if __name__ == "__main__":
    main()
