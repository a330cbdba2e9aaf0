"""Pose tracks of the pushfit videos by OUR pose model (not MoveNet), for the classifier.

The classifier learned form on MoveNet tracks, but in the app it reads our own pose
model's tracks, which are noisier: on the divyansh side clip it gave regulation push-ups
P(standard) 0.2-0.3. Training also on our own tracks of the same clips (same clip labels)
closes that gap. The tracks are made by the product itself, as a black box (`python -m app
pose VIDEO --out TRACK`), so training/ still imports nothing of the app but app.core, and
cached under ~/.cache/drillscore/pushfit_tracks (made once, about 10 minutes on 2 cores).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.core.tracks import TrackFileError, read_track
from app.core.types import PoseTrack


def track_path(cache: Path, clip: str) -> Path:
    return Path(cache) / f"{clip}.npz"


def build(root: Path, clips: list[str], cache: Path, threads: int = 2) -> list[str]:
    """Make the missing tracks; returns the clips that failed (listed, never silently skipped)."""
    cache.mkdir(parents=True, exist_ok=True)
    failed = []
    for i, clip in enumerate(clips):
        out = track_path(cache, clip)
        if out.exists():
            continue
        video = Path(root) / "videos" / f"{clip}.mp4"
        r = subprocess.run([sys.executable, "-m", "app", "pose", str(video), "--out", str(out), "--exercise", "pushup",
                            "--threads", str(threads)], check=False, capture_output=True, text=True)
        if r.returncode != 0:
            failed.append(clip)
            print(f"  {clip}: {r.stderr.strip()[:160]}", file=sys.stderr)
        if (i + 1) % 20 == 0:
            print(f"  own pose tracks: {i + 1}/{len(clips)}", file=sys.stderr, flush=True)
    return failed


def load(cache: Path, clip: str) -> PoseTrack | None:
    try:
        return read_track(track_path(cache, clip))
    except TrackFileError:
        return None
