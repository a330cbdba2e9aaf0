"""2D pose estimation on video frames with the exported PAF / LSTM-PM models.

letterbox -> ONNX Runtime -> heatmaps + PAFs -> multi-person assembly -> image pixels.
The recurrent model (pose_lstm_pm) carries its state from frame to frame; `reset()` starts
over (a cut, or the subject lost). Without it the stateless pose_paf serves.

Crop pass: a subject far from the camera covers a few dozen of the input's 256 pixels when
the whole frame is letterboxed. When the pose loop says whom it follows (`follow(joints)`),
the stateless model looks at a square crop around that person instead (they fill about
CROP_FILL of it, as in training: training.data.augment.around_person), and at the whole
frame every FULL_EVERY frames and whenever nobody is followed, so other people are still
found and a lost subject is found again. The recurrent model always sees the whole frame
(its memory lives in input coordinates, which a moving crop would shift).
The crop pass is OFF by default: on the 30 held-out hand-counted videos it lowered PCK@0.2
against the teacher from 0.503 to 0.400 (pull-ups 0.332 -> 0.250, sit-ups 0.406 -> 0.228) and
doubled the jitter. The likely cause is a feedback loop: a partial detection gives a tight
crop, which cuts the body and gives a more partial detection. Kept behind `crop=True` for the
next try (a crop sized from the body's expected extent, tuned on footage, not on these videos).
Refine pass (`refine=True`, `python -m training eval pose --crop refine`): the whole frame every
frame, then the subject again on a crop placed from this frame's read; no feedback loop, and
better joints (PCK@0.2 0.534), but no better counts and 60% more time: also off (see __init__).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.inference import session as S
from app.inference.paf_decode import DecodeParams, assemble

GREY = 114


CROP_FILL = 0.7      # share of the crop's side the followed person's joint box spans
FULL_EVERY = 10      # frames between whole-frame passes while following someone
MIN_CROP_GAIN = 1.3  # a crop that would enlarge the person less than this: whole frame instead
REFINE_FILL = 0.55   # the refine pass leaves room around the joints found (a partial read misses some)
REFINE_WEIGHT = 2.0  # a joint both reads see: score-weighted mean, the crop's read counting this much more
REFINE_EMA = 0.25    # the refine crop follows the person smoothly (a crop that jumps makes its read jump)


@dataclass(frozen=True, slots=True)
class Letterbox:
    """Square letterbox of an (h, w) image, or a square crop of it: input = image * scale +
    (pad_x, pad_y)."""

    scale: float
    pad_x: float
    pad_y: float
    size: int

    def to_image(self, kpts: np.ndarray) -> np.ndarray:
        """(..., 17, 3) input px -> image px (scores untouched)."""
        out = kpts.copy()
        out[..., 0] = (kpts[..., 0] - self.pad_x) / self.scale
        out[..., 1] = (kpts[..., 1] - self.pad_y) / self.scale
        return out


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """uint8 (H, W, 3) BGR -> float32 (1, 3, size, size) RGB in [0, 1], and its Letterbox.

    The same geometry as training.data.augment.matrix with no augmentation."""
    if image is None or image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"expected a colour image (H, W, 3), got {None if image is None else image.shape}")
    h, w = image.shape[:2]
    s = size / max(h, w)
    m = np.array([[s, 0, size / 2 - s * w / 2], [0, s, size / 2 - s * h / 2]], np.float64)
    out = cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(GREY, GREY, GREY))
    x = out[..., ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0
    return np.ascontiguousarray(x), Letterbox(s, float(m[0, 2]), float(m[1, 2]), size)


def merge_reads(whole: np.ndarray, crop: np.ndarray) -> np.ndarray:
    """Two reads (17, 3) of one person -> one: where both see a joint, the score-weighted mean of
    the positions (the crop's weight REFINE_WEIGHT times its score) and the higher score; where
    one sees it, that read. Blending instead of picking keeps a joint from hopping between reads."""
    out = whole.copy()
    both = (whole[:, 2] > 0) & (crop[:, 2] > 0)
    wa, wb = whole[both, 2:3], crop[both, 2:3] * REFINE_WEIGHT
    out[both, :2] = (whole[both, :2] * wa + crop[both, :2] * wb) / (wa + wb)
    out[both, 2] = np.maximum(whole[both, 2], crop[both, 2])
    only = (whole[:, 2] <= 0) & (crop[:, 2] > 0)
    out[only] = crop[only]
    return out


def _closest(people: list[np.ndarray], ref: np.ndarray | None) -> int:
    """Index of the person nearest `ref` (17, 3) by their seen joints' mean distance; without a
    reference, the one with most joints seen."""
    seen = [int((p[:, 2] > 0.3).sum()) for p in people]
    if ref is None:
        return int(np.argmax(seen))
    both = [(p[:, 2] > 0.3) & (ref[:, 2] > 0.3) for p in people]
    dist = [float(np.linalg.norm(p[m, :2] - ref[m, :2], axis=1).mean()) if m.any() else np.inf
            for p, m in zip(people, both, strict=True)]
    return int(np.argmin(dist)) if np.isfinite(min(dist)) else int(np.argmax(seen))


def crop_box(joints: np.ndarray, fill: float = CROP_FILL, min_score: float = 0.3) -> np.ndarray | None:
    """A person's joints (17, 3) -> the square crop (cx, cy, side) image px in which their joint
    box spans `fill` of the side; None when fewer than 4 joints are seen."""
    k = joints[joints[:, 2] >= min_score, :2]
    if len(k) < 4:
        return None
    lo, hi = k.min(0), k.max(0)
    return np.array([*(lo + hi) / 2, max(float(np.max(hi - lo)), 8.0) / fill], np.float64)


def crop_input(image: np.ndarray, box: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox] | None:
    """The model input (1, 3, size, size) of the square crop `box` (cx, cy, side) and its
    geometry; None when it would not enlarge the person by MIN_CROP_GAIN over the letterbox."""
    h, w = image.shape[:2]
    cx, cy, side = (float(v) for v in box)
    scale = size / side
    if scale < MIN_CROP_GAIN * size / max(h, w):
        return None
    m = np.array([[scale, 0, size / 2 - scale * cx], [0, scale, size / 2 - scale * cy]], np.float64)
    out = cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(GREY, GREY, GREY))
    x = out[..., ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0
    return np.ascontiguousarray(x), Letterbox(scale, float(m[0, 2]), float(m[1, 2]), size)


def crop_around(image: np.ndarray, joints: np.ndarray, size: int, min_score: float = 0.3,
                fill: float | None = None) -> tuple[np.ndarray, Letterbox] | None:
    """uint8 (H, W, 3) and a person's joints (17, 3) image px -> the input (1, 3, size, size)
    of a square crop where the person's joint box spans CROP_FILL of the side, and its
    geometry; None when fewer than 4 joints are seen or the crop would not enlarge the person
    by MIN_CROP_GAIN over the letterbox (they already fill the frame)."""
    box = crop_box(joints, fill or CROP_FILL, min_score)
    return None if box is None else crop_input(image, box, size)


def _recurrent_measured_worse(folder: Path | None) -> str | None:
    """A reason to skip pose_lstm_pm when its card reads less accurate than pose_paf's."""
    return S.measured_worse("pose_lstm_pm", "pose_paf", folder, "on validation")


class PoseEstimator:
    """frame -> people (list of float32 (17, 3) x, y image px, score), best first."""

    def __init__(self, folder: Path | None = None, threads: int | None = None, recurrent: bool = True,
                 prefer_gpu: bool = True, params: DecodeParams | None = None, by_metrics: bool = True,
                 crop: bool | None = None, refine: bool = False) -> None:
        """recurrent: use pose_lstm_pm when present (unless by_metrics and its card reads less
        accurate than pose_paf's); pose_paf otherwise. crop: the crop pass around the followed
        person; off unless asked for (measured worse, see the module docstring), and only for a
        model trained for it (ONNX metadata `crop_pass`)."""
        self.params = params or DecodeParams()
        self.model = None
        errors = []
        if recurrent and by_metrics:
            worse = _recurrent_measured_worse(folder)
            if worse:
                errors.append(worse)
                recurrent = False
        for name in (["pose_lstm_pm"] if recurrent else []) + ["pose_paf"]:
            try:
                self.model = S.load(name, folder, threads, prefer_gpu)
                break
            except S.ModelError as e:
                errors.append(str(e))
        if self.model is None:
            raise S.ModelError(errors[-1])
        self.fallback_reason = errors[0] if errors else None  # why the recurrent model is not used
        self.recurrent = self.model.meta.get("kind") == "lstm_pm"
        self.size = int(self.model.meta["input_size"])
        self.stride = int(self.model.meta["stride"])
        self._state: dict[str, np.ndarray] | None = None
        # frames the recurrent model runs before its state is restarted: it was trained on
        # clips of this length, and its memory drifts on longer runs (see issue 3's notes)
        self.horizon = int(self.model.meta.get("horizon", 0)) or None
        self._steps = 0
        # zero state for a reset, built once (not per frame)
        self._zero = {i.name: np.zeros(i.shape, np.float32) for i in self.model.session.get_inputs()
                      if i.name in ("heat_in", "paf_in", "h_in", "c_in")}
        self.crop = (not self.recurrent) and bool(crop) and bool(self.model.meta.get("crop_pass", crop))
        # refine: every frame is looked at whole, then the followed person (as found in THIS frame)
        # a second time on a smoothly moving crop; the two reads are blended (merge_reads). No
        # feedback loop: the crop never comes from an earlier crop. Off by default: on the 30
        # held-out videos PCK@0.2 0.503 -> 0.534 (@0.1 0.379 -> 0.428) but the engine's totals
        # agree with the teacher's no more often (0.37 both) and jitter rises 0.060 -> 0.094 (a
        # frame costs 6.7 -> 10.6 ms: affordable since the decode was vectorised, not the reason).
        self.refine = (not self.recurrent) and refine
        self._box: np.ndarray | None = None  # the refine crop (cx, cy, side), smoothed over frames
        self._focus: np.ndarray | None = None
        self._since_full = 0
        self.last_pass = "frame"  # "frame" | "crop": what the latest call looked at

    @property
    def name(self) -> str:
        return self.model.meta["name"]

    def reset(self) -> None:
        self._state = None
        self._focus = None
        self._box = None

    def follow(self, joints: np.ndarray | None) -> None:
        """The person the next frames should look at (17, 3) image px, or None: the pose
        loop's subject. Used by the crop pass only."""
        self._focus = None if joints is None else np.asarray(joints, np.float32)

    def maps(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Letterboxed input (1, 3, S, S) -> heatmaps (18, h, w), pafs (36, h, w)."""
        if not self.recurrent:
            heat, paf = S.run(self.model, {"image": x})
            return heat[0], paf[0]
        if self.horizon and self._steps >= self.horizon:
            self._state = None
        first = self._state is None
        self._steps = 1 if first else self._steps + 1
        feeds = {"image": x, "reset": np.full(1, 1.0 if first else 0.0, np.float32)}
        feeds.update(self._zero if first else self._state)
        heat, paf, h, c = S.run(self.model, feeds)
        self._state = {"heat_in": heat, "paf_in": paf, "h_in": h, "c_in": c}
        return heat[0], paf[0]

    def _input(self, image: np.ndarray) -> tuple[np.ndarray, Letterbox]:
        if self.crop and self._focus is not None and self._since_full < FULL_EVERY - 1:
            c = crop_around(image, self._focus, self.size)
            if c is not None:
                self._since_full += 1
                self.last_pass = "crop"
                return c
        self._since_full = 0
        self.last_pass = "frame"
        return letterbox(image, self.size)

    def __call__(self, image: np.ndarray) -> list[np.ndarray]:
        if image is None or image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 2 or image.shape[1] < 2:
            raise ValueError(f"expected a colour image (H, W, 3), got {None if image is None else image.shape}")
        x, lb = self._input(image)
        people = self._people(x, lb)
        if self.refine and people:
            people = self._refined(image, people)
        return people

    def _people(self, x: np.ndarray, lb: Letterbox) -> list[np.ndarray]:
        heat, paf = self.maps(x)
        people = []
        for k in assemble(heat, paf, self.stride, self.params):
            k = lb.to_image(k)
            k[k[:, 2] <= 0, :2] = 0.0  # joints not found: (0, 0, score 0), as in the track format
            people.append(k)
        return people

    def _refined(self, image: np.ndarray, people: list[np.ndarray]) -> list[np.ndarray]:
        """The followed person (else the most complete one) read again on a crop around them."""
        i = _closest(people, self._focus)
        box = crop_box(people[i], REFINE_FILL)
        if box is None:
            return people
        prev = self._box  # smoothed, unless the person moved by half a crop (another person, a cut)
        if prev is not None and np.linalg.norm(box[:2] - prev[:2]) < prev[2] * 0.5:
            box = prev + REFINE_EMA * (box - prev)
        self._box = box
        c = crop_input(image, box, self.size)
        if c is None:
            return people
        again = self._people(*c)
        if not again:
            return people
        j = _closest(again, people[i])
        self.last_pass = "refined"
        return [merge_reads(people[i], again[j]) if n == i else p for n, p in enumerate(people)]
