"""Two-branch multi-stage CNN for multi-person 2D pose (OpenPose-style; paper:
../shared/seeds/lstm-attention-sports-pose.txt section 2.1, backbone after
pose-attention-networks.txt section 2.1: depthwise-separable convolutions).

    F = backbone(image)                       (B, C, H/8, W/8)
    S1, L1 = rho1(F), phi1(F)                 heatmaps (17 joints + background), PAFs (x, y per pair)
    St, Lt = rhot(F, S_t-1, L_t-1), phit(...) refinement on features + previous beliefs (eqs 1-2)

Every stage's output is returned so the loss can be applied at each (intermediate
supervision). Trained from scratch: no ImageNet weights exist on our machines.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from app.core.skeleton import NUM_JOINTS, PAF_PAIRS

N_HEAT = NUM_JOINTS + 1      # 17 joints + background
N_PAF = 2 * len(PAF_PAIRS)   # x, y per limb pair
STRIDE = 8


@dataclass(frozen=True)
class PafConfig:
    """Network size. width: backbone channels at stride 8; stages: 1 + refinements."""

    width: int = 96
    feat: int = 64
    head: int = 64
    stages: int = 2

    def as_dict(self) -> dict[str, int]:
        return {"width": self.width, "feat": self.feat, "head": self.head, "stages": self.stages}


def conv_bn(cin: int, cout: int, k: int = 3, s: int = 1, groups: int = 1, dilation: int = 1) -> nn.Sequential:
    pad = dilation * (k // 2)
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, pad, dilation=dilation, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def dw_sep(cin: int, cout: int, s: int = 1, dilation: int = 1) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1 (MobileNet block): about a ninth of a full conv's cost."""
    return nn.Sequential(conv_bn(cin, cin, 3, s, groups=cin, dilation=dilation), conv_bn(cin, cout, 1))


class Backbone(nn.Module):
    """(B, 3, H, W) in [0, 1] -> (B, feat, H/8, W/8)."""

    def __init__(self, width: int, feat: int) -> None:
        super().__init__()
        w = width
        self.body = nn.Sequential(
            conv_bn(3, 16, 3, 2),
            dw_sep(16, 32, 2), dw_sep(32, 32),
            dw_sep(32, w // 2, 2), dw_sep(w // 2, w // 2),
            dw_sep(w // 2, w), dw_sep(w, w, dilation=2), dw_sep(w, w, dilation=4),  # wider view, same grid
            conv_bn(w, feat, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Branch(nn.Module):
    """A stage branch: dilated depthwise-separable convolutions then 1x1 to `cout` maps."""

    def __init__(self, cin: int, mid: int, cout: int, depth: int = 3) -> None:
        super().__init__()
        layers = [dw_sep(cin, mid)] + [dw_sep(mid, mid, dilation=2 ** (i % 2)) for i in range(1, depth)]
        self.body = nn.Sequential(*layers, conv_bn(mid, mid, 1), nn.Conv2d(mid, cout, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class Stage(nn.Module):
    """Both branches of one stage: input -> (heatmaps (B, 18, h, w), PAFs (B, 2P, h, w))."""

    def __init__(self, cin: int, mid: int, depth: int) -> None:
        super().__init__()
        self.heat = Branch(cin, mid, N_HEAT, depth)
        self.paf = Branch(cin, mid, N_PAF, depth)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heat(x), self.paf(x)


class PafNet(nn.Module):
    """Stateless model: image (B, 3, H, W) -> list over stages of (heatmaps, pafs)."""

    def __init__(self, cfg: PafConfig = PafConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        self.backbone = Backbone(cfg.width, cfg.feat)
        self.stage1 = Stage(cfg.feat, cfg.head, 3)
        self.refine = nn.ModuleList(Stage(cfg.feat + N_HEAT + N_PAF, cfg.head, 4) for _ in range(cfg.stages - 1))

    def forward(self, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        f = self.backbone(x)
        outs = [self.stage1(f)]
        for st in self.refine:
            s, l_ = outs[-1]
            outs.append(st(torch.cat([f, s, l_], 1)))
        return outs


class PafExport(nn.Module):
    """Export wrapper: image (1, 3, H, W) -> heatmaps, pafs of the last stage."""

    def __init__(self, net: PafNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net(image)[-1]
