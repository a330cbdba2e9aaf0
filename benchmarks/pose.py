"""Pose inference speed: ms per frame for letterbox, ONNX inference, decoding and total,
for each shipped pose model at 1 and 2 CPU threads (and on the GPU when ONNX Runtime has
CUDA). Frames: a real clip from ../shared/data/clips when present, else a rendered image.

--teacher: our pose loop against the reference teacher (mediapipe 0.10.14 BlazePose Full, in
its own environment: training/teacher.py) on the same frames of the same video, decode
included, at 2 threads, one after the other in one run.
--quantize: the stateless model as shipped (ONNX Runtime's full graph optimisation), with
basic optimisation only, INT8 (static QDQ, per channel, calibrated on cached training frames)
and FP16: ms per frame and PCK@0.2 against the teacher on cached frames of the held-out videos.

Run: .venv/bin/python benchmarks/pose.py [--models DIR] [--frames N] [--video PATH] [--teacher] [--quantize [paf|crop]]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.inference.paf_decode import assemble
from app.inference.pose import PoseEstimator, letterbox
from app.inference.session import providers

CLIP = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "clips" / "divyansh_pushups_side.mp4"


def sample_frames(n: int, video: Path = CLIP) -> list[np.ndarray]:
    if video.exists():
        from app.capture.video import frames
        _, it = frames(video)
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


def loop_ms(video: Path, n: int, models: Path | None, threads: int = 2) -> dict[str, float]:
    """Our side of --teacher: decode + the pose loop (model, decoder, tracker, crop pass as the
    app runs it) on the first n frames of video, after 5 warm-up frames -> ms per frame."""
    from app.capture.video import frames
    from app.inference.subject_pose import pose_estimator
    from app.pipeline.pose_loop import pose_steps
    est = pose_estimator(models, threads)  # the app's pose path: find with pose_paf, read on a crop
    info, it = frames(video)
    dec = [0.0]

    def timed():
        i = 0
        while True:
            t0 = time.perf_counter()
            img = next(it, None)
            if img is None or i >= n + 5:
                return
            if i >= 5:
                dec[0] += time.perf_counter() - t0
            yield i, img
            i += 1

    pose = track = 0.0
    done = crops = 0
    for step in pose_steps(timed(), est, info.size):
        if step.index >= 5:
            pose, track, done = pose + step.pose_ms, track + step.track_ms, done + 1
            crops += getattr(est, "last_pass", "frame") in ("crop", "crop+frame")
    d = max(done, 1)
    return {"decode": dec[0] * 1000 / d, "pose": pose / d, "tracker": track / d,
            "total": dec[0] * 1000 / d + (pose + track) / d, "frames": done, "crop_share": crops / d,
            "model": est.name}


def teacher_ms(video: Path, n: int) -> dict[str, float] | str:
    """The teacher's side: its own environment times it on the same frames (or why not)."""
    import subprocess

    from training.teacher import TeacherError, ensure_env
    try:
        py = ensure_env(say=lambda m: print(m, file=sys.stderr))
    except TeacherError as e:
        return str(e)
    worker = Path(__file__).resolve().parent.parent / "training" / "teacher_worker.py"
    r = subprocess.run([str(py), str(worker), "--time", str(video), str(n)], capture_output=True, text=True,
                       check=False, env=dict(os.environ, OMP_NUM_THREADS="2"))
    line = [x for x in r.stdout.splitlines() if x.startswith("ms ")]
    if not line:
        return f"the teacher did not run ({(r.stderr or r.stdout).strip().splitlines()[-1:]})"
    f = line[0].split()
    return {"decode": float(f[2]), "model": float(f[4]), "total": float(f[6]), "frames": int(f[8])}


def compare_teacher(video: Path, n: int, models: Path | None) -> None:
    ours = loop_ms(video, n, models)
    theirs = teacher_ms(video, n)
    print(f"\n{video.name}, {n} frames, 2 threads, decode included:")
    print(f"  ours    ({ours['model']}): {ours['total']:6.2f} ms/frame = decode {ours['decode']:.2f} + pose "
          f"{ours['pose']:.2f} (crop pass on {ours['crop_share']:.0%} of frames) + tracker {ours['tracker']:.2f}")
    if isinstance(theirs, str):
        print(f"  teacher: not measured: {theirs}")
    else:
        print(f"  teacher (BlazePose Full): {theirs['total']:6.2f} ms/frame = decode {theirs['decode']:.2f} + model "
              f"{theirs['model']:.2f}")
        print(f"  ours / teacher: {ours['total'] / theirs['total']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--video", type=Path, default=CLIP, help="frames from this video (default: a real clip)")
    ap.add_argument("--teacher", action="store_true", help="our pose loop against the reference teacher")
    ap.add_argument("--quantize", nargs="?", const="paf", choices=["paf", "crop"],
                    help="graph optimisation, INT8 and FP16, speed and accuracy of the whole-frame (paf) or crop model")
    a = ap.parse_args()
    if a.teacher:
        if not a.video.exists():
            print(f"error: {a.video} not found; give --video PATH", file=sys.stderr)
            raise SystemExit(2)
        compare_teacher(a.video, a.frames, a.models)
        return
    if a.quantize:
        from pose_quantize import run as run_quantize  # benchmarks/pose_quantize.py
        from pose_quantize import run_crop
        (run_crop if a.quantize == "crop" else run_quantize)(a.models, a.frames)
        return
    imgs = sample_frames(a.frames, a.video)
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
