"""The training loop the small temporal models share (recogniser, smoother, lifter).

Adam with exponential decay to `decay` x lr over the run (the LSTM-attention paper's
optimiser), gradient clipping at 1, a progress line with the running loss, and an
evaluation callback every `eval_every` steps whose figures are kept in the history.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from training.progress import Progress


def preset_config(presets: dict, preset: str, steps: int | None, threads: int | None) -> dict:
    """A copy of the named preset with `steps` overridden, and torch's CPU threads set."""
    cfg = dict(presets[preset])
    if steps:
        cfg["steps"] = steps
    if threads:
        torch.set_num_threads(threads)
    return cfg


def fit(model: torch.nn.Module, batch: Callable[[np.random.Generator], tuple], loss: Callable[..., torch.Tensor],
        steps: int, lr: float, label: str, decay: float = 0.1, seed: int = 0,
        evaluate: Callable[[], dict] | None = None, eval_every: int = 0) -> list[dict]:
    """batch(rng) -> tensors passed to loss(*tensors) (the model is called inside loss).
    Returns the history: one dict per evaluation (step, loss, minutes, figures)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, decay ** (1 / max(1, steps)))
    bar = Progress(steps, label)
    history: list[dict] = []
    losses: list[float] = []
    shown: dict = {}
    t0 = time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        value = loss(*batch(rng))
        opt.zero_grad()
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(value.item())
        if evaluate is not None and (step == steps or (eval_every and step % eval_every == 0)):
            model.eval()
            with torch.no_grad():
                fig = evaluate()
            history.append({"step": step, "loss": float(np.mean(losses[-100:])),
                            "minutes": (time.perf_counter() - t0) / 60, **fig})
            shown = {k: round(v, 4) for k, v in list(fig.items())[:3] if isinstance(v, float)}
        bar.update(step, loss=float(np.mean(losses[-50:])), **shown)
    bar.close()
    if evaluate is None:
        history.append({"step": steps, "loss": float(np.mean(losses[-100:])), "minutes": (time.perf_counter() - t0) / 60})
    return history


def save_checkpoint(path, payload: dict) -> None:
    """Atomic save: a half-written checkpoint never replaces a good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def load_checkpoint(path, kind: str, command: str) -> dict:
    ck = torch.load(path, map_location="cpu", weights_only=False)
    if ck.get("kind") != kind:
        raise ValueError(f"{path}: not a {kind} checkpoint (kind {ck.get('kind')!r}); train one with `{command}`")
    return ck
