"""Training loop of the pose models (PAF stateless model and LSTM-PM).

Checkpoints are self-describing: kind, network config, input size, data split, step,
optimiser state, the arguments and the validation history, so `--resume` continues exactly
and export needs nothing but the file.
"""
from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader

from training.data import pushfit
from training.data.pose_dataset import PoseClips, load_sets
from training.data.pose_frames import build_cache, is_validation
from training.nets.lstm_pm import LstmPm, LstmPmConfig, seed_from_paf
from training.nets.paf import STRIDE, PafConfig, PafNet
from training.progress import Progress

TEACHER_TRACKS = Path.home() / ".cache" / "drillscore" / "teacher"  # `python -m training teacher` output

PRESETS = {  # name -> overrides; cpu fits a 2-core session, gpu is the full model
    "cpu": {"size": 256, "batch": 16, "steps": 3000, "width": 96, "feat": 64, "head": 64, "stages": 2, "hidden": 48,
            "clip_len": 5, "lr": 2e-3, "synth": 300, "lstm_batch": 4},
    "gpu": {"size": 368, "batch": 64, "steps": 30000, "width": 160, "feat": 96, "head": 96, "stages": 3, "hidden": 64,
            "clip_len": 5, "lr": 2e-3, "synth": 3000, "lstm_batch": 16},
    "ci": {"size": 128, "batch": 4, "steps": 6, "width": 32, "feat": 16, "head": 16, "stages": 2, "hidden": 8,
           "clip_len": 2, "lr": 1e-3, "synth": 2, "lstm_batch": 2},
}


def committed_version(path: Path) -> str | None:
    """The git commit whose copy of `path` is the file as it is now (HEAD, when the file is
    tracked and unmodified), so a card can name the exact init after the file is overwritten."""
    import subprocess
    root = Path(__file__).resolve().parent.parent
    try:
        rel = Path(path).resolve().relative_to(root)
        clean = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", str(rel)], cwd=root, check=False).returncode == 0
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(rel)], cwd=root, capture_output=True,
                                 check=False).returncode == 0
        if not (clean and tracked):
            return None
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (ValueError, OSError, subprocess.CalledProcessError):
        return None


def build_model(kind: str, cfg: dict) -> torch.nn.Module:
    if kind == "paf":
        return PafNet(PafConfig(cfg["width"], cfg["feat"], cfg["head"], cfg["stages"]))
    if kind == "lstm_pm":
        return LstmPm(LstmPmConfig(cfg["width"], cfg["feat"], cfg["head"], cfg["hidden"], cfg.get("gen_depth", 4)))
    raise ValueError(f"model must be paf or lstm_pm, got {kind!r}")


def net_config(model: torch.nn.Module) -> dict:
    return dataclasses.asdict(model.cfg)


def load_checkpoint(path: Path) -> tuple[torch.nn.Module, dict]:
    """-> (model in eval mode, checkpoint dict). Errors name the file and the fix."""
    try:
        ck = torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError) as e:
        raise ValueError(f"{path}: cannot read the checkpoint ({e.__class__.__name__}); train it again with "
                         f"`python -m training pose`") from None
    m = build_model(ck["kind"], ck["net"])  # the saved config holds every size the model needs
    m.load_state_dict(ck["model"])
    return m.eval(), ck


def stage_loss(outs, heat, paf, hw, pw, paf_weight: float = 1.0) -> torch.Tensor:
    """Masked L2 at every stage / frame. outs: list over T of list over stages of (s, l) or
    list over T of (s, l); heat (B, T, 18, h, w) etc."""
    total = heat.new_zeros(())
    for t, o in enumerate(outs):
        stages = o if isinstance(o, list) else [o]
        for s, l_ in stages:
            total = total + (((s - heat[:, t]) ** 2) * hw[:, t, :, None, None]).mean() * heat.shape[2]
            total = total + (((l_ - paf[:, t]) ** 2) * pw[:, t, :, None, None]).mean() * paf.shape[2] * paf_weight
    return total / len(outs)


