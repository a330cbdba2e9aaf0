"""Is this input a whole test? What must be said before a result from it is saved.

A result is a record people act on, so an input that cannot hold a whole test is never saved
silently: a video cut short (the container promises more frames than decode), a "video" of
one picture, a track in which nobody was seen. Pure logic over the track and the counts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.types import PoseTrack

MIN_SECONDS = 2.0       # shorter than one slow rep: not a test
MIN_SEEN_SHARE = 0.05   # frames in which someone's joints were found
CUT_SHORT = 0.9         # decoded below this share of the promised frames: the file ends early


@dataclass(frozen=True, slots=True)
class InputCheck:
    """partial: problems the user may knowingly accept (save with --accept-partial); fatal:
    problems nothing is saved with. Each a one-line sentence."""

    partial: tuple[str, ...] = ()
    fatal: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.partial and not self.fatal


def check_input(track: PoseTrack, promised_frames: int = 0) -> InputCheck:
    """The problems of `track` (T frames decoded) as the input of a saved test; promised_frames:
    the video container's frame count (0 when it does not say, or for a track file)."""
    partial, fatal = [], []
    t = track.frames
    if promised_frames > 0 and t < CUT_SHORT * promised_frames and promised_frames - t >= 5:
        partial.append(f"the container promises {promised_frames} frames, {t} decoded: the file is cut short")
    seconds = t / track.fps if track.fps > 0 else 0.0
    if seconds < MIN_SECONDS:
        fatal.append(f"only {t} frame{'s' if t != 1 else ''} ({seconds:.1f} s): too short to be a test")
    seen = float((np.asarray(track.keypoints)[..., 2] > 0.05).any(-1).mean()) if t else 0.0
    if seen < MIN_SEEN_SHARE:
        fatal.append("nobody was seen" if seen == 0 else f"a person was seen in only {seen:.0%} of the frames")
    return InputCheck(tuple(partial), tuple(fatal))
