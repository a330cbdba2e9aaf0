"""Analysing files off the GUI thread: one video or pose track, or every one in a folder, in
turn, with progress and cancel (Qt-free; the GUI polls `progress` and calls cancel()).

Each file goes through the same arithmetic as `drillscore analyze`: a video through the pose
model and the tracker (every frame), then the rules with the classifier alongside. A file
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
from app.core.types import PoseTrack
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
    """One file: the result dict (as `analyze --json`) and track, or the error in one line."""

    path: Path
    result: dict | None
    track: PoseTrack | None
    error: str | None


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
                 save: Callable[[Path, dict, PoseTrack], int] | None = None) -> None:
        """exercise: pushup | pullup | situp | auto (recognised per file); make_estimator: () ->
        a pose estimator (default: the shipped model, loaded at the first video); save: called
        on the worker thread with each analysed file, -> the new session id (through the writer)."""
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
            if is_video(path):
                opened = frames(path)  # a bad video is reported before the model loads
                track = self._video_track(i, path, opened)
            else:
                track = read_track(path)
            result = self._assess(track)
            if self.save is not None:
                result["session_id"] = self.save(path, result, track)
            return FileResult(path, result, track, None)
        except ModelError:
            raise  # no file can be analysed without the model: the batch stops, saying so
        except (VideoError, TrackFileError, StorageError) as e:
            return FileResult(path, None, None, str(e))
        except ValueError as e:  # e.g. a track too short to recognise the exercise
            return FileResult(path, None, None, f"{path.name}: {e}")

    def _video_track(self, i: int, path: Path, opened) -> PoseTrack:
        from app.inference.video_pose import video_poses
        if self._estimator is None:
            if self.make_estimator is None:
                from app.inference.pose import PoseEstimator
                self.make_estimator = PoseEstimator
            self._estimator = self.make_estimator()
        elif getattr(self._estimator, "recurrent", False):
            self._estimator.reset()  # a new video: no memory of the last one

        def tick(frame: int, frames: int) -> None:
            if self._cancel.is_set():
                raise Cancelled
            self.progress.put(BatchProgress(i, len(self.paths), path.name, frame, frames))
        return video_poses(opened, self._estimator, progress=tick).subject

    def _assess(self, track: PoseTrack) -> dict:
        from app.assess.engine import assess
        from app.assess.result import result_dict
        from app.pipeline.offline import attach_probabilities, with_classifier
        exercise, view, guess = self.exercise, "auto", None
        if exercise == "auto":
            from app.inference.exercise import ExerciseRecogniser
            guess = ExerciseRecogniser().recognise(track)
            exercise, view = guess.exercise, guess.view
        a = assess(track, exercise, view, self.thresholds)
        a, probs, note = with_classifier(track, a, self.thresholds)
        res = attach_probabilities(result_dict(a), probs, note)
        if guess is not None:
            res["exercise_guess"] = {"exercise": guess.exercise, "view": guess.view,
                                     "confidence": round(guess.confidence, 3)}
        return res
