"""A video padded with black bars is read on its picture only, joints in whole-frame pixels."""
import cv2
import numpy as np

from app.capture.video import frames
from app.paths import demo_video
from app.pipeline.models import ModelBox
from app.pipeline.pose_loop import pose_steps, video_poses

PAD = 300  # px of black each side: the 480x270 demo inside a 1080x270 frame


def _padded(tmp_path, n=90):
    info, it = frames(demo_video())
    path = tmp_path / "padded.avi"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), info.fps, (480 + 2 * PAD, 270))
    for i, img in zip(range(n), it):
        out.write(cv2.copyMakeBorder(img, 0, 0, PAD, PAD, cv2.BORDER_CONSTANT, value=(0, 0, 0)))
    out.release()
    return path


class _Seen:
    """Wraps the pose model: remembers the shape of every image it was shown."""

    def __init__(self, est):
        self.est, self.shapes = est, []

    def __call__(self, img):
        self.shapes.append(img.shape[:2])
        return self.est(img)

    def __getattr__(self, name):  # follow, reset, recurrent, name...: the pose loop's calls reach the model
        return getattr(self.est, name)


def test_the_pose_model_reads_the_picture_inside_the_bars(tmp_path):
    est = _Seen(ModelBox().pose())
    padded = video_poses(_padded(tmp_path), est).subject.keypoints
    # the picture only, from the first frame on (JPEG blocks bleed a few pixels into the bars)
    assert len(est.shapes) == 90 and all(h == 270 and abs(w - 480) <= 16 for h, w in est.shapes)
    est.est.reset()
    info0, it = frames(demo_video())
    plain = video_poses((info0, (img for _, img in zip(range(90), it))), est.est).subject.keypoints
    both = (padded[..., 2] > 0.3) & (plain[..., 2] > 0.3)
    assert both.mean() > 0.5  # the person is found in the padded video as in the plain one
    err = np.linalg.norm(padded[..., :2] - plain[..., :2] - (PAD, 0), axis=-1)[both]
    assert np.median(err) < 3.0, np.median(err)  # whole-frame pixels, shifted back by the bar


class _Records:
    """A fake pose model: one person whose nose is at the middle of what it is shown."""

    def __init__(self):
        self.shapes = []

    def __call__(self, img):
        self.shapes.append(img.shape)
        k = np.zeros((17, 3), np.float32)
        k[0] = (img.shape[1] / 2, img.shape[0] / 2, 0.9)
        return [k]


class _Window:
    """A padding watch that always answers the same window."""

    def window(self, index, image):
        return 150, 0, 250, 100


def test_the_window_is_what_the_model_sees_and_joints_come_back_shifted():
    est = _Records()
    img = np.zeros((100, 400, 3), np.uint8)
    steps = list(pose_steps(enumerate([img, img]), est, (400, 100), padding=_Window()))
    assert est.shapes == [(100, 100, 3)] * 2
    assert tuple(steps[0].subject[0]) == (200.0, 50.0, np.float32(0.9))
    assert steps[0].subject[1, 2] == 0 and tuple(steps[0].subject[1, :2]) == (0.0, 0.0)  # unseen stays (0, 0)
