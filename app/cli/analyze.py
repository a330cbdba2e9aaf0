"""`drillscore analyze`, `demo` and `pose`: a video or pose track through the one pose loop
and the one judging use case (app.pipeline.judge); what they print is the Judgement's."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from app.cli.common import UsageError, open_database, progress, signed_in, write_json
from app.core.judgement import Judgement
from app.core.judgement_json import to_dict
from app.paths import demo_track, demo_video


def summary_text(j: Judgement, pass_mark: float | None = None) -> str:
    """Human-readable lines for the terminal; pass_mark: the scoring table's points that pass
    this event (said beside the points)."""
    from app.assess.rules import REASON_TEXT
    lines = []
    if j.guess is not None:
        g = j.guess
        lines.append(f"recognised: {g.exercise} ({g.confidence:.0%} sure), {g.view} view ({g.view_confidence:.0%})")
    lines += [f"{j.exercise} ({j.view} view), {j.duration_s:.1f} s, {j.frames} frames"
              + (f", rules: {j.protocol}" if j.protocol else ""),
              f"standard reps: {j.count_standard}   total reps: {j.count_total}"]
    for r in j.reps:
        verdict = "counted" if r.standard else "NOT counted: " + "; ".join(REASON_TEXT.get(x, x) for x in r.reasons)
        p = "" if r.p_standard is None else f"  P(standard) {r.p_standard:.2f}"
        lines.append(f"  rep {r.n:>2}  frames {r.start:>5}-{r.end:<5} {verdict}{p}")
    if j.unmeasured:
        lines.append("could not check (joints not seen): " + ", ".join(j.unmeasured))
    lines += [f"note: {w}" for w in (j.notes.get("visibility") or {}).get("warnings", [])]
    if j.score is not None:
        s = j.score
        if s.points is None:
            lines.append(f"score: {s.note}")
        else:
            verdict = "" if pass_mark is None else \
                f", {'passed' if s.points >= pass_mark else 'not passed'} (pass mark {pass_mark:g})"
            lines.append(f"score: {s.points} points{verdict} ({s.table})")
    return "\n".join(lines)


def _write_csv(j: Judgement, dest: str) -> None:
    try:
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["n", "start_frame", "end_frame", "standard", "p_standard", "reasons"])
            for r in j.reps:
                w.writerow([r.n, r.start, r.end, int(r.standard), "" if r.p_standard is None else r.p_standard,
                            ";".join(r.reasons)])
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror}; choose a writable path") from None


def _request(args, exercise: str):
    """The JudgeRequest of the command line's options; UsageError for unusable ones."""
    from app.assess.scoring import ScoringTableError, default_table, load_table
    from app.assess.thresholds import DEFAULTS, Thresholds
    from app.pipeline.judge import JudgeRequest
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
    from app.assess.protocol import ProtocolError, find_protocol
    try:
        protocol = find_protocol(getattr(args, "protocol", None))
    except ProtocolError as e:
        raise UsageError(str(e)) from None
    return JudgeRequest(exercise=exercise, view=getattr(args, "view", "auto"), thresholds=th, protocol=protocol,
                        bar_y=getattr(args, "bar_y", None), table=table, sex=sex, age=age,
                        classifier=not getattr(args, "no_classifier", False),
                        smooth=getattr(args, "smooth", False), lift=getattr(args, "lift", False))


def _judge(track, request, box, vp=None) -> Judgement:
    from app.pipeline.judge import JudgeError, judge
    if vp is not None and vp.bar_offset is not None:
        from dataclasses import replace
        request = replace(request, bar_offset=vp.bar_offset)
    try:
        j = judge(track, request, box, upstream=vp.models if vp is not None else None)
    except JudgeError as e:
        raise UsageError(str(e)) from None
    if vp is not None:
        j = j.with_notes(video=vp.notes()).with_timings(**vp.timings_ms)
    return j


def _video_poses(path, box, exercise: str | None, keep_all: bool = False):
    """The one pose loop over a video file; UsageError on a bad video or pose model."""
    from app.capture.video import VideoError, frames
    from app.inference.session import ModelError
    from app.pipeline.pose_loop import video_poses
    try:
        source = frames(path)  # a bad video is reported before the models load
        est = box.pose()
        if getattr(est, "fallback_reason", None):  # a missing or weaker crop model: said, not hidden
            print(f"note: {est.fallback_reason}", file=sys.stderr)
        if keep_all and hasattr(est, "detect_every"):
            est.detect_every = 1  # everyone on every frame, not only on the crop path's detection frames
        return video_poses(source, est, keep_all=keep_all, progress=progress("pose"), exercise=exercise)
    except (VideoError, ModelError) as e:
        raise UsageError(str(e)) from None


def _models(args):
    from app.pipeline.models import ModelBox
    return ModelBox(getattr(args, "models", None), getattr(args, "threads", None))


