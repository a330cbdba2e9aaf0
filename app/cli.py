"""`drillscore` command line: analyze, demo, db. Bad input exits 2 with one line on stderr."""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

from app import __version__
from app.paths import assets_dir

ASSETS = assets_dir()
DEMO_TRACK = ASSETS / "demo" / "pushup_side_demo.npz"
DEMO_VIDEO = ASSETS / "demo" / "pushup_side_demo.mp4"  # rendered by `python -m training demo`


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def default_db() -> Path:
    env = os.environ.get("DRILLSCORE_DB")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "drillscore"
    base.mkdir(parents=True, exist_ok=True)
    return base / "drillscore.db"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="drillscore", description="Score push-ups, pull-ups and sit-ups like a grader.")
    p.add_argument("--version", action="version", version=f"drillscore {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    a = sub.add_parser("analyze", help="count and judge the reps in a video or a pose-track file")
    a.add_argument("input", help="video file (.mp4, .avi, .mov, ...) or pose-track file (.npz or .json)")
    a.add_argument("--exercise", required=True, choices=["pushup", "pullup", "situp", "auto"],
                   help="the event; auto = recognised by the pose-attention model")
    a.add_argument("--view", default="auto", choices=["front", "side", "auto"])
    a.add_argument("--bar-y", type=float, default=None, help="pull-up bar row in pixels (else from the hands)")
    a.add_argument("--json", dest="json_out", help="write the result as JSON to a file, or - for stdout")
    a.add_argument("--csv", dest="csv_out", help="write one row per rep as CSV")
    a.add_argument("--thresholds", help="JSON file of threshold overrides")
    a.add_argument("--scoring", help="scoring table JSON (default: the bundled example table)")
    a.add_argument("--sex", choices=["male", "female"])
    a.add_argument("--age", type=int)
    a.add_argument("--save", action="store_true", help="store the session in the database")
    a.add_argument("--trainee", help="trainee name for --save (added if new)")
    a.add_argument("--db", help="database file (default: $DRILLSCORE_DB or ~/.local/share/drillscore)")
    _credentials_option(a)
    a.add_argument("--models", help="model folder (default: the shipped models)")
    a.add_argument("--threads", type=int, help="CPU threads for pose inference")
    a.add_argument("--no-classifier", action="store_true",
                   help="judge by the rules alone (skip the LSTM-attention model's P(standard))")
    a.add_argument("--smooth", action="store_true",
                   help="smooth the track with the seq2seq model (review mode) before judging it")
    a.add_argument("--lift", action="store_true", help="lift the track to 3D joints (for --track-out)")
    a.add_argument("--track-out", help="write the subject's pose track (.npz or .json), with `smoothed` and "
                                       "`joints3d` arrays when --smooth / --lift")
    po = sub.add_parser("pose", help="estimate the pose track of a video's subject (or of everyone)")
    po.add_argument("input", help="video file")
    po.add_argument("--out", required=True, help="pose-track file to write (.npz or .json)")
    po.add_argument("--all", action="store_true", help="also write every tracked person as OUT-stem.pID.npz")
    po.add_argument("--exercise", choices=["pushup", "pullup", "situp"], help="recorded in the track file")
    po.add_argument("--models", help="model folder (default: the shipped models)")
    po.add_argument("--threads", type=int, help="CPU threads for pose inference")
    po.add_argument("--smooth", action="store_true", help="also store the seq2seq-smoothed keypoints (`smoothed`)")
    po.add_argument("--lift", action="store_true", help="also store the lifted 3D joints (`joints3d`; needs --exercise)")
    d = sub.add_parser("demo", help="run the bundled sample through the pipeline and print the result")
    d.add_argument("--json", dest="json_out", help="also write the JSON result (file or -)")
    d.add_argument("--video", action="store_true",
                   help="run the bundled rendered video through the pose model instead of the bundled pose track")
    g = sub.add_parser("gui", help="open the desktop window")
    g.add_argument("--demo", action="store_true", help="start the live workspace on the bundled demo track")
    g.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen after the demo ran a while")
    g.add_argument("--seconds", type=float, default=4.0, help="how long the demo runs before --screenshot")
    g.add_argument("--workspace", choices=["live", "review", "analyse", "admin", "accounts", "scoring", "settings"],
                   default="live",
                   help="the workspace shown first (accounts, scoring, settings: the admin's tabs)")
    g.add_argument("--db", help="database to review (default with --demo / --screenshot: a demo database)")
    db = sub.add_parser("db", help="database commands")
    dbs = db.add_subparsers(dest="dbcmd", required=True, parser_class=_Parser)
    i = dbs.add_parser("init", help="create or migrate the database; --admin NAME creates the first admin")
    i.add_argument("--db")
    i.add_argument("--admin", metavar="NAME", help="the first admin's user name (password: DRILLSCORE_PASSWORD or asked)")
    i.add_argument("--pin", action="store_true", help="the admin's secret is a PIN (4-12 digits)")
    s = dbs.add_parser("sessions", help="list stored sessions (a trainee sees their own)")
    s.add_argument("--db")
    s.add_argument("--trainee")
    _credentials_option(s)
    t = dbs.add_parser("trainees", help="list the trainees")
    t.add_argument("--db")
    _credentials_option(t)
    u = dbs.add_parser("add-user", help="add an account (admins; its password: DRILLSCORE_NEW_PASSWORD or asked)")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=["admin", "instructor", "trainee"])
    u.add_argument("--trainee", help="the trainee a trainee account belongs to")
    u.add_argument("--pin", action="store_true", help="the new secret is a PIN (4-12 digits)")
    u.add_argument("--db")
    _credentials_option(u)
    us = dbs.add_parser("users", help="list the accounts (admins)")
    us.add_argument("--db")
    _credentials_option(us)
    pw = dbs.add_parser("passwd", help="a new password or PIN (admins: anyone's; everyone: their own; "
                                       "from DRILLSCORE_NEW_PASSWORD or asked)")
    pw.add_argument("name", help="the account")
    pw.add_argument("--pin", action="store_true", help="the new secret is a PIN (4-12 digits)")
    pw.add_argument("--db")
    _credentials_option(pw)
    di = dbs.add_parser("disable", help="stop an account from signing in (admins); --enable lets it again")
    di.add_argument("name", help="the account")
    di.add_argument("--enable", action="store_true")
    di.add_argument("--db")
    _credentials_option(di)
    c = dbs.add_parser("correct", help="overrule one rep's verdict: a new sealed record that references the old one")
    c.add_argument("session", type=int)
    c.add_argument("--rep", type=int, required=True, help="the rep number")
    c.add_argument("--verdict", required=True, choices=["counted", "refused"])
    c.add_argument("--reason", required=True, help="what the grader saw")
    c.add_argument("--db")
    _credentials_option(c)
    au = dbs.add_parser("audit", help="who wrote what, newest first (admins)")
    au.add_argument("--db")
    au.add_argument("--limit", type=int, default=50)
    _credentials_option(au)
    r = sub.add_parser("recover", help="judge and save live tests a crash cut short (or that were never saved)")
    r.add_argument("--db")
    r.add_argument("--recordings", help="the recordings folder (default: the settings', else next to the database)")
    r.add_argument("--list", action="store_true", help="only list what would be recovered")
    r.add_argument("--dismiss", metavar="FOLDER", help="do not offer this recording again (it is kept on disk)")
    r.add_argument("--trainee", help="the trainee for a recording made without one")
    _credentials_option(r)
    rp = sub.add_parser("report", help="a score report as CSV or PDF: one session, a trainee's history, a unit")
    rp.add_argument("kind", choices=["session", "trainee", "unit"])
    rp.add_argument("target", help="the session number, the trainee's name, or the unit")
    rp.add_argument("--format", choices=["csv", "pdf"], help="default: from the --out file's ending")
    rp.add_argument("--out", required=True, help="the report file to write")
    rp.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="unit: sessions on or after this day")
    rp.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="unit: sessions on or before this day")
    rp.add_argument("--scoring", help="unit: the scoring table to judge pass / fail by (default: the active one)")
    rp.add_argument("--db")
    _credentials_option(rp)
    v = sub.add_parser("verify", help="check the sealed results and their files; names every record that changed")
    v.add_argument("--db")
    return p


