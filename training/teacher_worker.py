"""Runs INSIDE the teacher's own virtual environment (mediapipe 0.10.14, its opencv-contrib):
video files in, COCO-17 pose tracks out. Imports nothing of this project (that environment
has neither its packages nor its opencv); `python -m training teacher` starts it.

    teacher-python teacher_worker.py OUT_DIR VIDEO [VIDEO ...]
    teacher-python teacher_worker.py --time VIDEO N     (benchmarks/pose.py --teacher)

Each VIDEO becomes OUT_DIR/<stem>.npz with keypoints float32 (T, 17, 3) = x px, y px,
visibility, fps and size = (width, height): the app's pose-track format. Landmarks placed
outside the image are unseen (zeros). One line per video on stdout: `ok <path> <frames>` or
`error <path> <why>`.
"""
import sys
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np

# MediaPipe-33 -> COCO-17 (../shared/data/README.md)
COCO_FROM_MP = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)


def track(video: Path) -> tuple[np.ndarray, float, tuple[int, int]]:
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise ValueError("cannot be opened as a video")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    rows = []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            res = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            k = np.zeros((17, 3), np.float32)
            if res.pose_landmarks is not None:
                lm = res.pose_landmarks.landmark
                for j, m in enumerate(COCO_FROM_MP):
                    x, y = lm[m].x, lm[m].y
                    if 0.0 <= x < 1.0 and 0.0 <= y < 1.0:
                        k[j] = (x * w, y * h, lm[m].visibility)
            rows.append(k)
    cap.release()
    if not rows:
        raise ValueError("no frame could be decoded")
    return np.stack(rows), float(fps), (w, h)


def time_frames(video: Path, n: int) -> None:
    """Print `ms decode D model M total T frames N`: the teacher on the first n frames of
    video, decode included, after 5 warm-up frames (the same frames our benchmark reads)."""
    import time
    cap = cv2.VideoCapture(str(video))
    dec = mod = 0.0
    done = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True) as pose:
        for i in range(n + 5):
            t0 = time.perf_counter()
            ok, bgr = cap.read()
            if not ok:
                break
            t1 = time.perf_counter()
            pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            t2 = time.perf_counter()
            if i >= 5:
                dec, mod, done = dec + t1 - t0, mod + t2 - t1, done + 1
    cap.release()
    d = max(done, 1)
    print(f"ms decode {dec / d * 1000:.2f} model {mod / d * 1000:.2f} total {(dec + mod) / d * 1000:.2f} frames {done}",
          flush=True)


def main() -> int:
    if sys.argv[1] == "--time":
        time_frames(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    bad = 0
    for v in map(Path, sys.argv[2:]):
        try:
            k, fps, size = track(v)
            tmp = out / f"{v.stem}.part.npz"
            np.savez_compressed(tmp, keypoints=k, fps=np.float64(fps), size=np.array(size, np.int64))
            tmp.replace(out / f"{v.stem}.npz")
            print(f"ok {v} {len(k)}", flush=True)
        except Exception as e:  # noqa: BLE001 - one line per video; the others go on
            bad += 1
            print(f"error {v} {e}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
