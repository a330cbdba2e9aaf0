"""Training and evaluation of the LSTM-attention standard / non-standard classifier.

Data: synthetic rep windows (training.data.rep_windows; train seeds 0.., held-out seeds from
HELD_OUT_SEED, so no synthetic subject is shared) and pushfit rep windows (clips split by the
same name hash as the pose models). Optimiser as in the paper: Adam at 1e-4 with
exponential decay, cross-entropy. Checkpoints are self-describing like the pose ones.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from training.data.rep_windows import WindowSet, pushfit_windows, synth_windows
from training.nets.lstm_attention import LstmAttention, LstmAttentionConfig
from training.progress import Progress

HELD_OUT_SEED = 10_000
PRESETS = {  # synth: training seeds (x 6 clips each); real_repeat: pushfit windows oversampled
    "cpu": {"synth": 250, "held_out": 60, "epochs": 12, "batch": 128, "lr": 1e-3, "decay": 0.1, "hidden": 64,
            "layers": 2, "attn": 32, "real_repeat": 4},
    "gpu": {"synth": 2000, "held_out": 200, "epochs": 30, "batch": 512, "lr": 1e-3, "decay": 0.1, "hidden": 128,
            "layers": 2, "attn": 64, "real_repeat": 4},
    "ci": {"synth": 3, "held_out": 2, "epochs": 2, "batch": 32, "lr": 1e-3, "decay": 0.5, "hidden": 8, "layers": 2,
           "attn": 4, "real_repeat": 1},
}


def roc_auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged."""
    score, label = np.asarray(score, float), np.asarray(label).astype(bool)
    pos, neg = int(label.sum()), int((~label).sum())
    if not pos or not neg:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * neg))


@torch.no_grad()
def predict(model: LstmAttention, ws: WindowSet, batch: int = 1024) -> np.ndarray:
    """-> P(standard) float (N,)."""
    model.eval()
    out = []
    for i in range(0, len(ws), batch):
        logits, _ = model(torch.from_numpy(ws.features[i:i + batch]), torch.from_numpy(ws.category[i:i + batch]))
        out.append(torch.softmax(logits, -1)[:, 1].numpy())
    return np.concatenate(out) if out else np.zeros(0)