def _credentials_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="who is acting (default: $DRILLSCORE_USER); the password or PIN comes from "
                                  "$DRILLSCORE_PASSWORD, else it is asked")


def _secret(env: str, prompt: str, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"no password or PIN: set {env} (or run it in a terminal to be asked)")
    import getpass
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != value:
        raise UsageError("the two entries differ; run it again")
    return value


def _open(args):
    """The database of --db (or the default), as a one-line error when it cannot be used."""
    from app.storage.db import StorageError, open_db
    try:
        return open_db(args.db or default_db())
    except StorageError as e:
        raise UsageError(str(e)) from None


def _signed_in(args, db):
    """The acting user from --user / $DRILLSCORE_USER and $DRILLSCORE_PASSWORD (or asked)."""
    from app.storage.accounts import has_accounts, sign_in
    from app.storage.errors import StorageError
    if not has_accounts(db):
        raise UsageError("no accounts yet: create the admin with `drillscore db init --admin NAME` "
                         "(its password from DRILLSCORE_PASSWORD, or asked)")
    user = args.user or os.environ.get("DRILLSCORE_USER")
    if not user:
        raise UsageError("this command needs credentials: give --user NAME (or set DRILLSCORE_USER), "
                         "with the password or PIN in DRILLSCORE_PASSWORD")
    try:
        return sign_in(db, user, _secret("DRILLSCORE_PASSWORD", f"password or PIN for {user}: "))
    except StorageError as e:
        raise UsageError(str(e)) from None


