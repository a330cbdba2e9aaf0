"""The single database writer: one thread owns the only connection that writes.

Why one writer (as datasette does): SQLite takes one writer at a time; with the GUI, the
live test and a batch analysis all saving, a single queue of write jobs means no
'database is locked' between our own threads, writes in a known order, and the GUI thread
never waits on the disk. Readers keep their own connections (WAL lets them read while the
writer writes). A job is a function of the writer's Database; submit() returns a Future.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_STOP = object()


class DatabaseWriter:
    def __init__(self, path: str | Path, create: bool = False) -> None:
        """path: the database file (opened and migrated by the writer thread); create: make it
        when missing (the app's first run makes it before; a test may ask the writer)."""
        self.path = Path(path)
        self._create = create
        self._q: queue.Queue = queue.Queue()
        self._ready: Future = Future()
        self._thread = threading.Thread(target=self._run, name="db-writer", daemon=True)
        self._thread.start()
        self._ready.result(timeout=30)  # an unusable file is said here, as a StorageError

    def _run(self) -> None:
        from app.storage.db import open_db
        try:
            db = open_db(self.path, create=self._create)
        except Exception as e:  # noqa: BLE001 - handed to the constructor
            self._ready.set_exception(e)
            return
        self._ready.set_result(True)
        try:
            while True:
                item = self._q.get()
                if item is _STOP:
                    return
                fn, args, kwargs, fut = item
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    fut.set_result(fn(db, *args, **kwargs))
                except Exception as e:  # noqa: BLE001 - the caller reads it from the Future
                    fut.set_exception(e)
        finally:
            db.conn.close()

    def submit(self, fn: Callable[..., Any], *args, **kwargs) -> Future:
        """Run fn(db, *args, **kwargs) on the writer thread, after the jobs before it."""
        if not self._thread.is_alive():
            raise RuntimeError("the database writer has stopped; restart DrillScore")
        fut: Future = Future()
        self._q.put((fn, args, kwargs, fut))
        return fut

    def call(self, fn: Callable[..., Any], *args, timeout: float = 30.0, **kwargs) -> Any:
        """submit() and wait for the result (quick writes: adding a trainee); raises what fn raised."""
        return self.submit(fn, *args, **kwargs).result(timeout=timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Finish the queued jobs, then stop the thread."""
        if self._thread.is_alive():
            self._q.put(_STOP)
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


class InlineWriter:
    """The writer's interface run on the caller's thread, for a widget used on its own (tests,
    a window without a database file): the same jobs, no thread."""

    def __init__(self, db) -> None:
        self.db = db

    def submit(self, fn: Callable[..., Any], *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(self.db, *args, **kwargs))
        except Exception as e:  # noqa: BLE001 - the caller reads it from the Future
            fut.set_exception(e)
        return fut

    def call(self, fn: Callable[..., Any], *args, timeout: float = 30.0, **kwargs) -> Any:
        return self.submit(fn, *args, **kwargs).result()

    def close(self, timeout: float = 30.0) -> None:
        pass
