"""Belief maps -> joints: the crop pose model's read, one rule for the app and training (numpy
only). A belief map per joint on a stride-`stride` grid whose cell i's centre lies at
(i + 0.5) * stride - 0.5 input px, as training draws them (training/crop_train.belief_maps).
"""
from __future__ import annotations

import numpy as np


def decode(maps: np.ndarray, stride: int) -> np.ndarray:
    """Belief maps (17, h, w) -> (17, 3) input px + peak value: the peak cell, moved within it
    by the weighted mean of its 3x3 neighbourhood (sub-cell position). Cell centres lie at
    (i + 0.5) * stride - 0.5 px, as training drew them."""
    j, _h, w = maps.shape
    flat = maps.reshape(j, -1)
    idx = flat.argmax(1)
    peak = flat[np.arange(j), idx]
    yy, xx = np.divmod(idx, w)
    pad = np.pad(maps, ((0, 0), (1, 1), (1, 1)), mode="constant")
    ar = np.arange(j)[:, None, None]
    win = pad[ar, (yy[:, None, None] + np.arange(3)[None, :, None]), (xx[:, None, None] + np.arange(3)[None, None, :])]
    win = np.clip(win - win.min((1, 2), keepdims=True), 0, None)
    tot = win.sum((1, 2))
    off = np.arange(3, dtype=np.float32) - 1
    dy = np.where(tot > 0, (win.sum(2) * off).sum(1) / np.maximum(tot, 1e-9), 0.0)
    dx = np.where(tot > 0, (win.sum(1) * off).sum(1) / np.maximum(tot, 1e-9), 0.0)
    out = np.empty((j, 3), np.float32)
    out[:, 0] = (xx + dx + 0.5) * stride - 0.5
    out[:, 1] = (yy + dy + 0.5) * stride - 0.5
    out[:, 2] = peak
    return out


def decode_near(maps: np.ndarray, stride: int, near: np.ndarray, sigma: float, floor: float) -> np.ndarray:
    """decode() with each joint's map weighted towards where it was: near (17, 3) input px + score
    (joints scored 0 are decoded as decode() does), weight floor + (1 - floor) x a Gaussian of
    `sigma` input px around it. A map with two peaks of about the same height (a wrist seen
    twice, the far arm behind the near one) then keeps the one the joint was at instead of
    jumping between them frame to frame; a peak elsewhere 1 / floor times higher still wins.
    The score is the unweighted map's value at the chosen cell."""
    j, h, w = maps.shape
    use = near[:, 2] > 0
    if not use.any():
        return decode(maps, stride)
    cy = (np.arange(h, dtype=np.float32) + 0.5) * stride - 0.5
    cx = (np.arange(w, dtype=np.float32) + 0.5) * stride - 0.5
    gx = np.exp(-((cx[None, :] - near[:, :1]) ** 2) / (2 * sigma * sigma))
    gy = np.exp(-((cy[None, :] - near[:, 1:2]) ** 2) / (2 * sigma * sigma))
    weight = floor + (1.0 - floor) * gy[:, :, None] * gx[:, None, :]
    weighted = np.where(use[:, None, None], maps * weight, maps).astype(np.float32)
    out = decode(weighted, stride)
    cell = weighted.reshape(j, -1).argmax(1)
    out[:, 2] = maps.reshape(j, -1)[np.arange(j), cell]
    return out
