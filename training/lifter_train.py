"""Training and evaluation of the 3D lifter, per action and on all actions.

    python -m training lifter [--preset cpu|gpu|ci] [--steps N] [--actions pushup,pullup,situp,all] [--causal]

Data: training.synth clips (noisy 2D keypoints as the estimator gives them -> the clip's
3D joints in the camera's axes, root-relative, metres); camera variety from the synthetic
cameras (front and side views, image sizes, fields of view, heights, distances). Training
seeds 0.., held out from HELD_OUT_SEED. Per action (the seed paper's proposal): one model
trained only on that exercise's clips; `all`: one model on every exercise, same steps.
Figures per exercise on held-out clips (every frame, ends edge-padded):
  MPJPE    mean joint position error, mm
  P-MPJPE  the same after a per-frame similarity (Procrustes) alignment, mm
  MPJVE    mean error of the joints' frame-to-frame velocity, mm per frame
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from app.core.skeleton import FLIP
from app.core.types import EXERCISES
from app.core.windows import padded_indices
from training.data.synth_clips import HELD_OUT_SEED, clips
from training.loop import fit, load_checkpoint, preset_config, save_checkpoint
from training.nets.lifter import RECEPTIVE_FIELD, Lifter, LifterConfig, root_relative

PRESETS = {
    "cpu": {"seeds": 100, "held_out": 15, "steps": 1500, "batch": 64, "chunk": 16, "lr": 1e-3, "channels": 128},
    "gpu": {"seeds": 800, "held_out": 60, "steps": 20000, "batch": 256, "chunk": 32, "lr": 1e-3, "channels": 512},
    "ci": {"seeds": 2, "held_out": 1, "steps": 20, "batch": 4, "chunk": 4, "lr": 1e-3, "channels": 16},
}
COMMAND = "python -m training lifter"
ACTIONS = EXERCISES + ("all",)


def sequences(seeds: range, action: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """-> [(keypoints (T, 17, 3) px, joints (T, 17, 3) m camera axes root-relative)]."""
    ex = EXERCISES if action == "all" else (action,)
    out = []
    for c in clips(seeds, exercises=ex, extra_kinds=False):
        cam = c.camera.to_camera(c.joints3d.astype(np.float64))
        out.append((c.keypoints, root_relative(torch.from_numpy(cam)).numpy().astype(np.float32)))
    return out


def lift(model: Lifter, kpts: np.ndarray) -> np.ndarray:
    """A whole track (T, 17, 3) -> (T, 17, 3) metres, ends edge-padded (causal: all padding before)."""
    rf = model.receptive_field
    before, after = (rf - 1, 0) if model.cfg.causal else (rf // 2, rf // 2)
    idx = padded_indices(len(kpts), before, after)
    with torch.no_grad():
        return model(torch.from_numpy(np.ascontiguousarray(kpts[idx], np.float32))[None])[0].numpy()


def procrustes(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Per frame, the similarity transform (rotation, scale, translation) of pred best fitting gt.
    pred, gt (T, J, 3) -> aligned pred (T, J, 3)."""
    mp, mg = pred.mean(1, keepdims=True), gt.mean(1, keepdims=True)
    p, g = pred - mp, gt - mg
    h = np.einsum("tji,tjk->tik", p, g)
    u, s, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(np.einsum("tij,tjk->tik", u, vt)))
    s[:, -1] *= d
    u[:, :, -1] *= d[:, None]
    r = np.einsum("tij,tjk->tik", u, vt)                        # p @ r ~ g
    scale = s.sum(1) / np.maximum((p ** 2).sum((1, 2)), 1e-12)
    return scale[:, None, None] * np.einsum("tji,tik->tjk", p, r) + mg


