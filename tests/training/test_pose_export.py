"""Export of the pose models: ONNX checker, parity with torch, cards, and the app's checks."""
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")

from app.inference import session as S
from training.export_pose import export
from training.nets.paf import STRIDE
from training.pose_train import PRESETS, build_model, net_config

SIZE = 64


def _checkpoint(tmp_path, kind):
    cfg = PRESETS["ci"]
    torch.manual_seed(0)
    m = build_model(kind, cfg)
    for p in m.parameters():  # random BN statistics too: parity must hold off the init values
        p.data.normal_(0, 0.2)
    for b in m.buffers():
        if b.dtype.is_floating_point:
            b.data.uniform_(0.5, 1.5)
    path = tmp_path / f"pose_{kind}.pt"
    torch.save({"kind": kind, "preset": "ci", "net": net_config(m) | {"stages": cfg["stages"]}, "size": SIZE,
                "stride": STRIDE, "clip_len": 2, "model": m.state_dict(), "optim": {}, "step": 0, "history": [],
                "train_clips": ["a"], "val_clips": ["b"], "data": "test", "seed": 0}, path)
    return path, m.eval()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    cards, nets = {}, {}
    for kind in ("paf", "lstm_pm"):
        ck, net = _checkpoint(d, kind)
        cards[kind] = export(kind, ck, d)
        nets[kind] = net
    return d, cards, nets


@pytest.mark.parametrize("kind", ["paf", "lstm_pm"])
def test_export_matches_torch(exported, kind):
    _, cards, _ = exported
    print(f"{kind}: max abs diff {cards[kind]['parity_max_abs_diff']:.2e}")
    assert cards[kind]["parity_max_abs_diff"] < 1e-4


def test_recurrent_steps_match_the_unrolled_clip(exported):
    """ONNX step-by-step with explicit state == LstmPm.forward over the same clip."""
    d, _, nets = exported
    model = S.load("pose_lstm_pm", d)
    clip = torch.rand(1, 3, 3, SIZE, SIZE)
    with torch.no_grad():
        ref = nets["lstm_pm"](clip)
    g = SIZE // STRIDE
    shapes = {i.name: i.shape for i in model.session.get_inputs()}
    state = {n: np.zeros(shapes[n], np.float32) for n in ("heat_in", "paf_in", "h_in", "c_in")}
    for t in range(3):
        feeds = {"image": clip[:, t].numpy(), "reset": np.array([1.0 if t == 0 else 0.0], np.float32)} | state
        heat, paf, h, c = S.run(model, feeds)
        state = {"heat_in": heat, "paf_in": paf, "h_in": h, "c_in": c}
        assert np.abs(heat - ref[t][0].numpy()).max() < 1e-4
        assert np.abs(paf - ref[t][1].numpy()).max() < 1e-4
    assert heat.shape == (1, 18, g, g)


def test_recurrent_state_restarts_every_horizon_frames(exported, monkeypatch):
    """The estimator restarts the LSTM-PM's memory after `horizon` frames (from the model's
    metadata), and on reset(): the `reset` input it feeds the model says when."""
    from app.inference import pose
    d, cards, _ = exported
    est = pose.PoseEstimator(d, 1, recurrent=True, by_metrics=False)
    assert est.recurrent and est.horizon == cards["lstm_pm"]["horizon_frames"] > 0
    fed = []
    run = pose.S.run
    monkeypatch.setattr(pose.S, "run", lambda m, feeds: fed.append(float(feeds["reset"][0])) or run(m, feeds))
    x = np.random.default_rng(0).random((1, 3, SIZE, SIZE), dtype=np.float32)
    est.horizon = 3
    for _ in range(7):
        est.maps(x)
    est.reset()
    est.maps(x)
    assert fed == [1, 0, 0, 1, 0, 0, 1, 1]
    est.horizon, fed[:] = None, []  # unbounded: one start, then the state carries on
    for _ in range(5):
        est.maps(x)
    assert fed == [0] * 5


def test_card_and_metadata(exported):
    d, _cards, _ = exported
    m = S.load("pose_paf", d)
    assert m.meta["kind"] == "paf" and int(m.meta["input_size"]) == SIZE
    card = json.loads((d / "pose_paf.json").read_text())
    assert card["sha256"] == S.sha256(d / "pose_paf.onnx")
    assert card["joints"][0] == "nose" and len(card["paf_pairs"]) == 18
    assert "python -m training" in card["command"] and "--steps" in card["command"]  # rebuildable as trained


def test_altered_model_is_refused_with_the_fix(exported, tmp_path):
    d, _, _ = exported
    for f in ("pose_paf.onnx", "pose_paf.json"):
        (tmp_path / f).write_bytes((d / f).read_bytes())
    with open(tmp_path / "pose_paf.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(S.ModelError, match=r"sha256 does not match.*python -m training"):
        S.load("pose_paf", tmp_path)
    (tmp_path / "pose_paf.json").unlink()
    with pytest.raises(S.ModelError, match="model card missing"):
        S.load("pose_paf", tmp_path)


def test_stateless_fallback_when_recurrent_model_missing(exported, tmp_path):
    from app.inference.pose import PoseEstimator
    d, _, _ = exported
    for f in ("pose_paf.onnx", "pose_paf.json"):
        (tmp_path / f).write_bytes((d / f).read_bytes())
    est = PoseEstimator(tmp_path)
    assert not est.recurrent and "pose_lstm_pm" in est.fallback_reason
    people = est(np.full((120, 160, 3), 90, np.uint8))
    assert isinstance(people, list)


def test_recurrent_model_skipped_when_its_card_reads_less_accurate(exported, tmp_path):
    from app.inference.pose import PoseEstimator
    d, _, _ = exported
    for name, pck in (("pose_paf", 0.7), ("pose_lstm_pm", 0.5)):
        (tmp_path / f"{name}.onnx").write_bytes((d / f"{name}.onnx").read_bytes())
        card = json.loads((d / f"{name}.json").read_text())
        card["metrics"] = {"pck@0.2_mean": pck}
        (tmp_path / f"{name}.json").write_text(json.dumps(card))
    est = PoseEstimator(tmp_path)
    assert est.name == "pose_paf" and "less accurate" in est.fallback_reason
    assert PoseEstimator(tmp_path, by_metrics=False).name == "pose_lstm_pm"


def test_the_card_command_carries_every_argument_the_checkpoint_recorded():
    """A shipped model is rebuilt by the command on its card: the sampling weights, the init
    file as it was at its commit, the learning rate and the crop share all appear in it."""
    from training.export_pose import train_command
    ck = {"preset": "cpu", "step": 100, "steps_total": 4000, "labels": "teacher", "crop_share": 0.5,
          "synth_clips": 300, "init": "models/pose_paf.onnx", "init_commit": "abcdef0123", "lr": 3e-4,
          "weights": {"pullup": 12.0, "situp": 8.0}}
    cmd = train_command("paf", ck)
    assert cmd.startswith("git show abcdef0:models/pose_paf.onnx > /tmp/pose_paf_abcdef0.onnx && ")
    for part in ("--steps 4000", "--labels teacher", "--crop-share 0.5", "--synth 300", "--init /tmp/pose_paf_abcdef0.onnx",
                 "--lr 0.0003", "--weight pullup=12", "--weight situp=8", "&& python -m training export pose"):
        assert part in cmd, part
