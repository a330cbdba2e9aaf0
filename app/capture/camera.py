"""Cameras through OpenCV: find them, read them, and say so when one vanishes mid-test.

A camera that stops giving frames (unplugged, taken by another program) raises SourceLost
from the frame iterator; the live session then pauses and keeps everything so far.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from app.capture.video import VideoInfo


class SourceLost(RuntimeError):
    """A live source stopped giving frames mid-test; the message says which and what to do."""


class CameraError(ValueError):
    """A camera cannot be opened; the message says which and what to do."""


def list_cameras(max_index: int = 4) -> list[int]:
    """Indices of the cameras OpenCV can open (probing each briefly). OpenCV logs a warning
    per backend for every index nobody answers (dozens of lines in the terminal); the probe
    is silent and the caller says in one line what it found."""
    import cv2
    log = cv2.utils.logging
    level = log.getLogLevel()
    log.setLogLevel(log.LOG_LEVEL_SILENT)
    found = []
    try:
        for i in range(max_index):
            cap = cv2.VideoCapture(i)
            if cap.isOpened():
                found.append(i)
            cap.release()
    finally:
        log.setLogLevel(level)
    return found


def camera_frames(index: int, misses: int = 15, size: tuple[int, int] | None = None
                  ) -> tuple[VideoInfo, Iterator[np.ndarray]]:
    """(info, BGR frames) of camera `index`; the iterator raises SourceLost after `misses`
    failed reads in a row (half a second at 30 fps: a glitch is not a loss). size: the
    resolution to ask for (the camera may give another; info says what it gives)."""
    import cv2
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        raise CameraError(f"camera {index}: cannot be opened (not connected, or used by another program); "
                          f"plug it in or close the other program")
    if size is not None:
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    fps = fps if 1.0 <= fps <= 240.0 else 30.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    from pathlib import Path
    info = VideoInfo(Path(f"camera:{index}"), fps, size, 0)

    def frames() -> Iterator[np.ndarray]:
        failed = 0
        try:
            while True:
                ok, img = cap.read()
                if ok and img is not None:
                    failed = 0
                    yield img
                    continue
                failed += 1
                if failed >= misses:
                    raise SourceLost(f"camera {index} stopped giving frames (disconnected?); the test is paused "
                                     f"and the reps so far are kept: reconnect it and resume, or stop the test")
        finally:
            cap.release()
    return info, frames()
