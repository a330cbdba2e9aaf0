"""Pose training data: COCO loader on a tiny fixture, augmentation geometry, pseudo-label
agreement, the split by clip."""
import json

import cv2
import numpy as np
import pytest

from app.core.skeleton import FLIP, NUM_JOINTS, J
from training.data import augment
from training.data.coco import CocoError, load_coco
from training.data.pose_frames import agreed_labels, is_validation


def _kp(x0, y0):
    k = []
    for j in range(NUM_JOINTS):
        k += [x0 + 3 * j, y0 + 5 * j, 2 if j != J.L_ANKLE else 0]
    return k


@pytest.fixture
def coco(tmp_path):
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        cv2.imwrite(str(tmp_path / name), np.full((120, 160, 3), 60, np.uint8))
    data = {"images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "b.jpg"},
                       {"id": 3, "file_name": "c.jpg"}],
            "annotations": [{"id": 10, "image_id": 1, "keypoints": _kp(10, 5), "num_keypoints": 16, "iscrowd": 0},
                            {"id": 11, "image_id": 1, "keypoints": _kp(90, 8), "num_keypoints": 16, "iscrowd": 0},
                            {"id": 12, "image_id": 2, "keypoints": _kp(20, 5), "num_keypoints": 16, "iscrowd": 0},
                            {"id": 13, "image_id": 2, "keypoints": [0] * 51, "num_keypoints": 0, "iscrowd": 1},
                            {"id": 14, "image_id": 3, "keypoints": _kp(30, 5), "num_keypoints": 16, "iscrowd": 0}]}
    p = tmp_path / "person_keypoints.json"
    p.write_text(json.dumps(data))
    return p, tmp_path


def test_coco_loader_reads_people_and_skips_crowds(coco):
    ann, root = coco
    items = load_coco(ann, root)
    assert [i.path.name for i in items] == ["a.jpg", "c.jpg"]  # b has a crowd region
    assert items[0].people.shape == (2, NUM_JOINTS, 3)
    assert items[0].people[0, J.L_ANKLE, 2] == 0 and items[0].people[0, J.NOSE, 2] == 1
    assert items[0].people[1, J.L_SHOULDER, 0] == 90 + 3 * J.L_SHOULDER


def test_coco_dataset_item_shapes(coco):
    torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")
    from training.data.pose_dataset import CocoFrames
    ds = CocoFrames(load_coco(*coco), size=64, augment_strength=1.0)
    img, heat, paf, _hw, _pw = ds[0]
    assert img.shape == (1, 3, 64, 64) and heat.shape == (1, 18, 8, 8) and paf.shape == (1, 36, 8, 8)
    assert img.dtype == torch.float32 and 0 <= float(img.min()) and float(img.max()) <= 1


