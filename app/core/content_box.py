"""The picture inside black padding bars (numpy only).

Why: phone videos shared online are often a portrait strip padded to landscape (or the other
way round) with black bars. The pose model sees the whole frame letterboxed to its input
size, so the bars shrink the person: a 660x562 picture in a 1000x562 frame is read at 0.26
of its pixels instead of 0.39. On the one such hand-counted video the model found almost
nobody (PCK@0.2 against the teacher 0.05); on the picture alone it reads it like any other
(0.88). Cropping to the picture only helps when the bars lie along the frame's long side
(bars above and below a landscape picture leave its scale unchanged), so only then is a box
returned.

What counts as a bar: a band of rows or columns at the frame's edge that stays near-black
(every channel <= DARK but for a few specks of compression noise) in every sampled frame, and
ends at a picture edge that is lit along a good part of the frame's side. Encoded padding reads 0-4; a dim but real scene (a gym wall)
reads 15-25; a black studio background ends at a person's outline, not at a lit edge, and is
not a bar; a lit caption band on a black intro is too small to be the picture.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DARK = 10         # grey level: padding stays at or below this in every sample
EDGE_LIT = 2 * DARK  # a picture edge's pixels are at least this bright ...
EDGE_SHARE = 0.4  # ... along this share of the frame's side at least (a picture inside bars on
                  # all four sides still spans 0.48 of a 1920x1080 frame's height in pushfit)
MIN_GAIN = 1.15   # crop only when the picture's long side is this much shorter than the frame's
MIN_SIDE = 32     # px: a picture smaller than this is not a picture
MIN_SAMPLES = 3   # frames: one dark frame (a fade-in) must not decide
MIN_AREA = 0.2    # of the frame: a lit band smaller than this is a title or a caption, not a picture
RING = 8          # px: how far compression artefacts reach from the picture into the bars
NOISE = 0.002     # share of a bar's pixels that may rise above DARK (specks of compression noise)


def brightest(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) or (H, W) -> (H, W): the brightest channel of each pixel."""
    a = np.asarray(image)
    # three elementwise maxima: a reduction over the 3-long channel axis is ~15x slower
    return np.maximum(np.maximum(a[..., 0], a[..., 1]), a[..., 2]) if a.ndim == 3 else a


def _dark(region: np.ndarray, dark: int) -> bool:
    """Padding: (almost) every pixel at or below `dark`; a stray compression speck is allowed."""
    return region.size == 0 or float((region > dark).mean()) <= NOISE


def _edges(share: np.ndarray) -> tuple[int, int] | None:
    """First and one-past-last line lit along EDGE_SHARE of the side, or None."""
    lit = np.flatnonzero(share >= EDGE_SHARE)
    return (int(lit[0]), int(lit[-1]) + 1) if lit.size else None


def box_in(bright: np.ndarray, dark: int = DARK, min_gain: float = MIN_GAIN,
           min_side: int = MIN_SIDE) -> tuple[int, int, int, int] | None:
    """(H, W) brightest value each pixel reached over the samples -> (x0, y0, x1, y1) of the
    picture inside black bars (x1, y1 exclusive), or None (see content_box).

    The picture's edges are the outermost lines lit (>= EDGE_LIT) along EDGE_SHARE of the frame's
    side; a side counts as padded only when everything beyond its edge, past the RING px that
    compression smears into the bar, is dark. A person on a black background is lit along a
    line only where the body is tall, and the box that gives is too small (MIN_AREA)."""
    h, w = bright.shape
    lit = bright >= EDGE_LIT
    cols, rows = _edges(lit.mean(axis=0)), _edges(lit.mean(axis=1))
    if cols is None or rows is None:
        return None
    (x0, x1), (y0, y1) = cols, rows
    if not _dark(bright[:, :max(0, x0 - RING)], dark) or x0 <= RING:
        x0 = 0
    if not _dark(bright[:, x1 + RING:], dark) or x1 >= w - RING:
        x1 = w
    if not _dark(bright[:max(0, y0 - RING)], dark) or y0 <= RING:
        y0 = 0
    if not _dark(bright[y1 + RING:], dark) or y1 >= h - RING:
        y1 = h
    if min(x1 - x0, y1 - y0) < min_side or max(w, h) < min_gain * max(x1 - x0, y1 - y0) \
            or (x1 - x0) * (y1 - y0) < MIN_AREA * w * h:
        return None
    return x0, y0, x1, y1


def content_box(samples: Sequence[np.ndarray], dark: int = DARK, min_gain: float = MIN_GAIN,
                min_side: int = MIN_SIDE) -> tuple[int, int, int, int] | None:
    """uint8 frames (H, W, 3) of one video -> (x0, y0, x1, y1) of the picture inside black bars
    (x1, y1 exclusive), or None: no bars, bars that would not enlarge the person, nothing but
    black, or fewer than MIN_SAMPLES frames to judge by."""
    if len(samples) < MIN_SAMPLES:
        return None
    return box_in(np.max([brightest(f) for f in samples], axis=0), dark, min_gain, min_side)


class PaddingWatch:
    """The window the pose model should read, frame by frame, from the frames themselves (no
    second pass over the file, nothing buffered). The first frame decides when it shows bars:
    reading a few frames whole first made the person jump in scale when the window came, and
    the engine counted the jump as a rep. A first frame without bars (a fade-in from black, say)
    is followed by every `every`-th frame up to `decide_after`, which decide together. After
    that, every `recheck` frames, a frame lit outside the window (it was not padding after all)
    ends the window for good."""

    def __init__(self, decide_after: int = 15, every: int = 5, recheck: int = 10, dark: int = DARK) -> None:
        self.decide_after, self.every, self.recheck, self.dark = decide_after, every, recheck, dark
        self._bright: np.ndarray | None = None
        self._seen = 0
        self.box: tuple[int, int, int, int] | None = None
        self.decided = False

    def window(self, index: int, image: np.ndarray) -> tuple[int, int, int, int] | None:
        if not self.decided:
            if index % self.every == 0:
                b = brightest(image)
                self._bright = b.copy() if self._bright is None or self._bright.shape != b.shape \
                    else np.maximum(self._bright, b)
                self._seen += 1
                if self._seen == 1:
                    self.box = box_in(self._bright)
            if self.box is not None or index + 1 >= self.decide_after:
                self.decided = True
                if self.box is None and self._seen >= MIN_SAMPLES:
                    self.box = box_in(self._bright)
                self._bright = None
            return self.box
        if self.box is not None and index % self.recheck == 0 and self._lit_outside(image):
            self.box = None
        return self.box

    def _lit_outside(self, image: np.ndarray) -> bool:
        """Anything lit in the bars, away from the picture's edge (compression rings a few
        pixels into real padding)."""
        x0, y0, x1, y1 = self.box
        m = RING
        b = brightest(image)
        return not all(_dark(part, self.dark) for part in
                       (b[:, :max(0, x0 - m)], b[:, x1 + m:], b[:max(0, y0 - m)], b[y1 + m:]))
