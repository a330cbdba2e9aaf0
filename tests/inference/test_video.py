"""The video path: bad files, letterbox geometry, and the CLI on generated videos."""
import cv2
import numpy as np
import pytest

from app.capture.video import VideoError, frames
from app.cli import main
from app.inference.pose import letterbox
from app.paths import demo_video, models_dir


def _write_video(path, n=12, size=(160, 120), draw=None):
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, size)
    for i in range(n):
        img = np.full((size[1], size[0], 3), 80, np.uint8)
        if draw:
            draw(img, i)
        w.write(img)
    w.release()
    return path


@pytest.mark.parametrize("content,msg", [(b"", "empty"), (b"not a video at all", "not a readable video")])
def test_bad_video_is_one_line(tmp_path, capsys, content, msg):
    p = tmp_path / "clip.mp4"
    p.write_bytes(content)
    with pytest.raises(VideoError, match=msg):
        frames(p)
    assert main(["analyze", str(p), "--exercise", "pushup"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and msg in err[0] and str(p) in err[0]


def test_missing_video(tmp_path, capsys):
    assert main(["pose", str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "t.npz")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_generated_video_reads_every_frame(tmp_path):
    p = _write_video(tmp_path / "v.mp4", n=12)
    info, it = frames(p)
    assert info.size == (160, 120) and abs(info.fps - 25) < 0.01
    assert sum(1 for _ in it) == 12


def test_letterbox_round_trip():
    img = np.zeros((90, 200, 3), np.uint8)
    x, lb = letterbox(img, 128)
    assert x.shape == (1, 3, 128, 128) and x.dtype == np.float32
    pts = np.array([[[10.0, 20.0, 1.0], [199.0, 89.0, 1.0]]])
    inp = pts.copy()
    inp[..., 0] = pts[..., 0] * lb.scale + lb.pad_x
    inp[..., 1] = pts[..., 1] * lb.scale + lb.pad_y
    assert np.allclose(lb.to_image(inp), pts, atol=1e-4)
    assert x[0, :, 0, 64].max() == pytest.approx(114 / 255, abs=1e-3)  # grey border above the image


def test_bad_image_is_refused():
    with pytest.raises(ValueError, match="colour image"):
        letterbox(np.zeros((10, 10), np.uint8), 64)


shipped = pytest.mark.skipif(not (models_dir() / "pose_paf.onnx").exists(), reason="pose models not exported yet")


@shipped
def test_video_without_anyone_counts_nothing_and_says_so(tmp_path, capsys):
    p = _write_video(tmp_path / "empty_room.mp4", n=20, size=(320, 240))
    out = tmp_path / "t.npz"
    assert main(["pose", str(p), "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert "subject seen in 0%" in line and "nobody in 20" in line
    assert main(["analyze", str(p), "--exercise", "pushup", "--json", str(tmp_path / "r.json")]) == 0
    import json
    r = json.loads((tmp_path / "r.json").read_text())
    assert r["count_total"] == 0 and r["video"]["frames_without_person"] == 20


@shipped
def test_demo_video_runs_the_whole_video_path(tmp_path, capsys):
    import json
    out = tmp_path / "demo.json"
    assert main(["demo", "--video", "--json", str(out)]) == 0
    assert "pose model (ONNX)" in capsys.readouterr().out
    r = json.loads(out.read_text())
    truth = json.loads(demo_video().with_suffix(".truth.json").read_text())
    assert r["video"]["pose_model"] in ("pose_paf", "pose_lstm_pm", "pose_crop+pose_paf") and r["frames"] == truth["frames"]
    for stem in r["video"]["pose_model"].split("+"):  # the crop path: the finder and the reader
        assert len(r["models"][stem]) == 64  # its sha256, sealed with a saved result
    assert r["video"]["subject_seen_share"] > 0.5  # the rendered subject is found in most frames
