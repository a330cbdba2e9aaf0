"""The LSTM-attention classifier: network, rep windows, metrics, and a CI-size training run."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")

from app.core.windows import WINDOW_LEN
from training.classifier_train import group_verdicts, load_classifier, predict, roc_auc, train
from training.data.rep_windows import WindowSet, synth_windows, windows_in_spans
from training.nets.lstm_attention import N_CATEGORIES, LstmAttention, LstmAttentionConfig, category_index


@pytest.mark.parametrize("conditioning", ["onehot", "heads"])
def test_attention_weights_sum_to_one_and_category_changes_the_output(conditioning):
    torch.manual_seed(0)
    net = LstmAttention(LstmAttentionConfig(16, 2, 8, conditioning=conditioning)).eval()
    x = torch.rand(3, WINDOW_LEN, 68)
    logits, alpha = net(x, torch.tensor([0, 3, 5]))
    assert logits.shape == (3, 2) and alpha.shape == (3, WINDOW_LEN)
    assert torch.allclose(alpha.sum(-1), torch.ones(3), atol=1e-6) and (alpha > 0).all()
    other, _ = net(x, torch.tensor([1, 2, 4]))
    assert not torch.allclose(logits, other)  # the one-hot conditions the verdict


def test_category_index_covers_six_categories_and_rejects_others():
    idx = {category_index(e, v) for e in ("pushup", "pullup", "situp") for v in ("front", "side")}
    assert idx == set(range(N_CATEGORIES))
    with pytest.raises(ValueError, match="oblique"):
        category_index("pushup", "oblique")


def test_windows_lie_wholly_inside_their_reps():
    T = 60
    kpts = np.zeros((T, 17, 3), np.float32)
    kpts[:, :, 0] = np.arange(T)[:, None]  # x = frame number, so a window's frames can be read back
    wins = windows_in_spans(kpts, (100, 100), [(5, 24), (30, 35), (40, 59)], stride=3)
    assert [len(w) for w in wins] == [4, 0, 4]  # 20 frames: starts 5, 8, 11, 14; 6 frames: none
    frames = wins[0][:, :, 1] * 100  # feature 1 = x / width of joint 0
    assert frames.min() >= 5 and frames.max() <= 24
    assert np.allclose(frames[:, 0], [5, 8, 11, 14])


def test_roc_auc_matches_the_pairwise_definition():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 5, 200).astype(float)  # many ties
    y = rng.random(200) < 0.4
    pairs = [(a > b) + 0.5 * (a == b) for a in s[y] for b in s[~y]]
    assert roc_auc(s, y) == pytest.approx(np.mean(pairs))
    assert roc_auc(np.arange(4.0), np.array([0, 0, 1, 1])) == 1.0


def test_synthetic_windows_carry_their_reps_labels():
    ws = synth_windows(range(2), stride=5)
    assert len(ws) and ws.features.shape[1:] == (WINDOW_LEN, 68)
    assert set(np.unique(ws.category)) == set(range(N_CATEGORIES))
    for g in np.unique(ws.group):  # one label per rep
        assert len(np.unique(ws.label[ws.group == g])) == 1
    assert 0 < ws.label.mean() < 1  # both standard and faulty reps


def test_group_verdict_is_the_mean_window_probability():
    ws = WindowSet(np.zeros((5, WINDOW_LEN, 68), np.float32), np.zeros(5, np.int64), np.array([1, 1, 0, 0, 0]),
                   np.array([0, 0, 1, 1, 1]))
    pred, true = group_verdicts(np.array([0.9, 0.3, 0.6, 0.2, 0.1]), ws)
    assert pred.tolist() == [True, False] and true.tolist() == [True, False]


def test_ci_training_learns_and_checkpoints(tmp_path):
    out = tmp_path / "cls.pt"
    r = train("ci", out, None, threads=1, epochs=3)
    hist = r["history"]
    assert len(hist) == 3 and hist[-1]["loss"] < hist[0]["loss"]
    model, ck = load_classifier(out)
    assert ck["synth_held_out_seeds"][0] >= ck["synth_train_seeds"][1]  # no synthetic subject shared
    ws = synth_windows(range(10_000, 10_001), stride=5)
    p = predict(model, ws)
    assert p.shape == (len(ws),) and ((p >= 0) & (p <= 1)).all()
    with pytest.raises(ValueError, match="classifier checkpoint"):
        torch.save({"kind": "paf"}, tmp_path / "x.pt")
        load_classifier(tmp_path / "x.pt")


def test_window_norm_reads_a_moved_and_scaled_subject_alike():
    """The same motion filmed further left and smaller gives the same normalised window;
    unseen joints stay at zero."""
    from app.core.features import frame_features
    from training.nets.lstm_attention import WindowNorm
    rng = np.random.default_rng(1)
    k = np.concatenate([rng.uniform(200, 400, (WINDOW_LEN, 17, 2)), np.ones((WINDOW_LEN, 17, 1))], -1)
    k[:, 3, 2] = 0  # one joint never seen
    moved = k.copy()
    moved[..., :2] = k[..., :2] * 0.5 + (-60, 35)
    a, b = (torch.from_numpy(frame_features(x.astype(np.float32), (640, 480)))[None] for x in (k, moved))
    na, nb = WindowNorm()(a), WindowNorm()(b)
    assert torch.allclose(na, nb, atol=1e-5)
    assert not torch.allclose(a, b)
    j = na.reshape(1, WINDOW_LEN, 17, 4)
    assert (j[..., 3, 1:3] == 0).all() and j[..., 1:3].abs().max() <= 1.0


def test_export_matches_torch_for_any_batch_and_loads_in_the_app(tmp_path):
    from app.inference import session as S
    from training.export_classifier import export
    ck = tmp_path / "lstm_attention.pt"
    train("ci", ck, None, threads=1, epochs=1)
    card = export(ck, tmp_path / "models")
    print(f"classifier parity max abs diff {card['parity_max_abs_diff']:.2e}")
    assert card["parity_max_abs_diff"] < 1e-4
    m = S.load("lstm_attention", tmp_path / "models")
    assert m.meta["window_len"] == str(WINDOW_LEN) and "pushup-side" in m.meta["categories"]
    model, _ = load_classifier(ck)
    rng = np.random.default_rng(0)
    for n in (1, 5):
        f = rng.random((n, WINDOW_LEN, 68), dtype=np.float32)
        c = rng.integers(0, N_CATEGORIES, n)
        p, att = S.run(m, {"features": f, "category": c})
        with torch.no_grad():
            logits, ref_att = model(torch.from_numpy(f), torch.from_numpy(c))
        assert p.shape == (n,) and att.shape == (n, WINDOW_LEN)
        assert np.abs(p - torch.softmax(logits, -1)[:, 1].numpy()).max() < 1e-4
        assert np.abs(att - ref_att.numpy()).max() < 1e-4


def test_own_tracks_are_made_by_the_app_and_failures_are_listed(tmp_path):
    """training.data.own_tracks runs `python -m app pose` on each video: a good video gives a
    track file the windows can read, a broken one is named in the failures."""
    from app.paths import assets_dir
    from training.data import own_tracks
    root = tmp_path / "pushfit"
    (root / "videos").mkdir(parents=True)
    (root / "videos" / "good.mp4").write_bytes((assets_dir() / "demo" / "pushup_side_demo.mp4").read_bytes())
    (root / "videos" / "broken.mp4").write_bytes(b"not a video")
    failed = own_tracks.build(root, ["good", "broken"], tmp_path / "cache", threads=1)
    assert failed == ["broken"]
    track = own_tracks.load(tmp_path / "cache", "good")
    assert track is not None and track.frames > 100 and track.exercise == "pushup"
    assert own_tracks.load(tmp_path / "cache", "broken") is None