def errors(pred: np.ndarray, gt: np.ndarray) -> dict:
    """Sums (to pool over sequences) of MPJPE, P-MPJPE (mm) and MPJVE (mm / frame)."""
    e = np.linalg.norm(pred - gt, axis=-1) * 1000
    pe = np.linalg.norm(procrustes(pred, gt) - gt, axis=-1) * 1000
    ve = np.linalg.norm(np.diff(pred, axis=0) - np.diff(gt, axis=0), axis=-1) * 1000
    return {"n": e.size, "mpjpe": float(e.sum()), "p_mpjpe": float(pe.sum()), "nv": ve.size, "mpjve": float(ve.sum())}


def evaluate(model: Lifter, held: dict[str, list]) -> dict:
    """held: exercise -> sequences -> {exercise: {mpjpe, p_mpjpe, mpjve}}."""
    model.eval()
    out = {}
    for ex, seqs in held.items():
        parts = [errors(lift(model, k), j) for k, j in seqs]
        s = {k: sum(p[k] for p in parts) for k in parts[0]}
        out[ex] = {"mpjpe_mm": s["mpjpe"] / s["n"], "p_mpjpe_mm": s["p_mpjpe"] / s["n"], "mpjve_mm": s["mpjve"] / s["nv"]}
    return out


def train(preset: str, action: str, out: Path, causal: bool = False, steps: int | None = None,
          threads: int | None = None, seed: int = 0) -> dict:
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    cfg = preset_config(PRESETS, preset, steps, threads)
    tr = sequences(range(cfg["seeds"]), action)
    held_range = range(HELD_OUT_SEED, HELD_OUT_SEED + cfg["held_out"])
    held = {ex: sequences(held_range, ex) for ex in (EXERCISES if action == "all" else (action,))}
    span = RECEPTIVE_FIELD - 1 + cfg["chunk"]
    index = np.array([(i, s) for i, (k, _) in enumerate(tr) for s in range(len(k) - span + 1)])
    net_cfg = LifterConfig(cfg["channels"], causal=causal)
    torch.manual_seed(seed)
    model = Lifter(net_cfg)
    first = RECEPTIVE_FIELD - 1 if causal else RECEPTIVE_FIELD // 2   # the target of the first output

    def batch(rng):
        pick = index[rng.integers(0, len(index), cfg["batch"])]
        k = np.stack([tr[i][0][s:s + span] for i, s in pick])
        j = np.stack([tr[i][1][s + first:s + first + cfg["chunk"]] for i, s in pick])
        if rng.random() < 0.5:  # mirror the image: x -> -x in 2D and 3D, left and right swapped
            flip = list(FLIP)
            k = k[:, :, flip].copy()
            k[..., 0] = -k[..., 0]
            j = j[:, :, flip].copy()
            j[..., 0] = -j[..., 0]
        return torch.from_numpy(k), torch.from_numpy(j)

    def loss(k, j):
        return torch.linalg.vector_norm(model(k) - j, dim=-1).mean()   # MPJPE, metres

    def figs():
        r = evaluate(model, held)
        return {"mpjpe_mm": float(np.mean([v["mpjpe_mm"] for v in r.values()]))}

    history = fit(model, batch, loss, cfg["steps"], cfg["lr"], f"lifter/{action}{'/causal' if causal else ''}",
                  seed=seed, evaluate=figs, eval_every=max(1, cfg["steps"] // 3))
    final = evaluate(model, held)
    save_checkpoint(out, {"kind": "lifter", "preset": preset, "action": action, "net": net_cfg.as_dict(),
                          "model": model.state_dict(), "steps": cfg["steps"], "history": history, "seed": seed,
                          "lr": cfg["lr"], "train_seeds": [0, cfg["seeds"]],
                          "held_out_seeds": [held_range.start, held_range.stop], "evaluation": final})
    return {"history": history, "figures": final}


def load_lifter(path: Path) -> tuple[Lifter, dict]:
    ck = load_checkpoint(path, "lifter", COMMAND)
    m = Lifter(LifterConfig(**ck["net"]))
    m.load_state_dict(ck["model"])
    return m.eval(), ck