def _write_json(res: dict, dest: str) -> None:
    text = json.dumps(res, indent=2)
    if dest == "-":
        print(text)
        return
    try:
        Path(dest).write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror}; choose a writable path") from None


def _write_csv(res: dict, dest: str) -> None:
    try:
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["n", "start_frame", "end_frame", "standard", "p_standard", "reasons"])
            for r in res["reps"]:
                w.writerow([r["n"], r["start_frame"], r["end_frame"], int(r["standard"]),
                            "" if r["p_standard"] is None else r["p_standard"], ";".join(r["reasons"])])
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror}; choose a writable path") from None


def _analyze(track, exercise: str, view: str, args) -> dict:
    from app.assess.engine import assess
    from app.assess.result import result_dict
    from app.assess.scoring import ScoringTableError, default_table, load_table
    from app.assess.thresholds import DEFAULTS, Thresholds
    from app.pipeline.offline import attach_probabilities

    th = DEFAULTS
    if getattr(args, "thresholds", None):
        try:
            th = Thresholds.load(args.thresholds)
        except ValueError as e:
            raise UsageError(str(e)) from None
    table = None
    sex, age = getattr(args, "sex", None), getattr(args, "age", None)
    if sex or age is not None:
        if not (sex and age is not None):
            raise UsageError("scoring needs both --sex and --age")
        try:
            table = load_table(args.scoring) if args.scoring else default_table()
        except ScoringTableError as e:
            raise UsageError(str(e)) from None
    t0 = time.perf_counter()
    a = assess(track, exercise, view, th, bar_y=getattr(args, "bar_y", None))
    timings = {"assess": round((time.perf_counter() - t0) * 1000, 1)}
    probs, note = [], None
    if not getattr(args, "no_classifier", False) and a.reps:
        from app.pipeline.offline import with_classifier
        t1 = time.perf_counter()
        a, probs, note = with_classifier(track, a, th, getattr(args, "bar_y", None), getattr(args, "models", None),
                                         getattr(args, "threads", None))
        timings["classifier"] = round((time.perf_counter() - t1) * 1000, 1)
    res = result_dict(a, table, sex, age)
    attach_probabilities(res, probs, note)
    res["timings_ms"] = timings
    return res


def _recognise(track, args) -> dict:
    """The exercise and view by the pose-attention model; UsageError when it cannot say."""
    from app.inference.exercise import ExerciseRecogniser
    from app.inference.session import ModelError
    try:
        g = ExerciseRecogniser(getattr(args, "models", None), getattr(args, "threads", None)).recognise(track)
    except (ModelError, ValueError) as e:
        raise UsageError(f"cannot recognise the exercise: {e}; name it with --exercise pushup|pullup|situp") from None
    return {"exercise": g.exercise, "view": g.view, "confidence": round(g.confidence, 3),
            "view_confidence": round(g.view_confidence, 3), "active_share": round(g.active, 3),
            "model": "pose_attention", "scores": g.scores}


