"""The crop pose model's read of one crop: (image, SubjectCrop[, the joints' last read]) ->
17 joints in image px (app.inference.subject_pose follows the person and places the crops).

The crop is cut upright as training cut its crops (grey borders, pixels averaged when shrinking
a lot), read as it is and mirrored, the belief maps decoded at their peaks (app.core.belief_maps)
and mapped back to the frame exactly (SubjectCrop.to_image).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from app.core.belief_maps import decode, decode_near
from app.core.skeleton import FLIP
from app.core.subject_crop import MARGIN, SubjectCrop
from app.inference import session as S

GREY = 114
MIN_SCORE = 0.2       # a belief peak below this: the joint is not found (score 0)
# Each joint is read nearest where it was: its map weighted by PRIOR_FLOOR + (1 - PRIOR_FLOOR) x
# a Gaussian of PRIOR_SIGMA person sizes around the followed person's last read (belief_maps.
# decode_near). Most of the jitter was single-frame jumps between two peaks of about the same
# height (an elbow or a wrist seen twice, the far arm behind the near one). A peak elsewhere
# twice as high still wins, and detection frames read afresh (no prior), so a joint held at a
# wrong peak is let go. Chosen on 38 TRAINING footage clips (`python -m training eval pose --only
# pose_crop --on training`, in-sample for the model): PCK@0.2 0.887 -> 0.893, jitter 0.055 ->
# 0.036 (teacher 0.029), same total as the teacher 0.63 -> 0.74 (a floor of 0.8: jitter 0.046;
# sigma 0.08 / 0.25: PCK 0.871 / 0.873, jitter 0.047 / 0.048; no fresh detection frames: a small
# lying subject lost, PCK 0.890). Held-out videos: jitter 0.036 -> 0.022 (teacher 0.008), PCK@0.2
# 0.865 both.
PRIOR_SIGMA = 0.15
PRIOR_FLOOR = 0.5


class CropReader:
    """The crop model: (image, SubjectCrop) -> (17, 3) image px + score (0 where not found). A
    joint may lie past the image's edge (a body cut by it, read on into the crop's grey):
    subject_pose.inside() keeps the ones a user may be shown.

    flip: each crop is read as it is and mirrored (left and right swapped back) and the belief
    maps averaged, one batch of two when the model takes one. On the 30 held-out videos (through
    the app's pose loop, against the teacher): jitter 0.050 -> 0.036, pull-ups PCK@0.2 0.786 ->
    0.851, at 2 reads a frame (still under half the teacher's time)."""

    def __init__(self, folder: Path | None = None, threads: int | None = None, prefer_gpu: bool = True,
                 flip: bool = True) -> None:
        self.model = S.load("pose_crop", folder, threads, prefer_gpu)
        self.size = int(self.model.meta["input_size"])
        self.stride = int(self.model.meta["stride"])
        self.flip = flip
        batch = self.model.session.get_inputs()[0].shape[0]
        self._batched = not isinstance(batch, int) or batch > 1  # a dynamic batch axis: one call for both

    def beliefs(self, x: np.ndarray) -> np.ndarray:
        """(1, 3, S, S) crop -> belief maps (17, S/stride, S/stride), flip-averaged when `flip`.
        The mirrored map's cell i lies over cell w-1-i exactly (cell centres are symmetric)."""
        if not self.flip:
            return S.run(self.model, {"image": x})[0][0]
        mirrored = np.ascontiguousarray(x[..., ::-1])
        if self._batched:
            a, b = S.run(self.model, {"image": np.concatenate([x, mirrored])})[0]
        else:
            a, b = S.run(self.model, {"image": x})[0][0], S.run(self.model, {"image": mirrored})[0][0]
        return (a + b[list(FLIP), :, ::-1]) / 2

    def read(self, image: np.ndarray, crop: SubjectCrop, near: np.ndarray | None = None) -> np.ndarray:
        """near: the person's joints on the previous frame (17, 3) image px + score, to read each
        joint nearest where it was (PRIOR_SIGMA, PRIOR_FLOOR); None: read as it comes."""
        m = crop.matrix(self.size)
        big = crop.side > 2 * self.size  # shrinking a lot: average the pixels, as the training cache did
        out = cv2.warpAffine(image, m, (self.size, self.size), flags=cv2.INTER_AREA if big else cv2.INTER_LINEAR,
                             borderValue=(GREY, GREY, GREY))
        x = np.ascontiguousarray(out[..., ::-1].transpose(2, 0, 1)[None], dtype=np.float32) / 255.0
        maps = self.beliefs(x)
        if near is None:
            k = decode(maps, self.stride)
        else:
            k = decode_near(maps, self.stride, crop.to_crop(near, self.size).astype(np.float32),
                            PRIOR_SIGMA * self.size / MARGIN, PRIOR_FLOOR)
        found = k[:, 2] >= MIN_SCORE
        k = crop.to_image(k, self.size).astype(np.float32)
        k[~found] = 0.0
        return k
