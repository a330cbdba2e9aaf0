"""The pose training command end to end on a tiny generated pushfit-like tree (CI size):
frames are cached, the model trains, validates, checkpoints, resumes and exports."""
import csv

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")

from app.core.skeleton import LIMBS, MEDIAPIPE33_TO_COCO17, NUM_JOINTS
from training.data.pose_frames import is_validation
from training.pose_train import load_checkpoint, train


def _figure(t):
    base = np.array([[0, -2.0], [-0.15, -2.1], [0.15, -2.1], [-0.3, -2.0], [0.3, -2.0], [-0.5, -1.4], [0.5, -1.4],
                     [-0.65, -0.7], [0.65, -0.7], [-0.7, -0.1], [0.7, -0.1], [-0.3, 0.0], [0.3, 0.0],
                     [-0.32, 0.9], [0.32, 0.9], [-0.33, 1.8], [0.33, 1.8]])
    return base * 22 + (80 + 3 * np.sin(t / 3), 62)


def _fake_pushfit(root, names, frames=12):
    (root / "videos").mkdir(parents=True)
    (root / "poses").mkdir()
    with open(root / "clips.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["clip", "label", "frames", "fps", "width", "height"])
        for n in names:
            w.writerow([n, "correct", frames, 25.0, 160, 120])
    for n in names:
        vw = cv2.VideoWriter(str(root / "videos" / f"{n}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (160, 120))
        mv = np.zeros((frames, NUM_JOINTS, 3), np.float32)
        mp = np.full((frames, 33, 4), np.nan, np.float16)
        for t in range(frames):
            xy = _figure(t)
            img = np.full((120, 160, 3), 40, np.uint8)
            for a, b in LIMBS:
                cv2.line(img, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), (230, 200, 180), 3)
            vw.write(img)
            mv[t, :, :2], mv[t, :, 2] = xy, 0.9
            for c, m in enumerate(MEDIAPIPE33_TO_COCO17):
                mp[t, m, :2], mp[t, m, 3] = xy[c], 0.9
        vw.release()
        np.savez(root / "poses" / f"{n}.npz", movenet=mv, mediapipe=mp, fps=25.0, size=np.array([160, 120]))


def _tree(tmp_path, prefix, n_train):
    """A fake pushfit folder with n_train training clips and one validation clip."""
    names = [f"{prefix}{i}" for i in range(40)]
    tr = [n for n in names if not is_validation(n)][:n_train]
    va = [n for n in names if is_validation(n)][:1]
    root = tmp_path / "pushfit"
    _fake_pushfit(root, tr + va)
    return root, va


def test_ci_training_runs_checkpoints_and_resumes(tmp_path):
    root, va = _tree(tmp_path, "c", 2)
    ck = tmp_path / "pose_paf.pt"
    r = train("paf", "ci", ck, root, tmp_path / "cache", steps=16, workers=0, val_every=8)
    assert r["step"] == 16 and len(r["history"]) == 2
    assert np.isfinite(r["losses"]).all()
    assert np.mean(r["losses"][-4:]) < np.mean(r["losses"][:4])  # it learns something
    assert 0.0 <= r["val_pck"] <= 1.0
    _, meta = load_checkpoint(ck)
    assert meta["kind"] == "paf" and meta["val_clips"] == va and meta["step"] == 16
    r2 = train("paf", "ci", ck, root, tmp_path / "cache", steps=20, workers=0, val_every=8, resume=True)
    assert r2["step"] == 20 and len(r2["losses"]) == 4  # continued, not restarted


def test_lstm_pm_trains_on_clips(tmp_path):
    root, _ = _tree(tmp_path, "d", 1)
    r = train("lstm_pm", "ci", tmp_path / "pose_lstm_pm.pt", root, tmp_path / "cache", steps=4, workers=0,
              val_every=4, temporal_weight=0.5)
    assert r["step"] == 4 and np.isfinite(r["losses"]).all()


def test_temporal_loss_sees_flicker_not_a_steady_offset():
    from training.pose_train import stage_loss, temporal_loss

    g = torch.Generator().manual_seed(0)
    B, T, h, w = 2, 4, 8, 8
    heat, paf = torch.rand(B, T, 18, h, w, generator=g), torch.rand(B, T, 36, h, w, generator=g)
    hw, pw = torch.ones(B, T, 18), torch.ones(B, T, 36)
    steady = [(heat[:, t] + 0.3, paf[:, t] - 0.2) for t in range(T)]  # wrong, but wrong the same way
    flicker = [(heat[:, t] + 0.3 * (-1) ** t, paf[:, t]) for t in range(T)]
    assert stage_loss(steady, heat, paf, hw, pw) > 0
    assert temporal_loss(steady, heat, paf, hw, pw) < 1e-9
    assert temporal_loss(flicker, heat, paf, hw, pw) > 1.0
    hw[:, 1:3] = 0  # frames without labels do not count
    assert temporal_loss(flicker, heat, paf, hw, torch.zeros_like(pw)) == 0


def test_lstm_pm_seeded_from_paf_starts_at_the_stateless_output():
    """seed_from_paf: on a clip's first frame the LSTM-PM computes exactly the stateless
    model's last stage (h_t's generator weights start at zero)."""
    import torch

    from training.nets.lstm_pm import LstmPm, LstmPmConfig, seed_from_paf
    from training.nets.paf import PafConfig, PafNet

    torch.manual_seed(0)
    paf = PafNet(PafConfig(32, 16, 16, 2)).eval()
    for m in paf.modules():  # non-trivial batch-norm statistics so a wrong mapping shows
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    lpm = LstmPm(LstmPmConfig(32, 16, 16, 8))
    seeded = seed_from_paf(paf.state_dict(), lpm.state_dict())
    lpm.load_state_dict(seeded, strict=False)
    lpm.eval()
    missing = set(lpm.state_dict()) - set(seeded)
    assert missing and all(k.startswith("lstm.") for k in missing)  # only the memory is new
    x = torch.rand(1, 2, 3, 64, 64)
    with torch.no_grad():
        s_ref, p_ref = paf(x[:, 0])[-1]
        (s0, p0), _ = lpm(x)
    assert torch.allclose(s0, s_ref, atol=1e-5) and torch.allclose(p0, p_ref, atol=1e-5)


def test_frozen_lstm_pm_trains_only_its_memory_and_generator(tmp_path):
    root, _ = _tree(tmp_path, "d", 1)
    paf_ck = tmp_path / "pose_paf.pt"
    train("paf", "ci", paf_ck, root, tmp_path / "cache", steps=2, workers=0, val_every=2)
    out = tmp_path / "pose_lstm_pm.pt"
    train("lstm_pm", "ci", out, root, tmp_path / "cache", steps=3, workers=0, val_every=3, init=paf_ck, freeze=True,
          temporal_weight=1.0)
    src = torch.load(paf_ck, weights_only=False)["model"]
    got = torch.load(out, weights_only=False)
    assert got["frozen"]
    for k, v in got["model"].items():
        if k.startswith("backbone."):  # weights and batch-norm statistics as the PAF model left them
            assert torch.equal(v, src[k]), k
    seeded = {k: v for k, v in src.items() if k.startswith("refine.0.heat.body.3.")}  # a generator layer
    assert seeded and any(not torch.equal(got["model"]["gen_heat" + k[len("refine.0.heat"):]], v)
                          for k, v in seeded.items())
    with pytest.raises(ValueError, match="--init"):
        train("lstm_pm", "ci", tmp_path / "x.pt", root, tmp_path / "cache", steps=1, workers=0, freeze=True)
