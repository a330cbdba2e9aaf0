"""A live test written to disk while it runs, so a crash loses at most the last second.

One folder per test:
  meta.json     who, which event, fps, image size, source, start time (written first)
  track.bin     the subject's keypoints, one fixed-size record per frame (index, t, 17 x 3)
  video.avi     the camera / video images as Motion-JPEG (app.capture.avi), when there are images
  events.jsonl  pause, resume, source lost, event recognised, finished (one JSON line each)
Records are appended by a recorder thread (JPEG encoding stays off the session thread), each
handed to the OS as it is written (a killed process loses only what was still queued) and
pushed to the disk (fsync) every second of recording time (a power cut loses at most the last
second plus the queue). read_recording() reads a folder back, complete or cut short (a torn
last record is dropped); app.pipeline.recovery offers it at the next start.
"""
from __future__ import annotations

import json
import os
import queue
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from app.capture.avi import AviError, MjpegAviWriter
from app.core.types import PoseTrack

MAGIC = b"DSTRK1\n"
_RECORD = struct.Struct("<iId51f")  # frame index, flags, t seconds, 17 x (x, y, score)
HAS_IMAGE, FILLED = 1, 2            # flags: the frame is in video.avi; keypoints filled for a dropped frame
_STOP = object()


class RecordingError(OSError):
    """A recording cannot be written or read; str() names the folder and what to do."""


@dataclass(frozen=True, slots=True)
class Recording:
    """A recording read back: meta (dict from meta.json), track (T frames), times (T,) seconds,
    video_frame (T,) int: the frame of video.avi showing each track frame (the last real image
    before a filled one; -1 before the first image), filled (T,) bool: keypoints made up for a
    frame the camera thread dropped, events (list of dicts), video (path or
    None), complete (closed cleanly, not cut short)."""

    folder: Path
    meta: dict
    track: PoseTrack
    times: np.ndarray
    video_frame: np.ndarray
    filled: np.ndarray
    events: list
    video: Path | None
    complete: bool


class SessionRecorder:
    def __init__(self, folder: str | Path, fps: float, size: tuple[int, int], meta: dict | None = None,
                 flush_every_s: float = 1.0, max_queue_s: float = 4.0,
                 seal: Callable[[str, bytes], str | None] | None = None) -> None:
        """folder: created (must not hold a recording already); meta: anything JSON (trainee,
        exercise, source...) stored with fps and size; seal(folder name, meta bytes) -> a MAC
        under the installation key, kept in meta.seal so that recovery can tell this
        installation's recordings from planted ones."""
        self.folder = Path(folder)
        self.fps, self.size = float(fps), (int(size[0]), int(size[1]))
        self.flush_every_s = flush_every_s
        try:
            # owner-only: the video shows a person, the journal their test (0700 folders)
            self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.folder.mkdir(mode=0o700, exist_ok=False)
            full = {**(meta or {}), "fps": self.fps, "size": list(self.size),
                    "started": datetime.now(UTC).isoformat(timespec="seconds")}
            data = json.dumps(full, indent=1).encode("utf-8")
            _write_synced(self.folder / "meta.json", data)  # all or nothing, on disk before the first frame
            mac = seal(self.folder.name, data) if seal else None
            if mac:
                _write_synced(self.folder / "meta.seal", (mac + "\n").encode("ascii"))
            self._track = open(self.folder / "track.bin", "wb")  # noqa: SIM115 - open for the whole test
            self._track.write(MAGIC)
            self._events = open(self.folder / "events.jsonl", "a")  # noqa: SIM115 - open for the whole test
        except FileExistsError:
            raise RecordingError(f"{self.folder}: a recording is already there; choose a new folder") from None
        except OSError as e:
            raise RecordingError(f"{self.folder}: cannot record the test here ({e.strerror}); choose a writable "
                                 f"recordings folder in Admin > Settings") from None
        self._video: MjpegAviWriter | None = None
        self._q: queue.Queue = queue.Queue(max(8, int(max_queue_s * self.fps)))
        self._last_flush_t = 0.0
        self.frames = 0            # records written by the recorder thread
        self.error: str | None = None
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ producer side
    def frame(self, index: int, t: float, image: np.ndarray | None, kpts: np.ndarray, filled: bool = False) -> None:
        """Queue one frame (filled: keypoints made up for a frame the camera thread dropped). After a write failure (disk full) this does nothing: the test goes on
        in memory and `error` says why the recording stopped."""
        if self.error is None and not self.closed:
            try:
                self._q.put((int(index), float(t), image, np.asarray(kpts, np.float32), filled), timeout=2.0)
            except queue.Full:
                self.error = f"{self.folder}: the disk is too slow for the recording; it stopped (the test goes on)"

    def event(self, kind: str, **fields) -> None:
        if not self.closed:
            self._q.put({"event": kind, "wall": time.time(), **fields})

    def sync(self, timeout: float = 10.0) -> None:
        """Wait until everything queued is written (not necessarily flushed); for tests."""
        deadline = time.monotonic() + timeout
        while self._q.unfinished_tasks and time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(0.005)

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, mark the recording finished, and close the files."""
        if self.closed:
            return
        self.event("finished", frames=self.frames + self._q.qsize())
        self.closed = True
        self._q.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RecordingError(f"{self.folder}: the recorder did not finish writing within {timeout} s")

    # ------------------------------------------------------------------ recorder thread
    def _run(self) -> None:
        try:
            while True:
                item = self._q.get()
                try:
                    if item is _STOP:
                        self._finish()
                        return
                    if isinstance(item, dict):
                        self._events.write(json.dumps(item) + "\n")
                        self._flush()
                    elif self.error is None:
                        self._write(*item)
                finally:
                    self._q.task_done()
        except OSError as e:
            self.error = f"{self.folder}: the recording stopped ({e}); the test goes on and can still be saved"
            self._drain()

    def _drain(self) -> None:
        while True:  # keep the producer from blocking after a failure
            item = self._q.get()
            self._q.task_done()
            if item is _STOP:
                return

    def _write(self, index: int, t: float, image, kpts: np.ndarray, filled: bool) -> None:
        if image is not None:
            if self._video is None:
                self._video = MjpegAviWriter(self.folder / "video.avi", self.fps, self.size)
            self._video.write(image)
        k = np.nan_to_num(kpts.reshape(-1), nan=0.0)
        flags = (HAS_IMAGE if image is not None else 0) | (FILLED if filled else 0)
        self._track.write(_RECORD.pack(index, flags, t, *k.tolist()))
        self.frames += 1
        if t - self._last_flush_t >= self.flush_every_s:
            self._last_flush_t = t
            self._flush()
        else:  # every record handed to the OS: a killed process loses only what was still queued
            self._track.flush()
            if self._video is not None:
                self._video.flush(sync=False)

    def _flush(self) -> None:
        for f in (self._track, self._events):
            f.flush()
            os.fsync(f.fileno())
        if self._video is not None:
            self._video.flush()

    def _finish(self) -> None:
        self._flush()
        for f in (self._track, self._events):
            f.close()
        if self._video is not None:
            self._video.close()


def _write_synced(path: Path, data: bytes) -> None:
    """Write through a temporary name, fsync, rename, fsync the folder: a crash leaves the old
    file or the new one, never an empty one."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # some filesystems cannot fsync a folder; the file itself is synced