def group_verdicts(p: np.ndarray, ws: WindowSet, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Per group (rep or clip): predicted standard (mean window P >= threshold), true label."""
    groups = np.unique(ws.group)
    pred = np.array([p[ws.group == g].mean() >= threshold for g in groups])
    true = np.array([ws.label[ws.group == g][0] == 1 for g in groups])
    return pred, true


def figures(model: LstmAttention, synth: WindowSet, real: WindowSet | None, own: WindowSet | None = None) -> dict:
    """Window accuracy and ROC-AUC (synthetic), rep accuracy (synthetic), clip accuracy (pushfit,
    MoveNet tracks; `own_*`: the same clips through our own pose model)."""
    p = predict(model, synth)
    out = {"synth_window_acc": float(((p >= 0.5) == (synth.label == 1)).mean()) if len(p) else float("nan"),
           "synth_window_auc": roc_auc(p, synth.label), "synth_windows": len(synth)}
    pred, true = group_verdicts(p, synth)
    out["synth_rep_acc"] = float((pred == true).mean()) if len(pred) else float("nan")
    out["synth_reps"] = len(pred)
    if real is not None and len(real):
        pr = predict(model, real)
        pred, true = group_verdicts(pr, real)
        out["pushfit_clip_acc"] = float((pred == true).mean())
        out["pushfit_clips"] = len(pred)
        out["pushfit_window_auc"] = roc_auc(pr, real.label)
    if own is not None and len(own):
        po = predict(model, own)
        pred, true = group_verdicts(po, own)
        out.update({"own_clip_acc": float((pred == true).mean()), "own_clips": len(pred),
                    "own_window_auc": roc_auc(po, own.label)})
    return out


def load_data(preset: str, data_root: Path | None, split: tuple[list[str], list[str]] | None = None,
              synth: int | None = None, own_tracks: Path | None = None) -> dict:
    """-> {"train": WindowSet, "held_out": WindowSet, "real_val": WindowSet | None, splits}.
    split: (train clips, validation clips) instead of the clip-name-hash split (cross-validation)."""
    cfg = PRESETS[preset]
    tr = synth_windows(range(synth or cfg["synth"]))
    ho = synth_windows(range(HELD_OUT_SEED, HELD_OUT_SEED + cfg["held_out"]))
    real_tr = real_va = own_va = None
    tr_clips: list[str] = []
    va_clips: list[str] = []
    if data_root is not None and (Path(data_root) / "clips.csv").exists():
        from training.data import pushfit
        from training.data.pose_frames import is_validation
        index = pushfit.load_index(data_root)
        labels = {c.clip: c.label for c in index}
        if split is None:
            tr_clips = [c.clip for c in index if not is_validation(c.clip)]
            va_clips = [c.clip for c in index if is_validation(c.clip)]
        else:
            tr_clips, va_clips = split
        base = int(tr.group.max()) + 1 if len(tr) else 0
        real_tr = pushfit_windows(data_root, tr_clips, labels, group_base=base)
        real_va = pushfit_windows(data_root, va_clips, labels)
        parts = [real_tr]
        if own_tracks is not None:  # the same clips and labels, through our own pose model
            parts.append(pushfit_windows(data_root, tr_clips, labels, group_base=base + len(tr_clips),
                                         own_tracks=own_tracks))
            own_va = pushfit_windows(data_root, va_clips, labels, own_tracks=own_tracks)
        tr = WindowSet.concat([tr] + parts * cfg["real_repeat"])
    return {"train": tr, "held_out": ho, "real_val": real_va, "own_val": own_va, "train_clips": tr_clips,
            "val_clips": va_clips}


def train(preset: str, out: Path | None, data_root: Path | None, threads: int | None = None, seed: int = 0,
          epochs: int | None = None, conditioning: str = "onehot", split: tuple[list[str], list[str]] | None = None,
          synth: int | None = None, own_tracks: Path | None = None) -> dict:
    """conditioning: how the exercise x view category enters (see training/nets/lstm_attention.py).
    out None: no checkpoint (cross-validation folds)."""
    cfg = dict(PRESETS[preset])
    if epochs is not None:
        cfg["epochs"] = epochs
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    print("building windows (synthetic clips, pushfit reps) ...", flush=True)
    data = load_data(preset, data_root, split, synth, own_tracks)
    tr = data["train"]
    if not len(tr):
        raise ValueError("no training windows: the synthetic clips held no reps")
    net_cfg = LstmAttentionConfig(cfg["hidden"], cfg["layers"], cfg["attn"], conditioning=conditioning)
    model = LstmAttention(net_cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    steps_per_epoch = max(1, len(tr) // cfg["batch"])
    total = steps_per_epoch * cfg["epochs"]
    gamma = cfg["decay"] ** (1 / total)  # exponential decay to `decay` x lr by the end
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma)
    pos = float(tr.label.mean())  # class balance: weight the rarer class up
    weight = torch.tensor([0.5 / max(1 - pos, 1e-3), 0.5 / max(pos, 1e-3)], dtype=torch.float32)
    lossf = torch.nn.CrossEntropyLoss(weight=weight)
    bar = Progress(total, f"classifier/{preset}")
    history = []
    shown: dict[str, float] = {}
    step = 0
    t0 = time.perf_counter()
    feats, cats, labs = (torch.from_numpy(a) for a in (tr.features, tr.category, tr.label))
    for epoch in range(cfg["epochs"]):
        model.train()
        order = torch.from_numpy(rng.permutation(len(tr)))
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * cfg["batch"]:(b + 1) * cfg["batch"]]
            logits, _ = model(feats[idx], cats[idx])
            loss = lossf(logits, labs[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
            bar.update(step, loss=float(np.mean(losses[-50:])), **shown)
        fig = figures(model, data["held_out"], data["real_val"], data["own_val"])
        history.append({"epoch": epoch + 1, "step": step, "loss": float(np.mean(losses)),
                        "minutes": (time.perf_counter() - t0) / 60, **fig})
        shown = {k: round(fig[k], 3) for k in ("synth_window_acc", "synth_window_auc", "pushfit_clip_acc") if k in fig}
    bar.close()
    if out is None:
        return {"step": step, "history": history, "figures": history[-1]}
    out.parent.mkdir(parents=True, exist_ok=True)
    ck = {"kind": "lstm_attention", "preset": preset, "net": net_cfg.as_dict(), "model": model.state_dict(),
          "step": step, "epochs": cfg["epochs"], "history": history, "seed": seed, "lr": cfg["lr"],
          "decay": cfg["decay"], "synth_train_seeds": [0, synth or cfg["synth"]],
          "synth_held_out_seeds": [HELD_OUT_SEED, HELD_OUT_SEED + cfg["held_out"]],
          "train_clips": data["train_clips"], "val_clips": data["val_clips"], "data": str(data_root),
          "own_tracks": str(own_tracks) if own_tracks else None,
          "windows": {"train": len(tr), "held_out": len(data["held_out"]),
                      "pushfit_val": len(data["real_val"]) if data["real_val"] is not None else 0}}
    tmp = out.with_suffix(".tmp")
    torch.save(ck, tmp)
    tmp.replace(out)
    return {"step": step, "history": history, "figures": history[-1]}


def fold_of(clip: str, folds: int) -> int:
    """A clip's cross-validation fold, by a hash of its name (stable across runs and machines)."""
    import hashlib
    return int(hashlib.sha256(f"cv:{clip}".encode()).hexdigest()[:8], 16) % folds


def cross_validate(preset: str, data_root: Path, folds: int = 5, epochs: int | None = None, synth: int | None = None,
                   threads: int | None = None, own_tracks: Path | None = None) -> dict:
    """k-fold clip-level cross-validation on pushfit (every clip tested once, never trained on in
    its fold; synthetic windows as in training). -> per-fold and pooled clip accuracy."""
    from training.data import pushfit
    clips = [c.clip for c in pushfit.load_index(data_root)]
    per_fold, correct, total = [], 0, 0
    for k in range(folds):
        va = [c for c in clips if fold_of(c, folds) == k]
        tr = [c for c in clips if fold_of(c, folds) != k]
        print(f"fold {k + 1}/{folds}: {len(tr)} training clips, {len(va)} test clips", flush=True)
        fig = train(preset, None, data_root, threads, seed=k, epochs=epochs, split=(tr, va), synth=synth,
                    own_tracks=own_tracks)["figures"]
        n = fig.get("pushfit_clips", 0)
        per_fold.append({"fold": k, "clips": n, "clip_acc": fig.get("pushfit_clip_acc", float("nan")),
                         "window_auc": fig.get("pushfit_window_auc", float("nan")),
                         "own_clips": fig.get("own_clips", 0), "own_clip_acc": fig.get("own_clip_acc", float("nan"))})
        correct += round(fig.get("pushfit_clip_acc", 0.0) * n)
        total += n
    own_n = sum(f["own_clips"] for f in per_fold)
    own_ok = sum(round(f["own_clip_acc"] * f["own_clips"]) for f in per_fold if f["own_clips"])
    return {"folds": per_fold, "clip_acc": correct / max(total, 1), "clips": total,
            "own_clip_acc": own_ok / own_n if own_n else float("nan"), "own_clips": own_n,
            "fold_mean": float(np.mean([f["clip_acc"] for f in per_fold])),
            "fold_std": float(np.std([f["clip_acc"] for f in per_fold]))}


def load_classifier(path: Path) -> tuple[LstmAttention, dict]:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    if ck.get("kind") != "lstm_attention":
        raise ValueError(f"{path}: not a classifier checkpoint (kind {ck.get('kind')!r}); train one with "
                         f"`python -m training classifier`")
    m = LstmAttention(LstmAttentionConfig(**ck["net"]))
    m.load_state_dict(ck["model"])
    return m.eval(), ck