def temporal_loss(outs, heat, paf, hw, pw) -> torch.Tensor:
    """Frame-to-frame change of the beliefs against the change of the targets (LSTM-PM
    clips): masked L2 on (b_t - b_t-1) - (y_t - y_t-1). The per-frame loss alone leaves the
    outputs free to flicker where the labels are still; this asks the memory to move the
    maps only as much as the body moved. outs: list over T of (s, l)."""
    total = heat.new_zeros(())
    for t in range(1, len(outs)):
        (s0, l0), (s1, l1) = outs[t - 1], outs[t]
        mh = (hw[:, t] * hw[:, t - 1])[:, :, None, None]
        mp = (pw[:, t] * pw[:, t - 1])[:, :, None, None]
        total = total + ((((s1 - s0) - (heat[:, t] - heat[:, t - 1])) ** 2) * mh).mean() * heat.shape[2]
        total = total + ((((l1 - l0) - (paf[:, t] - paf[:, t - 1])) ** 2) * mp).mean() * paf.shape[2]
    return total / max(len(outs) - 1, 1)


FROZEN = ("backbone.", "first.")  # --freeze: the LSTM-PM parts seeded from the PAF model's trunk and stage 1


def set_train_mode(model: torch.nn.Module, frozen: bool) -> None:
    """model.train(), but with frozen parts kept in eval mode: their batch-norm statistics
    would otherwise drift on the small clip batches the frozen weights were not fitted to."""
    model.train()
    if frozen:
        for name, m in model.named_children():
            if f"{name}." in FROZEN:
                m.eval()


def _forward(model, kind, imgs):
    if kind == "paf":
        return [model(imgs[:, 0])]
    return model(imgs)


