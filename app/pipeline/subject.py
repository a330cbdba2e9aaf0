"""Choosing the subject among several people: the instructor's click travels from the GUI to
the pose thread, and the other people seen travel back for the overlay.

The click waits here until the pose thread's next frame (the tracker is only touched by
that thread); the people besides the subject are published each frame in a LatestSlot.
"""
from __future__ import annotations

import threading

import numpy as np

from app.pipeline.slots import LatestSlot


class SubjectChoice:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._click: tuple[float, float] | None = None
        self.others: LatestSlot[tuple[np.ndarray, ...]] = LatestSlot()  # each (17, 3), newest frame
        self.chosen_id: int | None = None  # the track id the last click chose (None: none near)
        self.choices = 0                   # clicks applied so far

    def click(self, x: float, y: float) -> None:
        """The instructor clicked image pixel (x, y): make the nearest person the subject."""
        with self._lock:
            self._click = (float(x), float(y))

    def apply(self, tracker, seen: dict[int, np.ndarray]) -> None:
        """On the pose thread, after tracker.update(): apply a pending click, publish the others."""
        with self._lock:
            click, self._click = self._click, None
        if click is not None:
            self.chosen_id = tracker.choose(*click)
            self.choices += 1
        self.others.put(tuple(k for tid, k in seen.items() if tid != tracker.subject_id))
