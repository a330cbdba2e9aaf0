"""COCO person-keypoints loader: anyone holding COCO (or data in its format) trains the
full-strength pose model with the same command (`python -m training pose --coco ...`).

COCO's 17 keypoints are in app.core's order. Per image: every non-crowd person with
keypoints; a keypoint with v = 0 is unlabelled (not placed in the targets). Images that hold
crowd regions or people without keypoints are skipped: their unlabelled people would be
taught as background.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.skeleton import NUM_JOINTS


@dataclass(frozen=True, slots=True)
class CocoImage:
    """path of the image; people float32 (P, 17, 3) = x, y px, 1 where labelled (0 not)."""

    path: Path
    people: np.ndarray


class CocoError(ValueError):
    """The annotation file is unusable; the message names the file and the problem."""


def load_coco(annotations: Path, images: Path) -> list[CocoImage]:
    annotations, images = Path(annotations), Path(images)
    try:
        data = json.loads(annotations.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise CocoError(f"{annotations}: cannot read COCO annotations ({e.__class__.__name__})") from None
    if not isinstance(data, dict) or "images" not in data or "annotations" not in data:
        raise CocoError(f"{annotations}: not COCO keypoints JSON (needs 'images' and 'annotations')")
    files = {im["id"]: im["file_name"] for im in data["images"]}
    people: dict[int, list[np.ndarray]] = {}
    skip: set[int] = set()
    for a in data["annotations"]:
        iid = a.get("image_id")
        if iid not in files:
            raise CocoError(f"{annotations}: annotation {a.get('id')} refers to unknown image {iid}")
        kp = a.get("keypoints") or []
        if a.get("iscrowd", 0) or a.get("num_keypoints", 0) == 0:
            skip.add(iid)
            continue
        if len(kp) != 3 * NUM_JOINTS:
            raise CocoError(f"{annotations}: annotation {a.get('id')} has {len(kp)} keypoint values, "
                            f"expected {3 * NUM_JOINTS}")
        k = np.asarray(kp, np.float32).reshape(NUM_JOINTS, 3)
        k[:, 2] = (k[:, 2] > 0).astype(np.float32)
        people.setdefault(iid, []).append(k)
    return [CocoImage(images / files[i], np.stack(ps)) for i, ps in sorted(people.items()) if i not in skip]
