"""The picture inside black padding bars: found where cropping to it enlarges the person."""
import numpy as np

from app.core.content_box import content_box


def _frames(n=6, size=(562, 1000), box=(340, 0, 967, 562), bar_level=4, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        f = rng.integers(0, bar_level + 1, (*size, 3), dtype=np.uint8)  # encoded black: 0-4
        x0, y0, x1, y1 = box
        f[y0:y1, x0:x1] = rng.integers(30, 220, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
        out.append(f)
    return out


def test_a_portrait_strip_padded_to_landscape_is_found():
    assert content_box(_frames()) == (340, 0, 967, 562)
    # the picture in one sample only reaches as far as another's: the union of what is lit
    a, b = _frames(3, box=(340, 0, 900, 562)), _frames(3, box=(400, 0, 967, 562), seed=1)
    assert content_box(a + b) == (340, 0, 967, 562)


def test_specks_of_compression_noise_in_a_bar_do_not_hide_it():
    """mp4v put a few 11-grey-level pixels into the padding of a re-encoded clip: the left bar
    was then taken for picture and only the right one cropped."""
    frames = _frames()
    frames[0][100, 50] = frames[1][300, 200] = 40
    assert content_box(frames) == (340, 0, 967, 562)
    frames[2][:, :300] = 60  # the "bar" really shows something: it is picture, and the
    assert content_box(frames) is None  # 33 px left on the right would not enlarge anyone


def test_bars_that_would_not_enlarge_the_person_are_left_alone():
    # bars above and below a landscape picture: the long side, and so the scale, stays
    assert content_box(_frames(size=(240, 320), box=(0, 30, 320, 210))) is None
    # narrow bars: under MIN_GAIN
    assert content_box(_frames(size=(240, 320), box=(10, 0, 310, 240))) is None


def test_a_dark_scene_nothing_and_too_few_samples_give_no_box():
    dim = _frames(bar_level=22)  # a dim wall (15-25) is picture, not padding
    assert content_box(dim) is None
    assert content_box([np.zeros((100, 200, 3), np.uint8)] * 4) is None
    assert content_box(_frames(n=2)) is None  # one or two frames (a fade-in) do not decide
    assert content_box(_frames(box=(500, 0, 520, 562))) is None  # 20 px wide: not a picture


def test_a_black_studio_background_is_not_padding():
    """A lit person on black: the dark edge ends at the person's outline (a hand, a shoulder),
    not at a picture edge lit along its length."""
    yy, xx = np.mgrid[:360, :640]
    out = []
    for i in range(4):
        f = np.zeros((360, 640, 3), np.uint8)
        f[((xx - 320 - i) / 40.0) ** 2 + ((yy - 200) / 100.0) ** 2 <= 1] = 200  # the person, roughly
        out.append(f)
    assert content_box(out) is None


def test_the_watch_decides_at_once_and_gives_up_when_the_bars_light_up():
    from app.core.content_box import PaddingWatch
    frames = _frames(n=20)
    w = PaddingWatch(decide_after=15, every=5, recheck=30)
    got = [w.window(i, f) for i, f in enumerate(frames)]
    assert got == [(340, 0, 967, 562)] * 20  # from the first frame on: no jump in scale later
    lit = frames[0].copy()
    lit[:, :100] = 120  # something in the left bar: it was never padding
    assert w.window(31, lit) == (340, 0, 967, 562)  # only every 30th frame is checked
    assert w.window(60, lit) is None and w.window(61, frames[1]) is None  # and once lit, for good
    dark = PaddingWatch()
    assert all(dark.window(i, np.zeros((50, 80, 3), np.uint8)) is None for i in range(40))


def test_a_fade_in_is_decided_by_the_frames_after_it():
    from app.core.content_box import PaddingWatch
    black = np.zeros((562, 1000, 3), np.uint8)
    frames = [black] * 3 + _frames(n=17)
    w = PaddingWatch(decide_after=15, every=5)
    got = [w.window(i, f) for i, f in enumerate(frames)]
    assert got[:14] == [None] * 14 and got[14:] == [(340, 0, 967, 562)] * 6
