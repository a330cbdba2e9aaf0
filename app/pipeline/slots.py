"""A slot of size one between threads: the writer never blocks, the reader gets the newest.

Putting into a full slot replaces the item and counts a drop (the GUI pulls at its own
rate and only ever wants the latest result).
"""
from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestSlot(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._fresh = False
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._lock:
            if self._fresh:
                self.dropped += 1
            self._item, self._fresh = item, True

    def take(self) -> T | None:
        """The newest item if one arrived since the last take, else None."""
        with self._lock:
            if not self._fresh:
                return None
            self._fresh = False
            return self._item

    def peek(self) -> T | None:
        with self._lock:
            return self._item
