"""Export the LSTM-attention classifier to ONNX with metadata and a model card.

models/lstm_attention.onnx  features (N, 10, 68) float32 (app.core.features, x / width,
                            y / height), category (N,) int64 (exercise x view, 0..5)
                            -> p_standard (N,), attention (N, 10)
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from app.core.features import FEATURE_DIM
from app.core.types import EXERCISES, VIEWS
from app.core.windows import WINDOW_LEN
from training.classifier_train import HELD_OUT_SEED, load_classifier
from training.nets.lstm_attention import LstmAttentionExport
from training.onnx_io import sha256, write_onnx

NAME = "lstm_attention"


def export(checkpoint: Path, out_dir: Path) -> dict:
    """Write out_dir/lstm_attention.onnx + .json; returns the card."""
    model, ck = load_classifier(checkpoint)
    wrapper = LstmAttentionExport(model).eval()
    g = torch.Generator().manual_seed(0)
    feats = torch.rand(3, WINDOW_LEN, FEATURE_DIM, generator=g)
    cats = torch.tensor([0, 3, 5])
    path = out_dir / f"{NAME}.onnx"
    synth = ck["synth_train_seeds"][1]
    command = (f"python -m training classifier --preset {ck['preset']} --epochs {ck['epochs']} --synth {synth}"
               + (" --no-real" if not ck.get("train_clips") else "") + (" --own-tracks" if ck.get("own_tracks") else "") + " && python -m training export classifier")
    meta = {"name": NAME, "kind": "lstm_attention", "window_len": str(WINDOW_LEN), "feature_dim": str(FEATURE_DIM),
            "categories": ";".join(f"{e}-{v}" for e in EXERCISES for v in VIEWS), "command": command}
    diff = write_onnx(wrapper, (feats, cats), ["features", "category"], ["p_standard", "attention"], path, meta,
                      {"features": {0: "n"}, "category": {0: "n"}, "p_standard": {0: "n"}, "attention": {0: "n"}})
    last = ck["history"][-1] if ck.get("history") else {}
    held = ck["synth_held_out_seeds"]
    card = {
        "name": NAME,
        "what": "LSTM-attention standard / non-standard classifier (lstm-attention-sports-pose.txt eqs 3-12): "
                "per-window normalisation, 2-layer LSTM, attention with a learned h-bar, softmax",
        "inputs": {"features": ["N", WINDOW_LEN, FEATURE_DIM], "category": ["N"]},
        "outputs": ["p_standard", "attention"],
        "features": "app.core.features: 17 joints x (id / 16, x / width, y / height, confidence), joint-major",
        "categories": [f"{e}-{v}" for e in EXERCISES for v in VIEWS],
        "network": ck["net"],
        "data": {"train": f"synthetic rep windows, seeds {ck['synth_train_seeds'][0]}-{ck['synth_train_seeds'][1] - 1}"
                          f" x 6 categories (training.synth, label = the rep's) + pushfit rep windows of "
                          f"{len(ck.get('train_clips', []))} clips (label = the clip's; MoveNet tracks"
                          + (" and our own pose model's tracks" if ck.get("own_tracks") else "")
                          + f"), {ck['windows']['train']} windows",
                 "held_out": f"synthetic seeds {held[0]}-{held[1] - 1} (subjects never seen in training, "
                             f"HELD_OUT_SEED={HELD_OUT_SEED}); pushfit {len(ck.get('val_clips', []))} validation "
                             f"clips by clip-name hash"},
        "training": {"epochs": ck["epochs"], "steps": ck["step"], "optimiser": f"Adam, lr {ck['lr']:g} decaying "
                     f"exponentially to {ck['decay']:g} x", "device": "CPU (torch threads as set; no GPU lent)"},
        "metrics": {**{k: v for k, v in last.items() if k not in ("epoch", "step", "loss", "minutes")},
                    "split": "synthetic held-out seeds (windows, reps = mean window P >= 0.5); pushfit validation "
                             "clips (clip correct when the mean P(standard) of the windows inside its reps >= 0.5), "
                             "pushfit_* on the MoveNet tracks, own_* on our own pose model's tracks of the same "
                             "videos (only clips where our counter finds reps)"},
        "command": command, "parity_max_abs_diff": diff, "sha256": sha256(path),
    }
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card
