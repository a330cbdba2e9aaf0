"""The subject crop: upright whatever the body's direction, holding the whole person, and an
exact round trip between frame and crop pixels."""
import math

import numpy as np
import pytest

from app.core.subject_crop import MIN_TORSOS, SubjectCrop, blend, body_angle, crop_of


def _body(shoulder, hip, extra=()):
    """17 joints: shoulders around `shoulder`, hips around `hip`, the head beyond the shoulders,
    knees and ankles beyond the hips, more joints from `extra` ((index, x, y), ...)."""
    k = np.zeros((17, 3), np.float32)
    s, h = np.array(shoulder, np.float32), np.array(hip, np.float32)
    axis = s - h
    normal = np.array([-axis[1], axis[0]]) * 0.15
    k[5, :2], k[6, :2] = s + normal, s - normal
    k[11, :2], k[12, :2] = h + normal, h - normal
    k[0, :2] = s + 0.35 * axis
    k[13, :2], k[14, :2] = h - 0.9 * axis + normal, h - 0.9 * axis - normal
    k[15, :2], k[16, :2] = h - 1.8 * axis + normal, h - 1.8 * axis - normal
    for j, x, y in extra:
        k[j, :2] = (x, y)
    k[[0, 5, 6, 11, 12, 13, 14, 15, 16], 2] = 0.9
    for j, _, _ in extra:
        k[j, 2] = 0.9
    return k


@pytest.mark.parametrize("shoulder,hip", [((400, 300), (550, 310)),   # push-up, head left
                                          ((550, 300), (400, 310)),   # push-up, head right
                                          ((300, 100), (300, 250)),   # hanging, upright
                                          ((200, 400), (330, 420)),   # lying sit-up
                                          ((100, 500), (100, 350))])  # upside down
def test_the_body_axis_points_up_in_the_crop(shoulder, hip):
    k = _body(shoulder, hip)
    crop = crop_of(k)
    c = crop.to_crop(k, 160)
    up = c[[5, 6], :2].mean(0) - c[[11, 12], :2].mean(0)
    assert up[1] < 0 and abs(up[0]) < 1e-3 * abs(up[1])  # shoulders straight above the hips
    assert body_angle(k) == pytest.approx(crop.angle)


def test_the_crop_holds_every_joint_with_a_margin_and_raised_arms_it_did_not_see():
    k = _body((400, 300), (550, 300), extra=[(9, 300, 300), (10, 300, 305)])  # arms reaching forward
    crop = crop_of(k)
    c = crop.to_crop(k, 160)
    seen = k[:, 2] > 0
    assert (c[seen, :2] > 5).all() and (c[seen, :2] < 155).all()
    torso = 150.0
    assert crop.side >= MIN_TORSOS * torso - 1e-6
    legs_only = k.copy()
    legs_only[[0, 9, 10], 2] = 0  # a read that lost the head and arms: still a crop for a whole body
    assert crop_of(legs_only).side >= MIN_TORSOS * torso - 1e-6


def test_frame_to_crop_and_back_is_exact():
    rng = np.random.default_rng(0)
    for _ in range(20):
        crop = SubjectCrop(*rng.uniform(0, 1000, 2), rng.uniform(20, 900), rng.uniform(-math.pi, math.pi))
        pts = np.concatenate([rng.uniform(-100, 1100, (17, 2)), rng.uniform(0, 1, (17, 1))], 1)
        back = crop.to_image(crop.to_crop(pts, 192), 192)
        assert np.abs(back - pts).max() < 1e-6
        assert np.allclose(crop.to_crop(np.array([[crop.cx, crop.cy, 1.0]]), 192)[0, :2], 96)


def test_too_few_joints_give_no_crop_and_no_axis_gives_an_upright_one():
    k = np.zeros((17, 3), np.float32)
    assert crop_of(k) is None
    k[[0, 9, 10], :] = [[10, 10, 0.9], [30, 40, 0.9], [50, 60, 0.9]]
    assert body_angle(k) is None and crop_of(k).angle == 0.0


def test_blending_turns_the_short_way_round():
    a = SubjectCrop(0, 0, 100, math.radians(170))
    b = SubjectCrop(10, 0, 200, math.radians(-170))
    m = blend(a, b, 0.5)
    assert math.degrees(m.angle) == pytest.approx(180.0)
    assert (m.cx, m.side) == (5.0, 150.0)
