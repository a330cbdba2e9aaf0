"""Export the crop pose checkpoint to models/pose_crop.onnx with its card.

    python -m training export crop-pose [--checkpoints checkpoints/] [--out models/]

The ONNX graph takes (N, 3, S, S) RGB in [0, 1] (upright subject crops, app.core.subject_crop)
and gives belief maps (N, 17, S/4, S/4); the app reads a crop and its mirror image as one batch
of two (app.inference.subject_pose.CropReader). Metadata carries what the app checks and needs: name,
kind, input size, stride, the crop rule's constants (the app's crop must be the one the model
was taught on). The card keeps the cumulative steps, crops seen, the validation curve and the
commands of every training chunk; `metrics` (measured by `python -m training eval pose`) are
kept from the previous card until re-measured.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from app.core import subject_crop
from app.core.skeleton import JOINT_NAMES
from training.nets.crop_pose import STRIDE, CropPoseConfig, CropPoseNet, parameters
from training.onnx_io import sha256, write_onnx

NAME = "pose_crop"


def load(checkpoint: Path) -> tuple[CropPoseNet, dict]:
    ck = torch.load(checkpoint, map_location="cpu", weights_only=False)
    if ck.get("kind") != "crop_pose":
        raise ValueError(f"{checkpoint}: not a crop pose checkpoint (kind {ck.get('kind')!r}); train one with "
                         "`python -m training crop-pose`")
    model = CropPoseNet(CropPoseConfig.from_dict(ck["config"]["net"]))
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def command(ck: dict) -> str:
    runs = ck.get("runs") or [{"command": f"python -m training crop-pose --steps {ck['config']['steps']}"}]
    return " && ".join(r["command"] for r in runs) + " && python -m training export crop-pose"


def export(checkpoint: Path, out_dir: Path) -> dict:
    """Write out_dir/pose_crop.onnx + .json; returns the card."""
    model, ck = load(checkpoint)
    size = model.cfg.size
    x = torch.rand(1, 3, size, size)
    path = out_dir / f"{NAME}.onnx"
    cmd = command(ck)
    meta = {"name": NAME, "kind": "crop_pose", "input_size": str(size), "stride": str(STRIDE),
            "joints": ",".join(JOINT_NAMES), "input": "RGB float32 [0,1], an upright subject crop, grey 114 borders",
            "crop_margin": str(subject_crop.MARGIN), "crop_min_torsos": str(subject_crop.MIN_TORSOS),
            "checkpoint_step": str(ck["step"]), "command": cmd}
    diff = write_onnx(model, (x,), ["image"], ["beliefs"], path, meta,
                      dynamic_axes={"image": {0: "batch"}, "beliefs": {0: "batch"}})
    card_path = path.with_suffix(".json")
    old = json.loads(card_path.read_text()) if card_path.exists() else {}
    hist = ck.get("history", [])
    card = {
        "name": NAME,
        "what": "subject-crop pose model: one person's crop, rotated so hips-to-shoulders points up, -> 17 belief "
                "maps at stride 4 (LSTM Pose Machines' single-person belief maps, BlazePose's region of interest); "
                "MobileNetV2-style inverted residuals + a light FPN (training/nets/crop_pose.py). The LSTM stage of "
                "the seed is not in this version",
        "inputs": {"image": ["batch", 3, size, size]}, "outputs": ["beliefs"], "joints": list(JOINT_NAMES),
        "input_size": size, "stride": STRIDE, "network": {**ck["config"]["net"], "parameters": parameters(model)},
        "crop_rule": {"margin": subject_crop.MARGIN, "min_torsos": subject_crop.MIN_TORSOS,
                      "where": "app.core.subject_crop.crop_of, the same in training and in the app"},
        "data": {
            "labels": "the reference teacher (mediapipe 0.10.14 BlazePose Full) tracks shipped in "
                      "../shared/data/footage/teacher and pushfit/teacher; joints with visibility < 0.5 masked (no "
                      "loss), pushfit joints MoveNet saw clearly elsewhere masked",
            "train": f"{ck['data']['crops']} upright crops cut once (training/data/crop_cache.py) from "
                     f"{len(ck['data']['train'])} clips: single-person footage clips (minus the people of the "
                     "hand-counted videos) + pushfit training clips; drawn by kind (pull-ups and lying work 4x); "
                     "region error, flips, light, blur, JPEG, noise and occlusion drawn per crop",
            "validation": "crops of the 30 hand-counted videos (../shared/data/videos + clips), their people in no "
                          "training clip (footage clips with same_person_as_videos or the THChen repository held out)"},
        "training": {"steps": ck["step"], "schedule_steps": ck["config"]["steps"], "crops_seen": ck.get("crops_seen"),
                     "batch": ck["config"]["batch"], "device": ck.get("device", "cpu") + " (2 threads; no GPU lent)",
                     "chunks": ck.get("runs", []),
                     "validation_curve": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in h.items()}
                                          for h in hist]},
        "command": cmd, "parity_max_abs_diff": diff,
        "metrics": old.get("metrics", {}), "sha256": sha256(path),
    }
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def run_cli(checkpoint: Path, out: Path) -> int:
    if not checkpoint.exists():
        print(f"error: {checkpoint} not found (train it with `python -m training crop-pose`)", file=sys.stderr)
        return 2
    card = export(checkpoint, out)
    print(f"{out}/{NAME}.onnx: step {card['training']['steps']}, parity max abs diff "
          f"{card['parity_max_abs_diff']:.2e}, sha256 {card['sha256'][:12]}")
    return 0
