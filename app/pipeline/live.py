"""A live test, Qt-free: frames of the subject in, counts and verdicts out, on a worker thread.

The source yields (index, t, image or None, keypoints (17, 3) or None): a camera or video
through the pose model, or a recorded pose track replayed (the demo). The frame thread
stores each frame (frames a camera dropped are filled and counted), records it, hands it to
the classifier worker (app.pipeline.analysis) and publishes; the assessor thread re-reads
the track so far every `assess_every` frames or more — the engine is causal, so a prefix's
reps are the final track's reps, except that the rep still settling at the cut is shown a
little early. The newest PipelineResult waits in `latest` for the GUI, which pulls at its
own rate. stop() ends the test and returns the full assessment of everything seen (the same
arithmetic as `drillscore analyze`). Cost of a re-assessment: ~0.04 s for 2 minutes of track
on this CPU (0.45 s before the running statistics were vectorised, app/core/rolling.py); they
are spaced so that they take at most ~1/5 of the time.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from app.assess.engine import Assessment, assess, settled
from app.assess.signals import detect_view
from app.assess.thresholds import DEFAULTS, Thresholds, with_image_bar
from app.capture.camera import SourceLost
from app.core.bar import BarWatch
from app.core.growing import GrowingArray
from app.core.types import Frame, PipelineResult, Pose2D, PoseTrack
from app.pipeline.slots import LatestSlot

SourceItem = tuple[int, float, "np.ndarray | None", "np.ndarray | None"]



def track_source(track: PoseTrack) -> Iterator[SourceItem]:
    """Replay a recorded pose track frame by frame (no images)."""
    for i, k in enumerate(track.keypoints):
        yield i, i / track.fps, None, k


@dataclass(frozen=True, slots=True)
class LiveState:
    """What the GUI shows besides the PipelineResult: elapsed seconds, the time limit,
    running / paused / finished, the frame count, and the last `tail` samples of the driving
    signal (D,) starting at frame drive_start (the chart shows 30 s; handing over the whole
    signal 30 times a second fragmented the heap over a long test)."""

    elapsed: float
    limit: float
    running: bool
    paused: bool
    finished: bool
    drive: np.ndarray
    frames: int
    drive_start: int = 0


BAR_FIX_SIGHTINGS = 10  # frames that saw the bar (every 3rd frame looked at: about a second of hang)


class LiveSession:
    def __init__(self, source: Iterator[SourceItem], exercise: str, fps: float, size: tuple[int, int],
                 view: str = "auto", time_limit: float = 120.0, realtime: bool = True, assess_every: int = 10,
                 classifier=None, on_finish: Callable[[Assessment], None] | None = None,
                 reopen: Callable[[], Iterator[SourceItem]] | None = None, recogniser=None,
                 make_classifier: Callable | None = None, min_confidence: float = 0.7, recorder=None,
                 thresholds: Thresholds = DEFAULTS, choice=None, bar_y: float | None = None,
                 models: dict[str, str] | None = None, protocol=None) -> None:
        """reopen: () -> a fresh source after SourceLost (a camera plugged back in), or None.
        exercise "auto": the recogniser (ExerciseRecogniser) names the event from the raw frames
        (a 30-frame window every 15; the guess over all windows so far, once at least two are
        active and it is min_confidence sure, and again whenever that guess changes); nothing
        is counted before, and the whole track is re-read after, so no rep is lost. make_classifier: (exercise, view) -> AnalysisWorker, the
        classifier started once the event is known (fed the frames so far). recorder: a
        SessionRecorder (app.capture.recorder) that writes every frame and event while the test
        runs; closed when the test ends. models: {model: sha256} of the pose model feeding the
        source (sealed with the saved result). protocol: app.assess.protocol.Protocol, the
        test's checks and its thresholds over `thresholds` (None: every standard check)."""
        self.models = dict(models or {})
        self.protocol = protocol
        self.source, self.exercise, self.fps, self.size = source, exercise, fps, size
        self.view, self.time_limit, self.realtime, self.assess_every = view, time_limit, realtime, assess_every
        self.classifier = classifier
        self.recogniser = recogniser
        self.make_classifier = make_classifier
        self.min_confidence = min_confidence
        self.guess = None                 # the recogniser's ExerciseGuess once the event is known
        self._auto = exercise == "auto"
        if exercise == "auto" and recogniser is None:
            raise ValueError("exercise auto needs the recogniser model (pose_attention); name the event instead")
        self._stream = None
        if recogniser is not None:
            from app.inference.exercise import RecognitionStream
            self._stream = RecognitionStream(recogniser)
        self.on_finish = on_finish
        self.recorder = recorder
        self.thresholds = thresholds  # the rules' numbers (the admin's settings)
        self.choice = choice          # SubjectChoice of a camera / video source (None for a replay)
        self.bar_y = bar_y            # the pull-up bar drawn by the instructor (image px); may change mid-test
        # the bar seen in the image (app.core.bar), fixed once a second of hanging has shown it,
        # so that reps already shown are not re-judged against a bar that keeps moving
        self._bar = BarWatch() if exercise in ("pullup", "auto") else None
        self.bar_offset: float | None = None
        self.latest: LatestSlot[PipelineResult] = LatestSlot()
        self._kpts = GrowingArray((17, 3), np.float32)  # every frame of the subject so far
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._thread: threading.Thread | None = None
        self._assessment: Assessment | None = None
        self._drive = np.zeros(0, np.float32)
        self.error: str | None = None
        self.lost: str | None = None      # set while the source is lost (the test is paused)
        self.reopen = reopen
        self.latency_ms = 0.0             # source frame in -> result published, smoothed
        self.dropped = 0                  # camera frames skipped by the capture thread (filled)
        self._assess_ms = 0.0             # the last re-reading of the track by the engine
        self._frame_ms = 0.0              # the last frame's own time in the session
        self._settled = 0                 # reps of the last assessment that are final
        self.finished_reading = False     # the source ended or the test stopped: every rep final
        self._stamps: list[float] = []
        self._next_assess = assess_every
        # the re-assessment runs on its own thread: on the frame thread (where the pose model
        # runs for a camera) its 0.1-0.25 s stalls made the camera drop bursts of frames
        self._want_assess = threading.Event()
        self._assessing_done = threading.Event()
        self._assess_lock = threading.Lock()
        self._assessor: threading.Thread | None = None
        self.finished = False

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the session has already started")
        self._thread = threading.Thread(target=self._run, name="live-session", daemon=True)
        self._assessor = threading.Thread(target=self._assess_loop, name="live-assess", daemon=True)
        self._assessor.start()
        self._thread.start()

    def pause(self) -> None:
        self._resume.clear()
        self._note("paused", frames=len(self._kpts))

    def resume(self) -> None:
        self._resume.set()
        self._note("resumed", frames=len(self._kpts))

    def _note(self, kind: str, **fields) -> None:
        if self.recorder is not None:
            self.recorder.event(kind, **fields)

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def stop(self, timeout: float = 10.0) -> Assessment | None:
        """End the test (or wait for its end) and return the assessment of all frames seen."""
        self._stop.set()
        self._resume.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError(f"the live session did not stop within {timeout} s")
        return self._assessment

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the source ends or the time limit is reached; True when finished."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.finished

    # ------------------------------------------------------------------ state
    def state(self, tail: int = 900) -> LiveState:
        with self._lock:
            n = len(self._kpts)
            start = max(0, len(self._drive) - tail)
            drive = self._drive[start:].copy()
        return LiveState(n / self.fps, self.time_limit, self._thread is not None and not self.finished,
                         self.paused, self.finished, drive, n, start)

    def track(self) -> PoseTrack:
        with self._lock:
            k = self._kpts.copy()
        return PoseTrack(k, self.fps, self.size, self.exercise)

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        t0 = time.perf_counter()
        paused_for = 0.0
        last = None
        offset = 0  # frames before the source was reopened (a camera that came back)
        try:
            while True:
                try:
                    for index, t, image, kpts in self.source:
                        started = time.perf_counter()  # the source (pose model) has produced the frame
                        index, t = index + offset, t + offset / self.fps
                        if not self._resume.is_set():
                            p0 = time.perf_counter()
                            self._resume.wait()
                            paused_for += time.perf_counter() - p0
                        if self._stop.is_set() or t >= self.time_limit:
                            break
                        if self.realtime:  # a replayed track keeps the clock of a camera
                            delay = t - (time.perf_counter() - t0 - paused_for)
                            if delay > 0:
                                time.sleep(delay)
                                started = time.perf_counter()  # the frame "arrives" now
                        self._fill_gap(index, kpts, started)
                        last = (index, t, image, self._frame(index, t, image, kpts, started))
                    break
                except SourceLost as e:
                    # the camera vanished: keep everything so far, pause, and wait for the
                    # instructor to resume (the source is reopened) or to stop the test
                    self._resume.clear()  # paused BEFORE it is said, so a quick resume is not lost
                    self.lost = str(e)
                    self._note("source_lost", frames=len(self._kpts), message=str(e))
                    self._assess()
                    if last is not None:
                        self._publish(*last)
                    p0 = time.perf_counter()
                    if not self._wait_for_source():
                        break
                    paused_for += time.perf_counter() - p0
                    offset = len(self._kpts)
            self._stop_assessor()
            self.finished_reading = True
            self._assess()  # the whole test, after the last frame
            if last is not None:  # the final counts, published for the GUI's last pull
                self._publish(*last)
        except Exception as e:  # noqa: BLE001 - shown to the user by the GUI, never lost silently
            self.error = f"{e.__class__.__name__}: {e}"
        finally:
            self._stop_assessor()
            close = getattr(self.source, "close", None)
            if close is not None:
                close()  # a camera source stops its capture thread and releases the camera
            if self.recorder is not None:
                try:
                    self.recorder.close()
                except OSError as e:
                    self.error = self.error or str(e)
            if self.classifier is not None:
                try:
                    self.classifier.finish()
                except RuntimeError as e:
                    self.error = self.error or str(e)
            self.finished = True
            if self.on_finish is not None and self._assessment is not None:
                self.on_finish(self._assessment)

    def _wait_for_source(self) -> bool:
        """Paused after a lost source: True once it is reopened on resume, False on stop."""
        while True:
            self._resume.wait()
            if self._stop.is_set() or self.reopen is None:
                return False
            try:
                self.source = self.reopen()
            except SourceLost as e:
                self._resume.clear()
                self.lost = str(e)
                continue
            self.lost = None
            return True

    def _fill_gap(self, index: int, kpts, started: float) -> None:
        """Frames the camera's capture thread dropped (the frame number jumped): filled by
        linear interpolation between the frames either side, so the track stays one row per
        camera frame at its fps and the counter sees the motion it would have seen; counted
        in `dropped`. A video file or a replay never skips."""
        n = len(self._kpts)
        gap = index - n
        if gap <= 0 or n == 0:
            return
        prev = self._kpts.last()
        cur = np.zeros((17, 3), np.float32) if kpts is None else np.asarray(kpts, np.float32)
        for j in range(1, gap + 1):
            w = j / (gap + 1)
            fill = prev + (cur - prev) * w
            fill[:, 2] = np.minimum(prev[:, 2], cur[:, 2])  # a joint missing on either side stays missing
            self._frame(n + j - 1, (n + j - 1) / self.fps, None, fill, started, filled=True)
        self.dropped += gap

    def _frame(self, index: int, t: float, image, kpts, started: float, filled: bool = False) -> np.ndarray:
        """One frame in: stored, classified, assessed when due, published. -> its keypoints."""
        k = np.zeros((17, 3), np.float32) if kpts is None else np.asarray(kpts, np.float32)
        with self._lock:
            self._kpts.append(k)
            n = len(self._kpts)
        if self.recorder is not None:
            self.recorder.frame(index, t, image, k, filled)
        if self._bar is not None and self.bar_offset is None:
            self._bar.see(index, image, k)
            if len(self._bar.sightings) >= BAR_FIX_SIGHTINGS:
                self.bar_offset = self._bar.offset
                self._bar = None if self.bar_offset is not None else BarWatch()
        if self._auto:
            self._recognise(n)
        if self.classifier is not None:
            self.classifier.submit(index, k)
        if self.exercise != "auto" and n >= self._next_assess:
            self._want_assess.set()  # the assessor thread re-reads the track; this thread goes on
        self._frame_ms = round((time.perf_counter() - started) * 1000, 2)
        self._publish(index, t, image, k)
        done = time.perf_counter()
        self.latency_ms = 0.9 * self.latency_ms + 0.1 * (done - started) * 1000 if n > 1 else (done - started) * 1000
        self._stamps = (self._stamps + [done])[-31:]
        return k

    @property
    def fps_now(self) -> float:
        """Frames analysed per second over the last 30."""
        s = self._stamps
        return (len(s) - 1) / (s[-1] - s[0]) if len(s) > 1 and s[-1] > s[0] else 0.0

    def _recognise(self, n: int) -> None:
        if not self._stream.due(n):
            return
        with self._lock:
            w = self._kpts.copy(n - self._stream.window)
        g = self._stream.add(w)
        active = int(g.active * self._stream.windows_seen + 0.5)
        if active < 2 or g.confidence < self.min_confidence:
            return
        self.guess = g
        if g.exercise == self.exercise:
            return
        # first decision, or the evidence of the whole test so far now says another event (the
        # first seconds of getting into position can mislead): switch, and re-read everything
        self.exercise, self.view = g.exercise, g.view
        self._note("recognised", frames=n, exercise=g.exercise, view=g.view, confidence=round(g.confidence, 3))
        if self.make_classifier is not None:
            if self.classifier is not None:
                self.classifier.finish()
            self.classifier = self.make_classifier(g.exercise, g.view)
            with self._lock:
                backlog = self._kpts.copy()
            for i, k in enumerate(backlog[:-1]):  # the frames so far (the current one follows)
                self.classifier.submit(i, k)
        self._assess()

    def _assess_loop(self) -> None:
        while True:
            self._want_assess.wait()
            self._want_assess.clear()
            if self._assessing_done.is_set():
                return
            try:
                self._assess()
            except Exception as e:  # noqa: BLE001 - shown by the GUI; the final assessment retries
                self.error = self.error or f"{e.__class__.__name__}: {e}"

    def _stop_assessor(self) -> None:
        self._assessing_done.set()
        self._want_assess.set()
        if self._assessor is not None and self._assessor is not threading.current_thread():
            self._assessor.join(30)

    def _assess(self) -> None:
        with self._assess_lock:  # the assessor thread and the frame thread take turns
            self._assess_unlocked()

    def _assess_unlocked(self) -> None:
        if self.exercise == "auto":
            return
        track = self.track()
        if track.frames < 2:
            return
        t0 = time.perf_counter()
        p = self.protocol
        th = with_image_bar(p.thresholds(self.thresholds) if p else self.thresholds, self.exercise, self.bar_y,
                            self.bar_offset)
        a = assess(track, self.exercise, self.view, th, bar_y=self.bar_y, checks=p.applies(self.exercise) if p else None)
        # the next re-assessment after assess_every frames, or later when one takes long: the
        # whole track is re-read each time (0.04 s at 2 minutes), so keep it under ~1/5 of the time
        took = time.perf_counter() - t0
        self._assess_ms = round(took * 1000, 1)
        self._next_assess = track.frames + max(self.assess_every, int(5 * took * self.fps))
        if self.view == "auto" and track.frames >= 2 * self.fps and a.reps:
            # settle the view at the first rep, from the frames of that rep: it must not flip
            # mid-test, and the seconds before it (walking up, getting into position) read
            # "front" for a side view (the demo video did: every rep then refused as shallow)
            first = a.reps[0]
            self.view = detect_view(track.keypoints[first.start:first.end + 1], th.min_score)
        with self._lock:
            self._assessment = a
            self._settled = settled(a, track.frames) if not self.finished_reading else len(a.reps)
            self._drive = np.asarray(a.signals.drive, np.float32)

    def _publish(self, index: int, t: float, image, k: np.ndarray) -> None:
        """timings_ms of the PipelineResult: frame (the last frame in the session: store,
        record, hand to the classifier) and assess (the last re-reading of the track), in ms."""
        a = self._assessment
        reps = a.reps if a is not None else ()
        cls = self.classifier.latest.peek() if self.classifier is not None else None
        pose3d = self.classifier.latest_3d.peek() if self.classifier is not None else None
        subject = Pose2D(index, t, k, 0)
        others = self.choice.others.peek() if self.choice is not None else None
        people = (subject, *(Pose2D(index, t, o, -1) for o in others or ()))
        frame = Frame(index, t, image) if image is not None else None
        self.latest.put(PipelineResult(frame, people, subject, pose3d, cls, reps,
                                       (sum(r.standard for r in reps), len(reps)),
                                       {"frame": self._frame_ms, "assess": self._assess_ms},
                                       dropped=self.dropped, settled=self._settled))


