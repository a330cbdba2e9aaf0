"""Export the LSTM-attention classifier to ONNX with metadata and a model card.

models/lstm_attention.onnx  features (N, 10, 68) float32 (app.core.features, x / width,
                            y / height), category (N,) int64 (exercise x view, 0..5)
                            -> p_standard (N,), attention (N, 10)
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch

from app.core.features import FEATURE_DIM
from app.core.types import EXERCISES, VIEWS
from app.core.windows import WINDOW_LEN
from training.classifier_train import HELD_OUT_SEED, load_classifier
from training.export_pose import _sha
from training.nets.lstm_attention import LstmAttentionExport

NAME = "lstm_attention"


def export(checkpoint: Path, out_dir: Path) -> dict:
    """Write out_dir/lstm_attention.onnx + .json; returns the card."""
    import onnx
    import onnxruntime as ort
    model, ck = load_classifier(checkpoint)
    wrapper = LstmAttentionExport(model).eval()
    g = torch.Generator().manual_seed(0)
    feats = torch.rand(3, WINDOW_LEN, FEATURE_DIM, generator=g)
    cats = torch.tensor([0, 3, 5])
    path = out_dir / f"{NAME}.onnx"
    out_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper, (feats, cats), str(path), input_names=["features", "category"],
                          output_names=["p_standard", "attention"], opset_version=17, dynamo=False,
                          dynamic_axes={"features": {0: "n"}, "category": {0: "n"}, "p_standard": {0: "n"},
                                        "attention": {0: "n"}})
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    command = (f"python -m training classifier --preset {ck['preset']} --epochs {ck['epochs']}"
               + (" --no-real" if not ck.get("train_clips") else "") + " && python -m training export classifier")
    meta = {"name": NAME, "kind": "lstm_attention", "window_len": str(WINDOW_LEN), "feature_dim": str(FEATURE_DIM),
            "categories": ";".join(f"{e}-{v}" for e in EXERCISES for v in VIEWS), "command": command}
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, str(path))
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"features": feats.numpy(), "category": cats.numpy()})
    with torch.no_grad():
        ref = wrapper(feats, cats)
    diff = max(float(np.abs(a - b.numpy()).max()) for a, b in zip(got, ref, strict=True))
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
                          f"{len(ck.get('train_clips', []))} clips (label = the clip's), {ck['windows']['train']} windows",
                 "held_out": f"synthetic seeds {held[0]}-{held[1] - 1} (subjects never seen in training, "
                             f"HELD_OUT_SEED={HELD_OUT_SEED}); pushfit {len(ck.get('val_clips', []))} validation "
                             f"clips by clip-name hash"},
        "training": {"epochs": ck["epochs"], "steps": ck["step"], "optimiser": f"Adam, lr {ck['lr']:g} decaying "
                     f"exponentially to {ck['decay']:g} x", "device": "CPU (torch threads as set; no GPU lent)"},
        "metrics": {**{k: v for k, v in last.items() if k not in ("epoch", "step", "loss", "minutes")},
                    "split": "synthetic held-out seeds (windows, reps = mean window P >= 0.5); pushfit validation "
                             "clips (clip correct when the mean P(standard) of the windows inside its reps >= 0.5)"},
        "command": command, "parity_max_abs_diff": diff, "sha256": _sha(path),
    }
    path.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card
