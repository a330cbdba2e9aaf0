"""Per-frame measurements of a pose track that the counter and the rules read.

All functions are vectorised over frames: kpts (T, 17, 3) -> arrays (T,). A value is NaN
where the joints it needs are scored below `min_score`: visibility gating happens here,
once, so an invisible joint can never drive a transition or a verdict.

Lengths are divided by the subject's reference scale S (see `reference_scale`), a causal
running estimate of the torso length that stays meaningful from the front and the side.
"""
from __future__ import annotations

import numpy as np

from app.core.geometry import elevation, hip_deviation, joint_angle
from app.core.rolling import forward_fill, row_quantile, trailing_rows
from app.core.skeleton import J, neck, pelvis
from app.core.visibility import visible

SIDES = ((J.L_SHOULDER, J.L_ELBOW, J.L_WRIST, J.L_HIP, J.L_KNEE, J.L_ANKLE),
         (J.R_SHOULDER, J.R_ELBOW, J.R_WRIST, J.R_HIP, J.R_KNEE, J.R_ANKLE))


def _ok(kpts: np.ndarray, joints, min_score: float) -> np.ndarray:
    return np.all(visible(kpts[:, list(joints)], min_score), axis=1)


def _best_side(values: tuple[np.ndarray, np.ndarray], valid: tuple[np.ndarray, np.ndarray],
               conf: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per frame: the side whose joints are more confident (the near side in a side view)."""
    a, b = values
    va, vb = valid
    pick_a = va & (~vb | (conf[0] >= conf[1]))
    out = np.where(pick_a, a, np.where(vb, b, np.nan))
    return out


def _side_measure(kpts: np.ndarray, fn, joint_idx: tuple[int, ...], min_score: float) -> np.ndarray:
    vals, valid, conf = [], [], []
    for side in SIDES:
        js = [side[i] for i in joint_idx]
        vals.append(fn(*[kpts[:, j] for j in js]))
        valid.append(_ok(kpts, js, min_score))
        conf.append(kpts[:, js, 2].mean(axis=1))
    return _best_side(tuple(vals), tuple(valid), tuple(conf))


def _centre(kpts: np.ndarray, a: int, b: int, min_score: float) -> np.ndarray:
    """Midpoint of joints a, b (T, 3) when both are seen, else the seen one, else score 0.

    In a side view the far shoulder and hip are often hidden; the near one still places
    the trunk, so one visible joint of the pair is enough.
    """
    ja, jb = kpts[:, a], kpts[:, b]
    sa, sb = (ja[:, 2] >= min_score)[:, None], (jb[:, 2] >= min_score)[:, None]
    mid = (ja + jb) / 2
    mid[:, 2] = np.minimum(ja[:, 2], jb[:, 2])
    out = np.where(sa & sb, mid, np.where(sa, ja, np.where(sb, jb, 0.0)))
    return out


def neck_c(kpts: np.ndarray, min_score: float) -> np.ndarray:
    return _centre(kpts, J.L_SHOULDER, J.R_SHOULDER, min_score)


def pelvis_c(kpts: np.ndarray, min_score: float) -> np.ndarray:
    return _centre(kpts, J.L_HIP, J.R_HIP, min_score)


def raw_scale(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Per-frame size cue in px: max(torso length, 1.15 x shoulder width); NaN if unseen.

    The torso shrinks when it points at the camera (front view of a push-up) and the
    shoulders collapse in a side view; the larger of the two stays near the true torso.
    """
    nk, pv = neck_c(kpts, min_score), pelvis_c(kpts, min_score)
    torso = np.linalg.norm(nk[:, :2] - pv[:, :2], axis=1)
    sw = np.linalg.norm(kpts[:, J.L_SHOULDER, :2] - kpts[:, J.R_SHOULDER, :2], axis=1)
    ok_t = np.minimum(nk[:, 2], pv[:, 2]) >= min_score
    ok_s = np.minimum(kpts[:, J.L_SHOULDER, 2], kpts[:, J.R_SHOULDER, 2]) >= min_score
    out = np.fmax(np.where(ok_t, torso, np.nan), np.where(ok_s, 1.15 * sw, np.nan))
    return out


def reference_scale(raw: np.ndarray, window: int = 7, memory: int = 300, q: float = 100.0) -> np.ndarray:
    """Causal body scale (T,) px, NaN until seen: the q-th percentile, over the last `memory`
    frames, of the rolling median of `raw` over `window` frames.

    The median drops outliers up to three frames long; the maximum keeps the scale from
    shrinking while the body is foreshortened within a rep, and unlike the all-time maximum it
    lets a camera zoom or a walk towards the camera through, and forgets a bad moment (a few
    frames of a mis-placed shoulder once made every later rep look too small to count).
    The first samples take the median of the first whole window once it is in (the median of
    the samples so far until then: no rep settles that early, so nothing shown as final
    changes), and only medians of whole windows enter the maximum. A median of the first three
    samples once did: three misread first frames (a torso read 2.4x too long before the crop
    model took over) set the scale of a whole pull-up set, which then counted 0 of 2; a torso
    read short there made the first top look too high, and the set's later reps were merged.
    """
    idx = np.flatnonzero(np.isfinite(raw))
    first = min(3, window) - 1  # a median needs this many samples before it (0-based)
    if idx.size <= first:
        return np.full(raw.shape, np.nan)
    meds = row_quantile(trailing_rows(raw[idx].astype(np.float64), window), 50.0)
    if idx.size < window:  # part of a window so far
        return forward_fill(meds[first:], idx[first:], raw.shape[0])
    whole = meds[window - 1:]
    if q == 100.0:  # the common case, a running maximum: no sort needed
        top = trailing_rows(whole, memory, fill=-np.inf).max(axis=1)
    else:
        top = row_quantile(trailing_rows(whole, memory), q)
    return forward_fill(np.concatenate([np.full(window - 1, top[0]), top]), idx, raw.shape[0])


def elbow_angle(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Elbow angle of the more visible arm, degrees (180 = straight)."""
    return _side_measure(kpts, joint_angle, (0, 1, 2), min_score)


def hip_angle(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Shoulder-hip-knee angle of the more visible side, degrees (180 = hip straight)."""
    return _side_measure(kpts, joint_angle, (0, 3, 4), min_score)


def knee_angle(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Hip-knee-ankle angle of the more visible side, degrees."""
    return _side_measure(kpts, joint_angle, (3, 4, 5), min_score)


def body_angle(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Shoulder-hip-ankle angle of the more visible side, degrees (180 = straight body)."""
    return _side_measure(kpts, joint_angle, (0, 3, 5), min_score)


def hip_offset(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Hip off the shoulder-ankle line in torso lengths (+ piked, - sagging); side views."""
    dev = hip_deviation(kpts)
    ok = _ok(kpts, (J.L_SHOULDER, J.L_HIP, J.L_ANKLE), min_score) | _ok(kpts, (J.R_SHOULDER, J.R_HIP, J.R_ANKLE), min_score)
    return np.where(ok, dev, np.nan)


def _pair_y(kpts: np.ndarray, a: int, b: int, min_score: float, memory: int = 5) -> np.ndarray:
    """Image y of the middle of a left/right pair (T,); NaN when neither joint is seen.

    Both seen: their mean (which a left/right swap leaves unchanged). One seen: that joint
    moved by half the pair's recent offset (median of the last `memory` frames with both,
    causal), so the height does not jump when the other joint drops out. In a side view the
    far joint sits 20-50 px off the near one and its score hovers near the threshold; taking
    the plain single joint made a held plank jump a fifth of a torso from frame to frame.
    """
    ya, yb = kpts[:, a, 1].astype(float), kpts[:, b, 1].astype(float)
    sa, sb = kpts[:, a, 2] >= min_score, kpts[:, b, 2] >= min_score
    both = sa & sb
    half = np.full(ya.shape, np.nan)  # (ya - yb) / 2, carried forward from frames with both
    idx = np.flatnonzero(both)
    if idx.size:
        d = (ya[idx] - yb[idx]) / 2
        pad = np.concatenate([np.full(memory - 1, np.nan), d])
        recent = np.nanmedian(np.lib.stride_tricks.sliding_window_view(pad, memory), axis=1)
        last = np.maximum.accumulate(np.where(both, np.arange(ya.size), -1))
        rank = np.searchsorted(idx, last)  # position of that frame among the both-seen frames
        half = np.where(last >= 0, recent[np.clip(rank, 0, idx.size - 1)], np.nan)
    ha = np.where(np.isfinite(half), ya - half, ya)
    hb = np.where(np.isfinite(half), yb + half, yb)
    return np.where(both, (ya + yb) / 2, np.where(sa, ha, np.where(sb, hb, np.nan)))


def shoulder_y(kpts, min_score):
    return _pair_y(kpts, J.L_SHOULDER, J.R_SHOULDER, min_score)


def elbow_y(kpts, min_score):
    return _pair_y(kpts, J.L_ELBOW, J.R_ELBOW, min_score)


def wrist_y(kpts, min_score):
    return _pair_y(kpts, J.L_WRIST, J.R_WRIST, min_score)


def hip_y(kpts, min_score):
    return _pair_y(kpts, J.L_HIP, J.R_HIP, min_score)


def knee_y(kpts, min_score):
    return _pair_y(kpts, J.L_KNEE, J.R_KNEE, min_score)


def ankle_y(kpts, min_score):
    return _pair_y(kpts, J.L_ANKLE, J.R_ANKLE, min_score)


def nose_y(kpts, min_score):
    return np.where(kpts[:, J.NOSE, 2] >= min_score, kpts[:, J.NOSE, 1], np.nan)


def head_y(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """The head's height (T,) image y: the nose when it is seen; else the ears (then the eyes)
    moved by their recent offset from the nose (causal median over frames with both; none yet:
    no offset), so a pull-up filmed from behind, where the nose is hidden, still has a head."""
    nose = nose_y(kpts, min_score)
    out = nose.copy()
    for a, b in ((J.L_EAR, J.R_EAR), (J.L_EYE, J.R_EYE)):
        alt = _pair_y(kpts, a, b, min_score)
        both = np.isfinite(nose) & np.isfinite(alt)
        seen = np.flatnonzero(both)
        offset = forward_fill(row_quantile(trailing_rows((nose - alt)[seen].astype(np.float64), 30), 50.0), seen,
                              len(nose))
        offset = np.where(np.isfinite(offset), offset, 0.0)
        out = np.where(np.isfinite(out), out, alt + offset)
    return out


def trunk_elevation(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Pelvis -> neck elevation above the image horizontal, degrees (side views)."""
    nk, pv = neck_c(kpts, min_score), pelvis_c(kpts, min_score)
    ok = np.minimum(nk[:, 2], pv[:, 2]) >= min_score
    return np.where(ok, elevation(pv, nk), np.nan)


def trunk_rise(kpts: np.ndarray, scale: np.ndarray, min_score: float) -> np.ndarray:
    """How far the neck stands above the pelvis in the image, in torso lengths (any view)."""
    nk, pv = neck_c(kpts, min_score), pelvis_c(kpts, min_score)
    ok = np.minimum(nk[:, 2], pv[:, 2]) >= min_score
    return np.where(ok, (pv[:, 1] - nk[:, 1]) / scale, np.nan)


def hands_to_head(kpts: np.ndarray, scale: np.ndarray, min_score: float, side: bool = False) -> np.ndarray:
    """Distance of the farther visible wrist from the head centre, in torso lengths. side: from
    the side the far arm is behind the body and its wrist, when placed at all, is a guess:
    only the wrist the pose model is surer of is read."""
    head = kpts[:, [J.NOSE, J.L_EAR, J.R_EAR, J.L_EYE, J.R_EYE]]
    w = np.clip(head[..., 2], 0, None)
    ok_head = w.max(axis=1) >= min_score
    w = np.where(w >= min_score, w, 0) + 1e-9
    centre = (head[..., :2] * w[..., None]).sum(1) / w.sum(1)[:, None]
    d = []
    for wj in (J.L_WRIST, J.R_WRIST):
        dist = np.linalg.norm(kpts[:, wj, :2] - centre, axis=1)
        d.append(np.where(kpts[:, wj, 2] >= min_score, dist, np.nan))
    out = np.fmax(d[0], d[1])
    if side:
        surer = kpts[:, J.L_WRIST, 2] >= kpts[:, J.R_WRIST, 2]
        out = np.where(surer, d[0], d[1])
    return np.where(ok_head, out / scale, np.nan)


def hands_to_chest(kpts: np.ndarray, scale: np.ndarray, min_score: float) -> np.ndarray:
    """Distance of the farther visible wrist from the chest (a quarter of the way from the neck
    to the pelvis), in torso lengths: small while the arms are crossed on the chest."""
    nk, pv = neck_c(kpts, min_score), pelvis_c(kpts, min_score)
    chest = nk[:, :2] + 0.25 * (pv[:, :2] - nk[:, :2])
    ok = np.minimum(nk[:, 2], pv[:, 2]) >= min_score
    d = [np.where(kpts[:, wj, 2] >= min_score, np.linalg.norm(kpts[:, wj, :2] - chest, axis=1), np.nan)
         for wj in (J.L_WRIST, J.R_WRIST)]
    return np.where(ok, np.fmax(d[0], d[1]) / scale, np.nan)


def side_ratio(kpts: np.ndarray, min_score: float) -> np.ndarray:
    """Shoulder width / torso length in the image: small from the side, large from the front."""
    nk, pv = neck(kpts), pelvis(kpts)
    torso = np.linalg.norm(nk[:, :2] - pv[:, :2], axis=1)
    sw = np.linalg.norm(kpts[:, J.L_SHOULDER, :2] - kpts[:, J.R_SHOULDER, :2], axis=1)
    ok = np.minimum.reduce([nk[:, 2], pv[:, 2], kpts[:, J.L_SHOULDER, 2], kpts[:, J.R_SHOULDER, 2]]) >= min_score
    return np.where(ok, sw / np.maximum(torso, 1e-6), np.nan)
