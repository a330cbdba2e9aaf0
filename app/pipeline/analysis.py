"""The analysis worker: rolling 10-frame windows of the subject -> the classifier, off the
GUI thread (and off the pose thread), with the causal lifter alongside.

The pose thread calls submit(index, kpts) for every frame of the subject (hidden joints
score 0; a frame without the subject is submitted as all-zero keypoints so the windows stay
aligned with frame numbers). The worker keeps every window's P(standard) by its frame span;
when the rep counter closes a rep, rep_probability(start, end) gives the mean over the
windows lying inside it — the same unit and arithmetic as the offline path
(app.inference.classifier.RepClassifier.per_rep), so live and review agree.
Every frame is analysed (a bounded queue; nothing is skipped, the classifier takes about a
millisecond per window); the newest Classification and Pose3D wait in LatestSlots for the GUI.
With a smoother (app.inference.smoother.Smoother) the windows are built from the live-mode
smoothed frames (each known `lookahead` frames late; finish() flushes the last ones). The
event itself is recognised by the live session (app.pipeline.live), not here.
An exception in the worker stops it and is kept in `error` for the caller to report.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import numpy as np

from app.core.features import frame_features
from app.core.growing import GrowingArray
from app.core.types import Classification, Pose3D
from app.core.windows import RollingWindow
from app.inference.classifier import RepClassifier, RepProbability
from app.pipeline.slots import LatestSlot

_STOP = object()


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One window: frames [start, end] inclusive, its P(standard) and attention (L,)."""

    start: int
    end: int
    p_standard: float
    attention: np.ndarray


class AnalysisWorker:
    def __init__(self, classifier: RepClassifier, exercise: str, view: str, size: tuple[int, int],
                 lifter=None, smoother=None, max_queue: int = 1024) -> None:
        """lifter: a causal Lifter3D or None; smoother: a Smoother or None. exercise / view: the
        classifier's category (the judge reuses these probabilities only for the same ones)."""
        self.classifier = classifier
        self.exercise, self.view = exercise, view
        self.category = classifier.category(exercise, view)
        self.fingerprint = dict(classifier.model.fingerprint)  # sealed with a judgement that reuses them
        self.size = size
        self.lifter = lifter
        self._live = None
        if smoother is not None:
            from app.inference.smoother import LiveSmoother
            self._live = LiveSmoother(smoother)
        self._q: queue.Queue = queue.Queue(max_queue)
        self._window = RollingWindow(classifier.window)
        self._lift_buf: list[np.ndarray] = []
        # every window's span, P(standard) and attention, compactly (a long test has one per frame)
        self._spans = GrowingArray((2,), np.int64)
        self._p = GrowingArray((), np.float32)
        self._att = GrowingArray((classifier.window,), np.float32)
        self._lock = threading.Lock()
        self.latest: LatestSlot[Classification] = LatestSlot()
        self.latest_3d: LatestSlot[Pose3D] = LatestSlot()
        self.error: str | None = None
        self.frames_done = 0
        self._thread = threading.Thread(target=self._run, name="analysis", daemon=True)
        self._thread.start()

    def submit(self, index: int, kpts: np.ndarray, timeout: float = 5.0) -> None:
        """Queue one frame (17, 3); blocks only if the worker is more than max_queue frames behind."""
        if self.error:
            raise RuntimeError(f"analysis stopped: {self.error}")
        self._q.put((int(index), np.asarray(kpts, np.float32)), timeout=timeout)

    def _run(self) -> None:
        try:
            while True:
                item = self._q.get()
                if item is _STOP:
                    for index, k in (self._live.flush() if self._live is not None else []):
                        self._frame(index, k)
                    return
                if self._live is not None:
                    item = self._live.push(*item)
                    if item is None:
                        continue
                self._frame(*item)
        except Exception as e:  # noqa: BLE001 - reported to the caller, never swallowed
            self.error = f"{e.__class__.__name__}: {e}"

    def _frame(self, index: int, kpts: np.ndarray) -> None:
        self.frames_done += 1
        full = self._window.push(index, kpts)
        if full is not None:
            idx, w = full
            p, att = self.classifier.windows(frame_features(w, self.size)[None], self.category)
            with self._lock:
                self._spans.append((idx[0], idx[-1]))
                self._p.append(p[0])
                self._att.append(att[0])
            self.latest.put(Classification(float(p[0]), np.array(att[0], np.float32)))
        if self.lifter is not None:
            self._lift_buf = (self._lift_buf or [kpts] * (self.lifter.rf - 1))[-(self.lifter.rf - 1):] + [kpts]
            self.latest_3d.put(Pose3D(index, self.lifter.last(np.stack(self._lift_buf))))

    def windows(self) -> list[WindowResult]:
        """Every window scored so far, in order (a copy)."""
        with self._lock:
            spans, p, att = self._spans.copy(), self._p.copy(), self._att.copy()
        return [WindowResult(int(s), int(e), float(q), a) for (s, e), q, a in zip(spans, p, att, strict=True)]

    def rep_probability(self, start: int, end: int) -> RepProbability | None:
        """Mean P(standard) and attention over the windows inside frames [start, end]; None if none."""
        with self._lock:
            spans = self._spans.view()
            inside = (spans[:, 0] >= start) & (spans[:, 1] <= end)
            if not inside.any():
                return None
            p, att = self._p.view()[inside], self._att.view()[inside]
        return RepProbability(float(p.astype(np.float64).mean()), att.mean(0).astype(np.float32), int(inside.sum()))

    def finish(self, timeout: float = 30.0) -> None:
        """Analyse everything queued, then stop the thread."""
        self._q.put(_STOP, timeout=timeout)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"analysis worker did not finish within {timeout} s")

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
