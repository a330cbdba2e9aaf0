"""Process-wide settings made once at start-up, before any worker thread exists.

glibc's malloc, left alone, made a long live test's memory creep: the session re-reads the
whole track every few frames, so its temporary arrays grow with the test; glibc raises its
mmap threshold after such arrays are freed (so later ones land on the heap, which fragments)
and gives every thread its own arena. A fixed 128 KiB threshold (large arrays always
mmapped, returned to the system when freed) and two arenas: a 20-minute test's resident
memory grew 34 MB instead of 52 MB (with 17 MB of it the test's own data; see
benchmarks/gui_live.py and docs/architecture.md).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def tune_malloc(mmap_threshold: int = 128 * 1024, arenas: int = 2) -> bool:
    """Apply the allocator settings on Linux/glibc; -> whether they were applied (elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl or another libc: keep its defaults
        return False