def video_source(path, estimator, choice=None) -> tuple[object, Iterator[SourceItem]]:
    """A video file through the pose model and the tracker, every frame in turn: -> (VideoInfo,
    items). The subject's keypoints are zeros where it is not found."""
    from app.capture.video import frames
    info, images = frames(path)  # a bad file is reported here, before any frame is read
    return pose_items(info, enumerate(images), estimator, choice)


def camera_source(index: int, estimator, size: tuple[int, int] | None = None,
                  choice=None) -> tuple[object, Iterator[SourceItem]]:
    """A camera through the pose model and the tracker, the newest frame each time (a capture
    thread drops what the model had no time for; the gaps show in the frame numbers). Its
    iterator raises SourceLost when the camera vanishes (the session pauses, can reopen it)."""
    from app.capture.camera import camera_frames
    from app.capture.latest import LatestFrames
    info, images = camera_frames(index, size=size)
    return pose_items(info, iter(LatestFrames(images)), estimator, choice)


def pose_items(info, numbered: Iterator[tuple[int, np.ndarray]], estimator,
               choice=None) -> tuple[object, Iterator[SourceItem]]:
    """(frame number, image) pairs -> (info, source items) through the one pose loop
    (app.pipeline.pose_loop). choice: a SubjectChoice (app.pipeline.subject): the instructor's
    click picks the subject, and the other people are published for the overlay."""
    from app.pipeline.pose_loop import pose_steps

    def items() -> Iterator[SourceItem]:
        try:
            for step in pose_steps(numbered, estimator, info.size, choice):
                yield step.index, step.index / info.fps, step.image, step.subject
        finally:  # the session closed us (the test ended): close the frames (a camera's capture thread)
            close = getattr(numbered, "close", None)
            if close is not None:
                close()
    return info, items()


def summary(a: Assessment, table=None, sex: str | None = None, age: int | None = None) -> dict:
    """The end-of-test card: reps, standard reps, refused reps by reason, points (when the
    scoring table, the trainee's sex and age allow)."""
    refused: dict[str, int] = {}
    for r in a.reps:
        for reason in r.reasons:
            refused[reason] = refused.get(reason, 0) + 1
    from app.assess.scoring import points_note
    points = table.points(a.exercise, sex, age, a.count_standard) if table is not None and sex and age else None
    return {"exercise": a.exercise, "total": a.count_total, "standard": a.count_standard, "refused": refused,
            "points": points, "table": table.name if table is not None else None,
            "points_note": None if points is not None else points_note(table, a.exercise, sex, age),
            "duration_s": round(a.frames / a.fps, 1)}
