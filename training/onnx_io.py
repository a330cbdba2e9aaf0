"""Writing a torch module to ONNX the way every shipped model is written.

Checked by onnx.checker, metadata_props set (the app reads and checks them), and parity
against torch measured on the example inputs (max abs difference over all outputs).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from app.core.hashing import sha256_file

sha256 = sha256_file  # what the model cards record


def parity(onnx_path: Path, wrapper, inputs, names) -> float:
    """Max abs difference between ONNX Runtime and torch on the same inputs (all outputs)."""
    import onnxruntime as ort
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {n: t.numpy() for n, t in zip(names, inputs, strict=True)})
    with torch.no_grad():
        ref = wrapper(*inputs)
    ref = ref if isinstance(ref, (tuple, list)) else (ref,)
    return max(float(np.abs(g - r.numpy()).max()) for g, r in zip(got, ref, strict=True))


def write_onnx(wrapper: torch.nn.Module, inputs: tuple[torch.Tensor, ...], in_names: list[str],
               out_names: list[str], path: Path, meta: dict[str, str],
               dynamic_axes: dict[str, dict[int, str]] | None = None) -> float:
    """Export, check, stamp metadata; returns the parity max abs difference."""
    import onnx
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapper.eval(), inputs, str(path), input_names=in_names, output_names=out_names,
                          opset_version=17, dynamo=False, dynamic_axes=dynamic_axes)
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, str(v)
    onnx.save(m, str(path))
    return parity(path, wrapper, inputs, in_names)
