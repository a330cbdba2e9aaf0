"""Train the crop pose model (training/nets/crop_pose.py) on teacher-labelled upright crops.

    python -m training crop-pose [--minutes M | --steps N] [--resume] [--device cuda]

Data: the crop cache (training/data/crop_cache.py; built on first use, ~2 minutes). Each step
draws clips by kind (pull-ups and lying work more often: they are what the whole-frame model
lost), one cached crop per draw, and moves the region of interest by the error the live
tracker makes (shift, scale, rotation), flips with left/right swapped, and changes light,
blur, compression and occlusion (training.data.augment). Targets: a Gaussian belief map per
joint at stride 4; masked joints (the teacher unsure) carry no loss; a negative crop (nobody
in it) teaches all maps empty.

Resumable in chunks: the checkpoint holds the step, optimiser, data split, config and the
validation curve; `--resume` continues the cosine schedule where it stopped. Validation:
crops of the held-out hand-counted videos (people in no training clip) with a fixed region
error, PCK@0.2 / @0.1 per exercise.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import torch

from app.core.belief_maps import decode
from app.core.skeleton import FLIP
from training.data import augment
from training.data import crop_cache as C
from training.data.teacher_frames import WEIGHTS, validation_sources
from training.loop import save_checkpoint
from training.nets.crop_pose import STRIDE, CropPoseConfig, CropPoseNet, parameters
from training.progress import Progress

KIND = "crop_pose"
CACHE = Path.home() / ".cache" / "drillscore" / "crops"
SIGMA = 1.5            # belief map Gaussian, output cells
JITTER = {"shift": 0.10, "scale": 0.20, "angle": 25.0}  # the region error drawn (share of side, log, degrees)
VAL_FRAMES = 40        # crops per validation video
# The frame's edge cutting the body (a close framing: a talking head, a pull-up filmed from the
# waist up, feet out of a portrait frame): the app's crop then runs past the image and is grey
# there (crop_reader.GREY). The teacher's labels stop at the image, so without this the model
# never learns where a body cut by an edge goes on, and a crop placed from what is left of the
# body shrinks onto a part (calimiro-ai_pullup_5, a training clip filmed from the shoulders up:
# PCK@0.2 0.30 through the app's path against 0.93 for its crops). A share of the crops is cut
# by a straight edge at a drawn angle and greyed beyond it; the joints beyond keep their labels at
# CUT_WEIGHT, so the model learns to place them past the edge as BlazePose does. Half the cuts
# are black, not grey: the padding bars of a letterboxed or pillarboxed video, which end the
# picture inside the frame.
CUT_WEIGHT = 0.5
BAR = 0
# clips drawn by kind (training.data.teacher_frames.WEIGHTS), rendered clips at half a real
# clip's weight: they teach the rendered demo and rare poses, real footage stays the bulk
CROP_WEIGHTS = {**WEIGHTS, "synth": 0.5}


@dataclass(frozen=True)
class TrainConfig:
    """One run's settings (kept in the checkpoint). steps: the schedule's length (cosine decay
    to 0 at `steps`); a resumed run keeps it unless given anew."""

    steps: int = 12000
    batch: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-4
    net: CropPoseConfig = field(default_factory=CropPoseConfig)
    seed: int = 0
    val_every: int = 500
    cut: float = 0.0       # share of crops cut by a frame edge or a padding bar (cut_by_edge)
    captions: float = 0.0  # share of crops with caption text over them (augment.caption)

    def as_dict(self) -> dict:
        return {"steps": self.steps, "batch": self.batch, "lr": self.lr, "weight_decay": self.weight_decay,
                "net": self.net.as_dict(), "seed": self.seed, "val_every": self.val_every, "cut": self.cut,
                "captions": self.captions}


PRESETS = {"cpu": TrainConfig(), "ci": TrainConfig(steps=4, batch=2, val_every=2,
                                                   net=CropPoseConfig((8, 8, 8, 8), (1, 1, 1), 2, 8, 64))}


def belief_maps(joints: np.ndarray, size: int, sigma: float = SIGMA) -> tuple[np.ndarray, np.ndarray]:
    """joints (17, 3) input px + flag -> maps float32 (17, S/4, S/4), weight float32 (17,) (0:
    masked; the flag itself otherwise, e.g. CUT_WEIGHT). A joint outside the input keeps its
    weight: its map is empty (the model learns the joint is not in the crop). Cell centres at
    (i + 0.5) * STRIDE - 0.5 px."""
    n = size // STRIDE
    c = (np.arange(n, dtype=np.float32) + 0.5) * STRIDE - 0.5
    gx = np.exp(-((c[None, :] - joints[:, :1]) / STRIDE) ** 2 / (2 * sigma ** 2))  # (17, n)
    gy = np.exp(-((c[None, :] - joints[:, 1:2]) / STRIDE) ** 2 / (2 * sigma ** 2))
    maps = (gy[:, :, None] * gx[:, None, :]).astype(np.float32)
    return maps * (joints[:, 2:3, None] > 0), np.clip(joints[:, 2], 0.0, 1.0).astype(np.float32)


def region_matrix(cache_size: int, size: int, shift: tuple[float, float], log_scale: float, angle_deg: float,
                  flip: bool) -> np.ndarray:
    """2x3 affine from cache px to input px: the region of interest (the cache's middle 1/PAD)
    moved by `shift` (share of its side), scaled by exp(log_scale) (> 0: a wider region, the
    person smaller), rotated by angle_deg, optionally mirrored."""
    roi = cache_size / C.PAD
    s = size / (roi * math.exp(log_scale))
    m = cv2.getRotationMatrix2D((cache_size / 2 + shift[0] * roi, cache_size / 2 + shift[1] * roi), angle_deg, s)
    m[:, 2] += np.array([size / 2, size / 2]) - np.array([cache_size / 2 + shift[0] * roi,
                                                          cache_size / 2 + shift[1] * roi])
    if flip:
        m = np.array([[-1, 0, size - 1], [0, 1, 0]]) @ np.vstack([m, [0, 0, 1]])
    return m


def sample(img: np.ndarray, joints: np.ndarray, size: int, rng: np.random.Generator | None,
           strength: float = 1.0, looks: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """One cached crop (S0, S0, 3) and its joints (17, 3) -> the model's input (size, size, 3)
    uint8 and joints in input px, with a drawn region error and (looks) appearance change (rng
    None: the exact region, no appearance change)."""
    if rng is None:
        m = region_matrix(img.shape[0], size, (0.0, 0.0), 0.0, 0.0, False)
        a = augment.Aug()
    else:
        j = JITTER
        m = region_matrix(img.shape[0], size, tuple(rng.uniform(-j["shift"], j["shift"], 2) * strength),
                          float(rng.uniform(-j["scale"], j["scale"]) * strength),
                          float(rng.uniform(-j["angle"], j["angle"]) * strength), bool(rng.random() < 0.5))
        a = augment.draw(rng, strength) if looks else augment.Aug()
    out = cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(C.GREY,) * 3)
    out = augment.appearance(out, a)
    k = joints.copy()
    k[:, :2] = joints[:, :2] @ m[:, :2].T + m[:, 2]
    if m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0] < 0:  # mirrored: left is right now
        k = k[list(FLIP)]
    return out, k


def cut_by_edge(img: np.ndarray, joints: np.ndarray, rng: np.random.Generator,
                fill: int = C.GREY) -> tuple[np.ndarray, np.ndarray]:
    """An input (S, S, 3) and its joints (17, 3) input px + flag -> the input filled with `fill`
    (the app's grey beyond the image, or BAR: a video's padding bar) beyond a straight edge at a
    drawn angle that leaves 10-60% of the labelled joints beyond it, and those joints' flags set
    to CUT_WEIGHT (still taught, less surely). Fewer than 6 labelled joints: as it was."""
    known = joints[:, 2] > 0
    if known.sum() < 6:
        return img, joints
    a = rng.uniform(0.0, 2 * np.pi)
    u = np.array([math.cos(a), math.sin(a)], np.float32)
    proj = joints[:, :2] @ u
    edge = float(rng.uniform(*np.quantile(proj[known], [0.4, 0.9])))
    size = img.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    out = img.copy()
    out[xx * u[0] + yy * u[1] > edge] = fill
    k = joints.copy()
    k[known & (proj > edge), 2] = CUT_WEIGHT
    return out, k


class Sampler:
    """Clips drawn by kind weight, then a crop uniformly within the clip."""

    def __init__(self, sets: list[C.CropSet], weights: dict | None = None, cut: float = 0.0,
                 captions: float = 0.0) -> None:
        self.sets, self.cut, self.captions = sets, cut, captions
        table = weights or CROP_WEIGHTS
        w = np.array([table["pushfit"] if s.name.startswith("pushfit_") else table.get(s.content.split(":")[0], 1.0)
                      for s in sets], np.float64)
        self.p = w / w.sum()

    def batch(self, rng: np.random.Generator, n: int, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        xs, maps, ws = [], [], []
        for ci in rng.choice(len(self.sets), n, p=self.p):
            s = self.sets[ci]
            i = int(rng.integers(len(s.images)))
            img, k = sample(s.images[i], s.joints[i], size, rng)
            if s.person[i] and self.cut and rng.random() < self.cut:
                img, k = cut_by_edge(img, k, rng, C.GREY if rng.random() < 0.5 else BAR)
            if self.captions and rng.random() < self.captions:
                img = augment.caption(img, rng)
            if not s.person[i]:
                k[:, 2] = 1.0              # nobody here: every map taught empty
                k[:, :2] = -1e4
            m, w = belief_maps(k, size)
            xs.append(img)
            maps.append(m)
            ws.append(w)
        return to_input(np.stack(xs)), torch.from_numpy(np.stack(maps)), torch.from_numpy(np.stack(ws))


def to_input(imgs: np.ndarray) -> torch.Tensor:
    """uint8 (B, S, S, 3) BGR -> float (B, 3, S, S) RGB in [0, 1], channels-last in memory."""
    x = torch.from_numpy(np.ascontiguousarray(imgs[..., ::-1])).permute(0, 3, 1, 2).float() / 255.0
    return x.contiguous(memory_format=torch.channels_last)


def loss_fn(pred: torch.Tensor, maps: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Weighted squared error, the peak cells weighted up (a map is mostly empty)."""
    per = (pred - maps) ** 2 * (1.0 + 4.0 * maps)
    return (per.mean((2, 3)) * w).sum() / w.sum().clamp(min=1.0) * 100.0


def decode_maps(maps: np.ndarray) -> np.ndarray:
    """(B, 17, h, w) -> (B, 17, 3) input px + peak value: the peak cell and its sub-cell position
    from the 3x3 neighbours' weighted mean (app.inference.subject_pose.decode does the same)."""
    return np.stack([decode(m, STRIDE) for m in maps])


@dataclass
class ValSet:
    """Validation crops: inputs uint8 (N, S, S, 3), joints (N, 17, 3) input px + flag, exercise (N,)."""

    inputs: np.ndarray
    joints: np.ndarray
    exercise: np.ndarray


def validation_set(data: Path, size: int, teacher_cache: Path, cache: Path = CACHE / "val") -> ValSet:
    """Crops of the hand-counted videos with a fixed, seeded region error (a tracker's)."""
    srcs = validation_sources(data, teacher_cache)
    C.build(srcs, cache, 2, footage_frames=VAL_FRAMES)
    rng = np.random.default_rng(1234)
    xs, ks, ex = [], [], []
    for s in srcs:
        cs = C.load(cache, s.name)
        if cs is None:
            continue
        for img, j, p in zip(cs.images, cs.joints, cs.person, strict=True):
            if not p:
                continue
            x, k = sample(img, j, size, rng, strength=0.5)
            xs.append(x)
            ks.append(k)
            ex.append(s.content.split(":")[0].replace("crunch", "situp"))
    return ValSet(np.stack(xs), np.stack(ks), np.array(ex))


def pck(pred: np.ndarray, truth: np.ndarray, alpha: float) -> tuple[int, int]:
    """pred (N, 17, 3), truth (N, 17, 3) + flag -> (hits, scored); radius alpha x the larger side
    of the truth's joint box (a joint predicted with peak < 0.1 is a miss)."""
    known = truth[..., 2] > 0
    xy = np.where(known[..., None], truth[..., :2], np.nan)
    with np.errstate(all="ignore"):
        size = np.nanmax(np.nanmax(xy, 1) - np.nanmin(xy, 1), -1)
    use = known & (known.sum(1) >= 4)[:, None] & np.isfinite(size)[:, None]
    d = np.linalg.norm(pred[..., :2] - truth[..., :2], axis=-1)
    hit = use & (pred[..., 2] >= 0.1) & (d <= alpha * np.nan_to_num(size)[:, None])
    return int(hit.sum()), int(use.sum())


def evaluate(model: CropPoseNet, val: ValSet, batch: int = 64) -> dict:
    model.eval()
    preds = []
    dev = next(model.parameters()).device
    with torch.no_grad():
        for i in range(0, len(val.inputs), batch):
            preds.append(decode_maps(model(to_input(val.inputs[i:i + batch]).to(dev)).cpu().numpy()))
    pred = np.concatenate(preds)
    out = {}
    for ex in ("pushup", "pullup", "situp"):
        sel = val.exercise == ex
        h20, n = pck(pred[sel], val.joints[sel], 0.2)
        h10, _ = pck(pred[sel], val.joints[sel], 0.1)
        out[f"pck20_{ex}"] = h20 / max(n, 1)
        out[f"pck10_{ex}"] = h10 / max(n, 1)
    h20, n = pck(pred, val.joints, 0.2)
    out["pck20"] = h20 / max(n, 1)
    return out


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up over 300 steps, then cosine to 2% of lr at cfg.steps."""
    if step < 300:
        return cfg.lr * (step + 1) / 300
    t = min(1.0, (step - 300) / max(1, cfg.steps - 300))
    return cfg.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * t)))


def train(data: Path, out: Path, cfg: TrainConfig, minutes: float | None = None, resume: bool = False,
          device: str = "cpu", threads: int | None = None, teacher_cache: Path | None = None,
          cache: Path = CACHE, log=print, invocation: str = "", synth: int = 0, stop_at: int | None = None,
          dense: bool = False) -> dict:
    """Cut the crops (once) and train on them: fit() on the shared data's clips and `synth`
    rendered clips. dense: 3x the frames of pull-up and sit-up clips (crop_cache.DENSE_FRAMES)."""
    if threads:
        torch.set_num_threads(threads)
    srcs = C.training_sources(data)
    log(f"crop cache: {len(srcs)} training clips -> {cache / 'train'}")
    names = C.build(srcs, cache / "train", 2, progress=lambda i, n: log(f"  cut {i}/{n}") if i % 20 == 0 else None,
                    dense=dense)
    if synth:
        log(f"rendering {synth} synthetic clips -> {cache / 'synth'}")
        names_s = C.cache_synth(cache / "synth", synth)
        sets_s = [s for s in (C.load(cache / "synth", n) for n in names_s) if s is not None]
    sets = [s for s in (C.load(cache / "train", n) for n in names) if s is not None] + (sets_s if synth else [])
    size = cfg.net.size
    if resume and out.exists():
        size = int(torch.load(out, map_location="cpu", weights_only=False)["config"]["net"]["size"])
    val = validation_set(data, size, teacher_cache or Path.home() / ".cache" / "drillscore" / "teacher")
    log(f"{sum(len(s.images) for s in sets)} training crops from {len(sets)} clips; {len(val.inputs)} validation "
        f"crops from the hand-counted videos")
    return fit(sets, val, out, cfg, minutes, resume, device, log, invocation, stop_at)


def fit(sets: list[C.CropSet], val: ValSet, out: Path, cfg: TrainConfig, minutes: float | None = None,
        resume: bool = False, device: str = "cpu", log=print, invocation: str = "", stop_at: int | None = None) -> dict:
    """Train (or continue) until cfg.steps, `stop_at` (a step: a chunk that ends at a known
    place) or `minutes` of this call -> the checkpoint dict. invocation: this call's command
    line, appended to the checkpoint's `runs` (the card's command)."""
    ck = torch.load(out, map_location="cpu", weights_only=False) if resume and out.exists() else None
    if ck is not None:
        if ck.get("kind") != KIND:
            raise ValueError(f"{out}: not a {KIND} checkpoint (kind {ck.get('kind')!r}); train one without --resume")
        cfg = replace(cfg, net=CropPoseConfig.from_dict(ck["config"]["net"]))
    model = CropPoseNet(cfg.net).to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step, history, seen, runs = 0, [], 0, []
    if ck is not None:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, history, seen, runs = ck["step"], ck["history"], ck.get("crops_seen", 0), ck.get("runs", [])
    runs = [*runs, {"command": invocation, "from_step": step, "device": device}]
    sampler = Sampler(sets, cut=cfg.cut, captions=cfg.captions)
    rng = np.random.default_rng(cfg.seed + step)
    bar = Progress(cfg.steps, f"crop pose ({parameters(model) / 1e6:.2f}M params)", start=step)
    t0 = time.perf_counter()
    losses: list[float] = []

    def save() -> dict:
        payload = {"kind": KIND, "config": cfg.as_dict(), "model": model.state_dict(), "optimizer": opt.state_dict(),
                   "step": step, "crops_seen": seen, "history": history, "runs": runs,
                   "data": {"train": sorted(s.name for s in sets), "validation": "hand-counted videos (videos/, clips/)",
                            "crops": int(sum(len(s.images) for s in sets))}, "device": device}
        save_checkpoint(out, payload)
        return payload

    payload = None
    while step < cfg.steps:
        model.train()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg)
        x, maps, w = sampler.batch(rng, cfg.batch, cfg.net.size)
        loss = loss_fn(model(x.to(device)), maps.to(device), w.to(device))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += cfg.batch
        losses.append(loss.item())
        bar.update(step, loss=float(np.mean(losses[-50:])))
        done = (minutes is not None and (time.perf_counter() - t0) / 60 >= minutes) or step == stop_at
        if step % cfg.val_every == 0 or step == cfg.steps or done:
            fig = evaluate(model, val)
            history.append({"step": step, "crops_seen": seen, "loss": float(np.mean(losses[-200:])), **fig})
            log(f"\nstep {step} crops {seen} loss {history[-1]['loss']:.4f} " +
                " ".join(f"{k} {v:.3f}" for k, v in fig.items() if k.startswith("pck20")))
            payload = save()
        if done:
            break
    bar.close()
    return payload or save()


def run_cli(a) -> int:
    """`python -m training crop-pose` (arguments parsed in training/__main__.py)."""
    import sys
    if not (a.data / "footage" / "manifest.json").exists():
        print(f"error: {a.data}/footage/manifest.json not found; point --data at the shared data folder",
              file=sys.stderr)
        return 2
    if a.resume and not a.out.exists():
        print(f"error: --resume: {a.out} not found; start without --resume", file=sys.stderr)
        return 2
    cfg = PRESETS[a.preset]
    if a.steps:
        cfg = replace(cfg, steps=a.steps)
    planned = torch.load(a.out, map_location="cpu", weights_only=False)["config"] if a.resume else {}
    if planned and not a.steps:  # the schedule goes on as it was planned
        cfg = replace(cfg, steps=int(planned["steps"]))
    # a chunk that does not say keeps the shares it was trained with
    cfg = replace(cfg, cut=a.cut if a.cut is not None else float(planned.get("cut", cfg.cut)),
                  captions=a.captions if a.captions is not None else float(planned.get("captions", cfg.captions)))
    argv = ["python -m training crop-pose", f"--preset {a.preset}" if a.preset != "cpu" else "",
            f"--steps {cfg.steps}", f"--synth {a.synth}" if a.synth else "",
            f"--stop-at {a.stop_at}" if a.stop_at else "", f"--minutes {a.minutes:g}" if a.minutes else "",
            "--dense" if a.dense else "", f"--cut {a.cut:g}" if a.cut is not None else "",
            f"--captions {a.captions:g}" if a.captions is not None else "",
            "--resume" if a.resume else "",
            f"--device {a.device}" if a.device != "cpu" else "", f"--threads {a.threads}" if a.threads else ""]
    r = train(a.data, a.out, cfg, a.minutes, a.resume, a.device, a.threads, invocation=" ".join(x for x in argv if x),
              synth=a.synth, stop_at=a.stop_at, dense=a.dense)
    last = r["history"][-1] if r["history"] else {}
    print(f"{a.out}: step {r['step']} of {cfg.steps}, {r['crops_seen']} crops seen; validation PCK@0.2 "
          f"{last.get('pck20', float('nan')):.3f}")
    return 0
