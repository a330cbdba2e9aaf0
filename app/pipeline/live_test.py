"""A live test from the instructor's choices to a saved result, Qt-free: the window only
collects the choices (TestSetup), shows the session, and calls save / discard here.

session_factory() builds the LiveSession for a setup: the demo track replayed, a video file
or a camera through the one pose loop, the recogniser for auto, the classifier worker and the
recorder. judge_test() judges the finished test through the one judging path
(app.pipeline.judge), reusing the P(standard) the analysis worker computed while it ran;
save_test() stores and seals it; discard_test() throws the test and its recording away.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.assess.protocol import Protocol
from app.assess.thresholds import DEFAULTS, Thresholds
from app.core.judgement import Judgement
from app.core.tracks import read_track
from app.core.types import PoseTrack
from app.pipeline.judge import JudgeRequest, guess_of, judge
from app.pipeline.live import LiveSession, track_source
from app.pipeline.models import ModelBox


@dataclass(frozen=True, slots=True)
class TestSetup:
    """What the instructor chose. source: "demo", a video path or "camera:N"; exercise:
    pushup | pullup | situp | auto; time_limit in s; trainee {"id", "name"} or None;
    thresholds: the admin's rules; camera_size (w, h) or None; bar_y: the pull-up bar's image
    row (px) or None; record_under: the recordings folder (each test records into a new folder
    of its own there while it runs), or None; protocol: the test's rules
    (app.assess.protocol.Protocol), or None for every standard check."""

    source: str = "demo"
    exercise: str = "pushup"
    time_limit: float = 120.0
    trainee: dict | None = field(default=None, compare=False, hash=False)
    thresholds: Thresholds = DEFAULTS
    camera_size: tuple[int, int] | None = None
    bar_y: float | None = None
    record_under: str | None = None
    protocol: Protocol | None = None


def session_factory(demo_track: Path, realtime: bool = True, classifier: bool = True,
                    models: ModelBox | None = None) -> Callable[[TestSetup], LiveSession]:
    """-> (TestSetup) -> LiveSession (not started). realtime: a replayed demo keeps a camera's
    clock; classifier: the classifier worker alongside when its model loads. ValueError (one
    line) when the video, the camera or a needed model cannot be used."""
    track = read_track(demo_track)
    box = models or ModelBox()

    def make(setup: TestSetup | None = None) -> LiveSession:
        setup = setup or TestSetup(exercise=track.exercise or "pushup")
        exercise, source = setup.exercise or track.exercise or "pushup", setup.source or "demo"
        reopen = choice = None
        upstream: dict[str, str] = {}
        if source == "demo":
            items, fps, size, view = track_source(track), track.fps, track.size, track.view or "auto"
        else:
            info, items, reopen, choice, upstream = _pose_source(setup, box)
            fps, size, view = info.fps, info.size, "auto"

        def make_worker(ex: str, v: str):
            return _analysis_worker(box, ex, v, size) if classifier else None
        recogniser = None
        if exercise == "auto":
            from app.inference.session import ModelError
            try:
                recogniser = box.recogniser()
            except ModelError as e:
                raise ValueError(f"{e}; or pick the event instead of auto") from None
        recorder = None
        if setup.record_under:  # the test is written to disk while it runs
            from app.capture.recorder import RecordingError, SessionRecorder, new_recording_folder
            try:
                folder = new_recording_folder(setup.record_under, (setup.trainee or {}).get("name"))
                from app.pipeline.recovery import seal_recording
                recorder = SessionRecorder(folder, fps, size,
                                           {"exercise": exercise, "view": view, "source": str(source),
                                            "trainee": setup.trainee}, seal=seal_recording)
            except RecordingError as e:
                raise ValueError(str(e)) from None
        return LiveSession(items, exercise, fps, size, view, time_limit=setup.time_limit,
                           realtime=realtime and source == "demo", reopen=reopen, recogniser=recogniser,
                           classifier=None if exercise == "auto" else make_worker(exercise, view),
                           make_classifier=make_worker, recorder=recorder, thresholds=setup.thresholds,
                           choice=choice, bar_y=setup.bar_y, models=upstream, protocol=setup.protocol)
    return make


def _pose_source(setup: TestSetup, box: ModelBox):
    """A video file or a camera through the pose loop: -> (info, items, reopen, choice, {model: sha256})."""
    from app.capture.camera import CameraError, SourceLost
    from app.capture.video import VideoError
    from app.inference.session import ModelError
    from app.pipeline.live import camera_source, video_source
    from app.pipeline.subject import SubjectChoice
    choice = SubjectChoice()  # the instructor's click picks the subject among several
    reopen = None
    source = str(setup.source)
    try:
        est = box.pose()
        if getattr(est, "recurrent", False):
            est.reset()  # a new test: no memory of the last one
        if source.startswith("camera:"):
            index = int(source.split(":", 1)[1])
            info, items = camera_source(index, est, setup.camera_size, choice)

            def reopen():  # the camera plugged back in; still gone = still paused
                try:
                    return camera_source(index, est, setup.camera_size, choice)[1]
                except CameraError as e:
                    raise SourceLost(str(e)) from None
        else:
            info, items = video_source(source, est, choice)
    except (VideoError, ModelError, CameraError) as e:
        raise ValueError(str(e)) from None
    return info, items, reopen, choice, dict(est.model.fingerprint)


def _analysis_worker(box: ModelBox, exercise: str, view: str, size: tuple[int, int]):
    """The classifier (and the small 3D view's causal lifter) on their own thread; None when
    the classifier is missing: the rules alone still count and the P(standard) chart stays empty.
    An unknown view scores as side until the test settles it; Save then re-scores (judge)."""
    from app.inference.session import ModelError
    from app.pipeline.analysis import AnalysisWorker
    try:
        clf = box.classifier()
    except ModelError:
        return None
    try:
        lifter = box.lifter(causal=True)  # the small 3D view; 0.4 ms a frame
    except ModelError:
        lifter = None
    return AnalysisWorker(clf, exercise, view if view in ("front", "side") else "side", size, lifter=lifter)


def judge_test(session: LiveSession, table=None, sex: str | None = None, age: int | None = None,
               models: ModelBox | None = None) -> tuple[Judgement, PoseTrack]:
    """The finished test through the one judging path -> (judgement, the track it judged).
    The analysis worker's P(standard) is reused when it scored the judged event and view."""
    track = session.track()
    guess = guess_of(session.guess) if session.guess is not None else None
    req = JudgeRequest(exercise=session.exercise, view=session.view, thresholds=session.thresholds,
                       bar_y=session.bar_y, bar_offset=session.bar_offset, table=table, sex=sex, age=age, guess=guess, protocol=session.protocol)
    worker = session.classifier if session.classifier is not None and not session.classifier.alive else None
    return judge(track, req, models, precomputed=worker, upstream=session.models), track


def save_test(db, actor, trainee_id: int, session: LiveSession, source: str, table=None, sex: str | None = None,
              age: int | None = None) -> int:
    """Judge and store the finished test in one sealed session; -> its id. Runs where the
    writes run (the database writer's thread in the app)."""
    from app.storage.db import save_session
    judgement, track = judge_test(session, table, sex, age)
    recording = str(session.recorder.folder) if session.recorder is not None else None
    return save_session(db, actor, trainee_id, judgement, track, source=source, recording=recording)


def discard_test(session: LiveSession | None) -> None:
    """The instructor threw the test away: its recording goes with it."""
    rec = session.recorder if session is not None else None
    if rec is not None:
        shutil.rmtree(rec.folder, ignore_errors=True)
