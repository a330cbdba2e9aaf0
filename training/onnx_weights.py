"""Weights of an exported pose model back into its torch network, to continue training from
a shipped model when its checkpoint is gone (checkpoints/ is not in the repository).

The export folds every batch norm into the convolution before it, so the ONNX graph holds
only convolutions; they appear in the order the network runs them, which is the order of
the torch modules. Each folded convolution goes back into its Conv2d, and the batch norm
after it is set to pass its input through: first exactly (identity statistics), then
`calibrate` gives it the statistics of real batches (gamma = std, beta = mean), so that in
training mode, where batch statistics normalise, it still passes its input through.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn


def conv_weights(onnx_path: Path) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """-> (weight, bias or None) of every Conv node of the graph, in graph order."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(str(onnx_path))
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = []
    for node in m.graph.node:
        if node.op_type == "Conv":
            w = init[node.input[1]]
            b = init[node.input[2]] if len(node.input) > 2 and node.input[2] else None
            out.append((np.array(w), None if b is None else np.array(b)))
    return out


def _conv_bn_pairs(model: nn.Module) -> list[tuple[nn.Conv2d, nn.BatchNorm2d | None]]:
    mods = list(model.modules())
    pairs = []
    for i, m in enumerate(mods):
        if isinstance(m, nn.Conv2d):
            bn = mods[i + 1] if i + 1 < len(mods) and isinstance(mods[i + 1], nn.BatchNorm2d) else None
            pairs.append((m, bn))
    return pairs


@torch.no_grad()
def load_folded(model: nn.Module, onnx_path: Path) -> int:
    """Copy the ONNX graph's convolutions into model (same architecture) -> tensors copied.
    ValueError naming the file when the shapes do not line up (another network size)."""
    convs = conv_weights(onnx_path)
    pairs = _conv_bn_pairs(model)
    if len(convs) != len(pairs):
        raise ValueError(f"{onnx_path}: {len(convs)} convolutions, the network has {len(pairs)}; "
                         "give a model of the same size (see its card's network)")
    for k, ((w, b), (conv, bn)) in enumerate(zip(convs, pairs)):
        if tuple(w.shape) != tuple(conv.weight.shape):
            raise ValueError(f"{onnx_path}: convolution {k} is {w.shape}, the network's is "
                             f"{tuple(conv.weight.shape)}; give a model of the same size")
        conv.weight.copy_(torch.from_numpy(w))
        bias = torch.from_numpy(b) if b is not None else torch.zeros(w.shape[0])
        if bn is None:
            conv.bias.copy_(bias)
            continue
        if b is not None and conv.bias is None:  # folded bias moves into the batch norm's beta
            bn.bias.copy_(bias)
        else:
            bn.bias.zero_()
        bn.weight.fill_(1.0)
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)  # (x - 0) / sqrt(1 - eps + eps) = x
    return len(convs)


@torch.no_grad()
def calibrate(model: nn.Module, images: torch.Tensor) -> None:
    """After load_folded: measure each batch norm's input on `images` (B, 3, S, S) with the
    model in eval mode (exact pass-through), then set gamma = std, beta = mean + the folded
    bias and the running statistics to the measured ones: eval mode is unchanged and training
    mode (batch statistics) passes its input through on batches like these."""
    stats: dict[nn.BatchNorm2d, tuple[torch.Tensor, torch.Tensor]] = {}

    def hook(mod, inp, _out):
        x = inp[0]
        stats[mod] = (x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False))

    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    handles = [m.register_forward_hook(hook) for m in bns]
    was = model.training
    model.eval()
    model(images)
    for h in handles:
        h.remove()
    for bn in bns:
        mean, var = stats[bn]
        beta = bn.bias.clone()  # the folded bias (pass-through adds it after normalising)
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        bn.weight.copy_(torch.sqrt(var + bn.eps))
        bn.bias.copy_(mean + beta)
    model.train(was)
