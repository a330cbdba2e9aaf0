"""A camera read on its own thread, keeping only the newest frame: the pipeline always takes
the newest, and the frames it was too slow for are dropped and counted, never queued.

Why: a camera does not wait. If the pose model is slower than the camera, reading frames in
turn falls ever further behind (the latency grows without bound); here the reader keeps the
newest frame only, and its frame number tells the session which frames were skipped, so it
fills them (app.pipeline.live) and the rep counter stays right.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

_END = object()


class LatestFrames:
    """Iterate (frame number, image) of `images` read on a thread; a frame the consumer did not
    take before the next one arrived is dropped (`dropped` counts them). An exception of the
    source (SourceLost) reaches the consumer after the last frame before it."""

    def __init__(self, images: Iterator[np.ndarray]) -> None:
        self._images = images
        self._cond = threading.Condition()
        self._item: tuple[int, np.ndarray] | None = None  # the newest frame not yet taken
        self._end: object = None                           # _END or the source's exception
        self._stop = threading.Event()
        self.dropped = 0
        self._thread = threading.Thread(target=self._read, name="capture", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        end: object = _END
        try:
            for i, img in enumerate(self._images):
                if self._stop.is_set():
                    break
                with self._cond:
                    if self._item is not None:
                        self.dropped += 1
                    self._item = (i, img)
                    self._cond.notify_all()
        except Exception as e:  # noqa: BLE001 - raised again on the consumer's thread
            end = e
        finally:
            close = getattr(self._images, "close", None)
            if close is not None:
                close()  # releases the camera
        with self._cond:
            self._end = end
            self._cond.notify_all()

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._item is not None or self._end is not None)
                    item, self._item, end = self._item, None, self._end
                if item is not None:
                    yield item
                elif end is _END:
                    return
                else:
                    raise end  # type: ignore[misc]
        finally:
            self._stop.set()

    def join(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