def _smooth_and_lift(track, exercise: str, args) -> tuple[dict, dict]:
    """--smooth / --lift -> (arrays for the track file, notes for the result)."""
    arrays, notes = {}, {}
    if not (getattr(args, "smooth", False) or getattr(args, "lift", False)):
        return arrays, notes
    from app.inference.session import ModelError
    models, threads = getattr(args, "models", None), getattr(args, "threads", None)
    try:
        if args.smooth:
            from app.inference.smoother import Smoother
            t0 = time.perf_counter()
            arrays["smoothed"] = Smoother(models, threads).full(track)
            notes["smoother"] = {"model": "seq2seq", "mode": "full (overlapping windows averaged)",
                                 "ms": round((time.perf_counter() - t0) * 1000, 1)}
        if args.lift:
            from app.inference.lifter import Lifter3D
            t0 = time.perf_counter()
            lf = Lifter3D(exercise, folder=models, threads=threads)
            arrays["joints3d"] = lf.lift(arrays.get("smoothed", track.keypoints))
            notes["lifter"] = {"model": lf.model.path.stem, "frames": int(len(arrays["joints3d"])),
                               "units": "metres, camera axes, pelvis at the origin",
                               "ms": round((time.perf_counter() - t0) * 1000, 1)}
    except (ModelError, ValueError) as e:
        raise UsageError(f"{e}") from None
    return arrays, notes


def _add_rep_angles_3d(res: dict, joints3d) -> None:
    """Each rep gets its lifted elbow / hip / knee angle range (degrees): recorded beside the
    2D rules' measures, not yet used to judge (the lifter is trained on synthetic data only)."""
    from app.core.geometry import limb_angles_3d
    ang = limb_angles_3d(joints3d)
    for r in res["reps"]:
        s, e = r["start_frame"], r["end_frame"] + 1
        r["angles3d"] = {} if e <= s else {
            **{f"{k}_min": round(float(v[s:e].min()), 1) for k, v in ang.items()},
            **{f"{k}_max": round(float(v[s:e].max()), 1) for k, v in ang.items()}}


def _progress(label: str):
    """A one-line progress bar on stderr when it is a terminal (quiet in pipes and tests)."""
    if not sys.stderr.isatty():
        return None

    def show(i: int, n: int) -> None:
        if i == 1 or i % 10 == 0 or i == n:
            frac = i / n if n else 0.0
            sys.stderr.write(f"\r{label} [{'#' * int(frac * 30):<30}] {i}/{n or '?'} frames")
            if n and i >= n:
                sys.stderr.write("\n")
            sys.stderr.flush()
    return show


def _video_poses(args, exercise: str | None):
    """Run pose estimation + tracking on args.input; UsageError on bad video or models."""
    from app.capture.video import VideoError, frames
    from app.inference.pose import PoseEstimator
    from app.inference.session import ModelError
    from app.inference.video_pose import video_poses

    try:
        source = frames(args.input)  # a bad video is reported before the models load
        est = PoseEstimator(Path(args.models) if args.models else None, args.threads)
        return video_poses(source, est, keep_all=getattr(args, "all", False),
                           progress=_progress("pose"), exercise=exercise)
    except (VideoError, ModelError) as e:
        raise UsageError(str(e)) from None


def _video_notes(vp) -> dict:
    n = vp.subject.frames
    return {"pose_model": vp.model, "frames_without_person": vp.frames_without_person,
            "frames_with_several_people": vp.frames_with_several,
            "subject_seen_share": round(float((vp.subject.keypoints[..., 2] > 0).any(-1).mean()), 3) if n else 0.0}


def _add_video(res: dict, vp) -> dict:
    """Fill a result from a video run: its notes, the pose model, per-stage timings."""
    res["video"] = _video_notes(vp)
    res["models"]["pose"] = vp.model
    res["timings_ms"].update({k: round(v, 1) for k, v in vp.timings_ms.items()})
    return res


def cmd_pose(args) -> int:
    from app.capture.video import is_video
    from app.core.tracks import TrackFileError, write_track

    if not is_video(args.input):
        raise UsageError(f"{args.input}: not a video file name (expected .mp4, .avi, .mov, .mkv, ...)")
    if args.lift and not args.exercise:
        raise UsageError("--lift needs --exercise (the 3D lifter is trained per exercise)")
    vp = _video_poses(args, args.exercise)
    arrays, _ = _smooth_and_lift(vp.subject, args.exercise, args)
    try:
        out = write_track(args.out, vp.subject, arrays)
        extra = []
        if args.all:
            from app.core.types import PoseTrack
            stem = Path(args.out)
            for tid, kp in vp.people.items():
                extra.append(write_track(stem.with_name(f"{stem.stem}.p{tid}{stem.suffix}"),
                                         PoseTrack(kp, vp.subject.fps, vp.subject.size)))
    except (TrackFileError, OSError) as e:
        raise UsageError(f"{args.out}: cannot write the track ({e}); choose another path") from None
    notes = _video_notes(vp)
    print(f"{out}: {vp.subject.frames} frames, subject seen in {notes['subject_seen_share']:.0%}, "
          f"nobody in {vp.frames_without_person}, several people in {vp.frames_with_several} "
          f"({vp.model}, {vp.timings_ms['pose'] / max(1, vp.subject.frames):.1f} ms/frame)")
    for e in extra:
        print(f"  {e}")
    return 0


