"""LSTM Pose Machine (../shared/seeds/lstm-pose-machines.txt) on the PAF model's heads.

    frame 1:  b_1 = ConvNet1(x_1)                        (the stateless stage-1 head on F_1)
    frame t:  F_t = ConvNet2(x_t)                        (encoder shared across frames)
              h_t, c_t = ConvLSTM([F_t, b_t-1], h_t-1, c_t-1)   (3x3 gate convolutions)
              b_t = ConvNet3(h_t)                        (generator shared across frames)

Weights are shared across the T stages (the paper's point: one recurrent stage reused per
frame). Beliefs stay heatmaps (17 + background) + PAFs, so decoding stays multi-person.
The paper's centre map is left out: it marks one person, and our decoder handles several.
For export the recurrence is unrolled one step: `step(image, belief, h, c, reset)`.
"""
from __future__ import annotations

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

    def as_dict(self) -> dict[str, int]:
        return {"width": self.width, "feat": self.feat, "head": self.head, "hidden": self.hidden}


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
        self.gen_heat = Branch(cfg.hidden, cfg.head, N_HEAT, 3)  # ConvNet3
        self.gen_paf = Branch(cfg.hidden, cfg.head, N_PAF, 3)

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
            h, c = self.lstm(torch.cat([feats[:, t], s, p], 1), h, c)
            s, p = self.gen_heat(h), self.gen_paf(h)
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
        h, c = self.lstm(torch.cat([f, heat, paf], 1), h, c)
        return self.gen_heat(h), self.gen_paf(h), h, c


class LstmPmStep(nn.Module):
    """Export wrapper around LstmPm.step (state as explicit inputs and outputs)."""

    def __init__(self, net: LstmPm) -> None:
        super().__init__()
        self.net = net

    def forward(self, image, heat, paf, h, c, reset):
        return self.net.step(image, heat, paf, h, c, reset)
