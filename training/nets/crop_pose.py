"""The crop pose model: one person's upright crop -> 17 belief maps at stride 4.

MobileNetV2-style inverted residual blocks (pose-attention-networks.txt s2.1 uses the same
depthwise-separable economy) down to stride 16, then a light FPN back up to stride 4, where
one belief map per joint is read (the LSTM Pose Machines' belief maps for one person; the
peak's sub-cell position comes from its neighbours, app.inference.subject_pose.decode).

    (B, 3, S, S) in [0, 1] -> (B, 17, S/4, S/4) in [0, 1] (sigmoid)

Sized for the 2-core CPU it trains on (issue 27): ~0.2M parameters at 160 px. Trained from
scratch on teacher-labelled crops: no ImageNet weights exist on our machines.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from app.core.skeleton import NUM_JOINTS

STRIDE = 4


@dataclass(frozen=True)
class CropPoseConfig:
    """widths: channels at strides 2, 4, 8, 16; blocks: inverted residuals at strides 4, 8, 16;
    expand: the blocks' expansion; head: channels of the stride-4 head; size: input px."""

    widths: tuple[int, int, int, int] = (16, 24, 40, 72)
    blocks: tuple[int, int, int] = (2, 3, 4)
    expand: int = 4
    head: int = 32
    size: int = 160

    def as_dict(self) -> dict:
        return {"widths": list(self.widths), "blocks": list(self.blocks), "expand": self.expand, "head": self.head,
                "size": self.size}

    @staticmethod
    def from_dict(d: dict) -> CropPoseConfig:
        return CropPoseConfig(tuple(d["widths"]), tuple(d["blocks"]), int(d["expand"]), int(d["head"]), int(d["size"]))


def conv_bn(cin: int, cout: int, k: int = 3, s: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    layers = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """1x1 expand -> 3x3 depthwise (stride s) -> 1x1 project; identity shortcut when shapes match."""

    def __init__(self, cin: int, cout: int, s: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.body = nn.Sequential(conv_bn(cin, mid, 1), conv_bn(mid, mid, 3, s, groups=mid),
                                  conv_bn(mid, cout, 1, act=False))
        self.skip = s == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.skip else y


def stage(cin: int, cout: int, n: int, expand: int) -> nn.Sequential:
    return nn.Sequential(InvertedResidual(cin, cout, 2, expand),
                         *[InvertedResidual(cout, cout, 1, expand) for _ in range(n - 1)])


class CropPoseNet(nn.Module):
    def __init__(self, cfg: CropPoseConfig = CropPoseConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        w2, w4, w8, w16 = cfg.widths
        b4, b8, b16 = cfg.blocks
        self.stem = nn.Sequential(conv_bn(3, w2, 3, 2), conv_bn(w2, w2, 3, 1, groups=w2), conv_bn(w2, w2, 1))
        self.s4 = stage(w2, w4, b4, cfg.expand)
        self.s8 = stage(w4, w8, b8, cfg.expand)
        self.s16 = stage(w8, w16, b16, cfg.expand)
        h = cfg.head
        self.lat16, self.lat8, self.lat4 = conv_bn(w16, h, 1), conv_bn(w8, h, 1), conv_bn(w4, h, 1)
        # the head sees a 5x5 neighbourhood twice at stride 4: enough context to place a wrist
        self.head = nn.Sequential(conv_bn(h, h, 5, groups=h), conv_bn(h, h, 1), conv_bn(h, h, 5, groups=h),
                                  conv_bn(h, h, 1), nn.Conv2d(h, NUM_JOINTS, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        y = self.lat8(f8) + F.interpolate(self.lat16(f16), scale_factor=2.0, mode="bilinear", align_corners=False)
        y = self.lat4(f4) + F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.sigmoid(self.head(y))


def parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
