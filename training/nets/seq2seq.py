"""Seq2seq pose smoother (../shared/seeds/seq2seq-pose-correction.txt).

    x_1..x_L   a window of 2D poses, re-expressed in the window's own frame (centre of the
               confident joints, divided by their extent; hidden joints 0) ++ scores: (L, 51)
    h_j        bidirectional LSTM encoder, h_j = [->h_j ; <-h_j]             (section III-B)
    e_ij       v^T tanh(W s_{i-1} + U h_j), alpha_ij = softmax_j(e_ij)       (Bahdanau, eqs 3-4)
    c_i        sum_j alpha_ij h_j
    s_i        LSTM cell over [c_i, x_i, y_{i-1}]                              (decoder, eq. 2)
    y_i        x_i + W_o [s_i, c_i]: the correction of the input pose, back in pixels

The decoder is fed its own previous output (no teacher forcing: at run time there is none)
and the input pose at the same step, so it corrects rather than re-creates the pose. The
paper's overlapping windows are the app's business (app.inference.smoother): full mode
averages every window's estimate of a frame; live mode takes each frame from the window
that ends LOOKAHEAD frames after it. The loss (L1 on the corrected joints the clean track
sees) is in training/smoother_train.py.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from app.core.skeleton import NUM_JOINTS

SMOOTH_LEN = 16   # frames per window
LOOKAHEAD = 5     # live mode: frames of delay (the frame at position SMOOTH_LEN - 1 - LOOKAHEAD)


@dataclass(frozen=True)
class Seq2SeqConfig:
    hidden: int = 64
    attn: int = 32

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def window_frame(k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """k (B, L, 17, 3) px -> normalised xy (B, L, 17, 2), centre (B, 1, 1, 2), scale (B, 1, 1, 1)."""
    xy, s = k[..., :2], k[..., 2:3]
    w = (s > 0.05).to(k.dtype)
    n = w.sum((1, 2), keepdim=True).clamp(min=1.0)
    centre = (xy * w).sum((1, 2), keepdim=True) / n
    big = 1e9
    lo = torch.where(w > 0, xy, torch.full_like(xy, big)).amin((1, 2), keepdim=True)
    hi = torch.where(w > 0, xy, torch.full_like(xy, -big)).amax((1, 2), keepdim=True)
    scale = (hi - lo).amax(-1, keepdim=True).clamp(min=1.0)
    return (xy - centre) / scale * w, centre, scale


class Seq2SeqSmoother(nn.Module):
    """keypoints (B, L, 17, 3) px -> corrected xy (B, L, 17, 2) px, attention (B, L, L)."""

    def __init__(self, cfg: Seq2SeqConfig = Seq2SeqConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        d = NUM_JOINTS * 3
        self.encoder = nn.LSTM(d, cfg.hidden, batch_first=True, bidirectional=True)
        self.W = nn.Linear(cfg.hidden, cfg.attn, bias=False)
        self.U = nn.Linear(2 * cfg.hidden, cfg.attn)
        self.v = nn.Linear(cfg.attn, 1, bias=False)
        self.cell = nn.LSTMCell(2 * cfg.hidden + d + NUM_JOINTS * 2, cfg.hidden)
        self.W_o = nn.Linear(3 * cfg.hidden, NUM_JOINTS * 2)
        nn.init.zeros_(self.W_o.weight)   # start as the identity: the input pose
        nn.init.zeros_(self.W_o.bias)

    def forward(self, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        assert k.dim() == 4 and k.shape[2:] == (NUM_JOINTS, 3), f"expected (B, L, 17, 3), got {tuple(k.shape)}"
        B, L = k.shape[:2]
        xy, centre, scale = window_frame(k)
        x = torch.cat([xy, (k[..., 2:3] > 0.05).to(k.dtype) * k[..., 2:3]], -1).reshape(B, L, -1)
        h, _ = self.encoder(x)                                   # (B, L, 2H)
        Uh = self.U(h)
        s = torch.zeros(B, self.cfg.hidden, dtype=k.dtype)
        c_state = torch.zeros_like(s)
        y_prev = xy[:, 0].reshape(B, -1)
        outs, atts = [], []
        for i in range(L):
            e = self.v(torch.tanh(self.W(s)[:, None] + Uh)).squeeze(-1)   # (B, L)
            alpha = torch.softmax(e, -1)
            c = (alpha[..., None] * h).sum(1)
            s, c_state = self.cell(torch.cat([c, x[:, i], y_prev], -1), (s, c_state))
            y = xy[:, i].reshape(B, -1) + self.W_o(torch.cat([s, c], -1))
            outs.append(y)
            atts.append(alpha)
            y_prev = y
        y = torch.stack(outs, 1).reshape(B, L, NUM_JOINTS, 2)
        return y * scale + centre, torch.stack(atts, 1)


class Seq2SeqExport(nn.Module):
    """keypoints (N, L, 17, 3) -> smoothed (N, L, 17, 2) px."""

    def __init__(self, net: Seq2SeqSmoother) -> None:
        super().__init__()
        self.net = net

    def forward(self, keypoints: torch.Tensor) -> torch.Tensor:
        return self.net(keypoints)[0]