def cmd_analyze(args) -> int:
    from app.capture.video import is_video
    from app.core.tracks import TrackFileError, read_track, write_track

    box, vp = _models(args), None
    if is_video(args.input):
        vp = _video_poses(args.input, box, None if args.exercise == "auto" else args.exercise)
        track = vp.subject
    else:
        try:
            track = read_track(args.input)
        except TrackFileError as e:
            raise UsageError(str(e)) from None
    if args.save and not args.trainee:
        raise UsageError("--save needs --trainee NAME")
    if args.save:  # before the long part: a wrong password is said at once
        db = open_database(args)
        actor = signed_in(args, db)
    from app.pipeline.input_check import check_input
    check = check_input(track, vp.promised_frames if vp is not None else 0)
    if args.save and check.fatal:
        raise UsageError(f"{args.input}: nothing saved: {'; '.join(check.fatal)}")
    if args.save and check.partial and not args.accept_partial:
        raise UsageError(f"{args.input}: nothing saved: {'; '.join(check.partial)}; analyse the whole file, or "
                         "save this part knowingly with --accept-partial")
    request = _request(args, args.exercise)
    j = _judge(track, request, box, vp)
    if check.partial:  # kept with the result: whoever reads it later sees it was knowingly partial
        j = j.with_notes(input_problems=list(check.partial))
    if args.track_out:
        try:
            write_track(args.track_out, track, j.arrays)
        except (TrackFileError, OSError) as e:
            raise UsageError(f"{args.track_out}: cannot write the track ({e}); choose another path") from None
    out = to_dict(j)
    if args.save:
        from app.storage.db import StorageError, get_or_add_trainee, save_session
        try:
            tid = get_or_add_trainee(db, actor, args.trainee, args.sex)
            out["session_id"] = save_session(db, actor, tid, j, track, source=str(args.input))
        except StorageError as e:
            raise UsageError(str(e)) from None
    if args.json_out:
        write_json(out, args.json_out)
    if args.csv_out:
        _write_csv(j, args.csv_out)
    for problem in (*check.fatal, *check.partial):
        print(f"warning: {problem}", file=sys.stderr)
    if args.json_out != "-":
        print(summary_text(j, request.table.pass_for(j.exercise) if request.table else None))
        if args.save:
            print(f"saved as session {out['session_id']}")
    return 0


def cmd_demo(args) -> int:
    """The bundled rendered clip through the whole video path (pose model, tracking,
    judging): the product as it runs. --track: the bundled pose track through the judge only
    (also the fallback when the video path is unavailable)."""
    from app.core.tracks import TrackFileError, read_track

    box, j = _models(args), None
    if not getattr(args, "track", False) and demo_video().exists():
        try:
            vp = _video_poses(demo_video(), box, "pushup")  # models are loaded (and checked) once, here
        except UsageError as e:
            print(f"note: video path unavailable ({e}); using the bundled pose track")
        else:
            print(f"DrillScore demo: {demo_video().name} (a rendered synthetic push-up clip, side view)")
            print("pipeline: video -> pose model (ONNX) -> tracking -> signals -> rep state machine -> standards rules")
            j = _judge(vp.subject, _request(args, "pushup"), box, vp)
    if j is None:
        try:
            track = read_track(demo_track())
        except TrackFileError as e:
            raise UsageError(f"the bundled demo track is unusable ({e}); reinstall drillscore") from None
        print(f"DrillScore demo: {demo_track().name} (a synthetic push-up track, {track.frames} frames at "
              f"{track.fps:g} fps)")
        print("pipeline: pose track -> signals -> rep state machine -> standards rules")
        j = _judge(track, _request(args, track.exercise or "pushup"), box)
    if args.json_out:
        write_json(to_dict(j), args.json_out)
    if args.json_out != "-":
        print(summary_text(j))
    return 0


def cmd_pose(args) -> int:
    from app.capture.video import is_video
    from app.core.tracks import TrackFileError, write_track
    from app.core.types import PoseTrack
    from app.pipeline.judge import JudgeError, lift_track, smooth_track

    if not is_video(args.input):
        raise UsageError(f"{args.input}: not a video file name (expected .mp4, .avi, .mov, .mkv, ...)")
    if args.lift and not args.exercise:
        raise UsageError("--lift needs --exercise (the 3D lifter is trained per exercise)")
    box = _models(args)
    vp = _video_poses(args.input, box, args.exercise, keep_all=args.all)
    arrays = {}
    try:
        if args.smooth:
            arrays["smoothed"] = smooth_track(vp.subject, box)[0]
        if args.lift:
            arrays["joints3d"] = lift_track(arrays.get("smoothed", vp.subject.keypoints), args.exercise, box)[0]
    except JudgeError as e:
        raise UsageError(str(e)) from None
    try:
        out = write_track(args.out, vp.subject, arrays)
        extra = []
        if args.all:
            stem = Path(args.out)
            for tid, kp in vp.people.items():
                extra.append(write_track(stem.with_name(f"{stem.stem}.p{tid}{stem.suffix}"),
                                         PoseTrack(kp, vp.subject.fps, vp.subject.size)))
    except (TrackFileError, OSError) as e:
        raise UsageError(f"{args.out}: cannot write the track ({e}); choose another path") from None
    notes = vp.notes()
    print(f"{out}: {vp.subject.frames} frames, subject seen in {notes['subject_seen_share']:.0%}, "
          f"nobody in {vp.frames_without_person}, several people in {vp.frames_with_several} "
          f"({vp.model}, {vp.timings_ms['pose'] / max(1, vp.subject.frames):.1f} ms/frame)")
    for e in extra:
        print(f"  {e}")
    return 0
