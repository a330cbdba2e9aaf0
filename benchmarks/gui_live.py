"""The live workspace offscreen under load: frames analysed per second, latency from frame to
result, GUI-thread time per refresh, and resident memory at the start and the end.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_live.py [--minutes 2] [--video]

Default source: the demo pose track looped at 30 fps in real time (the classifier alongside,
the test recorded to a temporary folder as the app does). --video: the demo video through the
pose model as fast as it goes (the pose cost included). Resident memory is printed every
minute; a long test holds its own data (keypoints, window results: ~0.4 MB a minute).
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.paths import demo_track, demo_video

DEMO_TRACK, DEMO_VIDEO = demo_track(), demo_video()
from app.core.tracks import read_track


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def st_frames(w) -> int:
    return w.session.state().frames


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--video", action="store_true")
    ap.add_argument("--camera", action="store_true",
                    help="a simulated camera: the demo video looped, paced at 30 fps whatever the reader does, "
                         "read newest-frame-only (drops counted), through the pose model, recorded with video")
    ap.add_argument("--default-malloc", action="store_true", help="leave glibc's malloc as it is (for comparison)")
    ap.add_argument("--threads", type=int, help="ONNX Runtime threads for the pose model (default: its own choice)")
    a = ap.parse_args()
    if not a.default_malloc:
        from app.runtime import tune_malloc
        print(f"malloc tuned as `drillscore gui` does: {tune_malloc()}")
    from PySide6.QtWidgets import QApplication

    from app.inference.classifier import RepClassifier
    from app.pipeline.analysis import AnalysisWorker
    from app.pipeline.live import LiveSession, pose_items
    from app.ui.live_workspace import LiveWorkspace
    app = QApplication([])
    track = read_track(DEMO_TRACK)
    seconds = a.minutes * 60

    import tempfile

    from app.capture.recorder import SessionRecorder
    tmp = tempfile.TemporaryDirectory(prefix="drillscore-bench-")

    capture_t: dict[int, float] = {}  # camera frame number -> when it was captured

    def camera_images():
        """The demo video (15 fps) looped, each frame twice: a 30 fps camera at the motion's real speed."""
        from app.capture.video import frames
        while True:
            for img in frames(DEMO_VIDEO)[1]:
                yield img
                yield img

    def paced_camera():
        """Frames at 30 fps in real time, whether or not the pipeline keeps up (like a camera)."""
        t0 = time.perf_counter()
        for i, img in enumerate(camera_images()):
            delay = t0 + i / 30.0 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            capture_t[i] = time.perf_counter()
            capture_t.pop(i - 300, None)
            yield img

    def make(_settings):
        if a.camera:
            from app.capture.latest import LatestFrames
            from app.capture.video import VideoInfo, frames
            from app.inference.lifter import Lifter3D
            from app.inference.subject_pose import pose_estimator
            from app.pipeline.subject import SubjectChoice
            video, _ = frames(DEMO_VIDEO)
            info = VideoInfo(video.path, 30.0, video.size, 0)  # the camera's rate, not the file's
            choice = SubjectChoice()
            info, items = pose_items(info, iter(LatestFrames(paced_camera())), pose_estimator(threads=a.threads),
                                     choice)
            return LiveSession(items, "pushup", 30.0, info.size, "side", time_limit=seconds, realtime=False,
                               classifier=AnalysisWorker(RepClassifier(), "pushup", "side", info.size,
                                                         lifter=Lifter3D(causal=True)),
                               recorder=SessionRecorder(Path(tmp.name) / "rec", 30.0, info.size), choice=choice)
        if a.video:
            from app.capture.video import frames
            from app.inference.subject_pose import pose_estimator
            info, images = frames(DEMO_VIDEO)
            info, items = pose_items(info, enumerate(images), pose_estimator())
            return LiveSession(items, "pushup", info.fps, info.size, "auto", time_limit=seconds, realtime=False,
                               classifier=AnalysisWorker(RepClassifier(), "pushup", "side", info.size))
        looped = ((i, i / track.fps, None, k) for i, k in enumerate(itertools.cycle(track.keypoints)))
        return LiveSession(looped, "pushup", track.fps, track.size, "side", time_limit=seconds, realtime=True,
                           classifier=AnalysisWorker(RepClassifier(), "pushup", "side", track.size),
                           recorder=SessionRecorder(Path(tmp.name) / "rec", track.fps, track.size))

    w = LiveWorkspace(make, "benchmark")
    w.resize(1200, 850)
    w.show()
    gui_ms: list[float] = []
    original = w.refresh

    e2e_ms: list[float] = []

    def timed_refresh() -> None:
        t0 = time.perf_counter()
        r = w.session.latest.peek() if w.session is not None else None
        fresh = w.session is not None and w.session.latest._fresh
        original()
        done = time.perf_counter()
        gui_ms.append((done - t0) * 1000)
        if a.camera and fresh and r is not None and r.frame is not None and r.frame.index in capture_t:
            e2e_ms.append((done - capture_t[r.frame.index]) * 1000)  # captured -> drawn on the overlay
    w.timer.timeout.disconnect()
    w.timer.timeout.connect(timed_refresh)
    rss0 = rss_mb()
    fps, lat, rss = [], [], []
    w.start()
    t0 = time.perf_counter()
    next_sample = t0 + 5
    while not w.session.finished:
        app.processEvents()
        time.sleep(0.005)
        if time.perf_counter() >= next_sample:
            fps.append(w.session.fps_now)
            lat.append(w.session.latency_ms)
            rss.append(rss_mb())
            if len(rss) % 12 == 0:
                print(f"  {len(rss) // 12:3d} min: {st_frames(w)} frames, {rss[-1]:.0f} MB resident", flush=True)
            next_sample += 5
    app.processEvents()
    wall = time.perf_counter() - t0
    st = w.session.state()
    w.shutdown()
    import numpy as np
    g = np.asarray(gui_ms)
    source = ("simulated 30 fps camera (the 15 fps demo video looped, each frame twice), newest frame only, "
              "pose model, recorded" if a.camera else
              "demo video through the pose model, as fast as it goes" if a.video else
              "demo track looped, 30 fps real time, recorded")
    print(f"source: {source}")
    print(f"frames {st.frames} in {wall:.0f} s: {st.frames / wall:.1f} frames/s overall; sampled every 5 s: "
          f"median {np.median(fps):.1f} frames/s, latency median {np.median(lat):.1f} ms (max {max(lat):.1f})")
    print(f"GUI thread per refresh (30 Hz timer): median {np.median(g):.2f} ms, 95th {np.percentile(g, 95):.2f} ms, "
          f"max {g.max():.1f} ms over {len(g)} refreshes")
    if a.camera:
        # the same camera frames, every one through the pose model (no drops): the counts the
        # live test should have reached
        from app.assess.engine import assess
        from app.capture.video import VideoInfo, frames
        from app.inference.subject_pose import pose_estimator
        from app.pipeline.pose_loop import video_poses

        video = frames(DEMO_VIDEO)[0]
        full = video_poses((VideoInfo(video.path, 30.0, video.size, st.frames),
                            itertools.islice(camera_images(), st.frames)), pose_estimator()).subject
        ref = assess(full, "pushup", "side")
        live = w.session.stop()  # already finished: its final assessment
        print(f"counts on the video: live with drops {live.count_standard} standard of {live.count_total}; every "
              f"frame {ref.count_standard} of {ref.count_total} (our pose model splits some of this clip's reps: "
              f"8 per loop are shown)")
        # the drops alone: this run's pattern of dropped frames applied to the clean demo pose
        # track looped at 30 fps, filled as the session fills them, against every frame
        from app.capture.recorder import read_recording
        from app.pipeline.live import LiveSession
        rec = read_recording(Path(tmp.name) / "rec")
        clean = np.stack(list(itertools.islice(itertools.cycle(track.keypoints), len(rec.filled))))
        from app.core.types import PoseTrack
        every = assess(PoseTrack(clean, 30.0, track.size), "pushup", "side")
        kept = np.flatnonzero(~rec.filled)
        s2 = LiveSession(((int(i), i / 30.0, None, clean[i]) for i in kept), "pushup", 30.0, track.size, "side",
                         time_limit=1e9, realtime=False)
        s2.start()
        s2.wait()
        dropped = s2.stop()
        runs = np.diff(np.flatnonzero(np.diff(np.r_[0, rec.filled.astype(int), 0]) != 0).reshape(-1, 2), axis=1)
        print(f"counts on the clean demo track with this run's drops ({rec.filled.mean():.0%} of frames, runs of "
              f"{int(np.median(runs))}-{int(runs.max())} frames): {dropped.count_standard} standard of "
              f"{dropped.count_total}; every frame {every.count_standard} of {every.count_total}")
        e = np.asarray(e2e_ms)
        print(f"camera frames captured {max(capture_t) + 1 if capture_t else 0}, analysed {st.frames - w.session.dropped}, "
              f"dropped (filled) {w.session.dropped}; captured -> drawn: median {np.median(e):.0f} ms, "
              f"95th {np.percentile(e, 95):.0f} ms")
    print(f"resident memory: start {rss0:.0f} MB, after 5 s {rss[0]:.0f} MB, after 1 min {rss[min(11, len(rss) - 1)]:.0f} MB, "
          f"end {rss[-1]:.0f} MB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
