"""The demo's records: a throwaway database for `drillscore gui --demo` / `--screenshot`, so the
review workspace has something to show."""
from __future__ import annotations

from pathlib import Path

from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.pipeline.judge import JudgeRequest, judge
from app.pipeline.models import ModelBox


def demo_database(track_path: Path, folder: Path):
    """-> (db, admin actor): a database in `folder` holding the demo track judged as three
    sessions of one trainee, signed in as a demo admin whose password nobody knows."""
    import secrets

    from app.storage.accounts import create_first_admin
    from app.storage.db import get_or_add_trainee, open_db, save_session
    track = read_track(track_path)
    db = open_db(folder / "demo.db", create=True)
    admin = create_first_admin(db, "demo", secrets.token_hex(12))
    tid = get_or_add_trainee(db, admin, "Demo Trainee", "male")
    box = ModelBox()
    for cut in (0.6, 0.8, 1.0):  # three tests, each a little longer: a progress chart that rises
        part = PoseTrack(track.keypoints[:int(track.frames * cut)], track.fps, track.size, track.exercise)
        j = judge(part, JudgeRequest(exercise=track.exercise or "pushup"), box)
        save_session(db, admin, tid, j, part, source="demo")
    return db, admin