def test_bad_coco_files_are_named(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{}")
    with pytest.raises(CocoError, match="not COCO keypoints"):
        load_coco(p, tmp_path)
    p.write_text(json.dumps({"images": [], "annotations": [{"id": 1, "image_id": 5, "keypoints": []}]}))
    with pytest.raises(CocoError, match="unknown image 5"):
        load_coco(p, tmp_path)


def test_flip_swaps_left_and_right_and_mirrors():
    img = np.zeros((100, 100, 3), np.uint8)
    j = np.zeros((NUM_JOINTS, 3), np.float32)
    j[:, 2] = 1
    j[J.L_WRIST, :2] = (20, 50)
    j[J.R_WRIST, :2] = (80, 50)
    _, out = augment.apply(img, j, 100, augment.Aug(flip=True))
    # the image is mirrored, so the joint labelled left now sits where the right one was
    assert abs(out[J.L_WRIST, 0] - (99 - 80)) < 1e-3 and abs(out[J.R_WRIST, 0] - (99 - 20)) < 1e-3
    assert FLIP[J.L_WRIST] == J.R_WRIST


def test_rotation_moves_image_and_joints_together():
    img = np.zeros((64, 64, 3), np.uint8)
    cv2.circle(img, (48, 32), 3, (255, 255, 255), -1)
    j = np.zeros((NUM_JOINTS, 3), np.float32)
    j[:, :2] = (48, 32)
    j[:, 2] = 1
    out, jj = augment.apply(img, j, 64, augment.Aug(angle=90, scale=1.0))
    ys, xs = np.nonzero(out[..., 0] > 128)
    assert abs(xs.mean() - jj[0, 0]) <= 1 and abs(ys.mean() - jj[0, 1]) <= 1  # the disc's centre
    assert abs(jj[0, 0] - 32) <= 1 and abs(jj[0, 1] - 16) <= 1  # 90 deg anticlockwise about the centre


def test_joints_pushed_out_of_the_input_are_not_visible():
    j = np.full((NUM_JOINTS, 3), 1.0, np.float32)
    j[:, :2] = (5, 5)
    out = augment.apply_joints(j, (100, 100), 100, augment.Aug(scale=1.0, shift=(-0.3, 0.0)))
    assert (out[:, 2] == 0).all()


def test_agreement_keeps_only_joints_both_teachers_place_together():
    T = 3
    mv = np.zeros((T, NUM_JOINTS, 3), np.float32)
    mv[..., 0] = np.linspace(100, 300, NUM_JOINTS)
    mv[..., 1] = np.linspace(50, 250, NUM_JOINTS)
    mv[..., 2] = 0.9
    mp = np.full((T, 33, 4), np.nan, np.float16)
    from app.core.skeleton import MEDIAPIPE33_TO_COCO17
    for c, m in enumerate(MEDIAPIPE33_TO_COCO17):
        mp[:, m, :2] = mv[:, c, :2] + 2.0
        mp[:, m, 3] = 0.9
    mp[:, MEDIAPIPE33_TO_COCO17[J.L_KNEE], 0] += 80  # MediaPipe disagrees on the left knee
    lab = agreed_labels(mv, mp)
    assert lab[0, J.L_KNEE, 2] == 0 and lab[0, J.NOSE, 2] == 1
    assert abs(lab[0, J.NOSE, 0] - (mv[0, J.NOSE, 0] + 1.0)) < 0.1  # the mean of the two


def test_split_is_by_clip_and_stable():
    names = [f"clip{i}" for i in range(400)]
    val = [n for n in names if is_validation(n)]
    assert 0.08 < len(val) / len(names) < 0.25
    assert val == [n for n in names if is_validation(n)]


def test_rendered_frames_draw_the_body_where_the_labels_are(tmp_path):
    from training.data.pose_frames import decode, load_cached
    from training.data.synth_frames import build_synth_cache
    names = build_synth_cache(tmp_path, 3, seed=5, frames=4)
    again = build_synth_cache(tmp_path, 3, seed=5, frames=4)  # cached: same names, nothing redrawn
    assert names == again
    for n in names:
        fs = load_cached(tmp_path, n)
        assert len(fs.images) == 4 and fs.joints.shape == (4, NUM_JOINTS, 3)
        img = decode(fs.images[0]).astype(int)
        k = fs.joints[0]
        inside = k[:, 2] > 0
        assert inside.sum() >= 10
        # the body differs from the plain background: compare joint pixels with the image corners
        corner = np.median(np.stack([img[2, 2], img[2, -3], img[-3, 2], img[-3, -3]]), axis=0)
        diff = [np.abs(img[int(y), int(x)] - corner).sum() for x, y in k[inside, :2]]
        assert np.median(diff) > 30


def test_render_is_deterministic():
    from training.synth import make_clip
    from training.synth.render import render_clip
    c = make_clip(3, "situp", "side", noise=0.0)
    a, ka = render_clip(c, np.random.default_rng(1), max_frames=2)
    b, kb = render_clip(c, np.random.default_rng(1), max_frames=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(ka, kb)


def test_flip_swaps_the_label_mask_with_the_labels():
    pytest.importorskip("torch", reason="the train extra (torch) is not installed")
    from training.data.pose_dataset import known_after
    j = np.ones((NUM_JOINTS, 3), np.float32)
    j[J.L_KNEE, 2] = 0  # only the right knee was labelled
    assert not known_after(j, augment.Aug())[J.L_KNEE]
    flipped = known_after(j, augment.Aug(flip=True))
    assert flipped[J.L_KNEE] and not flipped[J.R_KNEE]  # the right knee's label now sits in the left channel