def read_recording(folder: str | Path) -> Recording:
    """A recording folder -> Recording (complete or cut short by a crash); RecordingError
    naming what is wrong with a damaged one."""
    folder = Path(folder)
    try:
        text = (folder / "meta.json").read_text(encoding="utf-8")
        if not text.strip():
            raise RecordingError(f"{folder}/meta.json is empty (the test's details were lost); recover it with "
                                 "`drillscore analyze` on its video")
        meta = json.loads(text)
        if not isinstance(meta, dict):
            raise TypeError("meta.json is not a JSON object")
        fps, size = float(meta["fps"]), tuple(int(v) for v in meta["size"])
        if not (1.0 <= fps <= 240.0) or len(size) != 2 or min(size) < 1:
            raise ValueError(f"fps {fps} or size {size} out of range")
        raw = (folder / "track.bin").read_bytes()
    except RecordingError:
        raise
    except KeyError as e:
        raise RecordingError(f"{folder}/meta.json lacks {e} (damaged); recover it with `drillscore analyze` on its "
                             "video") from None
    except (OSError, ValueError, TypeError) as e:
        raise RecordingError(f"{folder}: not a readable recording ({e}); pick a recording folder") from None
    if not raw.startswith(MAGIC):
        raise RecordingError(f"{folder}/track.bin: not a DrillScore pose journal; pick a recording folder")
    body = raw[len(MAGIC):]
    n = len(body) // _RECORD.size  # a torn last record (crash mid-write) is dropped
    rows = np.frombuffer(body[:n * _RECORD.size],
                         np.dtype([("i", "<i4"), ("flags", "<u4"), ("t", "<f8"), ("k", "<f4", (17, 3))]))
    events = []
    if (folder / "events.jsonl").exists():
        for line in (folder / "events.jsonl").read_text().splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                break  # a torn last line
    video = folder / "video.avi"
    track = PoseTrack(np.array(rows["k"], np.float32), fps, size,
                      meta.get("exercise") if meta.get("exercise") != "auto" else None, meta.get("view"))
    has = (rows["flags"] & HAS_IMAGE).astype(bool)
    video_frame = np.cumsum(has) - 1
    filled = (rows["flags"] & FILLED).astype(bool)
    return Recording(folder, meta, track, np.array(rows["t"]), video_frame, filled, events, video if video.exists() else None,
                     any(e.get("event") == "finished" for e in events))


def new_recording_folder(root: str | Path, trainee: str | None = None) -> Path:
    """root/YYYYmmdd-HHMMSS[-name][-n]: a fresh folder name for the next test (not created)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() else "_" for c in (trainee or ""))[:40]
    base = Path(root) / (f"{stamp}-{safe}" if safe else stamp)
    p, n = base, 1
    while p.exists():
        n += 1
        p = base.with_name(f"{base.name}-{n}")
    return p


__all__ = ["AviError", "Recording", "RecordingError", "SessionRecorder", "new_recording_folder", "read_recording"]
