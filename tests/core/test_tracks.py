import json

import numpy as np
import pytest

from app.core.tracks import TrackFileError, read_track, write_track
from app.core.types import PoseTrack


def _track(t=20):
    rng = np.random.default_rng(0)
    k = np.concatenate([rng.uniform(0, 600, (t, 17, 2)), rng.uniform(0, 1, (t, 17, 1))], -1)
    return PoseTrack(k, 30.0, (640, 480), "pushup", "side")


@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_roundtrip(tmp_path, ext):
    tr = _track()
    back = read_track(write_track(tmp_path / f"t{ext}", tr))
    assert back.fps == 30.0 and back.size == (640, 480) and back.exercise == "pushup" and back.view == "side"
    assert np.allclose(back.keypoints, tr.keypoints, atol=1e-3)


def _npz(path, **kw):
    base = {"keypoints": np.zeros((3, 17, 3), np.float32), "fps": 30.0, "size": np.array([640, 480])}
    base.update(kw)
    base = {k: v for k, v in base.items() if v is not None}
    np.savez(path, **base)
    return path


@pytest.mark.parametrize("kw,msg", [
    ({"keypoints": np.zeros((3, 17, 2), np.float32)}, r"shape \(frames, 17, 3\)"),
    ({"keypoints": np.zeros((0, 17, 3), np.float32)}, "no frames"),
    ({"fps": 0.0}, "fps"),
    ({"size": np.array([640])}, "size"),
    ({"fps": None}, "missing fps"),
])
def test_bad_npz_is_rejected_with_reason(tmp_path, kw, msg):
    with pytest.raises(TrackFileError, match=msg):
        read_track(_npz(tmp_path / "bad.npz", **kw))


def test_nan_is_located(tmp_path):
    k = np.zeros((5, 17, 3), np.float32)
    k[3, 9, 1] = np.nan
    with pytest.raises(TrackFileError, match="frame 3, joint l_wrist, y"):
        read_track(_npz(tmp_path / "nan.npz", keypoints=k))


def test_score_out_of_range_is_located(tmp_path):
    k = np.zeros((5, 17, 3), np.float32)
    k[2, 0, 2] = 1.5
    with pytest.raises(TrackFileError, match="frame 2, joint nose"):
        read_track(_npz(tmp_path / "s.npz", keypoints=k))


def test_normalised_coordinates_get_a_hint(tmp_path):
    k = np.full((5, 17, 3), 0.5, np.float32)
    k[..., :2] = np.random.default_rng(0).uniform(0, 1, (5, 17, 2))
    k[0, 0, 0] = -400
    with pytest.raises(TrackFileError, match="far outside"):
        read_track(_npz(tmp_path / "n.npz", keypoints=k))


def test_bad_json_and_corrupt_files(tmp_path):
    p = tmp_path / "a.json"
    p.write_text("{not json")
    with pytest.raises(TrackFileError, match="not valid JSON at line 1"):
        read_track(p)
    p.write_text(json.dumps({"fps": 30, "size": [640, 480], "keypoints": [[[1, 2]] * 17]}))
    with pytest.raises(TrackFileError, match="shape"):
        read_track(p)
    q = tmp_path / "c.npz"
    q.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(TrackFileError, match="not a readable .npz"):
        read_track(q)
    txt = tmp_path / "x.txt"
    txt.write_text("1")
    with pytest.raises(TrackFileError, match="unknown extension"):
        read_track(txt)
    with pytest.raises(TrackFileError, match="no such file"):
        read_track(tmp_path / "missing.npz")
