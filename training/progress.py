"""A one-line text progress bar on stderr (no dependency): step, total, fields, rate, ETA."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str = "", start: int = 0, stream=sys.stderr) -> None:
        self.total, self.label, self.stream = total, label, stream
        self.t0, self.start = time.perf_counter(), start

    def update(self, step: int, **fields: float | str) -> None:
        now = time.perf_counter()
        if step < self.total and now - getattr(self, "_last", 0.0) < 0.5:
            return  # at most two redraws a second: logs stay readable
        self._last = now
        done = step - self.start
        el = now - self.t0
        rate = done / el if el > 0 else 0.0
        eta = (self.total - step) / rate if rate > 0 else 0.0
        frac = step / max(1, self.total)
        bar = "#" * int(frac * 24)
        info = " ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items())
        self.stream.write(f"\r{self.label} [{bar:<24}] {step}/{self.total} {info} {rate:.2f} it/s eta {eta / 60:.1f} min ")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
