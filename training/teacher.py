"""The reference pose teacher: BlazePose Full from mediapipe 0.10.14, in a virtual environment
of its own, writing COCO-17 pose tracks of videos into a cache outside the repository.

Why its own environment: mediapipe 0.10.14 pulls opencv-contrib-python (which clashes with the
project's opencv-python in one environment), jax and matplotlib. It is a tool for training and
measuring (pseudo-labels; a reference track that separates counting errors from pose errors),
never a dependency of app/ (an import-linter contract forbids it).

    python -m training teacher VIDEO|FOLDER [--cache DIR]

The environment is made on first use (~/.cache/drillscore/teacher-venv; one pip install of
about 100 MB). A video whose track is already cached (same name, newer than the video) is
skipped. The worker (training/teacher_worker.py) runs as a separate process.
"""
from __future__ import annotations

import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

CACHE = Path.home() / ".cache" / "drillscore"
ENV = CACHE / "teacher-venv"
TRACKS = CACHE / "teacher"
MEDIAPIPE = "mediapipe==0.10.14"
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")


class TeacherError(RuntimeError):
    """The teacher cannot run; str() says what to do."""


def python_of(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_env(env: Path = ENV, say: Callable[[str], None] = print) -> Path:
    """-> the teacher environment's python, creating it (and installing mediapipe) when missing."""
    py = python_of(env)
    probe = [str(py), "-c", "import mediapipe, cv2; mediapipe.solutions.pose.Pose"]
    if py.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return py
    say(f"making the teacher's environment in {env} (mediapipe 0.10.14; once, a few minutes)")
    venv.EnvBuilder(with_pip=True, clear=py.exists()).create(env)
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", MEDIAPIPE], capture_output=True, text=True,
                       check=False)
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["pip failed"]
        raise TeacherError(f"cannot install {MEDIAPIPE} into {env} ({tail[0][:200]}); check the package index "
                           "and try again")
    if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        raise TeacherError(f"{env}: mediapipe installed but BlazePose does not load; remove the folder and retry")
    return py


def videos_in(target: Path) -> list[Path]:
    """A video, or the videos directly in a folder (by name); TeacherError for anything else."""
    if target.is_file():
        if target.suffix.lower() not in VIDEO_SUFFIXES:
            raise TeacherError(f"{target}: not a video file name ({', '.join(VIDEO_SUFFIXES)})")
        return [target]
    if target.is_dir():
        found = sorted(p for p in target.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
        if not found:
            raise TeacherError(f"{target}: no videos in this folder")
        return found
    raise TeacherError(f"{target}: no such file or folder")


def cached(video: Path, out: Path = TRACKS) -> Path | None:
    """The cached track of `video` when it is there and newer than the video."""
    p = out / f"{video.stem}.npz"
    return p if p.exists() and p.stat().st_mtime >= video.stat().st_mtime else None


def teach(target: Path, out: Path = TRACKS, env: Path = ENV, say: Callable[[str], None] = print) -> list[Path]:
    """Teacher tracks of every video in `target` -> their paths (cached ones are reused)."""
    vids = videos_in(target)
    todo = [v for v in vids if cached(v, out) is None]
    if todo:
        py = ensure_env(env, say)
        worker = Path(__file__).with_name("teacher_worker.py")
        say(f"teacher: {len(todo)} video(s) -> {out} ({len(vids) - len(todo)} cached)")
        proc = subprocess.Popen([str(py), str(worker), str(out), *map(str, todo)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        for line in proc.stdout:
            say("  " + line.rstrip())
        proc.wait()
    missing = [v for v in vids if cached(v, out) is None]
    if missing:
        raise TeacherError(f"no teacher track for {', '.join(v.name for v in missing)} (see the lines above)")
    return [out / f"{v.stem}.npz" for v in vids]
