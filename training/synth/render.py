"""CPU renderer of the synthetic body: volumetric limbs as shaded capsules, a head with face
marks, clothing, skin, lighting, backgrounds, a pull-up bar and a sit-up mat (OpenCV only).

Parts are drawn far to near (painter's order) with radii from their depth, so near limbs
hide far ones as in a photograph. Output images are rendered directly at a reduced size
(the pose model's input is small), which keeps a frame at a couple of milliseconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from app.core.skeleton import NUM_JOINTS, J

# (joint a, joint b, radius m, part) ; part selects the colour: skin / shirt / pants / shoe
_LIMBS = (
    (J.L_SHOULDER, J.L_ELBOW, 0.047, "sleeve"), (J.R_SHOULDER, J.R_ELBOW, 0.047, "sleeve"),
    (J.L_ELBOW, J.L_WRIST, 0.036, "skin"), (J.R_ELBOW, J.R_WRIST, 0.036, "skin"),
    (J.L_HIP, J.L_KNEE, 0.068, "pants"), (J.R_HIP, J.R_KNEE, 0.068, "pants"),
    (J.L_KNEE, J.L_ANKLE, 0.05, "legs"), (J.R_KNEE, J.R_ANKLE, 0.05, "legs"),
)
SKIN_TONES = ((60, 80, 120), (80, 110, 160), (110, 145, 200), (140, 175, 225), (40, 55, 85), (95, 130, 185))


@dataclass(frozen=True, slots=True)
class Look:
    """Colours are BGR tuples; light (2,) image-plane direction the light comes from."""

    skin: tuple
    shirt: tuple
    pants: tuple
    legs_bare: bool
    sleeves: bool
    hair: tuple
    bg_top: tuple
    bg_bottom: tuple
    clutter: tuple  # ((x0, y0, x1, y1, colour), ...) in share of the image
    mat: tuple
    light: tuple
    stripes: int     # shirt texture: 0 plain, else stripe period px


def random_look(rng: np.random.Generator) -> Look:
    col = lambda lo=0, hi=255: tuple(int(v) for v in rng.integers(lo, hi, 3))
    clutter = tuple((*sorted(rng.uniform(0, 1, 2)), *sorted(rng.uniform(0, 1, 2)), col())
                    for _ in range(rng.integers(0, 6)))
    clutter = tuple((c[0], c[2], c[1], c[3], c[4]) for c in clutter)
    a = rng.uniform(0, 2 * np.pi)
    return Look(skin=SKIN_TONES[rng.integers(len(SKIN_TONES))], shirt=col(), pants=col(0, 160),
                legs_bare=bool(rng.random() < 0.3), sleeves=bool(rng.random() < 0.4), hair=col(0, 90),
                bg_top=col(), bg_bottom=col(), clutter=clutter, mat=col(), light=(float(np.cos(a)), float(np.sin(a))),
                stripes=int(rng.choice([0, 0, 4, 7])))


def _shade(c: tuple, k: float) -> tuple:
    return tuple(int(np.clip(v * k, 0, 255)) for v in c)


def _capsule(img, a, b, ra, rb, colour, light) -> None:
    """A shaded capsule from a to b (px) with end radii ra, rb: dark rim, body, highlight."""
    pa, pb = tuple(int(round(v)) for v in a), tuple(int(round(v)) for v in b)
    r = max(1, int(round((ra + rb) / 2)))
    for k, width, off in ((0.55, 1.0, 0.0), (1.0, 0.8, -0.12), (1.35, 0.35, -0.35)):
        w = max(1, int(round(2 * r * width)))
        d = np.array(light) * off * r
        qa = (int(round(pa[0] + d[0])), int(round(pa[1] + d[1])))
        qb = (int(round(pb[0] + d[0])), int(round(pb[1] + d[1])))
        c = _shade(colour, k)
        cv2.line(img, qa, qb, c, w, cv2.LINE_AA)
        cv2.circle(img, qa, max(1, w // 2), c, -1, cv2.LINE_AA)
        cv2.circle(img, qb, max(1, w // 2), c, -1, cv2.LINE_AA)


def background(size: tuple[int, int], look: Look, rng: np.random.Generator) -> np.ndarray:
    w, h = size
    t = np.linspace(0, 1, h)[:, None, None]
    img = (np.array(look.bg_top) * (1 - t) + np.array(look.bg_bottom) * t).repeat(w, 1)
    for x0, y0, x1, y1, c in look.clutter:
        img[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)] = c
    img += rng.normal(0, 6, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def render_frame(joints3d: np.ndarray, camera, look: Look, scale: float, bg: np.ndarray,
                 bar_line: np.ndarray | None = None, mat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One frame. joints3d (17, 3) world m; scale: output px per camera px; bg (H, W, 3).

    Returns the image and keypoints (17, 3) = x, y output px, 1 inside the image else 0."""
    img = bg.copy()
    h, w = img.shape[:2]
    px, depth = camera.project(joints3d)
    px = px * scale
    f = camera.focal * scale
    rad = lambda r, z: f * r / max(z, 0.2)
    if mat is not None:  # floor mat corners (4, 3) world
        mp, _ = camera.project(mat)
        cv2.fillConvexPoly(img, np.round(mp * scale).astype(np.int32), look.mat, cv2.LINE_AA)
    if bar_line is not None:
        a, b = (bar_line * scale).astype(int)
        cv2.line(img, tuple(a), tuple(b), (170, 170, 175), max(2, int(rad(0.018, float(depth.mean())) * 2)),
                 cv2.LINE_AA)
    parts = []  # (depth, draw function)
    sc = (joints3d[J.L_SHOULDER] + joints3d[J.R_SHOULDER]) / 2
    pc = (joints3d[J.L_HIP] + joints3d[J.R_HIP]) / 2
    torso_colour = look.shirt
    for a, b, r, kind in _LIMBS:
        colour = {"sleeve": look.shirt if look.sleeves else look.skin, "skin": look.skin,
                  "pants": look.pants, "legs": look.skin if look.legs_bare else look.pants}[kind]
        z = (depth[a] + depth[b]) / 2
        parts.append((z, lambda a=a, b=b, r=r, colour=colour: _capsule(
            img, px[a], px[b], rad(r, depth[a]), rad(r, depth[b]), colour, look.light)))
    for side in (J.L_ANKLE, J.R_ANKLE):  # shoes
        parts.append((depth[side] - 0.01, lambda s=side: cv2.circle(
            img, tuple(int(v) for v in px[s]), max(1, int(rad(0.05, depth[s]))), (30, 30, 30), -1, cv2.LINE_AA)))
    for side in (J.L_WRIST, J.R_WRIST):  # hands
        parts.append((depth[side] - 0.01, lambda s=side: cv2.circle(
            img, tuple(int(v) for v in px[s]), max(1, int(rad(0.045, depth[s]))), _shade(look.skin, 1.1), -1,
            cv2.LINE_AA)))
    s2, zs = camera.project(np.stack([sc, pc]))
    s2 = s2 * scale

    def torso() -> None:
        _capsule(img, s2[0], s2[1], rad(0.15, zs[0]), rad(0.14, zs[1]), torso_colour, look.light)
        _capsule(img, px[J.L_SHOULDER], px[J.R_SHOULDER], rad(0.06, depth[J.L_SHOULDER]),
                 rad(0.06, depth[J.R_SHOULDER]), torso_colour, look.light)
        _capsule(img, px[J.L_HIP], px[J.R_HIP], rad(0.08, depth[J.L_HIP]), rad(0.08, depth[J.R_HIP]), look.pants,
                 look.light)
        if look.stripes:
            y0, y1 = int(min(s2[:, 1])), int(max(s2[:, 1]))
            for y in range(y0, y1, look.stripes * 2):
                cv2.line(img, (int(s2[0, 0]), y), (int(s2[1, 0]), y), _shade(torso_colour, 0.7), 1)
    parts.append(((zs[0] + zs[1]) / 2, torso))
    head = (joints3d[J.L_EAR] + joints3d[J.R_EAR]) / 2
    hp, hz = camera.project(head[None])
    hp = hp[0] * scale

    def draw_head() -> None:
        r = max(2, int(rad(0.1, float(hz[0]))))
        cv2.line(img, tuple(int(v) for v in hp), tuple(int(v) for v in s2[0]), look.skin, max(1, int(r * 0.8)),
                 cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in hp), r, look.skin, -1, cv2.LINE_AA)
        # hair on the far side of the face: the back of the head
        face = px[J.NOSE] - hp
        back = hp - 0.35 * face
        cv2.circle(img, tuple(int(v) for v in back), int(r * 0.9), look.hair, -1, cv2.LINE_AA)
        for j in (J.L_EYE, J.R_EYE):
            if depth[j] < hz[0]:  # eye on the camera side of the head
                cv2.circle(img, tuple(int(v) for v in px[j]), max(1, r // 6), (25, 25, 25), -1, cv2.LINE_AA)
        if depth[J.NOSE] < hz[0]:
            cv2.circle(img, tuple(int(v) for v in px[J.NOSE]), max(1, r // 7), _shade(look.skin, 0.75), -1)
    parts.append((float(hz[0]), draw_head))
    for _, draw in sorted(parts, key=lambda t: -t[0]):
        draw()
    inside = (px[:, 0] >= 0) & (px[:, 0] <= w - 1) & (px[:, 1] >= 0) & (px[:, 1] <= h - 1) & (depth > 0.1)
    k = np.zeros((NUM_JOINTS, 3), np.float32)
    k[:, :2] = px
    k[:, 2] = inside
    return img, k


def render_clip(clip, rng: np.random.Generator, max_side: int = 320, step: int = 2,
                max_frames: int = 32) -> tuple[list[np.ndarray], np.ndarray]:
    """Frames every `step` of a training.synth Clip -> images (list of (H, W, 3)) and
    keypoints (N, 17, 3) in output px with 1 where inside the image."""
    w, h = clip.size
    scale = max_side / max(w, h)
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    look = random_look(rng)
    bg = background(size, look, rng)
    mat = None
    if clip.exercise == "situp" or rng.random() < 0.3:
        lo = clip.joints3d[..., :2].reshape(-1, 2).min(0) - 0.3
        hi = clip.joints3d[..., :2].reshape(-1, 2).max(0) + 0.3
        mat = np.array([[lo[0], lo[1], 0], [hi[0], lo[1], 0], [hi[0], hi[1], 0], [lo[0], hi[1], 0]], float)
    start = int(rng.integers(0, max(1, clip.joints3d.shape[0] - step * max_frames)))
    imgs, kps = [], []
    for t in range(start, min(clip.joints3d.shape[0], start + step * max_frames), step):
        bl = clip.bar_line if clip.bar_line is not None else None
        img, k = render_frame(clip.joints3d[t], clip.camera, look, scale, bg, bl, mat)
        imgs.append(img)
        kps.append(k)
    return imgs, np.stack(kps)


def render_video(clip, path, rng: np.random.Generator, max_side: int = 480, step: int = 2) -> np.ndarray:
    """Write every `step`-th frame of a clip as an MP4 (fps / step); returns the keypoints
    (N, 17, 3) of the written frames in video px."""
    w, h = clip.size
    scale = max_side / max(w, h)
    size = (max(2, round(w * scale)) // 2 * 2, max(2, round(h * scale)) // 2 * 2)
    look = random_look(rng)
    bg = background(size, look, rng)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), clip.fps / step, size)
    if not writer.isOpened():
        raise OSError(f"{path}: cannot write an MP4 here")
    kps = []
    for t in range(0, clip.joints3d.shape[0], step):
        img, k = render_frame(clip.joints3d[t], clip.camera, look, scale, bg, clip.bar_line)
        writer.write(img)
        kps.append(k)
    writer.release()
    return np.stack(kps)
