"""Pinhole cameras around the subject: front, side and oblique with jitter."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMAGE_SIZES: tuple[tuple[int, int], ...] = ((1280, 720), (1920, 1080), (640, 480), (640, 360), (720, 1280))
# Azimuth of the camera in the body frame (x = where the head / face points).
VIEW_AZIMUTH = {"front": 0.0, "oblique": np.pi / 4, "side": np.pi / 2}


@dataclass(frozen=True, slots=True)
class Camera:
    """position (3,) m; rotation (3, 3) rows = right, down, forward; focal px; size (w, h)."""

    position: np.ndarray
    rotation: np.ndarray
    focal: float
    size: tuple[int, int]

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> camera coordinates (..., 3) (x right, y down, z depth)."""
        return (points - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World (..., 3) -> pixels (..., 2) and depth (...) in metres."""
        c = self.to_camera(points)
        z = np.maximum(c[..., 2], 1e-3)
        px = np.stack([self.size[0] / 2 + self.focal * c[..., 0] / z,
                       self.size[1] / 2 + self.focal * c[..., 1] / z], axis=-1)
        return px, c[..., 2]


def look_at(position: np.ndarray, target: np.ndarray, roll: float) -> np.ndarray:
    f = target - position
    f = f / np.linalg.norm(f)
    r = np.cross(f, np.array([0.0, 0.0, 1.0]))
    r = r / max(np.linalg.norm(r), 1e-9)
    d = np.cross(f, r)
    c, s = np.cos(roll), np.sin(roll)
    r2, d2 = c * r + s * d, -s * r + c * d
    return np.stack([r2, d2, f])


def random_camera(rng: np.random.Generator, view: str, joints: np.ndarray, exercise: str) -> Camera:
    """A camera seeing every joint of `joints` (T, 17, 3) from the given view, with jitter."""
    size = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
    hfov = np.radians(rng.uniform(50, 75))
    focal = size[0] / 2 / np.tan(hfov / 2)
    lo, hi = joints.reshape(-1, 3).min(0), joints.reshape(-1, 3).max(0)
    centre = (lo + hi) / 2
    extent = float(np.max(hi - lo))
    side_sign = rng.choice([-1.0, 1.0])
    az = VIEW_AZIMUTH[view] * side_sign + rng.uniform(-0.14, 0.14)
    height = rng.uniform(1.0, 1.8) if exercise == "pullup" else rng.uniform(0.35, 1.5)
    vfov = 2 * np.arctan(size[1] / 2 / focal)
    fov = min(hfov, vfov)
    dist = extent / (2 * np.tan(fov / 2)) * rng.uniform(1.25, 1.7) + 0.8
    pos = centre + np.array([np.cos(az) * dist, np.sin(az) * dist, 0.0])
    pos[2] = height
    target = centre + rng.uniform(-0.08, 0.08, 3)
    return Camera(pos, look_at(pos, target, np.radians(rng.uniform(-5, 5))), float(focal), size)