def cmd_analyze(args) -> int:
    from app.assess.result import summary_text
    from app.capture.video import is_video
    from app.core.tracks import TrackFileError, read_track

    vp = None
    if is_video(args.input):
        vp = _video_poses(args, None if args.exercise == "auto" else args.exercise)
        track = vp.subject
    else:
        try:
            track = read_track(args.input)
        except TrackFileError as e:
            raise UsageError(str(e)) from None
    if args.save and not args.trainee:
        raise UsageError("--save needs --trainee NAME")
    if args.save:  # before the long part: a wrong password is said at once
        db = _open(args)
        actor = _signed_in(args, db)
    exercise, guessed = args.exercise, None
    if exercise == "auto":
        guessed = _recognise(track, args)
        exercise = guessed["exercise"]
    arrays, extra = _smooth_and_lift(track, exercise, args)
    judged = track
    if "smoothed" in arrays:
        from app.core.types import PoseTrack
        judged = PoseTrack(arrays["smoothed"], track.fps, track.size, track.exercise, track.view)
    res = _analyze(judged, exercise, args.view, args)
    res.update(extra)
    if "joints3d" in arrays:
        _add_rep_angles_3d(res, arrays["joints3d"])
    if guessed is not None:
        res["exercise_guess"] = guessed
    if vp is not None:
        _add_video(res, vp)
    if args.track_out:
        from app.core.tracks import write_track
        try:
            write_track(args.track_out, track, arrays)
        except (TrackFileError, OSError) as e:
            raise UsageError(f"{args.track_out}: cannot write the track ({e}); choose another path") from None
    if args.save:
        from app.storage.db import StorageError, get_or_add_trainee, save_session
        try:
            tid = get_or_add_trainee(db, actor, args.trainee, args.sex)
            res["session_id"] = save_session(db, actor, tid, res, track, source=str(args.input))
        except StorageError as e:
            raise UsageError(str(e)) from None
    if args.json_out:
        _write_json(res, args.json_out)
    if args.csv_out:
        _write_csv(res, args.csv_out)
    if args.json_out != "-":
        print(summary_text(res))
        if args.save:
            print(f"saved as session {res['session_id']}")
    return 0


def cmd_demo(args) -> int:
    """The bundled pose track through the assessment; with --video, the bundled rendered clip
    through the whole video path (pose model, tracking, assessment). The track is the default
    while the CPU-trained pose model still misses most reps of the rendered clip (issue 3)."""
    from app.assess.result import summary_text
    from app.core.tracks import TrackFileError, read_track

    res = None
    if getattr(args, "video", False) and DEMO_VIDEO.exists():
        args.input, args.models, args.threads, args.all = str(DEMO_VIDEO), None, None, False
        try:
            vp = _video_poses(args, "pushup")  # models are loaded (and checked) once, here
        except UsageError as e:
            print(f"note: video path unavailable ({e}); using the bundled pose track")
        else:
            print(f"DrillScore demo: {DEMO_VIDEO.name} (a rendered synthetic push-up clip, side view)")
            print("pipeline: video -> pose model (ONNX) -> tracking -> signals -> rep state machine -> standards rules")
            res = _add_video(_analyze(vp.subject, "pushup", "auto", args), vp)
    if res is None:
        try:
            track = read_track(DEMO_TRACK)
        except TrackFileError as e:
            raise UsageError(f"the bundled demo track is unusable ({e}); reinstall drillscore") from None
        print(f"DrillScore demo: {DEMO_TRACK.name} (a synthetic push-up track, {track.frames} frames at {track.fps:g} fps)")
        print("pipeline: pose track -> signals -> rep state machine -> standards rules")
        res = _analyze(track, track.exercise or "pushup", "auto", args)
    if args.json_out:
        _write_json(res, args.json_out)
    if args.json_out != "-":
        print(summary_text(res))
    return 0


