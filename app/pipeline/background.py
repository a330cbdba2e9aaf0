"""One piece of slow work on its own thread, for a window that must not freeze (Qt-free: the
GUI polls `done` from a timer and reads `result` or `error`, napari's habit of workers that
turn exceptions into messages). Used by the review workspace for the chain check of every
record and for re-reading a session's driving signal."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Background:
    def __init__(self, name: str, work: Callable[[], Any]) -> None:
        """name: the thread's name (tests check none is left running); work: () -> result."""
        self.result: Any = None
        self.error: str | None = None
        self._done = threading.Event()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._work()
        except Exception as e:  # noqa: BLE001 - handed to the window as a message
            self.error = f"{e.__class__.__name__}: {e}" if not str(e).startswith(str(e.__class__.__name__)) else str(e)
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is done (tests, closing the window); True when it is."""
        return self._done.wait(timeout)
