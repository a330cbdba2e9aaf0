"""LSTM-attention standard / non-standard classifier (../shared/seeds/lstm-attention-sports-pose.txt).

    x_t      (68,) frame features (app.core.features) ++ the exercise x view one-hot (6,)
    h_1..h_L stacked LSTM over the window (eqs 3-8)
    beta_i = V^T tanh(W h_bar + U h_i + b)   h_bar: a learned vector (eq 10)
    alpha  = softmax(beta)                    (eq 9)
    v      = sum_i alpha_i h_i                (eq 11)
    y      = softmax(W_v v + b_v)             (eq 12), 2 classes: non-standard, standard

The input keeps the app's definition (x / width, y / height), but the network first
re-expresses each window in the subject's own frame (WindowNorm: joints minus the window's
centre, divided by its extent, per window): a push-up done in the left third of a
wide-angle image and one filling a close-up should read alike, and on absolute image
coordinates the classifier learned the camera instead of the form (chance on held-out
synthetic clips, whose cameras it had not seen).

The six categories of the paper (push-up, pull-up, sit-up x front, side) enter as a one-hot
appended to every frame (conditioning input): one network learns what the categories share
(a locked-out arm looks alike in push-ups and pull-ups) and the one-hot tells it which
standard applies. Measured against one head per category (`--conditioning heads`), same
data, seed and 12 epochs: synthetic held-out window accuracy 0.778 vs 0.746, ROC-AUC 0.852
vs 0.825, rep verdicts 0.862 vs 0.834; pushfit validation clips 0.80 for both (window AUC
0.867 vs 0.838). The one-hot ships. The export returns P(standard) and the L attention weights.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from app.core.features import FEATURE_DIM
from app.core.types import EXERCISES, VIEWS

N_CATEGORIES = len(EXERCISES) * len(VIEWS)  # 6


def category_index(exercise: str, view: str) -> int:
    """push-up/pull-up/sit-up x front/side -> 0..5 (exercise-major)."""
    if exercise not in EXERCISES or view not in VIEWS:
        raise ValueError(f"category needs an exercise in {EXERCISES} and a view in {VIEWS}, got {exercise!r}, {view!r}")
    return EXERCISES.index(exercise) * len(VIEWS) + VIEWS.index(view)


@dataclass(frozen=True)
class LstmAttentionConfig:
    """hidden: LSTM units per layer; layers: stacked LSTMs; attn: attention width."""

    hidden: int = 64
    layers: int = 2
    attn: int = 32
    dropout: float = 0.1
    conditioning: str = "onehot"   # "onehot": category appended to each frame; "heads": one output head per category

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class WindowNorm(nn.Module):
    """(B, L, 68) joint-major [id, x, y, c] -> same layout with x, y centred on the window's
    confident joints and scaled by their extent (the larger of the x and y spreads); joints
    with confidence <= 0.05 get x = y = 0. Pure arithmetic: exported with the model."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, L, _ = x.shape
        j = x.reshape(B, L, -1, 4)
        xy, conf = j[..., 1:3], j[..., 3:4]
        w = (conf > 0.05).to(x.dtype)
        n = w.sum((1, 2)).clamp(min=1.0)                                   # (B, 1)
        centre = (xy * w).sum((1, 2)) / n                                   # (B, 2)
        big = torch.finfo(x.dtype).max
        lo = torch.where(w > 0, xy, torch.full_like(xy, big)).amin((1, 2))
        hi = torch.where(w > 0, xy, torch.full_like(xy, -big)).amax((1, 2))
        extent = (hi - lo).amax(-1, keepdim=True).clamp(min=1e-3)           # (B, 1)
        xy = (xy - centre[:, None, None]) / extent[:, None, None] * w
        return torch.cat([j[..., :1], xy, conf], -1).reshape(B, L, -1)


class LstmAttention(nn.Module):
    """(B, L, 68) features + (B,) category -> logits (B, 2), attention (B, L)."""

    def __init__(self, cfg: LstmAttentionConfig = LstmAttentionConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        self.norm = WindowNorm()
        if cfg.conditioning not in ("onehot", "heads"):
            raise ValueError(f"conditioning must be onehot or heads, got {cfg.conditioning!r}")
        self.onehot = cfg.conditioning == "onehot"
        self.lstm = nn.LSTM(FEATURE_DIM + (N_CATEGORIES if self.onehot else 0), cfg.hidden, cfg.layers, batch_first=True,
                            dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        self.h_bar = nn.Parameter(torch.randn(cfg.hidden) * 0.1)   # eq 10's learned h-bar
        self.W = nn.Linear(cfg.hidden, cfg.attn, bias=False)
        self.U = nn.Linear(cfg.hidden, cfg.attn, bias=True)        # its bias is eq 10's b
        self.V = nn.Linear(cfg.attn, 1, bias=False)
        self.out = nn.Linear(cfg.hidden, 2 * (1 if self.onehot else N_CATEGORIES))  # W_v, b_v (per head)

    def forward(self, x: torch.Tensor, category: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.norm(x)
        if self.onehot:
            onehot = nn.functional.one_hot(category.long(), N_CATEGORIES).to(x.dtype)
            x = torch.cat([x, onehot[:, None, :].expand(-1, x.shape[1], -1)], -1)
        h, _ = self.lstm(x)                                          # (B, L, H)
        beta = self.V(torch.tanh(self.W(self.h_bar) + self.U(h))).squeeze(-1)  # (B, L)
        alpha = torch.softmax(beta, -1)
        v = (alpha[..., None] * h).sum(1)
        logits = self.out(v)
        if not self.onehot:  # (B, 6 x 2) -> the category's own head
            logits = logits.view(-1, N_CATEGORIES, 2)[torch.arange(len(v)), category.long()]
        return logits, alpha


class LstmAttentionExport(nn.Module):
    """features (1, L, 68), category (1,) int64 -> p_standard (1,), attention (1, L)."""

    def __init__(self, net: LstmAttention) -> None:
        super().__init__()
        self.net = net

    def forward(self, features: torch.Tensor, category: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, alpha = self.net(features, category)
        return torch.softmax(logits, -1)[:, 1], alpha