@torch.no_grad()
def quick_pck(model, kind: str, loader, max_batches: int = 20, alpha: float = 0.2, frozen: bool = False) -> float:
    """PCK@alpha of the heatmap argmax against the labelled joints (single-person proxy used
    for the progress bar; `python -m training eval pose` runs the full decoder)."""
    model.eval()
    hit = tot = 0
    dev = next(model.parameters()).device
    for b, (imgs, heat, _, hw, _) in enumerate(loader):
        if b >= max_batches:
            break
        imgs = imgs.to(dev)
        outs = _forward(model, kind, imgs)
        for t, o in enumerate(outs):
            s = (o[-1] if isinstance(o, list) else o)[0].cpu()
            B, J = s.shape[0], heat.shape[2] - 1
            pred = s[:, :J].flatten(2).argmax(-1)
            truth_map = heat[:, t, :J].flatten(2)
            has = truth_map.max(-1).values > 0.5
            tru = truth_map.argmax(-1)
            w = s.shape[-1]
            py, px = (pred // w).float(), (pred % w).float()
            ty, tx = (tru // w).float(), (tru % w).float()
            known = has & (hw[:, t, :J] > 0)
            for i in range(B):
                k = known[i]
                if k.sum() < 2:
                    continue
                span = torch.maximum(tx[i][k].max() - tx[i][k].min(), ty[i][k].max() - ty[i][k].min()).clamp(min=1.0)
                d = torch.hypot(px[i] - tx[i], py[i] - ty[i])
                hit += int(((d <= alpha * span) & k).sum())
                tot += int(k.sum())
    set_train_mode(model, frozen)
    return hit / max(tot, 1)


def train(kind: str, preset: str, out: Path, data_root: Path, cache: Path, steps: int | None = None,
          resume: bool = False, threads: int | None = None, seed: int = 0, workers: int = 1,
          val_every: int = 250, init: Path | None = None, coco: tuple[Path, Path] | None = None,
          synth: int | None = None, paf_weight: float = 1.0, lr: float | None = None,
          temporal_weight: float = 0.0, freeze: bool = False, labels: str = "pushfit",
          crop_share: float = 0.0, size: int | None = None, sample_weights: dict | None = None) -> dict:
    """paf_weight scales the PAF term of the loss: the fields are sparse, and a generator
    that starts from random weights (the LSTM-PM's) first learns to output zeros there.
    temporal_weight: the LSTM-PM's frame-to-frame term (temporal_loss); 0 for the PAF model.
    freeze: keep the LSTM-PM's backbone and ConvNet1 head as --init gave them (train the
    memory and the generator only).
    labels: "pushfit" (MoveNet + MediaPipe agreement on pushfit, the first models) or
    "teacher" (the reference teacher on footage + pushfit, training.data.teacher_frames;
    `cache` is then the teacher-frame cache and data_root the shared data folder).
    crop_share: share of training items framed around the person (the app's crop pass).
    sample_weights: sampling weights per kind of clip over teacher_frames.WEIGHTS (teacher labels only).
    init may be an exported .onnx model (training.onnx_weights) when its checkpoint is gone."""
    if (temporal_weight or freeze) and kind != "lstm_pm":
        raise ValueError("--temporal-weight and --freeze are for clips: use them with --model lstm_pm")
    if freeze and init is None and not resume:
        raise ValueError("--freeze keeps seeded weights: give --init CHECKPOINT (a trained PAF model)")
    cfg = dict(PRESETS[preset])
    if kind == "lstm_pm":  # a clip of T frames costs T images: fewer clips per batch
        cfg["batch"] = cfg["lstm_batch"]
    if steps is not None:
        cfg["steps"] = steps
    if lr is not None:
        cfg["lr"] = lr
    if size is not None:  # the network is fully convolutional: the same weights at another input size
        if size % STRIDE:
            raise ValueError(f"--size {size}: the input size must be a multiple of {STRIDE}")
        cfg["size"] = size
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    t_len = 1 if kind == "paf" else cfg["clip_len"]
    weights = None
    weights_override = dict(sample_weights or {})
    if labels == "teacher":
        from training.data import teacher_frames as TF
        unknown = sorted(set(weights_override) - set(TF.WEIGHTS))
        if unknown:
            raise ValueError(f"--weight {', '.join(unknown)}: not a kind of clip; use {', '.join(TF.WEIGHTS)}")
        table = {**TF.WEIGHTS, **weights_override}
        tr_src, va_src = TF.training_sources(data_root, TEACHER_TRACKS)
        va_src = TF.validation_sources(data_root, TEACHER_TRACKS) + va_src  # the hand-counted videos first
        TF.build(tr_src + va_src, cache, progress=lambda i, n: print(f"\rcaching frames {i}/{n}", end="", flush=True))
        print()
        tr_clips, va_clips = [s.name for s in tr_src], [s.name for s in va_src]
        tr_sets, va_sets = load_sets(cache, tr_clips), load_sets(cache, va_clips)
        by_name = {s.name: TF.weight_of(s, table) for s in tr_src}
        weights = [by_name[fs.clip] for fs in tr_sets]
    else:
        clips = [c.clip for c in pushfit.load_index(data_root)]
        build_cache(data_root, cache, clips, progress=lambda i, n: print(f"\rcaching frames {i}/{n}", end="", flush=True))
        print()
        tr_clips = [c for c in clips if not is_validation(c)]
        va_clips = [c for c in clips if is_validation(c)]
        tr_sets, va_sets = load_sets(cache, tr_clips), load_sets(cache, va_clips)
    n_synth = cfg["synth"] if synth is None else synth
    synth_sets = []
    if n_synth:
        from training.data.synth_frames import build_synth_cache
        scache = cache.parent / "synth_frames"
        names = build_synth_cache(scache, n_synth, progress=lambda i, n: print(f"\rrendering synthetic clips {i}/{n}",
                                                                                end="", flush=True))
        print()
        synth_sets = load_sets(scache, names)
        if weights is not None:
            weights = weights + [table["other"]] * len(synth_sets)
    train_ds = PoseClips(tr_sets + synth_sets, cfg["size"], t_len, 1.0, seed, crop_share=crop_share)
    val_ds = PoseClips(va_sets, cfg["size"], t_len, 0.0, seed + 1)
    if labels == "teacher":  # the progress figure: a fixed spread of validation frames, every video in it
        from torch.utils.data import Subset
        pick = np.random.default_rng(seed).permutation(len(val_ds))[:20 * cfg["batch"]]
        val_ds = Subset(val_ds, sorted(pick.tolist()))
    if coco is not None:  # COCO-format images join the stateless model's training set
        if kind != "paf":
            raise ValueError("COCO images are single frames: use them with --model paf (then --init the LSTM-PM)")
        from torch.utils.data import ConcatDataset

        from training.data.coco import load_coco
        from training.data.pose_dataset import CocoFrames
        train_ds = ConcatDataset([train_ds, CocoFrames(load_coco(*coco), cfg["size"], 1.0, seed)])
    sampler = None
    if weights is not None and coco is None:  # rare poses drawn more often (with replacement)
        from torch.utils.data import WeightedRandomSampler
        sampler = WeightedRandomSampler(train_ds.item_weights(weights), len(train_ds),
                                        generator=torch.Generator().manual_seed(seed))
    tl = DataLoader(train_ds, batch_size=cfg["batch"], shuffle=sampler is None, sampler=sampler,
                    num_workers=workers, drop_last=True, persistent_workers=workers > 0)
    vl = DataLoader(val_ds, batch_size=cfg["batch"], shuffle=False, num_workers=0)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device_note = (f"GPU: {torch.cuda.get_device_name(0)}" if dev.type == "cuda"
                   else f"CPU, {torch.get_num_threads()} threads (no GPU found)")
    model = build_model(kind, cfg).to(dev)
    if resume and out.exists():  # a resumed run keeps what it froze (the optimiser state depends on it)
        freeze = freeze or bool(torch.load(out, map_location="cpu", weights_only=False).get("frozen"))
    if freeze:
        for name, prm in model.named_parameters():
            prm.requires_grad_(not name.startswith(FROZEN))
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=cfg["lr"], weight_decay=1e-4)
    step, history = 0, []
    ck_init = None  # where the weights started (kept across --resume)
    init_commit = committed_version(init) if init is not None and not resume else None
    if resume and out.exists():
        ck = torch.load(out, map_location=dev, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optim"])
        step, history, ck_init = ck["step"], ck["history"], ck.get("init")
        init_commit = ck.get("init_commit")
        if lr is None and "lr" in ck:  # continue the schedule the run started with
            cfg["lr"] = ck["lr"]
        print(f"resumed {out} at step {step}")
    elif init is not None and init.suffix == ".onnx":  # a shipped model whose checkpoint is gone
        if kind != "paf":
            raise ValueError("--init MODEL.onnx restores the stateless model: use it with --model paf")
        from training.onnx_weights import calibrate, load_folded
        n = load_folded(model, init)
        calibrate(model, torch.stack([train_ds[i][0][0] for i in range(min(32, len(train_ds)))]).to(dev))
        print(f"initialised {n} convolutions from {init} (batch norms calibrated on 32 training frames)")
    elif init is not None:  # e.g. the LSTM-PM from a trained PAF model
        src = torch.load(init, map_location="cpu", weights_only=False)["model"]
        own = model.state_dict()
        if kind == "lstm_pm":
            shared = seed_from_paf(src, own)
        else:
            shared = {k: v for k, v in src.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(shared, strict=False)
        print(f"initialised {len(shared)} tensors from {init}")
    total = cfg["steps"]
    sched = lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total) / total))  # cosine decay
    bar = Progress(total, f"{kind}/{preset}", start=step)
    set_train_mode(model, freeze)
    t0 = time.perf_counter()
    losses: list[float] = []
    pck = float("nan")

    def save() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        torch.save({"kind": kind, "preset": preset, "net": net_config(model) | {"stages": cfg["stages"]},
                    "size": cfg["size"], "stride": STRIDE, "clip_len": t_len, "model": model.state_dict(),
                    "optim": opt.state_dict(), "step": step, "history": history, "train_clips": tr_clips,
                    "val_clips": va_clips, "data": str(data_root), "synth_clips": n_synth, "seed": seed,
                    "init": str(init) if init else ck_init, "lr": cfg["lr"], "steps_total": total,
                    "paf_weight": paf_weight, "temporal_weight": temporal_weight, "frozen": list(FROZEN) if freeze else [],
                    "labels": labels, "crop_share": crop_share, "init_commit": init_commit,
                    "weights": weights_override,
                    "device": device_note},
                   tmp)
        tmp.replace(out)  # a kill mid-save never leaves a broken checkpoint

    while step < total:
        for batch in tl:
            imgs, heat, paf, hw, pw = (t.to(dev, non_blocking=True) for t in batch)
            for g in opt.param_groups:
                g["lr"] = cfg["lr"] * sched(step)
            outs = _forward(model, kind, imgs)
            loss = stage_loss(outs, heat, paf, hw, pw, paf_weight)
            if temporal_weight:
                loss = loss + temporal_weight * temporal_loss(outs, heat, paf, hw, pw)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            step += 1
            losses.append(loss.item())
            if step % val_every == 0 or step == total:
                pck = quick_pck(model, kind, vl, frozen=freeze)
                history.append({"step": step, "loss": float(np.mean(losses[-val_every:])), "val_pck": pck,
                                "minutes": (time.perf_counter() - t0) / 60})
                save()
            bar.update(step, loss=float(np.mean(losses[-20:])), val_pck=pck)
            if step >= total:
                break
    bar.close()
    save()
    return {"step": step, "val_pck": pck, "history": history, "losses": losses}
