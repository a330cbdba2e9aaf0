"""Read a video file frame by frame (OpenCV), with errors that say what is wrong.

An unreadable file, a file that is not a video, and a video with no decodable frame each
raise VideoError with one line naming the file. A video that breaks off mid-way ends
early: `VideoInfo.frames` is OpenCV's estimate and the reader stops at the last good frame.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# FFmpeg's own log lines ("moov atom not found") would otherwise reach the terminal next to
# our one-line error; read when OpenCV first opens a video, so set before any capture.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2
import numpy as np

MIN_SIDE = 32  # pixels: below this no pose model finds a person (and letterboxing breaks down)
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")


class VideoError(ValueError):
    """The video cannot be used; the message names the file and what to do."""


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """fps, size (width, height), frames (container's estimate, may be 0 or wrong)."""

    path: Path
    fps: float
    size: tuple[int, int]
    frames: int


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def open_video(path: str | Path) -> tuple[cv2.VideoCapture, VideoInfo]:
    p = Path(path)
    if not p.exists():
        raise VideoError(f"{p}: no such file")
    if not p.is_file():  # a pipe would block the decoder, a device never ends
        raise VideoError(f"{p}: not a regular file (a pipe or a device?); give a video file")
    if p.stat().st_size == 0:
        raise VideoError(f"{p}: the file is empty (0 bytes); record or copy it again")
    cap = cv2.VideoCapture(str(p))
    if not cap.isOpened():
        raise VideoError(f"{p}: not a readable video (OpenCV cannot open it); convert it to MP4 (H.264)")
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    if w <= 0 or h <= 0:
        cap.release()
        raise VideoError(f"{p}: the video has no picture size; the file is damaged, record or convert it again")
    if w < MIN_SIDE or h < MIN_SIDE:
        cap.release()
        raise VideoError(f"{p}: the picture is {w}x{h} pixels, too small to see a person (at least "
                         f"{MIN_SIDE}x{MIN_SIDE}); record at a normal camera resolution")
    if not (1.0 <= fps <= 240.0):
        fps = 30.0  # some containers omit it; 30 is what phones record
    return cap, VideoInfo(p, fps, (w, h), max(n, 0))


def frames(path: str | Path) -> tuple[VideoInfo, Iterator[np.ndarray]]:
    """(info, iterator of uint8 (H, W, 3) BGR frames). Raises VideoError when the first
    frame cannot be decoded (nothing usable in the file)."""
    cap, info = open_video(path)
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        raise VideoError(f"{info.path}: no frame could be decoded; the file is damaged or not a video")

    def gen() -> Iterator[np.ndarray]:
        try:
            yield first
            while True:
                ok, img = cap.read()
                if not ok or img is None:
                    return
                yield img
        finally:
            cap.release()

    return info, gen()


class FrameReader:
    """Random access to the frames of a video for review: reads on in order when the next frame
    is asked for (playback), seeks otherwise (a jump to a rep). None past the end."""

    def __init__(self, path: str | Path) -> None:
        self.cap, self.info = open_video(path)
        self._next = 0  # the frame the next cap.read() returns

    def get(self, i: int) -> np.ndarray | None:
        if i < 0:
            return None
        if i != self._next:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, i)
        ok, img = self.cap.read()
        self._next = i + 1 if ok else -1
        return img if ok else None

    def close(self) -> None:
        self.cap.release()
