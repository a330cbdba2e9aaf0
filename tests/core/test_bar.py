"""The pull-up bar from the image: found where it is drawn, nothing where none is."""
import numpy as np

from app.core.bar import MIN_FRAMES, BarWatch, bar_offset, sight_bar
from app.core.skeleton import NUM_JOINTS


def _hang(wrist_y: float = 110.0, wrists=(250.0, 390.0), torso: float = 100.0) -> np.ndarray:
    """A front-view hang: wrists level and apart, shoulders 60 px below them, hips a torso lower."""
    k = np.zeros((NUM_JOINTS, 3), np.float32)
    sy = wrist_y + 60
    pts = {0: (320, sy - 25), 5: (280, sy), 6: (360, sy), 7: (262, sy - 30), 8: (378, sy - 30),
           9: (wrists[0], wrist_y), 10: (wrists[1], wrist_y), 11: (295, sy + torso), 12: (345, sy + torso),
           13: (295, sy + torso + 60), 14: (345, sy + torso + 60)}
    for j, (x, y) in pts.items():
        k[j] = (x, y, 0.9)
    return k


def _image(bar_row: int | None, seed: int = 0, thick: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(150, 12, (480, 640)), 0, 255)
    img += np.linspace(-20, 20, 480)[:, None]  # light falls off down the picture
    if bar_row is not None:
        img[bar_row - thick // 2:bar_row + thick // 2 + 1, 40:600] = 60
    img[150:400, 270:370] = 100  # the body, under the bar
    return np.repeat(img.astype(np.uint8)[..., None], 3, axis=2)


def test_the_bar_is_found_above_the_wrists():
    k = _hang()
    for bar_row, expected in ((100, 0.10), (110, 0.0), (85, 0.25)):
        s = sight_bar(_image(bar_row), k)
        assert s is not None, bar_row
        assert abs(s.offset - expected) < 0.03, (bar_row, s)


def test_no_bar_no_sighting():
    assert sight_bar(_image(None), _hang()) is None


def test_nothing_is_measured_from_the_side_or_off_the_bar():
    side = _hang(wrists=(318.0, 322.0))      # the hands one behind the other: the bar is end-on
    assert sight_bar(_image(100), side) is None
    down = _hang()
    down[9:11, 1] = 300                      # hands below the shoulders: not hanging
    assert sight_bar(_image(100), down) is None


def test_a_clip_needs_several_sightings_and_a_plausible_bar():
    k = _hang()
    watch = BarWatch(every=1)
    for i in range(MIN_FRAMES - 1):
        watch.see(i, _image(100, seed=i), k)
    assert watch.offset is None
    watch.see(MIN_FRAMES, _image(100, seed=9), k)
    assert abs(watch.offset - 0.10) < 0.03
    far = [s for s in (sight_bar(_image(66, seed=i), k) for i in range(4)) if s is not None]
    assert len(far) == 4 and all(s.offset > 0.4 for s in far)
    assert bar_offset(far) is None           # a line 0.44 torso above the hands is not their bar
