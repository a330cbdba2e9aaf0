"""Kill -9 during live recording, N times: is every test recovered, is at most the last second
lost, is the database always intact?

    .venv/bin/python benchmarks/kill_test.py [--kills 50] [--seed 0]

Each round starts a child process that does what the app does during a live test: a
SessionRecorder journals the demo pose track with camera-sized images at 30 fps (paced in real
time), while a second thread keeps saving short sessions through the storage layer (so the
kill also lands in the middle of database transactions). The child prints the index of every
frame it hands to the recorder. The parent kills it (SIGKILL) at a random moment, then:
  * PRAGMA integrity_check and foreign_key_check, and `verify` of the sealed chain;
  * finds the interrupted recording as the app does at its next start (find_unsaved), recovers
    it (judged and saved, sealed) and compares the journaled frames with those handed over;
  * reads the video back with OpenCV (playable up to the last flushed frame).
Prints one line per kill and the totals (the issue's figures). tests/test_kill_recovery.py
runs a few rounds in CI.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "kill-test-admin"
FPS = 30.0


def child(db_path: str, root: str) -> None:
    """The recording process that gets killed."""
    import numpy as np

    from app.capture.recorder import SessionRecorder, new_recording_folder
    from app.paths import demo_track
    from app.pipeline.judge import JudgeRequest, judge
    from app.pipeline.recovery import seal_recording
    DEMO_TRACK = demo_track()
    from app.core.tracks import read_track
    from app.core.types import PoseTrack
    from app.storage.accounts import sign_in
    from app.storage.db import open_db, save_session

    track = read_track(DEMO_TRACK)
    db = open_db(db_path, create=True)
    admin = sign_in(db, "admin", PASSWORD)
    tid = db.execute("select id from trainees where name = 'Kill Test'").fetchone()[0]
    short = PoseTrack(track.keypoints[:45], track.fps, track.size, "pushup")
    res = judge(short, JudgeRequest(exercise="pushup", view="side", classifier=False))

    def saver() -> None:  # database writes in flight when the kill lands (its own connection, as the writer has)
        mine = open_db(db_path, create=True)
        while True:
            save_session(mine, admin, tid, res, short, source="kill-test")
            time.sleep(0.02)
    threading.Thread(target=saver, daemon=True).start()
    rec = SessionRecorder(new_recording_folder(root, "Kill Test"), FPS, (320, 240),
                          {"exercise": "pushup", "view": "side", "source": "kill-test",
                           "trainee": {"id": tid, "name": "Kill Test"}}, seal=seal_recording)
    t0 = time.monotonic()
    for i in range(10 ** 9):
        k = track.keypoints[i % track.frames]
        img = np.full((240, 320, 3), (i * 7) % 250, np.uint8)
        rec.frame(i, i / FPS, img, k)
        print(i, flush=True)
        time.sleep(max(0.0, t0 + (i + 1) / FPS - time.monotonic()))


def setup(work: Path) -> Path:
    from app.storage.accounts import create_first_admin
    from app.storage.db import add_trainee, open_db
    db_path = work / "kill.db"
    db = open_db(db_path, create=True)
    admin = create_first_admin(db, "admin", PASSWORD)
    add_trainee(db, admin, "Kill Test", "male", 2000)
    db.conn.close()
    return db_path


def one_kill(db_path: Path, root: Path, rng: random.Random) -> dict:
    """Start the child, kill it at a random moment, check and recover. -> the round's figures."""
    import cv2

    from app.capture.recorder import read_recording
    from app.pipeline.recovery import find_unsaved, recover
    from app.storage.accounts import sign_in
    from app.storage.db import list_sessions, open_db, verify_records

    p = subprocess.Popen([sys.executable, __file__, "--child", str(db_path), str(root)], stdout=subprocess.PIPE,
                         text=True, env=os.environ.copy())
    after = rng.uniform(0.2, 3.0)  # seconds of recording before the kill
    last, t_first = -1, None
    for line in p.stdout:
        last = int(line)
        t_first = t_first or time.monotonic()
        if time.monotonic() - t_first >= after:
            os.kill(p.pid, signal.SIGKILL)
            break
    p.wait(10)
    handed = last + 1
    conn = sqlite3.connect(db_path)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    conn.close()
    db = open_db(db_path, create=True)
    admin = sign_in(db, "admin", PASSWORD)
    chain_ok = verify_records(db).ok
    saved = {Path(r["recording"]) for r in list_sessions(db, admin) if r["recording"]}
    found = find_unsaved(root, saved)
    out = {"after_s": round(after, 2), "handed": handed, "integrity": integrity == "ok" and not fk,
           "chain_ok": chain_ok, "found": len(found), "recovered": False, "journaled": 0, "video_frames": 0}
    if len(found) == 1:
        rec = read_recording(found[0].folder)
        out["journaled"] = rec.track.frames
        cap = cv2.VideoCapture(str(rec.video)) if rec.video else None
        n = 0
        while cap is not None and cap.read()[0]:
            n += 1
        if cap is not None:
            cap.release()
        out["video_frames"] = n
        sid = recover(db, admin, found[0].folder)
        out["recovered"] = sid is not None and not find_unsaved(root, saved | {found[0].folder})
        out["chain_ok_after"] = verify_records(db).ok
    db.conn.close()
    out["lost"] = handed - out["journaled"]
    return out


def run(kills: int, work: Path, seed: int = 0, say=print) -> dict:
    db_path = setup(work)
    root = work / "recordings"
    rng = random.Random(seed)
    rounds = []
    for k in range(kills):
        r = one_kill(db_path, root, rng)
        rounds.append(r)
        say(f"kill {k + 1:>3}: after {r['after_s']:.2f} s, {r['handed']} frames handed over, {r['journaled']} "
            f"journaled (lost {r['lost']}), video {r['video_frames']} frames, integrity "
            f"{'ok' if r['integrity'] else 'FAILED'}, chain {'ok' if r['chain_ok'] else 'FAILED'}, "
            f"{'recovered' if r['recovered'] else 'NOT recovered'}")
    lost = [r["lost"] for r in rounds]
    totals = {"kills": kills, "recovered": sum(r["recovered"] for r in rounds),
              "integrity_failures": sum(not r["integrity"] for r in rounds),
              "chain_failures": sum(not r["chain_ok"] or not r.get("chain_ok_after", True) for r in rounds),
              "lost_frames_max": max(lost), "lost_frames_median": statistics.median(lost),
              "lost_s_max": round(max(lost) / FPS, 3),
              "over_one_second": sum(x > FPS for x in lost),
              "video_short_by_max": max(r["journaled"] - r["video_frames"] for r in rounds)}
    conn = sqlite3.connect(db_path)
    totals["sessions_saved_by_the_killed"] = conn.execute("select count(*) from sessions where source = 'kill-test'")\
        .fetchone()[0]
    conn.close()
    say(json.dumps(totals))
    return totals


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", help="folder for the database and recordings (default: a temporary one)")
    args = ap.parse_args()
    import tempfile
    with tempfile.TemporaryDirectory(prefix="drillscore-kill-") as tmp:
        work = Path(args.work) if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("DRILLSCORE_KEY", str(work / "chain.key"))
        t0 = time.monotonic()
        run(args.kills, work, args.seed)
        print(f"{time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
