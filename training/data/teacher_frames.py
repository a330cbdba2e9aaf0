"""Real footage labelled by the reference teacher (BlazePose Full, `python -m training teacher`),
cached in the pose-frame format (training.data.pose_frames) for distilling it into our model.

Sources (../shared/data):
- footage/ : people exercising from every angle (manifest.json); clips with one person only,
  since the teacher labels one person and everyone else would be taught as background;
- pushfit/ : 211 push-up clips; the teacher's joints are the labels, and MoveNet is kept as
  a second opinion: a joint MoveNet saw clearly somewhere else is masked, not taught.
Validation: the 30 hand-counted videos (videos/ and clips/), every exercise and view, plus
any training clip of the same person (the THChen footage clip is the thchen_situps person);
pushfit's clip-name-hash validation clips stay out of training as before.

Low-visibility teacher joints (visibility < MIN_VIS, or outside the image) are masked out
of the loss (flag 0), never taught as "no joint here".
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.data.pose_frames import AGREE, cache_frames, in_pool, is_validation

MIN_VIS = 0.5        # teacher visibility below this: masked
MAX_SIDE = 480       # cached frames keep enough pixels for crops around a distant subject
MAX_FRAMES = 240     # per footage clip, spread over the clip so no long clip dominates
PUSHFIT_FRAMES = 64
MOVENET_SEEN = 0.4   # MoveNet score above which its disagreement masks a teacher joint
HELD_OUT_REPOS = ("THChen2002",)  # footage shot by people in the validation videos


@dataclass(frozen=True, slots=True)
class Source:
    """One video to cache: name (cache file stem), video path, teacher track path, content
    (pushup | pullup | situp | crunch | other:<what>), person group, and pushfit's MoveNet
    track path when there is one (second opinion)."""

    name: str
    video: Path
    teacher: Path
    content: str
    group: str
    movenet: Path | None = None


def teacher_labels(kp: np.ndarray, min_vis: float = MIN_VIS) -> np.ndarray:
    """Teacher track (T, 17, 3) x px, y px, visibility -> labels (T, 17, 3) x, y, 1 / 0 masked."""
    kp = np.nan_to_num(kp.astype(np.float32))
    ok = (kp[..., 2] >= min_vis) & ((kp[..., 0] != 0) | (kp[..., 1] != 0))
    out = np.zeros_like(kp)
    out[..., :2] = np.where(ok[..., None], kp[..., :2], 0.0)
    out[..., 2] = ok
    return out


def second_opinion(labels: np.ndarray, movenet: np.ndarray, factor: float = 2.0) -> np.ndarray:
    """Mask teacher joints that MoveNet saw clearly (score >= MOVENET_SEEN) more than
    factor x AGREE x the person's size away. labels (T, 17, 3), movenet (T, 17, 3) -> labels."""
    n = min(len(labels), len(movenet))
    out = labels.copy()
    lab, mv = labels[:n], movenet[:n].astype(np.float32)
    xy = np.where(lab[..., 2:] > 0, lab[..., :2], np.nan)
    with np.errstate(all="ignore"):
        size = np.nan_to_num(np.fmax(np.nanmax(xy[..., 0], 1) - np.nanmin(xy[..., 0], 1),
                                     np.nanmax(xy[..., 1], 1) - np.nanmin(xy[..., 1], 1)), nan=0.0)
    d = np.linalg.norm(lab[..., :2] - mv[..., :2], axis=-1)
    bad = (lab[..., 2] > 0) & (mv[..., 2] >= MOVENET_SEEN) & (d > factor * AGREE * size[:, None])
    out[:n, :, 2] = np.where(bad, 0.0, lab[..., 2])
    out[:n, :, :2] = np.where(bad[..., None], 0.0, lab[..., :2])
    return out


def footage_sources(data: Path, teacher: Path) -> list[Source]:
    """Single-person footage clips that have a teacher track (teacher: its cache folder)."""
    man = json.loads((data / "footage" / "manifest.json").read_text())
    out = []
    for name, m in sorted(man.items()):
        t = teacher / f"{name}.npz"
        if int(m.get("people", 1)) != 1 or not t.exists():
            continue
        group = min([name, *m.get("same_person_as", [])])
        out.append(Source(name, data / "footage" / f"{name}.mp4", t, m["content"], group))
    return out


