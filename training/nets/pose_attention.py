"""Pose-attention network: exercise and view recognition (../shared/seeds/pose-attention-networks.txt).

    X_t      (17, 3) per frame: x, y min-max normalised per axis over the frame's visible
             joints (FrameNorm), and a visibility flag
    H        two human-graph layers, eq. 1: H_{l+1} = ReLU(D^-1/2 (A + I) D^-1/2 H_l W_l),
             A = COCO's limbs; a learned per-joint embedding after the first tells joints apart
    s_t      joint attention, eqs 13-15: j = tanh(W_w h_jt), a_jt = softmax_j(j^T u_w),
             s_t = sum_j a_jt h_jt
    h_t      GRU over s_1..s_T (eqs 6-9)
    v        frame attention, eqs 10-12: u_t = tanh(W_s h_t), alpha_t = softmax_t(u_t^T u_s),
             v = sum_t alpha_t h_t
    y        softmax(W_c v) over 7 classes: push-up, pull-up, sit-up x front, side, and idle
    loss     eq. 16: lambda_pose CE(W_c v) + lambda_joints CE(W_j mean_t s_t) (eqs 17-18: the
             joint-level vector must also name the class, which keeps the joint attention honest)

FrameNorm throws away where the person is and how big, and even the aspect of their box.
That is on purpose: the real sequences we measure on (RepCount, ../shared/data/repcount)
exist only in that form (per-frame, per-axis min-max), and a recogniser that never sees
scale or position cannot learn the camera instead of the exercise. Not implemented: the
pooling of eqs 2-4 (soft assignment of joints to clusters); with 17 joints the joint
attention already weights body parts, and it was not tried.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from app.core.recognition import CLASSES
from app.core.skeleton import LIMBS, NUM_JOINTS


def graph_matrix() -> np.ndarray:
    """D^-1/2 (A + I) D^-1/2 over COCO's limbs, float32 (17, 17)."""
    a = np.eye(NUM_JOINTS, dtype=np.float32)
    for i, j in LIMBS:
        a[i, j] = a[j, i] = 1.0
    d = 1.0 / np.sqrt(a.sum(1))
    return (a * d[:, None] * d[None, :]).astype(np.float32)


@dataclass(frozen=True)
class PoseAttentionConfig:
    """graph: width of the graph layers; hidden: GRU units; attn: attention widths."""

    graph: int = 32
    hidden: int = 64
    attn: int = 32
    joint_loss: float = 0.3   # lambda_joints (lambda_pose = 1)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class FrameNorm(nn.Module):
    """(B, T, 17, 3) x, y, score (any pixel scale) -> (B, T, 17, 3) x', y' in [0, 1] per frame and
    axis over the joints with score > 0.05, and the visibility flag; hidden joints are 0."""

    def forward(self, k: torch.Tensor) -> torch.Tensor:
        xy, s = k[..., :2], k[..., 2:3]
        w = (s > 0.05).to(k.dtype)
        big = 1e9
        lo = torch.where(w > 0, xy, torch.full_like(xy, big)).amin(2, keepdim=True)
        hi = torch.where(w > 0, xy, torch.full_like(xy, -big)).amax(2, keepdim=True)
        lo = torch.where(lo > big / 2, torch.zeros_like(lo), lo)  # a frame with nobody
        span = (hi - lo).clamp(min=1e-3)
        return torch.cat([(xy - lo) / span * w, w], -1)


class PoseAttention(nn.Module):
    """keypoints (B, T, 17, 3) -> logits (B, 7), aux logits (B, 7), frame attention (B, T),
    joint attention (B, T, 17)."""

    def __init__(self, cfg: PoseAttentionConfig = PoseAttentionConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        self.norm = FrameNorm()
        self.register_buffer("A", torch.from_numpy(graph_matrix()))
        self.g1 = nn.Linear(3, cfg.graph)
        self.joint_embed = nn.Parameter(torch.randn(NUM_JOINTS, cfg.graph) * 0.1)
        self.g2 = nn.Linear(cfg.graph, cfg.graph)
        self.W_w = nn.Linear(cfg.graph, cfg.attn)
        self.u_w = nn.Parameter(torch.randn(cfg.attn) * 0.1)
        self.gru = nn.GRU(cfg.graph, cfg.hidden, batch_first=True)
        self.W_s = nn.Linear(cfg.hidden, cfg.attn)
        self.u_s = nn.Parameter(torch.randn(cfg.attn) * 0.1)
        self.W_c = nn.Linear(cfg.hidden, len(CLASSES))
        self.W_j = nn.Linear(cfg.graph, len(CLASSES))

    def forward(self, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        assert k.dim() == 4 and k.shape[2:] == (NUM_JOINTS, 3), f"expected (B, T, 17, 3), got {tuple(k.shape)}"
        x = self.norm(k)
        h = torch.relu(self.A @ self.g1(x)) + self.joint_embed            # eq. 1, layer 1 (B, T, 17, G)
        h = torch.relu(self.A @ self.g2(h))                                # eq. 1, layer 2
        a = torch.softmax(torch.tanh(self.W_w(h)) @ self.u_w, -1)          # eqs 13-14 (B, T, 17)
        s = (a[..., None] * h).sum(2)                                      # eq. 15 (B, T, G)
        hs, _ = self.gru(s)                                                # eqs 6-9 (B, T, H)
        alpha = torch.softmax(torch.tanh(self.W_s(hs)) @ self.u_s, -1)     # eqs 10-11 (B, T)
        v = (alpha[..., None] * hs).sum(1)                                 # eq. 12
        return self.W_c(v), self.W_j(s.mean(1)), alpha, a

    def loss(self, k: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits, aux, _, _ = self(k)
        ce = nn.functional.cross_entropy
        return ce(logits, y) + self.cfg.joint_loss * ce(aux, y)            # eq. 16


class PoseAttentionExport(nn.Module):
    """keypoints (N, T, 17, 3) -> probabilities (N, 7), frame attention (N, T), joint attention (N, 17)."""

    def __init__(self, net: PoseAttention) -> None:
        super().__init__()
        self.net = net

    def forward(self, keypoints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        logits, _, alpha, a = self.net(keypoints)
        return torch.softmax(logits, -1), alpha, (alpha[..., None] * a).sum(1)
