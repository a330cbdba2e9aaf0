"""Evaluate the exported pose models through the app's own path (ONNX Runtime + decoder).

PCK@0.2: a joint is correct when within 0.2 x the larger side of the labelled person's box
(LSTM Pose Machines' protocol) of the label; labels are the MoveNet/MediaPipe agreement
pseudo-labels of the validation clips (held out by clip), joints without agreement are not
scored. The predicted person matched to the label is the decoded person nearest to it.
Jitter: mean joint acceleration |x[t+1] - 2 x[t] + x[t-1]| / box size over joints found in
three consecutive frames, on the same frames, for each model and for the labels.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from app.core.skeleton import JOINT_NAMES, NUM_JOINTS
from app.inference.pose import PoseEstimator
from training.data.pose_frames import decode, is_validation, load_cached
from training.progress import Progress


def box_size(k: np.ndarray) -> float:
    xy = k[k[:, 2] > 0, :2]
    return float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]))) if len(xy) >= 2 else 0.0


def nearest(people: list[np.ndarray], label: np.ndarray) -> np.ndarray:
    """The decoded person closest to the label (mean distance over labelled joints)."""
    lab = label[:, 2] > 0
    best, bd = np.zeros((NUM_JOINTS, 3), np.float32), np.inf
    for p in people:
        both = lab & (p[:, 2] > 0)
        if both.sum() == 0:
            continue
        d = np.linalg.norm(p[both, :2] - label[both, :2], axis=1).mean() + 1e3 * (lab & ~both).sum() / lab.sum()
        if d < bd:
            best, bd = p, d
    return best


def evaluate_model(est: PoseEstimator, cache: Path, clips: list[str], alpha: float = 0.2,
                   max_frames: int | None = None, follow: bool = False) -> dict:
    """follow: tell the estimator whom to follow (the decoded person nearest the label), as the
    pose loop's tracker does: the crop path reads the next frame around them."""
    hits = np.zeros(NUM_JOINTS)
    totals = np.zeros(NUM_JOINTS)
    acc_pred, acc_lab = [], []
    times = []
    sets = [s for s in (load_cached(cache, c) for c in clips) if s is not None]
    bar = Progress(sum(len(s.images[:max_frames]) for s in sets), est.name)
    n = 0
    for fs in sets:
        est.reset()
        preds, labs = [], []
        for i, blob in enumerate(fs.images[:max_frames]):
            img = decode(blob)
            t0 = time.perf_counter()
            people = est(img)
            times.append(time.perf_counter() - t0)
            lab = fs.joints[i]
            p = nearest(people, lab)
            if follow:
                est.follow(p if (p[:, 2] > 0).sum() >= 3 else None)
            size = box_size(lab)
            known = lab[:, 2] > 0
            if size > 0 and known.sum() >= 4:
                ok = (p[:, 2] > 0) & (np.linalg.norm(p[:, :2] - lab[:, :2], axis=1) <= alpha * size)
                hits += ok & known
                totals += known
            preds.append(p)
            labs.append(lab)
            n += 1
            bar.update(n)
        P, L = np.stack(preds), np.stack(labs)
        for arr, out in ((P, acc_pred), (L, acc_lab)):
            seen = (P[..., 2] > 0) & (L[..., 2] > 0)  # same joints for both, so the figures compare
            s3 = seen[:-2] & seen[1:-1] & seen[2:]
            a = np.linalg.norm(arr[2:, :, :2] - 2 * arr[1:-1, :, :2] + arr[:-2, :, :2], axis=-1)
            sz = np.array([box_size(x) for x in L[1:-1]])[:, None]
            v = (a / np.maximum(sz, 1.0))[s3 & (sz > 0)]
            out.extend(v.tolist())
    bar.close()
    per = hits / np.maximum(totals, 1)
    return {"pck@0.2_mean": float(hits.sum() / max(totals.sum(), 1)),
            "pck@0.2_per_joint": {JOINT_NAMES[j]: round(float(per[j]), 3) for j in range(NUM_JOINTS)},
            "scored_joints": int(totals.sum()), "frames": n,
            "jitter_accel": float(np.mean(acc_pred)) if acc_pred else None,
            "label_jitter_accel": float(np.mean(acc_lab)) if acc_lab else None,
            "ms_per_frame_total": float(np.mean(times) * 1000) if times else None}


