"""ONNX Runtime sessions for shipped models, checked against their cards before use.

A model is `models/<name>.onnx` with a card `models/<name>.json`. Loading refuses a file
whose sha256 differs from the card or whose metadata names another model, with one line
naming the file and the command that rebuilds it. The CUDA provider is used when ONNX
Runtime offers it (onnxruntime-gpu), the CPU otherwise.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.hashing import sha256_file
from app.paths import models_dir


class ModelError(ValueError):
    """A model file is missing, altered or unusable; the message says which and the fix."""


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """session: onnxruntime.InferenceSession; card: the JSON card; meta: ONNX metadata_props."""

    path: Path
    session: object
    card: dict
    meta: dict
    provider: str

    @property
    def fingerprint(self) -> dict[str, str]:
        """{file stem: sha256} as checked against the card at load: what a judgement seals."""
        return {self.path.stem: str(self.card.get("sha256", ""))}


sha256 = sha256_file  # the name the model cards' checks and the export scripts use


def export_command(name: str) -> str:
    """The command that writes models/<name>.onnx from its checkpoint."""
    kind = {"lstm_attention": "classifier", "pose_attention": "recogniser", "seq2seq": "smoother",
            "pose_crop": "crop-pose"}.get(name)
    if kind is None:
        kind = "lifter" if name.startswith("lifter") else "pose"
    return f"python -m training export {kind}"


def read_card(path: Path) -> dict:
    card_path = path.with_suffix(".json")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{card_path}: model card missing; rebuild with `{export_command(path.stem)}`") from None
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"{card_path}: unreadable model card ({e.__class__.__name__}); rebuild with "
                         f"`{export_command(path.stem)}`") from None


def measured_worse(name: str, baseline: str, folder: Path | None, where: str) -> str | None:
    """A reason to leave model `name` off when both cards carry PCK@0.2 (metrics.pck@0.2_mean)
    and `name`'s is lower than `baseline`'s, as measured `where`; None otherwise (a card
    missing or unmeasured decides nothing)."""
    pcks = {}
    for n in (name, baseline):
        try:
            pcks[n] = read_card(Path(folder or models_dir()) / f"{n}.onnx").get("metrics", {}).get("pck@0.2_mean")
        except ModelError:
            return None
    a, b = pcks[name], pcks[baseline]
    if a is not None and b is not None and a < b:
        return f"{name} measured less accurate than {baseline} {where} (PCK@0.2 {a:.3f} < {b:.3f})"
    return None


def providers(prefer_gpu: bool = True) -> list[str]:
    """CUDA first when ONNX Runtime has it, then the CPU; $DRILLSCORE_PROVIDER=cpu forces the CPU
    (the admin's choice), =cuda asks for CUDA (the CPU stays as the fallback)."""
    import onnxruntime as ort
    have = ort.get_available_providers()
    choice = os.environ.get("DRILLSCORE_PROVIDER", "auto")
    prefer_gpu = prefer_gpu and choice != "cpu"
    return (["CUDAExecutionProvider"] if prefer_gpu and "CUDAExecutionProvider" in have else []) + ["CPUExecutionProvider"]


def load(name: str, folder: Path | None = None, threads: int | None = None, prefer_gpu: bool = True) -> LoadedModel:
    """Open models/<name>.onnx after checking it against its card."""
    import onnxruntime as ort
    path = Path(folder or models_dir()) / f"{name}.onnx"
    if not path.exists():
        raise ModelError(f"{path}: model file missing; build it with `{export_command(name)}` "
                         f"(or reinstall drillscore)")
    card = read_card(path)
    rebuild = card.get("command", export_command(name))
    if card.get("sha256") != sha256(path):
        raise ModelError(f"{path}: sha256 does not match its card (file altered or half-copied); "
                         f"rebuild with `{rebuild}`")
    opts = ort.SessionOptions()
    # No busy-waiting between operators: ONNX Runtime's threads otherwise spin for work and,
    # on a 2-core machine shared with the capture, recorder and GUI threads, starve them. Live
    # from a simulated 30 fps camera this halved the dropped frames (48% -> 20%) and the
    # capture-to-overlay latency (97 -> 58 ms) for 4% on the pose model alone (14.1 -> 14.6 ms).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    # every graph optimisation (fusions, constant folding, layout): the pose model's inference
    # is 2.5 ms/frame with it against 5.4 with the basic level (benchmarks/pose.py --quantize).
    # INT8 (1.9 ms) cost 0.02 PCK@0.2 against the teacher and FP16 gained nothing on the CPU,
    # so the shipped models stay float32
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    try:
        sess = ort.InferenceSession(str(path), opts, providers=providers(prefer_gpu))
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own, unexported types for corrupt graphs
        raise ModelError(f"{path}: ONNX Runtime cannot load it ({str(e).splitlines()[0][:120]}); "
                         f"rebuild with `{rebuild}`") from None
    meta = dict(sess.get_modelmeta().custom_metadata_map)
    if meta.get("name") != name:
        raise ModelError(f"{path}: metadata says {meta.get('name')!r}, expected {name!r}; rebuild with `{rebuild}`")
    return LoadedModel(path, sess, card, meta, sess.get_providers()[0])


def run(model: LoadedModel, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    return model.session.run(None, feeds)