def cmd_gui(args) -> int:
    if (not args.screenshot and sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        # Qt would abort the process here (no display); say it in one line instead
        raise UsageError("no display found (DISPLAY and WAYLAND_DISPLAY are unset): run it on the desktop, "
                         "or use --screenshot OUT.png to render offscreen")
    from app.runtime import tune_malloc
    tune_malloc()  # before any thread: a long test's memory stays near its data (app/runtime.py)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        out = Path(args.screenshot)
        if not out.parent.exists():
            raise UsageError(f"{out.parent}: no such folder for the screenshot; create it or choose another path")
    try:
        from app.ui.app import run
    except ImportError as e:
        raise UsageError(f"the GUI needs PySide6 and pyqtgraph ({e}); reinstall drillscore") from None
    if not DEMO_TRACK.exists():
        raise UsageError(f"{DEMO_TRACK}: the bundled demo track is missing; reinstall drillscore")
    db_path = None
    if args.db or not (args.demo or args.screenshot):
        db_path = Path(args.db) if args.db else default_db()
        from app.storage.db import StorageError, open_db
        try:
            open_db(db_path)  # a locked or corrupt database is reported before the window opens
        except StorageError as e:
            raise UsageError(str(e)) from None
    rc = run(DEMO_TRACK, args.demo, args.screenshot, args.seconds, args.workspace, db_path)
    if args.screenshot:
        if not Path(args.screenshot).exists():
            raise UsageError(f"{args.screenshot}: the screenshot could not be written; choose a writable path")
        print(f"{args.screenshot}: the {args.workspace} workspace after {args.seconds:g} s")
    return rc


def cmd_db(args) -> int:
    from app.storage import accounts
    from app.storage.db import StorageError, list_sessions, list_trainees

    db = _open(args)
    try:
        if args.dbcmd == "init":
            if args.admin:
                who = accounts.create_first_admin(
                    db, args.admin, _secret("DRILLSCORE_PASSWORD", f"new password or PIN for {args.admin}: ", True),
                    pin=args.pin)
                print(f"admin account created: {who}")
            print(f"database ready: {args.db or default_db()}")
            return 0
        actor = _signed_in(args, db)
        if args.dbcmd == "sessions":
            rows = list_sessions(db, actor, args.trainee)
            if not rows:
                print("no sessions stored")
            for r in rows:
                note = f"  corrected by {r['corrected_by']}" if r["corrected_by"] else ""
                note += f"  corrects {r['corrects']}: {r['correction_reason']}" if r["corrects"] else ""
                print(f"{r['id']:>5}  {r['started']}  {r['trainee']:<20} {r['exercise']:<7} "
                      f"{r['count_standard']:>3}/{r['count_total']:<3} score {r['score']}{note}")
        elif args.dbcmd == "trainees":
            for t in list_trainees(db, actor, include_archived=True):
                print(f"{t['id']:>5}  {t['name']:<24} {t['sex'] or '':<7} {t['birth_year'] or '':<5} {t['unit'] or ''}"
                      f"{'  (archived)' if t['archived'] else ''}")
        elif args.dbcmd == "add-user":
            from app.storage.db import find_trainee
            tid = find_trainee(db, actor, args.trainee)["id"] if args.trainee else None
            secret = _secret("DRILLSCORE_NEW_PASSWORD", f"password or PIN for {args.name}: ", True)
            print(f"account created: {accounts.add_user(db, actor, args.name, args.role, secret, args.pin, tid)}")
        elif args.dbcmd == "users":
            for u in accounts.list_users(db, actor):
                print(f"{u['id']:>4}  {u['username']:<20} {u['role']:<10} {u['trainee'] or ''}"
                      f"{'  (disabled)' if u['disabled'] else ''}")
        elif args.dbcmd == "passwd":
            target = actor.user_id if args.name.strip().lower() == actor.username.lower() else \
                accounts.find_user(db, actor, args.name)["id"]
            secret = _secret("DRILLSCORE_NEW_PASSWORD", f"new password or PIN for {args.name}: ", True)
            accounts.set_secret(db, actor, target, secret, args.pin)
            print(f"{args.name}: new {'PIN' if args.pin else 'password'} set")
        elif args.dbcmd == "disable":
            accounts.set_disabled(db, actor, accounts.find_user(db, actor, args.name)["id"], not args.enable)
            print(f"{args.name}: {'enabled' if args.enable else 'disabled (cannot sign in)'}")
        elif args.dbcmd == "correct":
            return _correct(db, actor, args)
        elif args.dbcmd == "audit":
            from app.storage.audit import list_audit
            for r in list_audit(db, actor, args.limit):
                print(f"{r['at']}  {r['username']:<16} {r['action']:<16} {r['target']:<14} {r['detail']}")
    except StorageError as e:
        raise UsageError(str(e)) from None
    return 0


def _correct(db, actor, args) -> int:
    from app.pipeline.corrections import CorrectionError, overrule
    from app.storage.settings import config_dir
    try:
        sid, new = overrule(db, actor, args.session, args.rep, args.verdict == "counted", args.reason,
                            config_dir() / "scoring")
    except CorrectionError as e:
        raise UsageError(f"session {args.session}: {e}") from None
    print(f"session {args.session} corrected by session {sid}: rep {args.rep} {args.verdict}; "
          f"{new['count_standard']} standard of {new['count_total']}")
    return 0


def cmd_recover(args) -> int:
    from app.pipeline.recovery import RecoveryError, dismiss, find_unsaved, recover
    from app.storage.db import StorageError, find_trainee, list_sessions
    from app.storage.settings import SettingsError, load_settings
    from app.storage.writer import database_path
    db = _open(args)
    actor = _signed_in(args, db)
    try:
        settings = load_settings()
    except SettingsError as e:
        raise UsageError(str(e)) from None
    root = Path(args.recordings or settings.recordings or database_path(db).parent / "recordings")
    try:
        if args.dismiss:
            dismiss(args.dismiss, actor.username)
            print(f"{args.dismiss}: dismissed (kept on disk, not offered again)")
            return 0
        saved = {Path(r["recording"]) for r in list_sessions(db, actor) if r["recording"]}
        found = find_unsaved(root, saved)
        if not found:
            print(f"nothing to recover in {root}")
        tid = find_trainee(db, actor, args.trainee)["id"] if args.trainee else None
        for u in found:
            if args.list:
                print(f"{u.folder}: {u.describe()}")
                continue
            sid = recover(db, actor, u.folder, settings.rules(), settings.scoring_table, trainee_id=tid)
            print(f"{u.folder}: recovered as session {sid} ({u.describe()})")
    except (RecoveryError, StorageError) as e:
        raise UsageError(str(e)) from None
    return 0


def cmd_report(args) -> int:
    from app.assess.scoring import ScoringTableError, load_table
    from app.reports.files import ExportError, check_writable
    from app.reports.gather import build_report
    from app.storage.errors import StorageError
    fmt = args.format or Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("csv", "pdf"):
        raise UsageError(f"{args.out}: say --format csv or --format pdf (or end the file name in .csv / .pdf)")
    from app.ui.report_export import write_report  # Qt for the PDF only; a missing PySide6 is said below
    db = _open(args)
    actor = _signed_in(args, db)
    table = None
    try:
        if args.kind == "unit":
            from app.storage.settings import SettingsError, load_settings
            try:
                chosen = args.scoring or load_settings().scoring_table
            except SettingsError as e:
                raise UsageError(str(e)) from None
            table = load_table(chosen) if chosen else None
        check_writable(args.out)  # said before the work, not after it
        t0 = time.perf_counter()
        report = build_report(db, actor, args.kind, args.target, table, args.start, args.end)
        out = write_report(report, fmt, args.out, by=str(actor))
        from app.storage.db import record_export
        record_export(db, actor, f"{args.kind} report {args.target} ({fmt})", out)
    except (StorageError, ScoringTableError, ExportError) as e:
        raise UsageError(str(e)) from None
    print(f"{out}: {args.kind} report ({fmt}, {time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_verify(args) -> int:
    """Exit 0 when every sealed result and file is as sealed, 1 naming each that is not."""
    from app.storage.chain import ChainError
    from app.storage.db import verify_records
    db = _open(args)
    try:
        report = verify_records(db)
    except ChainError as e:
        raise UsageError(str(e)) from None
    for p in report.problems:
        print(f"FAILED {p}")
    print(f"{report.entries} sealed entries, {report.sessions} sessions: "
          + ("all as sealed" if report.ok else f"{len(report.problems)} problem(s)"))
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return {"analyze": cmd_analyze, "pose": cmd_pose, "demo": cmd_demo, "db": cmd_db,
                "gui": cmd_gui, "verify": cmd_verify, "recover": cmd_recover,
                "report": cmd_report}[args.cmd](args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
