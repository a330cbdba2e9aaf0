"""VideoPose3D-style 3D lifter (../shared/seeds/videopose3d-action-training.txt; Pavllo et al. 2019).

    input    (B, T, 17, 3) 2D keypoints px + score; each frame re-expressed in its own frame
             (FrameCentre: minus the mean of the visible joints, divided by their box's larger
             side; hidden joints 0) -> 17 x (x, y, visible) = 51 channels
    expand   Conv1d(51, C, 3) -> BN -> ReLU -> dropout
    blocks   for dilation 3, 9: Conv1d(C, C, 3, dilation) -> BN -> ReLU -> dropout ->
             Conv1d(C, C, 1) -> BN -> ReLU -> dropout, plus the residual sliced to match
    shrink   Conv1d(C, 51, 1) -> (B, T - 26, 17, 3) metres, camera axes (x right, y down,
             z away), root-relative (pelvis = the hips' midpoint at the origin)

Receptive field 3 x 3 x 3 = 27 frames (RECEPTIVE_FIELD), valid convolutions: T + 26 frames
in, T out, so a whole track runs in one call and the app pads its ends by repeating the end
frames (VideoPose3D's edge padding). Symmetric: output t sees 13 frames either side. Causal
(live): the same convolutions, but output t is the LAST frame of its 27 and the residuals
are sliced from the right, so nothing after t is needed (VideoPose3D's causal option).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from app.core.skeleton import NUM_JOINTS

RECEPTIVE_FIELD = 27
DILATIONS = (3, 9)


@dataclass(frozen=True)
class LifterConfig:
    channels: int = 128
    dropout: float = 0.15
    causal: bool = False

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class FrameCentre(nn.Module):
    """(B, T, 17, 3) px -> (B, T, 17, 3): x, y minus the frame's visible-joint mean over the
    larger side of their box, and the visibility flag (score > 0.05)."""

    def forward(self, k: torch.Tensor) -> torch.Tensor:
        xy, s = k[..., :2], k[..., 2:3]
        w = (s > 0.05).to(k.dtype)
        c = (xy * w).sum(2, keepdim=True) / w.sum(2, keepdim=True).clamp(min=1.0)
        big = 1e9
        lo = torch.where(w > 0, xy, torch.full_like(xy, big)).amin(2, keepdim=True)
        hi = torch.where(w > 0, xy, torch.full_like(xy, -big)).amax(2, keepdim=True)
        e = (hi - lo).amax(-1, keepdim=True).clamp(min=1.0)
        return torch.cat([(xy - c) / e * w, w], -1)


class Lifter(nn.Module):
    """keypoints (B, T + 26, 17, 3) -> joints (B, T, 17, 3) metres, root-relative."""

    def __init__(self, cfg: LifterConfig = LifterConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        C, d_in = cfg.channels, NUM_JOINTS * 3
        self.norm = FrameCentre()
        self.expand = nn.Sequential(nn.Conv1d(d_in, C, 3, bias=False), nn.BatchNorm1d(C), nn.ReLU(),
                                    nn.Dropout(cfg.dropout))
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv1d(C, C, 3, dilation=d, bias=False), nn.BatchNorm1d(C), nn.ReLU(),
                          nn.Dropout(cfg.dropout), nn.Conv1d(C, C, 1, bias=False), nn.BatchNorm1d(C), nn.ReLU(),
                          nn.Dropout(cfg.dropout)) for d in DILATIONS)
        self.shrink = nn.Conv1d(C, NUM_JOINTS * 3, 1)

    @property
    def receptive_field(self) -> int:
        return 3 * 3 ** len(DILATIONS)

    def forward(self, k: torch.Tensor) -> torch.Tensor:
        assert k.dim() == 4 and k.shape[2:] == (NUM_JOINTS, 3), f"expected (B, T, 17, 3), got {tuple(k.shape)}"
        assert k.shape[1] >= self.receptive_field, f"needs >= {self.receptive_field} frames, got {k.shape[1]}"
        B, T = k.shape[:2]
        x = self.norm(k).reshape(B, T, -1).transpose(1, 2)          # (B, 51, T)
        x = self.expand(x)
        for d, block in zip(DILATIONS, self.blocks, strict=True):
            cut = 2 * d                                              # frames a dilated conv consumes
            res = x[..., cut:] if self.cfg.causal else x[..., d:x.shape[-1] - d]
            x = res + block(x)
        return root_relative(self.shrink(x).transpose(1, 2).reshape(B, -1, NUM_JOINTS, 3))


def root_relative(j: torch.Tensor) -> torch.Tensor:
    """(..., 17, 3) -> minus the hips' midpoint (joints 11, 12): the output is root-relative by construction."""
    return j - (j[..., 11:12, :] + j[..., 12:13, :]) / 2