def run(models: Path, cache: Path, data_root: Path, threads: int | None = None, max_frames: int | None = None,
        write_cards: bool = True, videos: bool = True, only: str | None = None,
        progress=print, crop: bool | str | None = None, on: str = "videos") -> dict:
    """Both pose models: the hand-counted videos against the teacher (training.eval_pose_videos;
    the headline, and what the app's model choice reads: pck@0.2_mean), and pushfit's
    validation clips against the MoveNet + MediaPipe agreement labels (metrics["pushfit"]).
    crop: the stateless model's crop pass on / off (None: as its card says, as the app runs it;
    the pushfit frames are always whole frames, one at a time). on: "videos" (the held-out
    hand-counted videos, the headline) or "training" (eval_pose_videos.tuning_sources: where a
    rule of the pose path is chosen; no pushfit, no cards written)."""
    from training.data import pushfit
    from training.data import teacher_frames as TF
    from training.data.pose_frames import build_cache
    from training.eval_pose_videos import evaluate_video, per_video, summarise
    clips = [c.clip for c in pushfit.load_index(data_root) if is_validation(c.clip)]
    build_cache(data_root, cache, clips)
    teacher_cache = Path.home() / ".cache" / "drillscore" / "teacher"
    if on == "training":
        from training.eval_pose_videos import tuning_sources
        sources, missing, write_cards = tuning_sources(data_root.parent), [], False
    else:
        sources = TF.validation_sources(data_root.parent, teacher_cache) if videos else []
        missing = TF.validation_missing(data_root.parent, teacher_cache) if videos else []
    if missing:  # a card's figures over fewer videos would not compare with the last ones
        progress(f"no teacher track for {', '.join(missing)} (python -m training teacher ../shared/data/clips "
                 f"makes them): evaluating {len(sources)} videos, the model cards are NOT written")
        write_cards = False
    out = {}
    for name, recurrent in (("pose_paf", False), ("pose_lstm_pm", True), ("pose_crop", False)):
        if not (models / f"{name}.onnx").exists() or only not in (None, name):
            continue
        if name == "pose_crop":  # the app's path: pose_paf finds, pose_crop reads the subject
            from app.inference.subject_pose import pose_estimator
            est = pose_estimator(models, threads, by_metrics=False)
            if not est.name.startswith(name):
                continue
            r: dict = {"path": est.name, "detect_every": est.detect_every}
        else:
            est = PoseEstimator(models, threads, recurrent=recurrent, by_metrics=False, crop=crop is True,
                                refine=crop == "refine")
            if est.name != name:
                continue
            r = {"crop_pass": est.crop, "refine_pass": est.refine}
        if sources:
            rows = []
            for i, s in enumerate(sources):
                rows.append(evaluate_video(est, s))
                progress(f"{name}: {i + 1}/{len(sources)} {s.name}: PCK@0.2 {rows[-1].hits20 / max(rows[-1].joints, 1):.2f}"
                         f", totals {rows[-1].totals[0]} (teacher {rows[-1].totals[1]})"
                         + (f", motion {rows[-1].motion:.2f}" if rows[-1].motion is not None else ""))
            summ = summarise(rows)
            r |= {"pck@0.2_mean": summ["all"]["pck@0.2"], "pck@0.1_mean": summ["all"]["pck@0.1"],
                  "per_exercise": summ, "per_video": per_video(rows),
                  "split": f"against the reference teacher (mediapipe 0.10.14 BlazePose Full) on the {len(sources)} "
                           + ("hand-counted videos (../shared/data/videos + clips), held out of training by person; "
                              if on == "videos" else "TRAINING footage clips (eval_pose_videos.tuning_sources); ")
                           + "through the app's pose loop, every frame"}
        if on == "training":
            out[name] = r
            continue
        if name != "pose_crop":
            est.crop = False  # cached pushfit frames are scored one by one: nobody to follow
        pf = evaluate_model(est, cache, clips, max_frames=max_frames, follow=name == "pose_crop")
        pf["split"] = f"pushfit validation: {len(clips)} clips held out by clip-name hash, every 2nd frame"
        r["pushfit"] = pf
        if not sources:  # no videos: the pushfit figure is the headline
            r["pck@0.2_mean"] = pf["pck@0.2_mean"]
        out[name] = r
        if write_cards:
            card_path = models / f"{name}.json"
            card = json.loads(card_path.read_text())
            card["metrics"] = r
            card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return out
