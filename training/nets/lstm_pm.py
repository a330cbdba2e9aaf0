"""LSTM Pose Machine (../shared/seeds/lstm-pose-machines.txt) on the PAF model's heads.

    frame 1:  b_1 = ConvNet1(x_1)                        (the stateless stage-1 head on F_1)
    frame t:  F_t = ConvNet2(x_t)                        (encoder shared across frames)
              h_t, c_t = ConvLSTM([F_t, b_t-1], h_t-1, c_t-1)   (3x3 gate convolutions)
              b_t = ConvNet3([h_t, F_t, b_t-1])          (generator shared across frames)

Weights are shared across the T stages (the paper's point: one recurrent stage reused per
frame). Beliefs stay heatmaps (17 + background) + PAFs, so decoding stays multi-person.
The paper's centre map is left out: it marks one person, and our decoder handles several.
One departure, on purpose: ConvNet3 sees the LSTM's input [F_t, b_t-1] beside h_t (a skip).
With it the generator has exactly the stateless model's refinement-stage input plus h_t, so
`--init` from a trained PAF model starts the LSTM-PM at the stateless model's accuracy (the
h_t weights start at zero) and training only has to learn what the memory adds. Without it
the generator starts from random weights behind a 48-channel bottleneck, and on a 2-core CPU
it never caught up (PCK@0.2 0.19 against 0.72 after 2700 steps).
For export the recurrence is unrolled one step: `step(image, belief, h, c, reset)`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from training.nets.paf import N_HEAT, N_PAF, Backbone, Branch, Stage


@dataclass(frozen=True)
class LstmPmConfig:
    """Sizes: backbone width/feat as PafConfig; hidden = ConvLSTM channels."""

    width: int = 96
    feat: int = 64
    head: int = 64
    hidden: int = 48
    gen_depth: int = 4    # as the PAF model's refinement stages, so they can seed ConvNet3

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


class ConvLSTMCell(nn.Module):
    """Convolutional LSTM: the four gates from one 3x3 convolution over [input, h]."""

    def __init__(self, cin: int, hidden: int) -> None:
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv2d(cin + hidden, 4 * hidden, 3, padding=1)

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        i, f, o, g = torch.chunk(self.gates(torch.cat([x, h], 1)), 4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class LstmPm(nn.Module):
    def __init__(self, cfg: LstmPmConfig = LstmPmConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        self.backbone = Backbone(cfg.width, cfg.feat)           # ConvNet2 (and ConvNet1's trunk)
        self.first = Stage(cfg.feat, cfg.head, 3)               # ConvNet1's head: beliefs of frame 1
        self.lstm = ConvLSTMCell(cfg.feat + N_HEAT + N_PAF, cfg.hidden)
        gen_in = cfg.feat + N_HEAT + N_PAF + cfg.hidden  # [F_t, b_t-1, h_t]: see the module note
        self.gen_heat = Branch(gen_in, cfg.head, N_HEAT, cfg.gen_depth)  # ConvNet3
        self.gen_paf = Branch(gen_in, cfg.head, N_PAF, cfg.gen_depth)

    def _generate(self, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x = [F_t, b_t-1] (the LSTM's input), h = h_t -> beliefs b_t."""
        g = torch.cat([x, h], 1)
        return self.gen_heat(g), self.gen_paf(g)

    def zero_state(self, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = f.new_zeros(f.shape[0], self.cfg.hidden, f.shape[2], f.shape[3])
        return z, z

    def forward(self, clip: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """clip (B, T, 3, H, W) -> per frame: (heatmaps (B, 18, h, w), pafs (B, 2P, h, w))."""
        B, T = clip.shape[:2]
        feats = self.backbone(clip.flatten(0, 1)).unflatten(0, (B, T))
        s, p = self.first(feats[:, 0])
        h, c = self.zero_state(feats[:, 0])
        outs = []
        for t in range(T):
            x = torch.cat([feats[:, t], s, p], 1)
            h, c = self.lstm(x, h, c)
            s, p = self._generate(x, h)
            outs.append((s, p))
        return outs

    def step(self, image: torch.Tensor, heat: torch.Tensor, paf: torch.Tensor, h: torch.Tensor,
             c: torch.Tensor, reset: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One frame. reset (1,) = 1 on the first frame (or a cut): the previous beliefs are
        replaced by ConvNet1's and the state is zeroed. Same arithmetic as forward()."""
        f = self.backbone(image)
        s0, p0 = self.first(f)
        r = reset.view(-1, 1, 1, 1)
        heat = r * s0 + (1 - r) * heat
        paf = r * p0 + (1 - r) * paf
        h, c = (1 - r) * h, (1 - r) * c
        x = torch.cat([f, heat, paf], 1)
        h, c = self.lstm(x, h, c)
        s, p = self._generate(x, h)
        return s, p, h, c


class LstmPmStep(nn.Module):
    """Export wrapper around LstmPm.step (state as explicit inputs and outputs)."""

    def __init__(self, net: LstmPm) -> None:
        super().__init__()
        self.net = net

    def forward(self, image, heat, paf, h, c, reset):
        return self.net.step(image, heat, paf, h, c, reset)


def seed_from_paf(paf_state: dict[str, torch.Tensor], own: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Map a trained PafNet's weights onto an LstmPm's state dict (own) -> the tensors to load.

    backbone -> backbone (ConvNet2), stage1 -> first (ConvNet1's head), the last refinement
    stage -> the generator (ConvNet3). The generator's input has h_t's channels after the
    refinement stage's [F, S, L]: those get the fresh init in the depthwise layer and zero
    weights in the pointwise layer, so at step 0 the LSTM-PM computes the stateless
    refinement on the previous frame's beliefs and h_t adds nothing until training says so.
    """
    refines = sorted({k.split(".")[1] for k in paf_state if k.startswith("refine.")}, key=int)
    last = f"refine.{refines[-1]}." if refines else None
    out: dict[str, torch.Tensor] = {}
    for k, v in paf_state.items():
        if k.startswith("stage1."):
            name = "first." + k[len("stage1."):]
        elif last and k.startswith(last + "heat."):
            name = "gen_heat." + k[len(last + "heat."):]
        elif last and k.startswith(last + "paf."):
            name = "gen_paf." + k[len(last + "paf."):]
        else:
            name = k
        if name not in own:
            continue
        tgt = own[name]
        if tgt.shape == v.shape:
            out[name] = v.clone()
        elif tgt.dim() == v.dim() and all(a >= b for a, b in zip(tgt.shape, v.shape, strict=True)):
            grown = tgt.clone()
            if tgt.dim() == 4 and tgt.shape[1] > v.shape[1]:  # dense conv with more inputs: new inputs silent
                grown[:, v.shape[1]:] = 0
            grown[tuple(slice(0, n) for n in v.shape)] = v
            out[name] = grown
    return out
