"""The overlay: the event's joint angles, the 3D view's projection, choosing the subject by a
click among several people, and the pull-up bar line drawn once and used by the rules."""
import numpy as np
import pytest

from app.capture.video import VideoInfo
from app.core.overlay import event_angles, project_oblique
from app.core.skeleton import Joint as J


def test_event_angles_show_the_graders_joints_when_seen():
    k = np.zeros((17, 3), np.float32)
    k[J.L_SHOULDER] = (100, 100, 1)
    k[J.L_ELBOW] = (100, 200, 1)
    k[J.L_WRIST] = (200, 200, 1)  # a right angle at the left elbow
    got = event_angles(k, "pushup")
    assert got == [(int(J.L_ELBOW), "elbow", pytest.approx(90.0))]  # the hips and the right arm unseen
    assert [(j, lab) for j, lab, _ in event_angles(k, "pullup")] == [(int(J.L_ELBOW), "elbow")]
    assert event_angles(k, "situp") == [] and event_angles(k, "auto") == []
    k[J.R_SHOULDER], k[J.R_ELBOW], k[J.R_WRIST] = (105, 100, 0.9), (105, 205, 0.9), (205, 205, 0.9)
    assert [j for j, _l, _d in event_angles(k, "pushup")] == [int(J.L_ELBOW)]  # one behind the other: the surer
    k[[J.R_SHOULDER, J.R_ELBOW, J.R_WRIST], 0] += 300  # far apart (a front view): both shown
    assert sorted(j for j, _l, _d in event_angles(k, "pushup")) == [int(J.L_ELBOW), int(J.R_ELBOW)]
    k[J.L_WRIST, 2] = 0.1  # too unsure to show
    assert [j for j, _l, _d in event_angles(k, "pushup")] == [int(J.R_ELBOW)]


def test_oblique_projection_turns_depth_into_the_picture():
    j = np.zeros((17, 3), np.float32)
    j[1] = (0.0, -0.5, 0.0)
    j[2] = (0.0, 0.0, 0.4)  # straight away from the camera: invisible in 2D
    flat = project_oblique(j, 0, 0)
    assert np.allclose(flat, j[:, :2])
    turned = project_oblique(j, 35, 15)
    assert abs(turned[2, 0]) > 0.2 and np.allclose(np.linalg.norm(turned[1]), 0.5, atol=0.02)


class TwoPeople:
    """A pose model that sees two people: a synthetic push-up clip and the same moved 300 px right."""

    name, recurrent = "two", False

    def __init__(self, kpts):
        self.a = kpts
        self.b = kpts.copy()
        self.b[..., 0] += 300
        self.i = 0

    def __call__(self, _image):
        i = min(self.i, len(self.a) - 1)
        self.i += 1
        return [self.a[i].copy(), self.b[i].copy()]

    def reset(self):
        pass


def test_a_click_on_the_other_person_makes_them_the_subject(qtbot):
    from app.pipeline.live import LiveSession, pose_items
    from app.pipeline.subject import SubjectChoice
    from app.ui.live_workspace import LiveWorkspace
    from training.synth import make_clip
    c = make_clip(10_040, "pushup", "side", n_reps=3, fault_rate=0.0)
    k = c.keypoints.copy()
    k[..., 0] = k[..., 0] * 0.5 + 20  # room on the right for the second person
    est = TwoPeople(k)
    choice = SubjectChoice()
    size = (960, 480)

    def make(_settings):
        images = ((i, np.zeros((size[1], size[0], 3), np.uint8)) for i in range(len(k)))
        _info, items = pose_items(VideoInfo(None, c.fps, size, len(k)), images, est, choice)
        return LiveSession(items, "pushup", c.fps, size, "side", realtime=True, choice=choice)
    w = LiveWorkspace(make, "two people")
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.hint.isVisible(), timeout=10_000)  # two people: the hint says click one
    n = len(w.session.track().keypoints)
    first = w.session.track().keypoints[-1]
    scored_b = abs(first[J.NOSE, 0] - est.b[n - 1, J.NOSE, 0]) < 1
    assert scored_b or abs(first[J.NOSE, 0] - est.a[n - 1, J.NOSE, 0]) < 1  # one of the two is scored
    other = est.a if scored_b else est.b
    s, ox, oy = w.view._fit()
    i = min(est.i, len(k) - 1)
    x, y = other[i, J.L_HIP, 0], other[i, J.L_HIP, 1]
    from PySide6.QtCore import QPoint, Qt
    qtbot.mouseClick(w.view, Qt.MouseButton.LeftButton, pos=QPoint(int(ox + x * s), int(oy + y * s)))
    qtbot.waitUntil(lambda: choice.choices == 1, timeout=5_000)
    qtbot.wait(200)
    n = len(w.session.track().keypoints)
    last = w.session.track().keypoints[-1]
    assert abs(last[J.NOSE, 0] - other[n - 1, J.NOSE, 0]) < 1 and "subject chosen" in w.verdict.text()
    w.shutdown()


def test_the_bar_line_drawn_once_is_what_the_chin_must_clear(qtbot):
    from app.assess.engine import assess
    from app.core.types import PoseTrack
    from app.pipeline.live import LiveSession, track_source
    from app.ui.live_workspace import LiveWorkspace
    from training.synth import make_clip
    c = make_clip(10_041, "pullup", "side", n_reps=4, fault_rate=0.0)
    track = PoseTrack(c.keypoints, c.fps, c.size)
    ref = assess(track, "pullup", "side")
    assert ref.count_standard > 0

    def make(setup):
        return LiveSession(track_source(track), setup.exercise, track.fps, track.size, "side",
                           realtime=False, bar_y=setup.bar_y)
    w = LiveWorkspace(make, "pull-ups")
    qtbot.addWidget(w)
    w.event_box.setCurrentText("pullup")
    w.draw_bar()
    w.view.clicked.emit(100.0, 2.0)  # a bar at the top of the picture: no chin clears it
    assert w.bar_y == 2.0 and w.settings().bar_y == 2.0 and "bar line set" in w.verdict.text()
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    a = w.assessment
    assert a.count_total == ref.count_total and a.count_standard == 0
    assert all("chin_below_bar" in r.reasons for r in a.reps)
    assert w.view.bar_y == 2.0
    w.event_box.setCurrentText("pushup")
    assert w.settings().bar_y is None  # the bar only for pull-ups
    w.shutdown()


def test_the_live_demo_shows_the_lifted_pose_in_the_3d_view(qtbot):
    from conftest import DEMO_TRACK

    from app.pipeline.live_test import session_factory
    from app.ui.live_workspace import LiveWorkspace
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False), "demo")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    w.refresh()
    j = w.view3d.joints
    assert j is not None and j.shape == (17, 3) and np.isfinite(j).all()
    assert 0.5 < float(np.ptp(j[:, :2], axis=0).max()) < 3.0  # a body's size in metres
    w.shutdown()


def test_angle_labels_that_would_overlap_are_stacked():
    """On a small view the elbow's and the hip's labels landed on one another ("157°166°")."""
    from PySide6.QtCore import QRectF

    from app.ui.skeleton_view import separate
    a, b, c = QRectF(10, 10, 30, 12), QRectF(20, 14, 30, 12), QRectF(200, 10, 30, 12)
    out = separate([a, b, c])
    assert out[0] == a and out[2] == c  # the first and a far one stay where they were
    assert out[1].left() == b.left() and not out[1].intersects(out[0]) and out[1].top() >= a.bottom()
    same = separate([QRectF(a), QRectF(a), QRectF(a)])
    assert all(not x.intersects(y) for i, x in enumerate(same) for y in same[i + 1:])
