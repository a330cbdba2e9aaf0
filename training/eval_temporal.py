"""`python -m training eval classifier|recogniser|smoother|lifter`: the exported ONNX models,
run through the app's own adapters, on the held-out splits their cards name.

classifier  synthetic held-out windows and reps (seeds from HELD_OUT_SEED); pushfit
            validation clips (clip-name hash) when ../shared/data is present
recogniser  synthetic held-out windows and clips; RepCount sequences (exercise only)
smoother    synthetic held-out clips: raw input, One-Euro (the card's tuned parameters),
            seq2seq full and live modes
lifter      synthetic held-out clips per exercise: the shipped symmetric lifter of that
            exercise and the causal one
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.types import EXERCISES
from training.data.synth_clips import HELD_OUT_SEED, clips


def eval_recogniser(models: Path, repcount: Path | None, held_out: int = 30) -> dict:
    from app.inference.exercise import ExerciseRecogniser
    from training.data.exercise_windows import synth_exercise_windows
    rec = ExerciseRecogniser(models)
    seeds = range(HELD_OUT_SEED, HELD_OUT_SEED + held_out)
    w = synth_exercise_windows(seeds)
    p = np.concatenate([rec.windows(w.keypoints[i:i + 512])[0] for i in range(0, len(w), 512)])
    out = {"synth_window_acc": float((p.argmax(1) == w.label).mean()), "synth_windows": len(w)}
    reps = [c for c in clips(seeds) if c.kind == "reps"]
    g = [rec.recognise(c.track()) for c in reps]
    out["synth_clip_exercise_acc"] = float(np.mean([x.exercise == c.exercise for x, c in zip(g, reps, strict=True)]))
    out["synth_clip_exercise_view_acc"] = float(np.mean([(x.exercise, x.view) == (c.exercise, c.view)
                                                         for x, c in zip(g, reps, strict=True)]))
    out["synth_clips"] = len(reps)
    if repcount is not None:
        from training.data.repcount import load_annotations, load_track
        ann = load_annotations(repcount)
        ok = {ex: [] for ex in EXERCISES}
        for a in ann:
            ok[a.exercise].append(rec.recognise(load_track(repcount, a.clip)).exercise == a.exercise)
        out["repcount_exercise_acc"] = float(np.mean([x for v in ok.values() for x in v]))
        out.update({f"repcount_{ex}_acc": float(np.mean(v)) for ex, v in ok.items() if v})
        out["repcount_sequences"] = len(ann)
    return out


def eval_smoother(models: Path, held_out: int = 15) -> dict:
    from app.inference.smoother import Smoother
    from training.smoother_train import pooled, track_errors
    sm = Smoother(models)
    rows: dict[str, list] = {"raw": [], "one_euro": [], "seq2seq_full": [], "seq2seq_live": []}
    for c in clips(range(HELD_OUT_SEED, HELD_OUT_SEED + held_out), extra_kinds=False):
        t = c.track()
        rows["raw"].append(track_errors(c.keypoints, c.clean))
        rows["one_euro"].append(track_errors(sm.one_euro(t), c.clean))
        rows["seq2seq_full"].append(track_errors(sm.full(t), c.clean))
        rows["seq2seq_live"].append(track_errors(sm.live(t), c.clean))
    return {k: pooled(v) for k, v in rows.items()}


def eval_lifter(models: Path, held_out: int = 15) -> dict:
    from app.inference.lifter import Lifter3D
    from training.lifter_train import errors, sequences
    out = {}
    causal = Lifter3D(causal=True, folder=models)
    for ex in EXERCISES:
        seqs = sequences(range(HELD_OUT_SEED, HELD_OUT_SEED + held_out), ex)
        for name, lf in (("review", Lifter3D(ex, folder=models)), ("causal", causal)):
            parts = [errors(lf.lift(k), j) for k, j in seqs]
            s = {k: sum(p[k] for p in parts) for k in parts[0]}
            out[f"{ex}/{name}"] = {"mpjpe_mm": s["mpjpe"] / s["n"], "p_mpjpe_mm": s["p_mpjpe"] / s["n"],
                                   "mpjve_mm": s["mpjve"] / s["nv"]}
    return out


def eval_classifier(models: Path, pushfit: Path | None, held_out: int = 60) -> dict:
    from app.inference.classifier import RepClassifier
    from training.classifier_train import group_verdicts, roc_auc
    from training.data.rep_windows import synth_windows
    clf = RepClassifier(models)
    ws = synth_windows(range(HELD_OUT_SEED, HELD_OUT_SEED + held_out))
    p = np.concatenate([_by_category(clf, ws, i) for i in range(0, len(ws), 1024)])
    pred, true = group_verdicts(p, ws)
    out = {"synth_window_acc": float(((p >= 0.5) == (ws.label == 1)).mean()), "synth_window_auc": roc_auc(p, ws.label),
           "synth_rep_acc": float((pred == true).mean()), "synth_windows": len(ws)}
    if pushfit is not None:
        from training.data import pushfit as pf
        from training.data.pose_frames import is_validation
        from training.data.rep_windows import pushfit_windows
        index = pf.load_index(pushfit)
        va = [c.clip for c in index if is_validation(c.clip)]
        rw = pushfit_windows(pushfit, va, {c.clip: c.label for c in index})
        pr = np.concatenate([_by_category(clf, rw, i) for i in range(0, len(rw), 1024)])
        pred, true = group_verdicts(pr, rw)
        out.update({"pushfit_clip_acc": float((pred == true).mean()), "pushfit_clips": len(pred),
                    "pushfit_window_auc": roc_auc(pr, rw.label)})
        own = Path.home() / ".cache" / "drillscore" / "pushfit_tracks"
        if own.is_dir():  # the same clips through our own pose model, as the app reads them
            ow = pushfit_windows(pushfit, va, {c.clip: c.label for c in index}, own_tracks=own)
            po = np.concatenate([_by_category(clf, ow, i) for i in range(0, len(ow), 1024)])
            pred, true = group_verdicts(po, ow)
            out.update({"own_clip_acc": float((pred == true).mean()), "own_clips": len(pred),
                        "own_window_auc": roc_auc(po, ow.label)})
    return out


def _by_category(clf, ws, i: int, n: int = 1024) -> np.ndarray:
    """P(standard) of windows i..i+n, each with its own category."""
    f, c = ws.features[i:i + n], ws.category[i:i + n]
    p = np.empty(len(f), np.float32)
    for cat in np.unique(c):
        p[c == cat] = clf.windows(f[c == cat], int(cat))[0]
    return p


def run(what: str, models: Path, data: Path) -> dict:
    if what == "recogniser":
        rc = data / "repcount"
        return eval_recogniser(models, rc if (rc / "annotations.json").exists() else None)
    if what == "smoother":
        res = eval_smoother(models)
        own = Path.home() / ".cache" / "drillscore" / "pushfit_tracks"
        if (data / "pushfit" / "clips.csv").exists() and own.is_dir():
            res.update({f"real_{k}": v for k, v in eval_smoother_real(models, data / "pushfit", own).items()})
        return res
    if what == "lifter":
        return {**eval_lifter(models), **eval_lifter_angles(models)}
    if what == "classifier":
        pf = data / "pushfit"
        return eval_classifier(models, pf if (pf / "clips.csv").exists() else None)
    raise ValueError(f"unknown model {what!r}; choose pose, classifier, recogniser, smoother or lifter")


def eval_lifter_angles(models: Path, held_out: int = 15) -> dict:
    """Where 2D is fooled by the view: the elbow angle per frame from the 2D keypoints and from
    the lifted 3D joints, against the true 3D angle, per exercise x view (mean abs error, deg)."""
    from app.core.geometry import joint_angle, limb_angles_3d
    from app.core.skeleton import J
    from app.inference.lifter import Lifter3D
    out = {}
    for ex in EXERCISES:
        lf = Lifter3D(ex, folder=models)
        err2, err3 = {}, {}
        for c in clips(range(HELD_OUT_SEED, HELD_OUT_SEED + held_out), exercises=(ex,), extra_kinds=False):
            true = limb_angles_3d(c.joints3d)["elbow"]
            k = c.keypoints
            a2 = (joint_angle(k[:, J.L_SHOULDER], k[:, J.L_ELBOW], k[:, J.L_WRIST])
                  + joint_angle(k[:, J.R_SHOULDER], k[:, J.R_ELBOW], k[:, J.R_WRIST])) / 2
            a3 = limb_angles_3d(lf.lift(k))["elbow"]
            err2.setdefault(c.view, []).append(np.abs(a2 - true))
            err3.setdefault(c.view, []).append(np.abs(a3 - true))
        for view, e2 in err2.items():
            out[f"{ex}-{view}"] = {"elbow_err_2d_deg": float(np.concatenate(e2).mean()),
                                   "elbow_err_3d_deg": float(np.concatenate(err3[view]).mean())}
    return out


def eval_smoother_real(models: Path, pushfit: Path, own_cache: Path) -> dict:
    """Real pairs: our own pose model's tracks of the pushfit validation clips (training.data.own_tracks)
    against the MoveNet / MediaPipe agreement labels (training.data.pose_frames.agreed_labels), over
    the frames and joints the labels know: raw, One-Euro, seq2seq full and live."""
    from app.core.types import PoseTrack
    from app.inference.smoother import Smoother
    from training.smoother_train import pooled_real, real_pair_errors, real_pairs
    sm = Smoother(models)
    rows: dict[str, list] = {"raw": [], "one_euro": [], "seq2seq_full": [], "seq2seq_live": []}
    pairs = real_pairs(pushfit, own_cache, validation=True)
    for k, lab, fps in pairs:
        t = PoseTrack(k, fps, (1, 1))
        found = k[..., 2] > 0
        for name, est in (("raw", k), ("one_euro", sm.one_euro(t)), ("seq2seq_full", sm.full(t)),
                          ("seq2seq_live", sm.live(t))):
            rows[name].append(real_pair_errors(est, found, lab))
    return {"clips": len(pairs), **{name: pooled_real(parts) for name, parts in rows.items()}}
