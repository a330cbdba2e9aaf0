"""Training targets of the PAF model (numpy): joint heatmaps + background, Part Affinity
Fields, and the per-channel loss weights that mask joints the labels do not vouch for.

Coordinates are in input pixels; maps live on the stride-`stride` output grid, a cell's
centre at (i + 0.5) * stride - 0.5 input px (the decoder uses the same convention).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.skeleton import NUM_JOINTS, PAF_PAIRS


@dataclass(frozen=True, slots=True)
class PoseTargets:
    """heat float32 (18, h, w): 17 joints + background; paf float32 (2P, h, w): (x, y) per
    pair; heat_w (18,) / paf_w (2P,) float32: per-channel loss weight (0 = unknown)."""

    heat: np.ndarray
    paf: np.ndarray
    heat_w: np.ndarray
    paf_w: np.ndarray


def grid(h: int, w: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Input-pixel coordinates of the output cells' centres: ys (h, 1), xs (1, w)."""
    ys = (np.arange(h, dtype=np.float32) + 0.5) * stride - 0.5
    xs = (np.arange(w, dtype=np.float32) + 0.5) * stride - 0.5
    return ys[:, None], xs[None, :]


def make_targets(people: np.ndarray, known: np.ndarray, out_hw: tuple[int, int], stride: int = 8,
                 sigma: float = 7.0, paf_width: float = 6.0) -> PoseTargets:
    """people float (N, 17, 3) x, y px and visibility (0 = not in the image / unlabelled);
    known bool (17,): joints labelled for everyone in this image (False: mask the channel).

    A heatmap is the max over people of Gaussians (sigma px); a PAF cell holds the unit
    vector of a limb when it lies within paf_width px of the segment, averaged over people.
    """
    h, w = out_hw
    ys, xs = grid(h, w, stride)
    heat = np.zeros((NUM_JOINTS + 1, h, w), np.float32)
    paf = np.zeros((2 * len(PAF_PAIRS), h, w), np.float32)
    for p in people:
        for j in range(NUM_JOINTS):
            if p[j, 2] > 0:
                g = np.exp(-((xs - p[j, 0]) ** 2 + (ys - p[j, 1]) ** 2) / (2 * sigma ** 2))
                np.maximum(heat[j], g, out=heat[j])
    heat[NUM_JOINTS] = 1.0 - heat[:NUM_JOINTS].max(0)
    count = np.zeros((len(PAF_PAIRS), h, w), np.float32)
    for p in people:
        for k, (a, b) in enumerate(PAF_PAIRS):
            if p[a, 2] <= 0 or p[b, 2] <= 0:
                continue
            v = p[b, :2] - p[a, :2]
            n = float(np.hypot(*v))
            if n < 1e-3:
                continue
            u = v / n
            dx, dy = xs - p[a, 0], ys - p[a, 1]
            along = dx * u[0] + dy * u[1]
            across = np.abs(dx * u[1] - dy * u[0])
            on = (along >= -paf_width / 2) & (along <= n + paf_width / 2) & (across <= paf_width)
            paf[2 * k][on] += u[0]
            paf[2 * k + 1][on] += u[1]
            count[k][on] += 1
    paf /= np.maximum(np.repeat(count, 2, axis=0), 1.0)
    heat_w = np.ones(NUM_JOINTS + 1, np.float32)
    heat_w[:NUM_JOINTS] = known.astype(np.float32)
    heat_w[NUM_JOINTS] = 1.0 if known.all() else 0.5  # unknown joints blur the background too
    paf_w = np.repeat(np.array([known[a] and known[b] for a, b in PAF_PAIRS], np.float32), 2)
    return PoseTargets(heat, paf, heat_w, paf_w)
