"""Training and evaluation of the seq2seq smoother, against the One-Euro baseline.

    python -m training smoother [--preset cpu|gpu|ci] [--steps N]

Pairs: the noisy keypoints of training.synth clips (the estimator noise model: correlated
jitter, dropouts, left/right swaps, outliers, weak far-side limbs) and the clean projection
of the same motion. Training seeds 0.., held out from HELD_OUT_SEED. The One-Euro filter is
tuned (grid over min_cutoff, beta) on training clips for the lowest mean error, then all
are measured on the held-out clips:
  PCK@a   share of joints within a x the clean person's box size (a = 0.02, 0.05), over the
          joints the clean track sees in the image;
  accel   mean |acceleration(pred) - acceleration(clean)| / box size, per joint and frame.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from app.core.one_euro import one_euro
from app.core.smoothing import smooth_full, smooth_live
from training.data.synth_clips import HELD_OUT_SEED, clips
from training.loop import fit, load_checkpoint, preset_config, save_checkpoint
from training.nets.seq2seq import LOOKAHEAD, SMOOTH_LEN, Seq2SeqConfig, Seq2SeqSmoother

PRESETS = {
    "cpu": {"seeds": 80, "held_out": 15, "tune": 12, "steps": 2500, "batch": 64, "lr": 2e-3, "hidden": 64, "attn": 32},
    "gpu": {"seeds": 600, "held_out": 60, "tune": 40, "steps": 20000, "batch": 256, "lr": 2e-3, "hidden": 128,
            "attn": 64},
    "ci": {"seeds": 2, "held_out": 1, "tune": 1, "steps": 30, "batch": 8, "lr": 3e-3, "hidden": 8, "attn": 4},
}
COMMAND = "python -m training smoother"
ONE_EURO_GRID = {"min_cutoff": (0.3, 0.6, 1.0, 2.0, 4.0, 8.0), "beta": (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)}


def box_sizes(clean: np.ndarray) -> np.ndarray:
    """clean (T, 17, 3) -> (T,) the larger side of the box of the joints in the image (>= 1)."""
    vis = clean[..., 2] > 0
    big = 1e9
    lo = np.where(vis[..., None], clean[..., :2], big).min(1)
    hi = np.where(vis[..., None], clean[..., :2], -big).max(1)
    return np.where(vis.any(1), np.maximum((hi - lo).max(1), 1.0), 1.0)


def track_errors(pred: np.ndarray, clean: np.ndarray) -> dict:
    """Sums for PCK@0.02/0.05, mean error and acceleration error of one track (to pool over tracks)."""
    vis = clean[..., 2] > 0
    size = box_sizes(clean)[:, None]
    d = np.linalg.norm(pred[..., :2] - clean[..., :2], axis=-1) / size
    acc_p = pred[2:, :, :2] - 2 * pred[1:-1, :, :2] + pred[:-2, :, :2]
    acc_c = clean[2:, :, :2] - 2 * clean[1:-1, :, :2] + clean[:-2, :, :2]
    v3 = vis[2:] & vis[1:-1] & vis[:-2]
    da = np.linalg.norm(acc_p - acc_c, axis=-1) / size[1:-1]
    return {"n": int(vis.sum()), "pck02": int((d[vis] <= 0.02).sum()), "pck05": int((d[vis] <= 0.05).sum()),
            "err": float(d[vis].sum()), "na": int(v3.sum()), "accel": float(da[v3].sum())}


def pooled(parts: list[dict]) -> dict:
    s = {k: sum(p[k] for p in parts) for k in parts[0]}
    return {"pck@0.02": s["pck02"] / s["n"], "pck@0.05": s["pck05"] / s["n"], "mean_err": s["err"] / s["n"],
            "accel_err": s["accel"] / max(s["na"], 1)}


def real_pair_errors(pred: np.ndarray, found: np.ndarray, labels: np.ndarray) -> dict:
    """Sums for pooling: PCK@0.05 / 0.1 of the label box over the joints the labels know (a joint
    our model did not find counts as wrong), mean error and acceleration error (/ box) over the
    joints both know."""
    known = labels[..., 2] > 0
    size = box_sizes(labels)[:, None]
    d = np.linalg.norm(pred[..., :2] - labels[..., :2], axis=-1) / size
    both = known & found
    acc = lambda z: z[2:, :, :2] - 2 * z[1:-1, :, :2] + z[:-2, :, :2]
    b3 = both[2:] & both[1:-1] & both[:-2]
    da = np.linalg.norm(acc(pred) - acc(labels), axis=-1) / size[1:-1]
    return {"n": int(known.sum()), "p05": int((both & (d <= 0.05)).sum()), "p10": int((both & (d <= 0.1)).sum()),
            "nb": int(both.sum()), "err": float(d[both].sum()), "na": int(b3.sum()), "acc": float(da[b3].sum())}


def pooled_real(parts: list[dict]) -> dict:
    s = {k: sum(p[k] for p in parts) for k in parts[0]}
    return {"pck@0.05": s["p05"] / s["n"], "pck@0.1": s["p10"] / s["n"], "mean_err": s["err"] / max(s["nb"], 1),
            "accel_err": s["acc"] / max(s["na"], 1)}


def evaluate_real(fn, pairs: list, one_euro_params: dict) -> dict:
    """Real validation pairs (real_pairs(validation=True)): raw, One-Euro, seq2seq full / live."""
    rows: dict[str, list] = {"raw": [], "one_euro": [], "seq2seq_full": [], "seq2seq_live": []}
    for k, lab, fps in pairs:
        found = k[..., 2] > 0
        for name, est in (("raw", k), ("one_euro", one_euro(k, fps, **one_euro_params)),
                          ("seq2seq_full", smooth_full(k, fn, SMOOTH_LEN)),
                          ("seq2seq_live", smooth_live(k, fn, SMOOTH_LEN, LOOKAHEAD))):
            rows[name].append(real_pair_errors(est, found, lab))
    return {name: pooled_real(parts) for name, parts in rows.items()}


def torch_fn(model: Seq2SeqSmoother):
    def fn(w: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(np.ascontiguousarray(w, np.float32)))[0].numpy()
    return fn


def tune_one_euro(tracks: list) -> dict:
    """Grid search on (noisy, clean, fps) tracks -> the parameters with the lowest mean error."""
    best = None
    for mc in ONE_EURO_GRID["min_cutoff"]:
        for beta in ONE_EURO_GRID["beta"]:
            e = pooled([track_errors(one_euro(n, fps, mc, beta), c) for n, c, fps in tracks])["mean_err"]
            if best is None or e < best[0]:
                best = (e, {"min_cutoff": mc, "beta": beta})
    return best[1]


def evaluate(fn, tracks: list, one_euro_params: dict | None = None) -> dict:
    """-> {method: pooled figures} for raw, One-Euro, seq2seq full and live modes."""
    rows: dict[str, list] = {"raw": [], "one_euro": [], "seq2seq_full": [], "seq2seq_live": []}
    for n, c, fps in tracks:
        rows["raw"].append(track_errors(n, c))
        if one_euro_params:
            rows["one_euro"].append(track_errors(one_euro(n, fps, **one_euro_params), c))
        if fn is not None:
            rows["seq2seq_full"].append(track_errors(smooth_full(n, fn, SMOOTH_LEN), c))
            rows["seq2seq_live"].append(track_errors(smooth_live(n, fn, SMOOTH_LEN, LOOKAHEAD), c))
    return {k: pooled(v) for k, v in rows.items() if v}


def pairs(seeds: range) -> list:
    return [(c.keypoints, c.clean, c.fps) for c in clips(seeds, extra_kinds=False)]


def real_pairs(pushfit: Path, own_cache: Path, validation: bool = False) -> list:
    """Our own pose model's tracks of pushfit clips (training.data.own_tracks) and the MoveNet /
    MediaPipe agreement labels of the same frames (score 1 where known, else 0, so the loss and
    the figures skip unknown joints). validation: the held-out clips instead of the training ones."""
    from training.data import own_tracks
    from training.data import pushfit as pf
    from training.data.pose_frames import agreed_labels, is_validation
    out = []
    for c in pf.load_index(pushfit):
        if is_validation(c.clip) != validation:
            continue
        t = own_tracks.load(own_cache, c.clip)
        if t is None:
            continue
        z = np.load(Path(pushfit) / "poses" / f"{c.clip}.npz")
        lab = agreed_labels(z["movenet"], z["mediapipe"].astype(np.float32))
        n = min(len(lab), t.frames)
        if n >= SMOOTH_LEN:
            out.append((t.keypoints[:n].astype(np.float32), lab[:n].astype(np.float32), t.fps))
    return out


def train(preset: str, out: Path, steps: int | None = None, threads: int | None = None, seed: int = 0,
          accel_weight: float = 2.0, real: tuple[Path, Path] | None = None, real_share: float = 0.5) -> dict:
    """accel_weight: weight of the acceleration term of the loss (L1 of the second difference
    against the clean track's): position alone left the output as jerky as its input.
    real: (pushfit folder, own-track cache): also train on real pairs (real_pairs; training
    clips only), real_share of each batch."""
    cfg = preset_config(PRESETS, preset, steps, threads)
    print("building pairs (synthetic clips) ...", flush=True)
    tr = pairs(range(cfg["seeds"]))
    held_range = range(HELD_OUT_SEED, HELD_OUT_SEED + cfg["held_out"])
    held = pairs(held_range)
    # every window start of every training clip, drawn uniformly
    n_synth = len(tr)
    if real is not None:
        tr = tr + real_pairs(*real)
        print(f"real pairs: {len(tr) - n_synth} pushfit training clips", flush=True)
    index = np.array([(i, s) for i, (n, _, _) in enumerate(tr) for s in range(len(n) - SMOOTH_LEN + 1)])
    is_real = index[:, 0] >= n_synth
    net_cfg = Seq2SeqConfig(cfg["hidden"], cfg["attn"])
    torch.manual_seed(seed)
    model = Seq2SeqSmoother(net_cfg)
    oe = tune_one_euro(tr[:cfg["tune"]])
    print(f"One-Euro tuned on {cfg['tune']} training clips: {oe}", flush=True)

    synth_idx, real_idx = index[~is_real], index[is_real]

    def batch(rng):
        n_real = int(round(cfg["batch"] * real_share)) if len(real_idx) else 0
        pick = np.concatenate([synth_idx[rng.integers(0, len(synth_idx), cfg["batch"] - n_real)],
                               real_idx[rng.integers(0, max(1, len(real_idx)), n_real)] if n_real else
                               np.zeros((0, 2), np.int64)])
        noisy = np.stack([tr[i][0][s:s + SMOOTH_LEN] for i, s in pick])
        clean = np.stack([tr[i][1][s:s + SMOOTH_LEN] for i, s in pick])
        return torch.from_numpy(noisy), torch.from_numpy(clean), torch.from_numpy((pick[:, 0] >= n_synth) * 1.0)

    def loss(noisy, clean, from_real):
        y, _ = model(noisy)
        vis = (clean[..., 2] > 0).to(y.dtype)
        scale = torch.from_numpy(np.stack([box_sizes(c.numpy()) for c in clean]))[..., None, None]
        err = ((y - clean[..., :2]).abs() / scale).sum(-1)
        pos = (err * vis).sum() / vis.sum().clamp(min=1.0)
        if not accel_weight:
            return pos
        acc = lambda z: z[:, 2:] - 2 * z[:, 1:-1] + z[:, :-2]
        v3 = vis[:, 2:] * vis[:, 1:-1] * vis[:, :-2]
        # real labels (two teachers' agreement) jitter themselves: on real pairs the output's own
        # acceleration is penalised (target 0) instead of matching the labels'
        target = acc(clean[..., :2]) * (1.0 - from_real.to(y.dtype))[:, None, None, None]
        da = ((acc(y) - target).abs() / scale[:, 1:-1]).sum(-1)
        return pos + accel_weight * (da * v3).sum() / v3.sum().clamp(min=1.0)

    def figs():
        r = evaluate(torch_fn(model), held[:max(1, len(held) // 3)])  # a third of held-out, for speed
        return {"full_pck@0.02": r["seq2seq_full"]["pck@0.02"], "live_pck@0.02": r["seq2seq_live"]["pck@0.02"],
                "full_accel": r["seq2seq_full"]["accel_err"]}

    history = fit(model, batch, loss, cfg["steps"], cfg["lr"], f"smoother/{preset}", seed=seed, evaluate=figs,
                  eval_every=max(1, cfg["steps"] // 5))
    model.eval()
    final = evaluate(torch_fn(model), held, oe)
    if real is not None:
        final["real_validation"] = evaluate_real(torch_fn(model), real_pairs(*real, validation=True), oe)
    save_checkpoint(out, {"kind": "seq2seq", "preset": preset, "net": net_cfg.as_dict(), "model": model.state_dict(),
                          "steps": cfg["steps"], "history": history, "seed": seed, "lr": cfg["lr"],
                          "train_seeds": [0, cfg["seeds"]], "held_out_seeds": [held_range.start, held_range.stop],
                          "one_euro": oe, "evaluation": final, "window": SMOOTH_LEN, "lookahead": LOOKAHEAD,
                          "accel_weight": accel_weight, "real": [str(x) for x in real] if real else None,
                          "real_share": real_share if real else 0.0})
    return {"history": history, "figures": final, "one_euro": oe}


def load_smoother(path: Path) -> tuple[Seq2SeqSmoother, dict]:
    ck = load_checkpoint(path, "seq2seq", COMMAND)
    m = Seq2SeqSmoother(Seq2SeqConfig(**ck["net"]))
    m.load_state_dict(ck["model"])
    return m.eval(), ck
