"""Export the recogniser, the smoother and the lifters to ONNX with metadata and cards.

models/pose_attention.onnx   keypoints (N, 30, 17, 3) px + score -> probabilities (N, 7),
                             frame_attention (N, 30), joint_attention (N, 17)
models/seq2seq.onnx          keypoints (N, 16, 17, 3) -> smoothed (N, 16, 17, 2) px
models/lifter_<ex>.onnx      keypoints (N, T + 26, 17, 3) -> joints3d (N, T, 17, 3) m, camera
                             axes, root-relative (symmetric receptive field: review)
models/lifter_causal.onnx    the same, output t = the last frame of its 27 (live)

Each card records the checkpoint's held-out figures with their split and the command that
rebuilds it; each export measures parity against torch.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from app.core.recognition import CLASSES
from app.core.skeleton import JOINT_NAMES
from training.onnx_io import sha256, write_onnx

DEVICE_NOTE = "CPU, 2 threads (no GPU was lent to this task)"


def _card(name: str, path: Path, what: str, inputs: dict, outputs: list[str], ck: dict, data: dict, metrics: dict,
          command: str, diff: float, extra: dict | None = None) -> dict:
    hist = ck.get("history") or [{}]
    card = {"name": name, "what": what, "inputs": inputs, "outputs": outputs, "joints": list(JOINT_NAMES),
            "network": ck["net"], "preset": ck["preset"], "data": data,
            "training": {"steps": ck["steps"], "optimiser": f"Adam, lr {ck['lr']:g}, exponential decay to 0.1 x",
                         "device": DEVICE_NOTE, "minutes": round(hist[-1].get("minutes", 0.0), 1)},
            "metrics": metrics, "command": command, "parity_max_abs_diff": diff, "sha256": sha256(path),
            **(extra or {})}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def _seeds(ck: dict) -> dict:
    tr, ho = ck["train_seeds"], ck["held_out_seeds"]
    return {"train": f"synthetic clips (training.synth), subject seeds {tr[0]}-{tr[1] - 1}",
            "held_out": f"synthetic subject seeds {ho[0]}-{ho[1] - 1} (never seen in training)"}


def export_recogniser(checkpoint: Path, out_dir: Path) -> dict:
    from training.nets.pose_attention import PoseAttentionExport
    from training.recogniser_train import load_recogniser
    model, ck = load_recogniser(checkpoint)
    L = ck["window"]
    name = "pose_attention"
    path = out_dir / f"{name}.onnx"
    k = torch.rand(3, L, 17, 3) * 500
    k[..., 2] = torch.rand(3, L, 17)
    command = f"python -m training recogniser --preset {ck['preset']} --steps {ck['steps']}" + \
        (" --bend-legs" if ck.get("bend_legs") else "") + \
        (" --back-views" if ck.get("back_views") else "") + " && python -m training export recogniser"
    diff = write_onnx(PoseAttentionExport(model), (k,), ["keypoints"],
                      ["probabilities", "frame_attention", "joint_attention"], path,
                      {"name": name, "kind": "pose_attention", "window": L, "classes": ";".join(CLASSES),
                       "command": command},
                      {"keypoints": {0: "n"}, "probabilities": {0: "n"}, "frame_attention": {0: "n"},
                       "joint_attention": {0: "n"}})
    last = ck["history"][-1]
    metrics = {k: v for k, v in last.items() if k not in ("step", "loss", "minutes")}
    metrics["split"] = ("synthetic held-out windows (window acc) and reps clips (clip acc: the guess over the clip's "
                        "windows, app.core.recognition.guess); RepCount test-split sequences (push-up, pull-up, "
                        "sit-up; exercise only, per sequence)")
    return _card(name, path, "pose-attention network (pose-attention-networks.txt): human-graph layers (eq. 1), "
                 "joint attention (13-15), GRU, frame attention (10-12), combined loss (16-18)",
                 {"keypoints": ["N", L, 17, 3]}, ["probabilities", "frame_attention", "joint_attention"], ck,
                 {**_seeds(ck), "real_check": "RepCount-A test split poses (../shared/data/repcount)",
                  "windows": ck["windows"]}, metrics, command, diff, {"classes": list(CLASSES), "window": L})


def export_smoother(checkpoint: Path, out_dir: Path) -> dict:
    from training.nets.seq2seq import LOOKAHEAD, SMOOTH_LEN, Seq2SeqExport
    from training.smoother_train import load_smoother
    model, ck = load_smoother(checkpoint)
    name = "seq2seq"
    path = out_dir / f"{name}.onnx"
    k = torch.rand(2, SMOOTH_LEN, 17, 3) * 500
    k[..., 2] = torch.rand(2, SMOOTH_LEN, 17)
    command = f"python -m training smoother --preset {ck['preset']} --steps {ck['steps']} " \
              f"--accel-weight {ck.get('accel_weight', 0):g}" + (f" --real --real-share {ck['real_share']:g}" if ck.get("real") else "") + \
        " && python -m training export smoother"
    diff = write_onnx(Seq2SeqExport(model), (k,), ["keypoints"], ["smoothed"], path,
                      {"name": name, "kind": "seq2seq", "window": SMOOTH_LEN, "lookahead": LOOKAHEAD,
                       "one_euro": json.dumps(ck["one_euro"]), "command": command},
                      {"keypoints": {0: "n"}, "smoothed": {0: "n"}})
    metrics = {**ck["evaluation"], "split": "synthetic held-out clips, every frame; PCK@a: within a x the clean "
               "person's box size; accel_err: mean |acceleration error| / box size; seq2seq_live = look-ahead "
               f"{LOOKAHEAD} frames; one_euro tuned on training clips: {ck['one_euro']}; real_validation: our "
               "pose model's tracks of the pushfit validation clips against the MoveNet / MediaPipe agreement "
               "labels, PCK@a of the label box (a joint our model missed counts as wrong)"}
    return _card(name, path, "seq2seq smoother (seq2seq-pose-correction.txt): bidirectional LSTM encoder, "
                 "attention decoder, overlapping windows", {"keypoints": ["N", SMOOTH_LEN, 17, 3]}, ["smoothed"],
                 ck, {**_seeds(ck), "pairs": "noisy keypoints (training.synth.noise) -> clean projection"
                      + ("; real: our pose model's tracks of the pushfit training clips -> MoveNet / MediaPipe "
                         f"agreement labels, {ck['real_share']:.0%} of each batch" if ck.get("real") else "")},
                 metrics, command, diff, {"window": SMOOTH_LEN, "lookahead_frames": LOOKAHEAD,
                                          "one_euro_baseline": ck["one_euro"]})


def export_lifter(checkpoint: Path, out_dir: Path, name: str, chosen_for: str | None, comparison: dict) -> dict:
    """name: lifter_<exercise> or lifter_causal; chosen_for: the exercise this file serves."""
    from training.lifter_train import load_lifter
    model, ck = load_lifter(checkpoint)
    rf = model.receptive_field
    path = out_dir / f"{name}.onnx"
    k = torch.rand(1, rf + 9, 17, 3) * 500
    k[..., 2] = torch.rand(1, rf + 9, 17)
    causal = ck["net"]["causal"]
    command = (f"python -m training lifter --preset {ck['preset']} --steps {ck['steps']} --actions {ck['action']}"
               + (" --causal" if causal else "") + " && python -m training export lifter")
    diff = write_onnx(model, (k,), ["keypoints"], ["joints3d"], path,
                      {"name": name, "kind": "lifter", "receptive_field": rf, "causal": int(causal),
                       "action": ck["action"], "command": command},
                      {"keypoints": {0: "n", 1: "t_in"}, "joints3d": {0: "n", 1: "t_out"}})
    metrics = {"held_out": ck["evaluation"], "per_action_vs_all": comparison,
               "split": "synthetic held-out clips per exercise, every frame (ends edge-padded); MPJPE and P-MPJPE "
                        "in mm, MPJVE in mm per frame; synthetic, not Human3.6M"}
    return _card(name, path, "VideoPose3D-style temporal-convolution lifter (videopose3d-action-training.txt), "
                 f"receptive field {rf}, {'causal (live)' if causal else 'symmetric (review)'}, trained on "
                 f"{ck['action']}" + (f", chosen for {chosen_for}" if chosen_for else ""),
                 {"keypoints": ["N", f"T + {rf - 1}", 17, 3]}, ["joints3d"], ck,
                 {**_seeds(ck), "pairs": "noisy 2D keypoints -> 3D joints in the camera's axes, root-relative; "
                                         "front and side cameras with random height, distance, field of view"},
                 metrics, command, diff, {"receptive_field": rf, "causal": causal, "action": ck["action"]})


def choose_lifters(checkpoints: Path) -> dict[str, tuple[Path, dict]]:
    """Per exercise, the per-action or the all-action checkpoint with the lower held-out MPJPE.
    -> exercise: (checkpoint, comparison {per_action: mpjpe, all: mpjpe})."""
    from app.core.types import EXERCISES
    from training.lifter_train import load_lifter
    out = {}
    all_ck = checkpoints / "lifter_all.pt"
    all_eval = load_lifter(all_ck)[1]["evaluation"] if all_ck.exists() else {}
    for ex in EXERCISES:
        own = checkpoints / f"lifter_{ex}.pt"
        own_eval = load_lifter(own)[1]["evaluation"].get(ex) if own.exists() else None
        cands = {}
        if own_eval:
            cands["per_action"] = (own, own_eval)
        if ex in all_eval:
            cands["all"] = (all_ck, all_eval[ex])
        if not cands:
            continue
        best = min(cands, key=lambda c: cands[c][1]["mpjpe_mm"])
        out[ex] = (cands[best][0], {c: {k: round(v, 2) for k, v in e.items()} for c, (_, e) in cands.items()}
                   | {"shipped": best})
    return out
