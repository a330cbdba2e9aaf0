"""Export the pose checkpoints to ONNX with metadata and a model card, checked against torch.

models/pose_paf.onnx      image (1, 3, S, S) RGB [0, 1] -> heatmaps (1, 18, S/8, S/8), pafs (1, 36, ..)
models/pose_lstm_pm.onnx  one step per frame: image, heat_in, paf_in, h_in, c_in, reset (1,)
                          -> heatmaps, pafs, h_out, c_out (reset = 1 on the first frame or a cut)
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from app.core.skeleton import JOINT_NAMES, PAF_PAIRS
from training.nets.lstm_pm import LstmPmStep
from training.nets.paf import N_HEAT, N_PAF, PafExport
from training.onnx_io import sha256, write_onnx
from training.pose_train import load_checkpoint

PAPERS = {"paf": "two-branch multi-stage CNN with Part Affinity Fields (lstm-attention-sports-pose.txt s2.1, OpenPose)",
          "lstm_pm": "LSTM Pose Machine (lstm-pose-machines.txt) on the PAF heads; its generator also sees "
                     "the LSTM's input [features, previous beliefs] (see training/nets/lstm_pm.py)"}


def _example(kind: str, ck: dict, model) -> tuple[tuple[torch.Tensor, ...], list[str], list[str]]:
    s = ck["size"]
    g = s // ck["stride"]
    img = torch.rand(1, 3, s, s)
    if kind == "paf":
        return (img,), ["image"], ["heatmaps", "pafs"]
    hid = model.cfg.hidden
    ins = (img, torch.rand(1, N_HEAT, g, g), torch.rand(1, N_PAF, g, g), torch.rand(1, hid, g, g) * 0.5,
           torch.rand(1, hid, g, g) * 0.5, torch.zeros(1))
    return ins, ["image", "heat_in", "paf_in", "h_in", "c_in", "reset"], ["heatmaps", "pafs", "h_out", "c_out"]


def train_command(kind: str, ck: dict) -> str:
    """The command that rebuilds this checkpoint, from what the checkpoint recorded (older
    checkpoints lack some arguments: those are left out)."""
    parts = [f"python -m training pose --model {kind} --preset {ck['preset']} --steps {ck.get('steps_total') or ck['step']}"]
    prefix = ""
    if ck.get("labels") == "teacher":
        parts.append("--labels teacher")
    from training.pose_train import PRESETS
    if ck.get("size") and ck["size"] != PRESETS.get(ck["preset"], {}).get("size"):
        parts.append(f"--size {ck['size']}")
    if ck.get("crop_share"):
        parts.append(f"--crop-share {ck['crop_share']:g}")
    if ck.get("synth_clips") is not None and ck.get("labels") == "teacher":
        parts.append(f"--synth {ck['synth_clips']}")
    if ck.get("init_commit") and ck.get("init"):  # the init file as it was then (export overwrites it)
        tmp = f"/tmp/{Path(ck['init']).stem}_{ck['init_commit'][:7]}{Path(ck['init']).suffix}"
        prefix = f"git show {ck['init_commit'][:7]}:{ck['init']} > {tmp} && "
        parts.append(f"--init {tmp}")
    elif ck.get("init"):
        parts.append(f"--init {ck['init']}")
    if ck.get("lr") is not None:
        parts.append(f"--lr {ck['lr']:g}")
    parts += [f"--weight {k}={v:g}" for k, v in sorted((ck.get("weights") or {}).items())]
    if ck.get("paf_weight", 1.0) != 1.0:
        parts.append(f"--paf-weight {ck['paf_weight']:g}")
    if ck.get("temporal_weight"):
        parts.append(f"--temporal-weight {ck['temporal_weight']:g}")
    if ck.get("frozen"):
        parts.append("--freeze")
    return prefix + " ".join(parts) + " && python -m training export pose"


def data_note(ck: dict) -> dict:
    """The card's data: what trained the checkpoint and what was held out."""
    synth = f" + {ck.get('synth_clips', 0)} rendered synthetic clips (training.synth.render)"
    if ck.get("labels") != "teacher":
        return {"train": f"pushfit frames (MoveNet + MediaPipe agreement pseudo-labels), {len(ck['train_clips'])} clips"
                         + synth,
                "validation": f"pushfit, {len(ck['val_clips'])} clips held out by clip name hash"}
    tr = ck["train_clips"]
    n_push = sum(c.startswith("pushfit_") for c in tr)
    va = ck["val_clips"]
    return {"labels": "the reference teacher (mediapipe 0.10.14 BlazePose Full); joints with visibility < 0.5 masked; "
                      "on pushfit, joints MoveNet saw clearly elsewhere masked. Its tracks first: `python -m training "
                      "teacher ../shared/data/footage --cache ~/.cache/drillscore/teacher/footage` and `python -m "
                      "training teacher ../shared/data/pushfit/videos --cache ~/.cache/drillscore/teacher/pushfit` "
                      "(about 25 minutes on 2 cores; the validation videos' tracks are in ../shared/data/videos/teacher)",
            "train": f"{len(tr) - n_push} single-person ../shared/data/footage clips (every exercise and view, up to "
                     f"240 frames each) + {n_push} pushfit clips (64 frames each){synth}; crops around the person in "
                     f"{ck.get('crop_share', 0):.0%} of items; sampling weighted towards pull-ups and sit-ups "
                     "(training.data.teacher_frames.WEIGHTS)",
            "validation": f"{sum(not c.startswith('pushfit_') for c in va)} hand-counted videos (../shared/data/videos "
                          f"+ clips; their people are in no training clip) + {sum(c.startswith('pushfit_') for c in va)} "
                          "pushfit clips held out by clip-name hash"}


