"""Recogniser, smoother and lifter: networks, CI-size training, export parity, the app's adapters."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")

from app.core.recognition import CLASSES
from app.core.types import PoseTrack
from app.inference.session import ModelError
from training.nets.lifter import RECEPTIVE_FIELD, Lifter, LifterConfig
from training.nets.pose_attention import PoseAttention, PoseAttentionConfig, graph_matrix
from training.nets.seq2seq import SMOOTH_LEN, Seq2SeqConfig, Seq2SeqSmoother
from training.synth import make_clip


def _kpts(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    k = torch.rand(*shape, 17, 3, generator=g) * 400
    k[..., 2] = 0.9
    return k


def test_pose_attention_shapes_attention_and_graph():
    a = graph_matrix()
    assert np.allclose(a, a.T) and (np.diag(a) > 0).all()
    net = PoseAttention(PoseAttentionConfig(8, 8, 4)).eval()
    logits, aux, alpha, joint = net(_kpts(2, 30))
    assert logits.shape == aux.shape == (2, len(CLASSES))
    assert torch.allclose(alpha.sum(-1), torch.ones(2), atol=1e-5)
    assert joint.shape == (2, 30, 17) and torch.allclose(joint.sum(-1), torch.ones(2, 30), atol=1e-5)
    k = _kpts(1, 30)
    moved = k.clone()
    moved[..., :2] = moved[..., :2] * 3 + 250  # zoom and shift the camera: FrameNorm makes it the same input
    assert torch.allclose(net(k)[0], net(moved)[0], atol=1e-4)
    with pytest.raises(AssertionError, match=r"\(B, T, 17, 3\)"):
        net(torch.zeros(1, 30, 16, 3))


def test_seq2seq_starts_as_the_identity_and_attends_over_the_window():
    net = Seq2SeqSmoother(Seq2SeqConfig(8, 4)).eval()
    k = _kpts(2, SMOOTH_LEN)
    y, att = net(k)
    assert y.shape == (2, SMOOTH_LEN, 17, 2) and att.shape == (2, SMOOTH_LEN, SMOOTH_LEN)
    assert torch.allclose(y, k[..., :2], atol=1e-3)  # zero-initialised correction
    assert torch.allclose(att.sum(-1), torch.ones(2, SMOOTH_LEN), atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_lifter_receptive_field_and_causality(causal):
    net = Lifter(LifterConfig(16, causal=causal)).eval()
    assert net.receptive_field == RECEPTIVE_FIELD == 27
    k = _kpts(1, 40)
    y = net(k)
    assert y.shape == (1, 40 - 26, 17, 3)
    assert torch.allclose((y[..., 11, :] + y[..., 12, :]) / 2, torch.zeros(1, 14, 3), atol=1e-5)  # pelvis at 0
    k2 = k.clone()
    k2[:, 30:, :, :2] += torch.rand(1, 10, 17, 2) * 50  # change the pose in frames 30.. only
    y2 = net(k2)
    # output t covers input frames t..t+26; symmetric output t is frame t+13, causal output t is frame t+26
    last_untouched = 30 - 27  # outputs 0..3 never see frame 30
    assert torch.allclose(y[:, :last_untouched + 1], y2[:, :last_untouched + 1], atol=1e-5)
    assert not torch.allclose(y[:, last_untouched + 1], y2[:, last_untouched + 1])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """CI-size recogniser, smoother and lifters, trained and exported to a temporary models folder."""
    from training import export_temporal as X
    from training.lifter_train import train as train_lifter
    from training.recogniser_train import train as train_rec
    from training.smoother_train import train as train_sm
    ck = tmp_path_factory.mktemp("ck")
    out = tmp_path_factory.mktemp("models")
    r = train_rec("ci", ck / "pose_attention.pt", None, threads=1)
    s = train_sm("ci", ck / "seq2seq.pt", threads=1)
    lifts = {act: train_lifter("ci", act, ck / f"lifter_{act}.pt", threads=1) for act in ("pushup", "all")}
    train_lifter("ci", "all", ck / "lifter_all_causal.pt", causal=True, threads=1)
    cards = {"recogniser": X.export_recogniser(ck / "pose_attention.pt", out),
             "smoother": X.export_smoother(ck / "seq2seq.pt", out)}
    for ex, (path, comp) in X.choose_lifters(ck).items():
        cards[f"lifter_{ex}"] = X.export_lifter(path, out, f"lifter_{ex}", ex, comp)
    cards["lifter_causal"] = X.export_lifter(ck / "lifter_all_causal.pt", out, "lifter_causal", None, {})
    return {"dir": out, "ck": ck, "cards": cards, "train": {"rec": r, "sm": s, "lift": lifts}}


def test_ci_training_records_figures_and_checkpoints(exported):
    t = exported["train"]
    rec = t["rec"]["figures"]
    assert 0 <= rec["synth_window_acc"] <= 1 and rec["synth_clips"] > 0
    hist = t["rec"]["history"]
    assert hist[-1]["loss"] < hist[0]["loss"]  # it learns
    sm = t["sm"]["figures"]
    assert set(sm) == {"raw", "one_euro", "seq2seq_full", "seq2seq_live"}
    assert sm["one_euro"]["accel_err"] < sm["raw"]["accel_err"]  # the tuned baseline smooths
    lift = t["lift"]["all"]["figures"]
    assert set(lift) == {"pushup", "pullup", "situp"} and all(v["mpjpe_mm"] > v["p_mpjpe_mm"] for v in lift.values())
    with pytest.raises(ValueError, match="lifter checkpoint"):
        from training.lifter_train import load_lifter
        load_lifter(exported["ck"] / "seq2seq.pt")


def test_exports_match_torch_and_carry_cards(exported):
    for name, card in exported["cards"].items():
        assert card["parity_max_abs_diff"] < 1e-3, name
        assert card["sha256"] and card["command"].startswith("python -m training"), name
        assert "split" in card["metrics"], name
    # lifter choice: pushup had both candidates; the card says which shipped and why
    comp = exported["cards"]["lifter_pushup"]["metrics"]["per_action_vs_all"]
    assert comp["shipped"] in ("per_action", "all") and {"per_action", "all"} <= set(comp)
    # pull-ups had only the all-action model
    assert exported["cards"]["lifter_pullup"]["metrics"]["per_action_vs_all"]["shipped"] == "all"


def test_app_adapters_run_the_exported_models_with_shape_checks(exported):
    from app.inference.exercise import ExerciseRecogniser
    from app.inference.lifter import Lifter3D
    from app.inference.smoother import LiveSmoother, Smoother
    d = exported["dir"]
    clip = make_clip(10_000, "pushup", "side", n_reps=2)
    track = clip.track()
    g = ExerciseRecogniser(d).recognise(track)
    assert g.exercise in ("pushup", "pullup", "situp") and 0 <= g.confidence <= 1
    with pytest.raises(ValueError, match="at least 30"):
        ExerciseRecogniser(d).recognise(PoseTrack(track.keypoints[:10], 30, track.size))
    # a long track goes through in chunks of windows (bounded memory) and reads the same as in one call
    long = PoseTrack(np.concatenate([track.keypoints] * 4), track.fps, track.size)
    rec = ExerciseRecogniser(d)
    whole = rec.recognise(long, chunk=10_000)
    for chunk in (1, 3, 7):
        part = rec.recognise(long, chunk=chunk)
        assert (part.exercise, part.view) == (whole.exercise, whole.view)
        assert part.confidence == pytest.approx(whole.confidence, abs=1e-5)
        assert part.scores == pytest.approx(whole.scores, abs=1e-4)
    sm = Smoother(d)
    full, live = sm.full(track), sm.live(track)
    assert full.shape == live.shape == track.keypoints.shape
    assert np.array_equal(full[..., 2], track.keypoints[..., 2])
    stream = LiveSmoother(sm)
    got = [stream.push(i, k) for i, k in enumerate(track.keypoints[:40])]
    first = next(i for i, x in enumerate(got) if x is not None)
    assert first == sm.lookahead and got[first][0] == 0  # frame 0 comes out 5 frames later
    assert np.allclose(got[20][1], live[15], atol=1e-4)  # the stream equals the offline live mode
    with pytest.raises(ValueError, match="smoother input"):
        sm.windows(np.zeros((1, 5, 17, 3)))
    j = Lifter3D("pushup", folder=d).lift(track.keypoints)
    assert j.shape == track.keypoints.shape
    jc = Lifter3D(causal=True, folder=d).lift(track.keypoints[:10])  # shorter than the receptive field
    assert jc.shape == (10, 17, 3)
    with pytest.raises(ValueError, match="lifter input"):
        Lifter3D("pushup", folder=d).lift(np.zeros((0, 17, 3)))
    with pytest.raises(ModelError, match="model file missing"):
        Lifter3D("situp", folder=d / "nowhere")


def test_recogniser_augmentation_keeps_limb_lengths_and_bends_only_hanging_legs():
    from app.core.geometry import joint_angle
    from app.core.recognition import CLASSES
    from training.recogniser_train import augment, bend_legs
    c = make_clip(1, "pullup", "front")
    k = c.keypoints[:30]
    rng = np.random.default_rng(3)
    b = bend_legs(k, rng)
    seg = lambda x, i, j: np.linalg.norm(x[:, i, :2] - x[:, j, :2], axis=-1)
    for i, j in ((11, 13), (13, 15), (12, 14), (14, 16)):
        assert np.allclose(seg(b, i, j), seg(k, i, j), atol=1e-3)
    assert np.array_equal(b[:, :11], k[:, :11])  # the upper body is untouched
    knee = lambda x: joint_angle(x[:, 11], x[:, 13], x[:, 15]).mean()
    assert knee(b) < knee(k) - 5 or knee(bend_legs(k, np.random.default_rng(4))) < knee(k) - 5
    both = np.stack([k, k])
    labels = np.array([CLASSES.index("pushup-side"), CLASSES.index("pullup-front")])
    out = augment(both, np.random.default_rng(0), labels)
    assert out.shape == both.shape and np.isfinite(out).all()


def test_real_pair_errors_count_misses_as_wrong_and_skip_unknown_labels():
    from training.smoother_train import pooled_real, real_pair_errors
    T = 5
    lab = np.zeros((T, 17, 3), np.float32)
    lab[..., 0] = np.arange(17) * 10.0   # a 160 px wide person
    lab[..., 1] = 50.0
    lab[..., 2] = 1.0
    lab[:, 16, 2] = 0.0                  # the labels do not know joint 16
    pred = lab.copy()
    pred[:, 16, :2] = 1e4                # ... so its error does not count
    found = np.ones((T, 17), bool)
    found[:, 0] = False                  # our model missed joint 0: wrong, but no error value
    pred[:, 0, :2] = -1e4
    r = pooled_real([real_pair_errors(pred, found, lab)])
    assert r["pck@0.05"] == pytest.approx(15 / 16)
    assert r["mean_err"] == pytest.approx(0.0) and r["accel_err"] == pytest.approx(0.0)
