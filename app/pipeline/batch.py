"""Analysing files off the GUI thread: one video or pose track, or every one in a folder, in
turn, with progress and cancel (Qt-free; the GUI polls `progress` and calls cancel()).

Each file goes through the same path as `drillscore analyze`: a video through the one pose
loop (every frame), then the one judging use case (app.pipeline.judge). A file
that cannot be used (not a video, a broken track) is reported in its FileResult and the
batch goes on; a missing pose model stops the batch with one message (nothing else can run).
Cancel stops between frames; the files finished before are kept (and saved, when saving).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.assess.thresholds import DEFAULTS, Thresholds
from app.core.judgement import Judgement
from app.core.types import PoseTrack
from app.pipeline.input_check import check_input
from app.pipeline.judge import JudgeRequest, judge
from app.pipeline.models import ModelBox
from app.pipeline.pose_loop import VideoPoses, video_poses
from app.pipeline.slots import LatestSlot

TRACK_SUFFIXES = (".npz",)


class Cancelled(Exception):
    """Raised inside the worker when cancel() was asked for."""


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """file_index of files (0-based), the file's name, frame of frames (frames 0 = unknown)."""

    file_index: int
    files: int
    name: str
    frame: int
    frames: int

    @property
    def fraction(self) -> float:
        """Share of the whole batch done, 0..1 (a file of unknown length counts as half done
        once its first frame is read)."""
        within = self.frame / self.frames if self.frames else (0.5 if self.frame else 0.0)
        return min(1.0, (self.file_index + min(1.0, within)) / max(1, self.files))


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file: its Judgement (as `analyze` gives it) and track, the new session id when
    saved, or the error in one line."""

    path: Path
    judgement: Judgement | None
    track: PoseTrack | None
    error: str | None
    session_id: int | None = None


def analysable_files(folder: str | Path) -> list[Path]:
    """The videos and pose tracks directly in `folder`, by name; ValueError names a bad folder."""
    from app.capture.video import is_video
    p = Path(folder)
    if not p.is_dir():
        raise ValueError(f"{p}: not a folder; choose a folder of videos or pose tracks")
    return sorted(f for f in p.iterdir() if f.is_file() and (is_video(f) or f.suffix.lower() in TRACK_SUFFIXES))


class BatchAnalysis:
    def __init__(self, paths: list[Path], exercise: str, thresholds: Thresholds = DEFAULTS,
                 make_estimator: Callable | None = None,
                 save: Callable[[Path, Judgement, PoseTrack], int] | None = None,
                 models: ModelBox | None = None) -> None:
        """exercise: pushup | pullup | situp | auto (recognised per file); make_estimator: () ->
        a pose estimator (default: the shipped model, loaded at the first video); save: called
        on the worker thread with each judged file, -> the new session id (through the writer);
        models: the models the judge uses (loaded once for the whole batch)."""
        self.models = models or ModelBox()
        self.paths = [Path(p) for p in paths]
        self.exercise, self.thresholds = exercise, thresholds
        self.make_estimator, self.save = make_estimator, save
        self.progress: LatestSlot[BatchProgress] = LatestSlot()
        self.results: list[FileResult] = []
        self.error: str | None = None
        self.cancelled = False
        self.finished = False
        self._cancel = threading.Event()
        self._estimator = None
        self._thread = threading.Thread(target=self._run, name="batch-analysis", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.finished

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        from app.inference.session import ModelError
        try:
            for i, path in enumerate(self.paths):
                if self._cancel.is_set():
                    raise Cancelled
                self.progress.put(BatchProgress(i, len(self.paths), path.name, 0, 0))
                self.results.append(self._one(i, path))
        except Cancelled:
            self.cancelled = True
        except ModelError as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - shown by the GUI; the files done so far are kept
            self.error = f"{e.__class__.__name__}: {e}"
        finally:
            self.finished = True

    def _one(self, i: int, path: Path) -> FileResult:
        from app.capture.video import VideoError, frames, is_video
        from app.core.tracks import TrackFileError, read_track
        from app.inference.session import ModelError
        from app.storage.db import StorageError
        try:
            upstream, video, bar, promised = {}, None, None, 0
            if is_video(path):
                opened = frames(path)  # a bad video is reported before the model loads
                vp = self._video_poses(i, path, opened)
                track, upstream, video, bar = vp.subject, vp.models, vp.notes(), vp.bar_offset
                promised = vp.promised_frames
            else:
                track = read_track(path)
            judgement = judge(track, JudgeRequest(exercise=self.exercise, thresholds=self.thresholds, bar_offset=bar),
                              self.models,
                              upstream=upstream)
            if video is not None:
                judgement = judgement.with_notes(video=video)
            check = check_input(track, promised)
            if self.save is not None and not check.ok:  # shown, never saved as a whole test
                why = "; ".join((*check.fatal, *check.partial))
                return FileResult(path, judgement, track, f"{path.name}: not saved: {why}")
            sid = self.save(path, judgement, track) if self.save is not None else None
            return FileResult(path, judgement, track, None, sid)
        except ModelError:
            raise  # no file can be analysed without the model: the batch stops, saying so
        except (VideoError, TrackFileError, StorageError) as e:
            return FileResult(path, None, None, str(e))
        except ValueError as e:  # e.g. a track too short to recognise the exercise (JudgeError)
            return FileResult(path, None, None, f"{path.name}: {e}")

    def _video_poses(self, i: int, path: Path, opened) -> VideoPoses:
        if self._estimator is None:
            if self.make_estimator is None:
                self.make_estimator = self.models.pose
            self._estimator = self.make_estimator()
        elif getattr(self._estimator, "recurrent", False):
            self._estimator.reset()  # a new video: no memory of the last one

        def tick(frame: int, frames: int) -> None:
            if self._cancel.is_set():
                raise Cancelled
            self.progress.put(BatchProgress(i, len(self.paths), path.name, frame, frames))
        return video_poses(opened, self._estimator, progress=tick)
