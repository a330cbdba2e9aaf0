"""Partial or junk input is never saved as a result, and hostile files are refused in one line
before they are read (issue 20, items 7 and 8)."""
import io
import os
import shutil
import zipfile

import cv2
import numpy as np
import pytest
from conftest import admin_of

from app.cli import main
from app.paths import demo_video
from app.storage.db import list_sessions, open_db


@pytest.fixture
def db_env(tmp_path, monkeypatch):
    path = tmp_path / "d.db"
    admin_of(open_db(path, create=True))
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    return path


def _avi(path, frames):
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (w, h))
    for f in frames:
        out.write(f)
    out.release()
    return path


def _demo_frames():
    cap = cv2.VideoCapture(str(demo_video()))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            return frames
        frames.append(f)


def _sessions(path):
    return list_sessions(open_db(path), admin_of(open_db(path)))


def test_a_video_cut_short_is_not_saved_unless_the_user_insists(tmp_path, db_env, capsys):
    frames = _demo_frames()
    whole = _avi(tmp_path / "whole.avi", frames)
    half = tmp_path / "half.avi"
    data = whole.read_bytes()
    half.write_bytes(data[: len(data) // 2])  # the first half of the file: the index promises all frames
    save = ["analyze", str(half), "--exercise", "pushup", "--save", "--trainee", "Ann", "--db", str(db_env)]
    assert main(save) == 2
    err = capsys.readouterr().err
    n = len(frames)
    assert "nothing saved" in err and f"the container promises {n} frames, {n // 2} decoded" in err
    assert _sessions(db_env) == []
    assert main(["analyze", str(half), "--exercise", "pushup"]) == 0  # analysed, with the warning said
    assert "warning: the container promises" in capsys.readouterr().err
    assert main([*save, "--accept-partial"]) == 0
    (row,) = _sessions(db_env)
    from app.storage.db import load_session
    db = open_db(db_env)
    j, _ = load_session(db, admin_of(db), row["id"])
    assert "cut short" in j.notes["input_problems"][0]


def test_a_picture_a_track_with_nobody_and_a_crazy_fps_are_never_saved(tmp_path, db_env, capsys):
    frame = _demo_frames()[0]
    png = tmp_path / "photo.png"
    cv2.imwrite(str(png), frame)
    fake = tmp_path / "photo.mp4"
    shutil.copy(png, fake)
    nobody = tmp_path / "nobody.npz"
    np.savez(nobody, keypoints=np.zeros((300, 17, 3), np.float32), fps=30.0, size=np.array([640, 480]))
    slow = tmp_path / "slow.npz"
    np.savez(slow, keypoints=np.full((300, 17, 3), 0.5, np.float32), fps=1e-9, size=np.array([640, 480]))
    for path, msg in ((fake, "too short to be a test"), (nobody, "nobody was seen"), (slow, "fps must be in")):
        rc = main(["analyze", str(path), "--exercise", "pushup", "--save", "--trainee", "Ann", "--db", str(db_env),
                   "--accept-partial"])
        err = capsys.readouterr().err
        assert rc == 2 and msg in err and err.count("\n") == 1, (path, err)
    assert _sessions(db_env) == []


def test_hostile_files_are_refused_in_one_line_before_they_are_read(tmp_path, capsys):
    from numpy.lib import format as npformat
    huge = tmp_path / "huge.npz"
    header = io.BytesIO()
    npformat.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (30_000_000, 17, 3)})
    with zipfile.ZipFile(huge, "w") as z:
        z.writestr("keypoints.npy", header.getvalue())
    nested = tmp_path / "nested.json"
    nested.write_text('{"keypoints": ' + "[" * 100_000 + "]" * 100_000 + ', "fps": 30, "size": [640, 480]}')
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    tiny = _avi(tmp_path / "tiny.avi", [np.zeros((1, 1, 3), np.uint8)] * 30)
    for path, msg in ((huge, "declares shape (30000000, 17, 3)"), (nested, "nested far too deeply"),
                      (fifo, "not a regular file"), (zero, "not a regular file"), (tiny, "1x1 pixels")):
        rc = main(["analyze", str(path), "--exercise", "pushup"])
        err = capsys.readouterr().err
        assert rc == 2 and msg in err and err.count("\n") == 1 and "Traceback" not in err, (path, err)
