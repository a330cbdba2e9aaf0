"""Speed of candidate student sizes: the PAF network (training/nets/paf.py) at several widths
and input sizes, exported to ONNX with random weights, timed through ONNX Runtime at 2 threads
(inference only; letterbox, decoding and video decode come on top, see benchmarks/pose.py).
The time per frame the camera allows is what bounds the size; accuracy by size needs a
training run each (the closing note of issue 18 says which were run).

Run: .venv/bin/python benchmarks/pose_sizes.py [--frames 50]   (needs the train extra: torch)
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CANDIDATES = [  # (width, feat, head, stages, input px)
    (64, 48, 48, 2, 256), (96, 64, 64, 2, 224), (96, 64, 64, 2, 256), (96, 64, 64, 3, 256),
    (128, 64, 64, 2, 256), (96, 64, 64, 2, 320), (160, 96, 96, 3, 368),
]


def main() -> None:
    import onnxruntime as ort
    import torch

    from training.nets.paf import PafConfig, PafExport, PafNet
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=50)
    a = ap.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as d:
        for w, f, h, st, px in CANDIDATES:
            net = PafExport(PafNet(PafConfig(w, f, h, st))).eval()
            path = Path(d) / f"m{w}_{st}_{px}.onnx"
            with warnings.catch_warnings():  # the legacy exporter's notice: the shipped models use it too
                warnings.simplefilter("ignore")
                torch.onnx.export(net, (torch.rand(1, 3, px, px),), str(path), input_names=["image"],
                                  output_names=["heatmaps", "pafs"], opset_version=17, dynamo=False)
            o = ort.SessionOptions()
            o.intra_op_num_threads, o.inter_op_num_threads = 2, 1
            o.add_session_config_entry("session.intra_op.allow_spinning", "0")
            s = ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])
            x = np.random.default_rng(0).random((1, 3, px, px), dtype=np.float32)
            for _ in range(5):
                s.run(None, {"image": x})
            t0 = time.perf_counter()
            for _ in range(a.frames):
                s.run(None, {"image": x})
            ms = (time.perf_counter() - t0) * 1000 / a.frames
            params = sum(p.numel() for p in net.parameters()) / 1e6
            print(f"width {w:3d} feat {f:3d} head {h:3d} stages {st} input {px} px: {params:.2f} M parameters, "
                  f"{ms:6.2f} ms/frame")


if __name__ == "__main__":
    main()