def export(kind: str, checkpoint: Path, out_dir: Path) -> dict:
    """Write out_dir/pose_<kind>.onnx + .json; returns the card."""
    model, ck = load_checkpoint(checkpoint)
    command = train_command(kind, ck)
    wrapper = (PafExport if kind == "paf" else LstmPmStep)(model).eval()
    inputs, in_names, out_names = _example(kind, ck, model)
    name = f"pose_{kind}"
    path = out_dir / f"{name}.onnx"
    hist = ck.get("history") or [{}]
    meta = {"name": name, "kind": kind, "input_size": str(ck["size"]), "stride": str(ck["stride"]),
            "joints": ",".join(JOINT_NAMES), "paf_pairs": ";".join(f"{a}-{b}" for a, b in PAF_PAIRS),
            "input": "RGB float32 [0,1], letterboxed square, grey 114 borders",
            "checkpoint_step": str(ck["step"]), "command": command}
    if kind == "paf" and ck.get("crop_share"):
        meta["crop_pass"] = "1"  # trained on crops around the person: the app may run its crop pass
    if kind == "lstm_pm":
        # the app restarts the memory every `horizon` frames: trained on clip_len-frame clips, the
        # state drifts on long runs. 2 x clip_len read best on pushfit validation (PCK@0.2 0.768,
        # jitter 0.055 at 10 frames; 0.764 at 5, 0.753 at 15, 0.719 at 20, 0.605 never restarted)
        meta["horizon"] = str(2 * int(ck["clip_len"]))
    diff = write_onnx(wrapper, inputs, in_names, out_names, path, meta)
    card_path = path.with_suffix(".json")
    old = json.loads(card_path.read_text()) if card_path.exists() else {}
    card = {
        "name": name, "what": PAPERS[kind],
        "inputs": {n: list(t.shape) for n, t in zip(in_names, inputs, strict=True)},
        "outputs": out_names, "joints": list(JOINT_NAMES), "paf_pairs": [list(p) for p in PAF_PAIRS],
        "input_size": ck["size"], "stride": ck["stride"], "network": ck["net"], "preset": ck["preset"],
        **({"horizon_frames": int(meta["horizon"])} if "horizon" in meta else {}),
        "data": data_note(ck),
        "training": {"steps": ck["step"], "device": ck.get("device", "not recorded"), "init": ck.get("init"),
                     **({"notes": ck["notes"]} if ck.get("notes") else {}),
                     "last_validation": hist[-1] if hist else {}},
        "command": command, "parity_max_abs_diff": diff,
        "metrics": old.get("metrics", {}), "sha256": sha256(path),
    }
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card