def held_out_people(data: Path) -> set[str]:
    """Footage clips whose people are in the hand-counted videos (`same_person_as_videos`) or
    shot by a validation person's repository: never trained on."""
    man = json.loads((data / "footage" / "manifest.json").read_text())
    return {name for name, m in man.items()
            if m.get("same_person_as_videos") or m.get("repo", "").split("/")[0] in HELD_OUT_REPOS}


def is_held_out_footage(s: Source, data: Path) -> bool:
    return s.name in held_out_people(data)


def pushfit_sources(data: Path, teacher: Path) -> list[Source]:
    from training.data import pushfit
    out = []
    for c in pushfit.load_index(data / "pushfit"):
        t = teacher / f"{c.clip}.npz"
        if t.exists():
            out.append(Source(f"pushfit_{c.clip}", data / "pushfit" / "videos" / f"{c.clip}.mp4", t, "pushup",
                              f"pushfit_{c.clip}", data / "pushfit" / "poses" / f"{c.clip}.npz"))
    return out


def training_sources(data: Path, teacher_cache: Path) -> tuple[list[Source], list[Source]]:
    """-> (training sources, held-out pushfit sources). teacher_cache: ~/.cache/drillscore/teacher
    (footage/ and pushfit/ inside)."""
    foot = [s for s in footage_sources(data, teacher_cache / "footage") if not is_held_out_footage(s, data)]
    push = pushfit_sources(data, teacher_cache / "pushfit")
    val = [s for s in push if is_validation(s.name.removeprefix("pushfit_"))]
    return foot + [s for s in push if s not in val], val


def labels_of(s: Source) -> np.ndarray:
    z = np.load(s.teacher)
    lab = teacher_labels(z["keypoints"])
    if s.movenet is not None and s.movenet.exists():
        lab = second_opinion(lab, np.load(s.movenet)["movenet"])
    return lab


def _one(args: tuple[Source, Path]) -> str:
    s, cache = args
    lab = labels_of(s)
    cap = PUSHFIT_FRAMES if s.movenet is not None else MAX_FRAMES
    step = max(2, int(np.ceil(len(lab) / cap)))
    cache_frames(s.video, lab, cache / f"{s.name}.npz", step, cap, MAX_SIDE)
    return s.name


def build(sources: list[Source], cache: Path, workers: int = 2, progress=None) -> list[str]:
    """Cache every source not cached yet (resumable) -> names of the sources now cached."""
    cache.mkdir(parents=True, exist_ok=True)
    in_pool(_one, [(s, cache) for s in sources if not (cache / f"{s.name}.npz").exists()], workers, progress)
    return [s.name for s in sources if (cache / f"{s.name}.npz").exists()]


def validation_sources(data: Path, teacher_cache: Path) -> list[Source]:
    """The hand-counted videos (videos/ with their teacher tracks in videos/teacher/, clips/
    with theirs in the teacher cache), content = the exercise."""
    out = []
    counts = data / "videos" / "counts.json"
    if counts.exists():
        for name, m in sorted(json.loads(counts.read_text()).items()):
            t = data / "videos" / "teacher" / f"{name}.npz"
            if t.exists():
                out.append(Source(name, data / "videos" / m["file"], t, m["exercise"], name))
    clips = data / "clips" / "clips.json"
    if clips.exists():
        for file, m in sorted(json.loads(clips.read_text()).items()):
            name = Path(file).stem
            t = teacher_cache / f"{name}.npz"
            if t.exists():
                out.append(Source(name, data / "clips" / file, t, m["exercise"], name))
    return out


def validation_missing(data: Path, teacher_cache: Path) -> list[str]:
    """The hand-counted videos validation_sources leaves out for want of a teacher track."""
    listed = []
    for sub, index in (("videos", "counts.json"), ("clips", "clips.json")):
        f = data / sub / index
        if f.exists():
            listed += [Path(k).stem for k in json.loads(f.read_text())]
    have = {s.name for s in validation_sources(data, teacher_cache)}
    return [n for n in listed if n not in have]


# sampling weight per content: the rare poses (bars, curled trunks) are seen more often
WEIGHTS = {"pullup": 4.0, "situp": 4.0, "crunch": 4.0, "pushup": 2.0, "other": 1.0, "pushfit": 0.5}


def weight_of(s: Source, table: dict | None = None) -> float:
    """The clip's sampling weight by its kind (table: WEIGHTS with a run's overrides)."""
    w = table or WEIGHTS
    return w["pushfit"] if s.movenet is not None else w.get(s.content.split(":")[0], 1.0)
